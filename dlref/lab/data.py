"""Datasets for the site and the training loops: where they live, how they are found.

Every loader looks in one data root ([`data_root()`][dlref.lab.data.data_root]: ``$DLREF_DATA``, else a user cache
folder) using torchvision's on-disk layout, so a folder prepared by torchvision elsewhere can be
copied in as is:

- Fashion-MNIST: ``<root>/FashionMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte``
  (uncompressed; torchvision looks for these names, not the ``.gz`` ones).
- CIFAR-10: ``<root>/cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}``.
- 8×8 digits: bundled with scikit-learn (the UCI optdigits test set, 1797 images).

Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747) is also packaged by Debian
(``apt-get install dataset-fashion-mnist``, gzip files in ``/usr/share/datasets/fashion-mnist``);
when present it is decompressed into the data root instead of downloading. CIFAR-10
(Krizhevsky 2009) has no such package: it is downloaded by torchvision or placed by hand, and a
missing copy raises [`DatasetNotFoundError`][dlref.lab.data.DatasetNotFoundError] rather than falling back to other data.

[`channel_stats()`][dlref.lab.data.channel_stats] computes the per-channel mean and standard deviation that
``transforms.Normalize(mean, std)`` expects, so pages print computed constants instead of
copying them.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import pathlib
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import torch

from dlref import validate

PathLike = str | os.PathLike

#: Where the Debian package ``dataset-fashion-mnist`` installs its gzip files.
FASHION_MNIST_DEBIAN_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")

#: Seconds a download may wait on one socket operation before giving up.
DOWNLOAD_TIMEOUT_S = 20.0

_FASHION_MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
#: Size in bytes and MD5 of each uncompressed Fashion-MNIST file (idx headers of 16 and 8 bytes,
#: then 28·28 bytes an image or 1 byte a label). A file that differs is not the data set.
FASHION_MNIST_CHECKSUMS = {
    "train-images-idx3-ubyte": (16 + 60000 * 784, "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
    "train-labels-idx1-ubyte": (8 + 60000, "9018921c3c673c538a1fc5bad174d6f9"),
    "t10k-images-idx3-ubyte": (16 + 10000 * 784, "8181f5470baa50b63fa0f6fddb340f0a"),
    "t10k-labels-idx1-ubyte": (8 + 10000, "15d484375f8d13e6eb1aabb0c3f46965"),
}
_CIFAR10_FOLDER = "cifar-10-batches-py"
_CIFAR10_FILES = (*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta")
_CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is neither in the data root nor obtainable here; the message says how to get it."""


class DatasetCorruptError(DatasetNotFoundError):
    """A data file has the wrong size or checksum (truncated, edited or foreign); the message names it and the repair."""


def _md5(path: pathlib.Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_problem(path: pathlib.Path, size: int | None, md5: str) -> str | None:
    """What is wrong with ``path`` (``None`` when its size and MD5 are the expected ones)."""
    if not path.is_file():
        return f"{path} is missing"
    actual = path.stat().st_size
    if size is not None and actual != size:
        return f"{path} has {actual} bytes, expected {size} ({'truncated' if actual < size else 'too long'})"
    if _md5(path) != md5:
        return f"{path} has the right size but the wrong MD5 checksum (edited or a different file)"
    return None


def fashion_mnist_problems(root: PathLike | None = None) -> list[str]:
    """Every Fashion-MNIST file in the data root that is missing, truncated or altered.

    Args:
        root: Data root; defaults to [`data_root()`][dlref.lab.data.data_root].

    Returns:
        One line per bad file; empty when the four files are the published data set.

    Examples:
        >>> import tempfile
        >>> fashion_mnist_problems(tempfile.mkdtemp())[0].endswith("train-images-idx3-ubyte is missing")
        True
    """
    raw = _fashion_mnist_raw(_resolve_root(root))
    found = (_file_problem(raw / name, size, md5) for name, (size, md5) in FASHION_MNIST_CHECKSUMS.items())
    return [p for p in found if p]


def cifar10_problems(root: PathLike | None = None) -> list[str]:
    """Every CIFAR-10 file in the data root that is missing or fails torchvision's MD5 check.

    Examples:
        >>> import tempfile
        >>> len(cifar10_problems(tempfile.mkdtemp()))
        7
    """
    from torchvision.datasets import CIFAR10

    folder = _resolve_root(root) / _CIFAR10_FOLDER
    expected = [*CIFAR10.train_list, *CIFAR10.test_list, [CIFAR10.meta["filename"], CIFAR10.meta["md5"]]]
    found = (_file_problem(folder / name, None, md5) for name, md5 in expected)
    return [p for p in found if p]


def data_root() -> pathlib.Path:
    """The folder all datasets are read from and prepared into.

    ``$DLREF_DATA`` if set, else ``$XDG_CACHE_HOME/dlref/data``, else ``~/.cache/dlref/data``.
    The folder is not created here.

    Returns:
        An absolute path.

    Examples:
        >>> data_root().is_absolute()
        True
    """
    if os.environ.get("DLREF_DATA"):
        return pathlib.Path(os.environ["DLREF_DATA"]).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says to ignore an empty or relative XDG_CACHE_HOME.
    base = pathlib.Path(cache) if os.path.isabs(cache) else pathlib.Path.home() / ".cache"
    return base / "dlref" / "data"


def _resolve_root(root: PathLike | None) -> pathlib.Path:
    validate.path("root", root, optional=True)
    return data_root() if root is None else pathlib.Path(root).expanduser().resolve()


@contextlib.contextmanager
def _download_timeout() -> Iterator[None]:
    """Bound each socket operation, so an unreachable host fails in seconds, not minutes.

    torchvision's ``urlopen`` calls pass no timeout and so use the process-wide default.
    """
    previous = socket.getdefaulttimeout()
    if previous is None:
        socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _download(dataset_cls: type, root: pathlib.Path, missing_message: Callable[[pathlib.Path, str], str]) -> None:
    """Let torchvision download ``dataset_cls`` into ``root``; turn any failure into DatasetNotFoundError."""
    try:
        with _download_timeout():
            dataset_cls(root, train=False, download=True)
    except (OSError, RuntimeError) as err:  # URLError and timeouts are OSErrors; bad MD5 a RuntimeError
        reason = f"download failed: {str(err).strip().splitlines()[-1]}"
        raise DatasetNotFoundError(missing_message(root, reason)) from err


def _decompress(src: pathlib.Path, dst: pathlib.Path) -> None:
    """Gunzip ``src`` to ``dst`` through a temporary file, so ``dst`` is never left half written.

    torchvision accepts a raw file by its existence alone, so a truncated one would load
    as a broken dataset.
    """
    with tempfile.NamedTemporaryFile(dir=dst.parent, prefix=dst.name, suffix=".part", delete=False) as tmp:
        try:
            with gzip.open(src, "rb") as f:
                shutil.copyfileobj(f, tmp)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    os.chmod(tmp.name, 0o644)  # temporary files are created 0600; data roots may be shared
    os.replace(tmp.name, dst)


def _fashion_mnist_raw(root: pathlib.Path) -> pathlib.Path:
    return root / "FashionMNIST" / "raw"


def _fashion_mnist_missing_message(root: pathlib.Path, reason: str) -> str:
    raw = _fashion_mnist_raw(root)
    return (
        f"Fashion-MNIST not found: expected {', '.join(_FASHION_MNIST_FILES)} in {raw} ({reason}). "
        f"Install the Debian package (apt-get install dataset-fashion-mnist, files in "
        f"{FASHION_MNIST_DEBIAN_DIR}) and run `dlref data fetch fashion-mnist`, or download it with "
        f"torchvision where there is internet, or set DLREF_DATA to a data root that holds FashionMNIST/raw/."
    )


def prepare_fashion_mnist(root: PathLike | None = None, download: bool = True) -> pathlib.Path:
    """Make the four uncompressed Fashion-MNIST files exist under ``<root>/FashionMNIST/raw/``.

    For each file, in order: already there; its ``.gz`` there (decompressed in place); the Debian
    copy in `FASHION_MNIST_DEBIAN_DIR` (decompressed into the root); else, if ``download``,
    torchvision downloads the whole set.

    Args:
        root: Data root; defaults to [`data_root()`][dlref.lab.data.data_root].
        download: Allow a network download when no local copy exists.

    Returns:
        The ``raw`` folder holding the files.

    Raises:
        DatasetNotFoundError: No local copy and the download was not allowed or failed.

    Examples:
        >>> raw = prepare_fashion_mnist()  # doctest: +SKIP
        >>> sorted(p.name for p in raw.iterdir())[:1]  # doctest: +SKIP
        ['t10k-images-idx3-ubyte']
    """
    validate.boolean("download", download)
    root = _resolve_root(root)
    raw = _fashion_mnist_raw(root)
    missing, damaged = [], []
    for name, (size, md5) in FASHION_MNIST_CHECKSUMS.items():
        target = raw / name
        problem = _file_problem(target, size, md5)
        if problem is None:
            continue
        sources = (raw / f"{name}.gz", FASHION_MNIST_DEBIAN_DIR / f"{name}.gz")
        source = next((s for s in sources if s.is_file()), None)
        if source is None:
            (damaged if target.exists() else missing).append(problem)
            continue
        raw.mkdir(parents=True, exist_ok=True)
        _decompress(source, target)  # replaces a damaged file atomically with a good copy
        if (again := _file_problem(target, size, md5)) is not None:
            target.unlink()
            raise DatasetCorruptError(
                f"{source} does not decompress to the published file ({again}); reinstall it "
                f"(apt-get install --reinstall dataset-fashion-mnist) or delete it and run `dlref data fetch fashion-mnist`"
            )
    if damaged:
        raise DatasetCorruptError(
            "Fashion-MNIST files are damaged: " + "; ".join(damaged) + ". No local copy to repair them from: "
            f"delete them and run `dlref data fetch fashion-mnist` (apt-get install dataset-fashion-mnist "
            f"provides a local copy in {FASHION_MNIST_DEBIAN_DIR})"
        )
    if not missing:
        return raw
    if not download:
        raise DatasetNotFoundError(_fashion_mnist_missing_message(root, "download=False"))

    from torchvision.datasets import FashionMNIST

    _download(FashionMNIST, root, _fashion_mnist_missing_message)
    if problems := fashion_mnist_problems(root):
        raise DatasetCorruptError("Fashion-MNIST download is damaged: " + "; ".join(problems) + "; delete them and retry")
    return raw


def fashion_mnist(
    train: bool = True,
    transform: Callable | None = None,
    root: PathLike | None = None,
    download: bool = True,
) -> Any:
    """Fashion-MNIST: 28×28 grey images of clothing in 10 classes, 60 000 train / 10 000 test.

    Args:
        train: The training split if True, else the test split.
        transform: Applied to each PIL image, e.g. ``transforms.ToTensor()``.
        root: Data root; defaults to [`data_root()`][dlref.lab.data.data_root].
        download: Allow a network download when neither the root nor the Debian package has it.

    Shape:
        With ``transform=ToTensor()`` each item is ``(image, label)``: image ``(1, 28, 28)``
        float32 in [0, 1], label an int in 0..9.

    Returns:
        A ``torchvision.datasets.FashionMNIST``.

    Raises:
        DatasetNotFoundError: See [`prepare_fashion_mnist()`][dlref.lab.data.prepare_fashion_mnist].

    Examples:
        >>> from torchvision import transforms  # doctest: +SKIP
        >>> ds = fashion_mnist(train=False, transform=transforms.ToTensor())  # doctest: +SKIP
        >>> len(ds), ds[0][0].shape  # doctest: +SKIP
        (10000, torch.Size([1, 28, 28]))
    """
    from torchvision.datasets import FashionMNIST

    validate.boolean("train", train)
    validate.callable_("transform", transform, optional=True)
    root = _resolve_root(root)
    prepare_fashion_mnist(root, download=download)
    return FashionMNIST(root, train=train, transform=transform, download=False)


def _cifar10_missing_message(root: pathlib.Path, reason: str) -> str:
    return (
        f"CIFAR-10 not found: expected the extracted folder {root / _CIFAR10_FOLDER} "
        f"({', '.join(_CIFAR10_FILES)}) ({reason}). On a machine with internet, "
        f"`dlref data fetch cifar10` (torchvision's download) puts it there; otherwise download "
        f"{_CIFAR10_URL}, extract it and place the {_CIFAR10_FOLDER} folder in {root}, "
        f"or set DLREF_DATA to a data root that holds it."
    )


def prepare_cifar10(root: PathLike | None = None, download: bool = True) -> pathlib.Path:
    """Make ``<root>/cifar-10-batches-py`` exist, downloading it with torchvision if allowed.

    Args:
        root: Data root; defaults to [`data_root()`][dlref.lab.data.data_root].
        download: Allow a network download (about 170 MB) when the folder is missing or corrupt.

    Returns:
        The ``cifar-10-batches-py`` folder.

    Raises:
        DatasetNotFoundError: The folder is missing or corrupt and could not be downloaded.

    Examples:
        >>> prepare_cifar10(download=False)  # doctest: +SKIP
        PosixPath('/home/me/.cache/dlref/data/cifar-10-batches-py')
    """
    validate.boolean("download", download)
    root = _resolve_root(root)
    folder = root / _CIFAR10_FOLDER
    if not download:
        problems = cifar10_problems(root)
        if problems and all(p.endswith("is missing") for p in problems):
            raise DatasetNotFoundError(_cifar10_missing_message(root, "download=False"))
        if problems:
            raise DatasetCorruptError(
                "CIFAR-10 files are damaged: " + "; ".join(problems) + f". Delete {folder} and run "
                "`dlref data fetch cifar10` where there is internet, or copy a good folder in"
            )
        return folder

    from torchvision.datasets import CIFAR10

    # torchvision checks the files' MD5 sums and downloads only when they do not match.
    _download(CIFAR10, root, _cifar10_missing_message)
    return folder


def cifar10(
    train: bool = True,
    transform: Callable | None = None,
    root: PathLike | None = None,
    download: bool = True,
) -> Any:
    """CIFAR-10: 32×32 colour images in 10 classes, 50 000 train / 10 000 test.

    Args:
        train: The training split if True, else the test split.
        transform: Applied to each PIL image, e.g. ``transforms.ToTensor()``.
        root: Data root; defaults to [`data_root()`][dlref.lab.data.data_root].
        download: Allow torchvision to download it when ``<root>/cifar-10-batches-py`` is missing.

    Shape:
        With ``transform=ToTensor()`` each item is ``(image, label)``: image ``(3, 32, 32)``
        float32 in [0, 1], label an int in 0..9.

    Returns:
        A ``torchvision.datasets.CIFAR10``.

    Raises:
        DatasetNotFoundError: The folder is missing and could not be downloaded; the message
            names the folder expected and how to fill it.

    Examples:
        >>> from torchvision import transforms  # doctest: +SKIP
        >>> ds = cifar10(train=False, transform=transforms.ToTensor())  # doctest: +SKIP
        >>> len(ds), ds[0][0].shape  # doctest: +SKIP
        (10000, torch.Size([3, 32, 32]))
    """
    from torchvision.datasets import CIFAR10

    validate.boolean("train", train)
    validate.callable_("transform", transform, optional=True)
    root = _resolve_root(root)
    prepare_cifar10(root, download=download)
    try:
        return CIFAR10(root, train=train, transform=transform, download=False)
    except RuntimeError as err:  # torchvision's "not found or corrupted"
        raise DatasetNotFoundError(_cifar10_missing_message(root, str(err))) from err


def digits(as_images: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 8×8 handwritten digits (1797 images, 10 classes), pixels scaled to [0, 1].

    Small enough to train on in a second on a CPU; bundled with scikit-learn, so never downloaded.

    Args:
        as_images: Return images ``(N, 1, 8, 8)`` instead of flat rows ``(N, 64)``.

    Shape:
        - X: ``(1797, 64)``, or ``(1797, 1, 8, 8)`` with ``as_images=True``; float32.
        - y: ``(1797,)``; int64 class index 0..9, ready for ``F.cross_entropy``.

    Returns:
        ``(X, y)``.

    Examples:
        >>> X, y = digits()
        >>> tuple(X.shape), X.dtype, float(X.max()), tuple(y.shape)
        ((1797, 64), torch.float32, 1.0, (1797,))
    """
    validate.boolean("as_images", as_images)
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # Pixels are counts 0..16 of set bits in 4×4 blocks of the original 32×32 bitmaps.
    X = torch.as_tensor(bunch.data, dtype=torch.float32) / 16.0  # (N, 64)
    y = torch.as_tensor(bunch.target, dtype=torch.int64)  # (N,)
    if as_images:
        X = X.reshape(-1, 1, 8, 8)  # (N, C=1, H_in=8, W_in=8)
    return X, y


def available(root: PathLike | None = None) -> dict[str, bool | str]:
    """Which datasets can be loaded without a download; touches no network and writes nothing.

    Args:
        root: Data root; defaults to [`data_root()`][dlref.lab.data.data_root].

    Returns:
        Dataset name → ``True`` when it loads from the data root (or is bundled), a string
        naming the local copy it will be prepared from, or ``False`` when it needs a download.
        CIFAR-10 files are checked for presence only, not their MD5 sums.

    Examples:
        >>> available()["digits"]
        True
    """
    import importlib.util

    root = _resolve_root(root)
    problems = fashion_mnist_problems(root)
    debian = all((FASHION_MNIST_DEBIAN_DIR / f"{name}.gz").is_file() for name in _FASHION_MNIST_FILES)
    if not problems:
        fmnist: bool | str = True
    elif debian:
        fmnist = f"from Debian files in {FASHION_MNIST_DEBIAN_DIR}"
        if any(not p.endswith("is missing") for p in problems):
            fmnist = f"damaged ({problems[0]}); `dlref data fetch fashion-mnist` repairs it " + fmnist
    elif any(not p.endswith("is missing") for p in problems):
        fmnist = f"damaged ({problems[0]}); delete the file and run `dlref data fetch fashion-mnist`"
    else:
        fmnist = False
    cifar = cifar10_problems(root) if (root / _CIFAR10_FOLDER).exists() else ["missing"]
    if not cifar:
        cifar10_state: bool | str = True
    elif (root / _CIFAR10_FOLDER).exists():
        cifar10_state = f"damaged ({cifar[0]}); delete {root / _CIFAR10_FOLDER} and fetch it again"
    else:
        cifar10_state = False
    return {
        "fashion-mnist": fmnist,
        "cifar10": cifar10_state,
        "digits": importlib.util.find_spec("sklearn") is not None,
    }


#: Dataset name (as typed on the command line) → function that prepares it in a data root.
PREPARE: dict[str, Callable[..., pathlib.Path]] = {
    "fashion-mnist": prepare_fashion_mnist,
    "cifar10": prepare_cifar10,
}


def channel_stats(
    data: torch.Tensor | torch.utils.data.Dataset, batch_size: int = 1000
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean μ_c = mean_{n,h,w} x[n,c,h,w] and std σ_c = sqrt(mean_{n,h,w} (x[n,c,h,w] − μ_c)²).

    The population std (divide by N·H·W), as ``transforms.Normalize(mean, std)`` expects; it
    then maps x ↦ (x − μ_c) / σ_c. Sums are accumulated in float64.

    Args:
        data: A float tensor ``(N, C, H_in, W_in)``, or a dataset whose items are image tensors
            ``(C, H_in, W_in)`` or tuples starting with one (e.g. a torchvision dataset with
            ``transform=ToTensor()``).
        batch_size: Items read at a time from a dataset.

    Shape:
        - data: ``(N, C, H_in, W_in)`` (tensor) or items ``(C, H_in, W_in)`` (dataset).
        - Returns: mean ``(C,)`` and std ``(C,)`` in the images' dtype.

    Returns:
        ``(mean, std)``.

    Raises:
        TypeError: Integer images (convert as ToTensor does: ``x.float() / 255``), or dataset
            items that are not tensors.
        ValueError: A tensor that is not 4-D, or an empty dataset.

    Examples:
        >>> x = torch.tensor([[[[0.0, 2.0]], [[1.0, 1.0]]], [[[4.0, 6.0]], [[1.0, 1.0]]]])
        >>> mean, std = channel_stats(x)  # x: (N=2, C=2, H_in=1, W_in=2)
        >>> mean.tolist(), std.tolist()
        ([3.0, 1.0], [2.2360680103302, 0.0])
    """
    validate.positive_int("batch_size", batch_size)
    if isinstance(data, (str, bytes)) or not (isinstance(data, torch.Tensor)
                                              or (hasattr(data, "__len__") and hasattr(data, "__getitem__"))):
        raise TypeError(f"data must be an image tensor (N, C, H_in, W_in) or a dataset of images; "
                        f"got {type(data).__name__}")
    if isinstance(data, torch.Tensor):
        _check_images(data, "data", ndim=4)
        # Reduce over every dim but C: (N, C, H, W) → (C,).
        var, mean = torch.var_mean(data.double(), dim=(0, 2, 3), correction=0)
        return mean.to(data.dtype), var.sqrt().to(data.dtype)

    if len(data) == 0:
        raise ValueError("channel_stats needs at least one item; got an empty dataset")
    first = _image_of(data[0])
    _check_images(first, "each item of data", ndim=3)

    loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False)
    C = first.shape[0]
    n = 0
    s1 = torch.zeros(C, dtype=torch.float64)
    s2 = torch.zeros(C, dtype=torch.float64)
    for batch in loader:
        x = _image_of(batch).double()  # (B, C, H, W)
        s1 += x.sum(dim=(0, 2, 3))
        s2 += (x * x).sum(dim=(0, 2, 3))
        n += x.shape[0] * x.shape[2] * x.shape[3]
    # σ² = E[x²] − μ²; float64 sums keep the cancellation harmless for pixel data.
    mean = s1 / n
    var = (s2 / n - mean * mean).clamp_min(0)
    return mean.to(first.dtype), var.sqrt().to(first.dtype)


def _image_of(item: Any) -> Any:
    return item[0] if isinstance(item, (tuple, list)) else item


def _check_images(x: Any, what: str, ndim: int) -> None:
    expected = "(N, C, H_in, W_in)" if ndim == 4 else "(C, H_in, W_in)"
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"channel_stats expects {what} to be an image tensor {expected}; got {type(x).__name__} "
            "(for a torchvision dataset pass transform=transforms.ToTensor())"
        )
    if not x.is_floating_point():
        raise TypeError(
            f"channel_stats expects floating-point images; got {x.dtype} (scale as ToTensor does: x.float() / 255)"
        )
    if x.ndim != ndim:
        raise ValueError(
            f"channel_stats expects {what} of shape {expected}; got {tuple(x.shape)} "
            "(add a channel dim for grey images: x.unsqueeze(1) or x.unsqueeze(0))"
        )
