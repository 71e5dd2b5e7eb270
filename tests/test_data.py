"""Tests for dlref.lab.data: data root, Fashion-MNIST from the Debian package, CIFAR-10's missing-data
error, the digits arrays and channel_stats against hand-computed values."""

from __future__ import annotations

import math
import pathlib
import socket
from urllib.error import URLError

import pytest
import torch
from torch.testing import assert_close

from dlref.lab import data

DEBIAN = data.FASHION_MNIST_DEBIAN_DIR
needs_debian_fmnist = pytest.mark.skipif(
    not all((DEBIAN / f"{n}.gz").is_file() for n in data._FASHION_MNIST_FILES),
    reason=f"{DEBIAN} absent: Debian package dataset-fashion-mnist not installed",
)


def _no_network(*args, **kwargs):
    raise URLError("network disabled in tests")


@pytest.fixture
def offline(monkeypatch):
    """Make every torchvision download fail at once, without touching the network."""
    import torchvision.datasets as tvd

    monkeypatch.setattr(tvd.FashionMNIST, "download", _no_network)
    monkeypatch.setattr(tvd.CIFAR10, "download", _no_network)


@pytest.fixture(scope="module")
def fmnist_root(tmp_path_factory):
    """A data root prepared once from the Debian files, shared by the Fashion-MNIST tests."""
    root = tmp_path_factory.mktemp("dlref-data")
    data.prepare_fashion_mnist(root, download=False)
    return root


# --- data root ---------------------------------------------------------------------------


def test_data_root_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("DLREF_DATA", str(tmp_path / "d"))
    assert data.data_root() == (tmp_path / "d").resolve()


def test_data_root_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv("DLREF_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.data_root() == tmp_path / "dlref" / "data"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.data_root() == tmp_path / "home" / ".cache" / "dlref" / "data"


# --- Fashion-MNIST -----------------------------------------------------------------------


@needs_debian_fmnist
def test_fashion_mnist_from_debian_files(monkeypatch, tmp_path, offline):
    from torchvision import transforms

    monkeypatch.setenv("DLREF_DATA", str(tmp_path))
    assert data.available()["fashion-mnist"] == f"from Debian files in {DEBIAN}"

    train = data.fashion_mnist(train=True, transform=transforms.ToTensor())
    test = data.fashion_mnist(train=False, transform=transforms.ToTensor())
    assert (len(train), len(test)) == (60000, 10000)
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0
    assert isinstance(label, int) and 0 <= label < 10
    # Fashion-MNIST is balanced: 6000 train and 1000 test images per class.
    assert torch.bincount(train.targets).tolist() == [6000] * 10
    assert torch.bincount(test.targets).tolist() == [1000] * 10

    raw = tmp_path / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(data._FASHION_MNIST_FILES)
    assert data.available()["fashion-mnist"] is True


@needs_debian_fmnist
def test_fashion_mnist_normalize_constants(fmnist_root):
    # The constants quoted everywhere for Normalize on Fashion-MNIST; a check that the Debian
    # files hold the same pixels as the upstream release.
    train = data.fashion_mnist(root=fmnist_root, download=False)
    x = train.data.unsqueeze(1).float() / 255  # (N, 1, 28, 28), as ToTensor scales
    mean, std = data.channel_stats(x)
    assert_close(mean, torch.tensor([0.2860]), atol=5e-5, rtol=0)
    assert_close(std, torch.tensor([0.3530]), atol=5e-5, rtol=0)


@needs_debian_fmnist
def test_channel_stats_dataset_matches_tensor(fmnist_root):
    from torchvision import transforms

    test = data.fashion_mnist(train=False, transform=transforms.ToTensor(), root=fmnist_root, download=False)
    from_dataset = data.channel_stats(test, batch_size=4096)
    from_tensor = data.channel_stats(test.data.unsqueeze(1).float() / 255)
    assert_close(from_dataset, from_tensor, atol=1e-6, rtol=0)


@needs_debian_fmnist
def test_fashion_mnist_uses_root_before_debian(monkeypatch, fmnist_root, tmp_path, offline):
    monkeypatch.setattr(data, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "no-such-dir")
    assert len(data.fashion_mnist(train=False, root=fmnist_root)) == 10000


@needs_debian_fmnist
def test_fashion_mnist_decompresses_gz_in_root(fmnist_root, tmp_path, monkeypatch, offline):
    # A user who copied torchvision's .gz files into the root gets them decompressed.
    import shutil

    monkeypatch.setattr(data, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "no-such-dir")
    raw = tmp_path / "root" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data._FASHION_MNIST_FILES:
        shutil.copy(DEBIAN / f"{name}.gz", raw / f"{name}.gz")
    assert len(data.fashion_mnist(train=False, root=tmp_path / "root")) == 10000
    assert not list(raw.glob("*.part"))


def test_fashion_mnist_missing_everywhere(monkeypatch, tmp_path, offline):
    monkeypatch.setattr(data, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "no-such-dir")
    with pytest.raises(data.DatasetNotFoundError) as info:
        data.fashion_mnist(root=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "DLREF_DATA" in message
    assert "network disabled in tests" in message
    assert isinstance(info.value, FileNotFoundError)


def test_fashion_mnist_no_download_never_downloads(monkeypatch, tmp_path):
    import torchvision.datasets as tvd

    def fail(*args, **kwargs):
        raise AssertionError("download attempted with download=False")

    monkeypatch.setattr(data, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "no-such-dir")
    monkeypatch.setattr(tvd.FashionMNIST, "download", fail)
    with pytest.raises(data.DatasetNotFoundError, match="download=False"):
        data.fashion_mnist(root=tmp_path, download=False)


# --- CIFAR-10 ----------------------------------------------------------------------------


def test_cifar10_missing_names_folder(tmp_path, offline):
    root = tmp_path / "empty"
    with pytest.raises(data.DatasetNotFoundError) as info:
        data.cifar10(root=root)
    message = str(info.value)
    assert str(root / "cifar-10-batches-py") in message
    assert "cifar-10-python.tar.gz" in message and "DLREF_DATA" in message
    assert data.available(root)["cifar10"] is False


def test_cifar10_download_is_time_limited(tmp_path, monkeypatch):
    import torchvision.datasets as tvd

    seen = []

    def fake_download(self):
        seen.append(socket.getdefaulttimeout())
        raise URLError("unreachable")

    monkeypatch.setattr(tvd.CIFAR10, "download", fake_download)
    before = socket.getdefaulttimeout()
    with pytest.raises(data.DatasetNotFoundError, match="unreachable"):
        data.cifar10(root=tmp_path)
    assert seen == [before if before is not None else data.DOWNLOAD_TIMEOUT_S]
    assert socket.getdefaulttimeout() == before


def test_cifar10_no_download(tmp_path):
    with pytest.raises(data.DatasetNotFoundError, match="download=False"):
        data.cifar10(root=tmp_path, download=False)


# --- digits ------------------------------------------------------------------------------


def test_digits_shapes_and_range():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == torch.float32
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    assert y.shape == (1797,) and y.dtype == torch.int64
    assert sorted(y.unique().tolist()) == list(range(10))

    images, y2 = data.digits(as_images=True)
    assert images.shape == (1797, 1, 8, 8)
    assert torch.equal(images.reshape(1797, 64), X) and torch.equal(y, y2)


# --- channel_stats -----------------------------------------------------------------------


def test_channel_stats_hand_computed():
    # Channel 0 holds 0, 2, 4, 6: μ = 3, σ² = (9 + 1 + 1 + 9) / 4 = 5. Channel 1 is constant 1.
    x = torch.tensor(
        [[[[0.0, 2.0]], [[1.0, 1.0]]], [[[4.0, 6.0]], [[1.0, 1.0]]]], dtype=torch.float64
    )  # (N=2, C=2, H_in=1, W_in=2)
    mean, std = data.channel_stats(x)
    assert_close(mean, torch.tensor([3.0, 1.0], dtype=torch.float64))
    assert_close(std, torch.tensor([math.sqrt(5.0), 0.0], dtype=torch.float64))


def test_channel_stats_normalize_gives_zero_mean_unit_std():
    from torchvision import transforms

    x = torch.rand(16, 3, 5, 7) * torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1)
    mean, std = data.channel_stats(x)
    y = torch.stack([transforms.Normalize(mean.tolist(), std.tolist())(img) for img in x])
    mean_y, std_y = data.channel_stats(y)
    assert_close(mean_y, torch.zeros(3), atol=1e-5, rtol=0)
    assert_close(std_y, torch.ones(3), atol=1e-5, rtol=0)


def test_channel_stats_dataset_path_on_tensor_dataset():
    x = torch.rand(10, 2, 3, 3, dtype=torch.float64)
    ds = torch.utils.data.TensorDataset(x, torch.zeros(10))
    assert_close(data.channel_stats(ds, batch_size=3), data.channel_stats(x))


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (torch.zeros(4, 28, 28), ValueError, r"\(N, C, H_in, W_in\); got \(4, 28, 28\)"),
        (torch.zeros(4, 1, 28, 28, dtype=torch.uint8), TypeError, "floating-point.*uint8"),
        ([(pathlib.Path("x"), 0)], TypeError, "ToTensor"),
        (torch.utils.data.TensorDataset(torch.zeros(0, 1, 2, 2)), ValueError, "empty"),
    ],
)
def test_channel_stats_bad_input(bad, error, match):
    with pytest.raises(error, match=match):
        data.channel_stats(bad)


def test_available_has_every_dataset(tmp_path):
    state = data.available(tmp_path)
    assert set(state) == {"fashion-mnist", "cifar10", "digits"}
    assert state["digits"] is True
    assert set(data.PREPARE) <= set(state)
