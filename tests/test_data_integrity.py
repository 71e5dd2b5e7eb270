"""Fashion-MNIST and CIFAR-10 files are checked by size and checksum; damage is named and repaired."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from dlref.lab import data

pytestmark = pytest.mark.skipif(
    not all((data.FASHION_MNIST_DEBIAN_DIR / f"{n}.gz").is_file() for n in data.FASHION_MNIST_CHECKSUMS),
    reason="needs the Debian package dataset-fashion-mnist (make data installs it)",
)

LABELS = "train-labels-idx1-ubyte"


@pytest.fixture()
def root(tmp_path):
    """A data root holding a good copy (images linked, labels copied so they can be damaged)."""
    good = data.prepare_fashion_mnist(download=False)
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.FASHION_MNIST_CHECKSUMS:
        if "labels" in name:
            shutil.copyfile(good / name, raw / name)
        else:
            (raw / name).symlink_to(good / name)
    assert data.fashion_mnist_problems(tmp_path) == []
    return tmp_path


def _truncate(path, keep=0.5):
    blob = path.read_bytes()
    path.write_bytes(blob[: int(len(blob) * keep)])


def test_truncated_file_is_reported_not_available(root):
    _truncate(root / "FashionMNIST" / "raw" / LABELS)
    problems = data.fashion_mnist_problems(root)
    assert len(problems) == 1 and LABELS in problems[0] and "truncated" in problems[0]
    state = data.available(root)["fashion-mnist"]
    assert state is not True and state.startswith("damaged") and LABELS in state


def test_same_size_edit_is_caught_by_the_checksum(root):
    path = root / "FashionMNIST" / "raw" / LABELS
    blob = bytearray(path.read_bytes())
    blob[-1] = (blob[-1] + 1) % 10  # one label changed: same size, different data
    path.write_bytes(bytes(blob))
    assert "wrong MD5" in data.fashion_mnist_problems(root)[0]


def test_prepare_repairs_from_the_local_copy(root):
    _truncate(root / "FashionMNIST" / "raw" / LABELS)
    data.prepare_fashion_mnist(root, download=False)
    assert data.fashion_mnist_problems(root) == []


def test_damage_without_a_local_copy_names_the_file_and_the_fix(root, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "FASHION_MNIST_DEBIAN_DIR", tmp_path / "no-debian-here")
    _truncate(root / "FashionMNIST" / "raw" / LABELS)
    with pytest.raises(data.DatasetCorruptError, match=rf"{LABELS} has \d+ bytes, expected 60008.*dlref data fetch"):
        data.prepare_fashion_mnist(root, download=False)
    with pytest.raises(data.DatasetCorruptError, match=LABELS):
        data.fashion_mnist(root=root, download=False)


def test_cli_info_shows_the_damage_and_fetch_repairs_it(root):
    _truncate(root / "FashionMNIST" / "raw" / LABELS)
    env_cmd = [sys.executable, "-m", "dlref"]  # dlref/__main__.py
    info = subprocess.run([*env_cmd, "info"], capture_output=True, text=True, env={**__import__("os").environ, "DLREF_DATA": str(root)})
    assert "damaged" in info.stdout and LABELS in info.stdout
    fetch = subprocess.run([*env_cmd, "data", "fetch", "fashion-mnist", "--root", str(root), "--no-download"],
                           capture_output=True, text=True)
    assert fetch.returncode == 0 and "repaired" in fetch.stdout, fetch.stdout + fetch.stderr
    assert data.fashion_mnist_problems(root) == []


def test_damaged_cifar10_folder_is_not_reported_available(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch", "batches.meta"):
        (folder / name).write_bytes(b"not the data")
    state = data.available(tmp_path)["cifar10"]
    assert state is not True and state.startswith("damaged")
    with pytest.raises(data.DatasetCorruptError, match="data_batch_1 .*wrong MD5"):
        data.prepare_cifar10(tmp_path, download=False)
