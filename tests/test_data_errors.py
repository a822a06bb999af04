"""Every bad data input is a DataError of one clear line, and through the CLI one stderr line with exit code 2."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_data_loaders import idx_bytes, synthetic_split, write_idx_folder

from engine.cli.main import main
from engine.data import DataSpec, load_dataset
from engine.errors import DataError

X_TR, Y_TR, X_TE, Y_TE = synthetic_split()


def npz(tmp: Path, **arrays) -> str:
    np.savez(tmp / "data.npz", **arrays)
    return f"npz:{tmp / 'data.npz'}"


def idx(tmp: Path, gz: bool = False, **replace) -> str:
    return f"idx:{write_idx_folder(tmp / 'idx', gz=gz, **replace)}"


def truncated_gz(tmp: Path) -> str:
    spec = idx(tmp, gz=True)
    path = tmp / "idx" / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-25])
    return spec


def garbage_gz(tmp: Path) -> str:
    spec = idx(tmp, gz=True)
    (tmp / "idx" / "t10k-images-idx3-ubyte.gz").write_bytes(np.random.default_rng(1).bytes(600))
    return spec


def truncated_npz(tmp: Path) -> str:
    spec = npz(tmp, X=np.zeros((50, 4, 4)), y=np.arange(50) % 5)
    path = tmp / "data.npz"
    path.write_bytes(path.read_bytes()[:300])
    return spec


def written(name: str, content: bytes) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        (tmp / name).write_bytes(content)
        return f"npz:{tmp / name}"

    return make


def idx_pointing_at_a_file(tmp: Path) -> str:
    (tmp / "train-images-idx3-ubyte").write_bytes(idx_bytes(X_TR))
    return f"idx:{tmp / 'train-images-idx3-ubyte'}"


LABELS_OF_TEST_UNSEEN = np.where(np.arange(15) == 4, 200, np.arange(15) % 3)

BAD_DATA: dict[str, tuple[Callable[[Path], str], str]] = {
    "missing folder": (lambda t: f"idx:{t / 'nowhere'}", "no such folder"),
    "file given as idx folder": (lambda t: idx_pointing_at_a_file(t), "is a file"),
    "one of the four files missing": (lambda t: idx(t, test_labels=None), "missing t10k-labels-idx1-ubyte"),
    "truncated gz": (truncated_gz, "truncated gzip file"),
    "corrupt gz": (garbage_gz, "corrupt gzip file"),
    "wrong IDX magic": (lambda t: idx(t, train_images=b"\x01\x02" + idx_bytes(X_TR)[2:]), "not an IDX file"),
    "wrong IDX type byte": (lambda t: idx(t, train_images=idx_bytes(X_TR, type_byte=0x0D)), "IDX data type 0x0d"),
    "wrong IDX dimensions": (lambda t: idx(t, test_labels=idx_bytes(X_TE)), "expected 1 dimension"),
    "truncated IDX data": (lambda t: idx(t, train_images=idx_bytes(X_TR)[:-10]), "truncated or corrupt"),
    "truncated IDX header": (lambda t: idx(t, train_labels=idx_bytes(Y_TR)[:6]), "truncated IDX header"),
    "gzip data without .gz": (lambda t: idx(t, test_images=gzip.compress(idx_bytes(X_TE))), "gzip-compressed"),
    "image/label count mismatch": (lambda t: idx(t, train_labels=idx_bytes(Y_TR[:-1])), "60 images but 59 labels"),
    "non-square images": (lambda t: idx(t, train_images=idx_bytes(X_TR[:, :, :5])), "not square"),
    "test label with no training images": (
        lambda t: idx(t, test_labels=idx_bytes(LABELS_OF_TEST_UNSEEN)),
        "test labels include class 200",
    ),
    "negative labels": (lambda t: npz(t, X=X_TR, y=-Y_TR), "labels out of range 0-255"),
    "labels above 255": (lambda t: npz(t, X=X_TR, y=Y_TR * 1000), "labels out of range 0-255"),
    "fractional labels": (lambda t: npz(t, X=X_TR, y=Y_TR + 0.5), "labels must be whole numbers"),
    "text labels": (lambda t: npz(t, X=X_TR, y=np.array(list("abc") * 20)), "labels must be class numbers"),
    "pixels above 255": (lambda t: npz(t, X=np.full((60, 4, 4), 300.0), y=Y_TR), "pixels out of range 0-255"),
    "negative pixels": (lambda t: npz(t, X=np.full((60, 4, 4), -2), y=Y_TR), "pixels out of range 0-255"),
    "NaN pixels": (lambda t: npz(t, X=np.full((60, 4, 4), np.nan), y=Y_TR), "NaN"),
    "npz missing arrays": (lambda t: npz(t, X_train=X_TR, y_train=Y_TR), "needs arrays X_train, y_train"),
    "npz mismatched lengths": (lambda t: npz(t, X=X_TR, y=Y_TR[:50]), "60 images but 50 labels"),
    "npz train/test image sizes differ": (
        lambda t: npz(t, X_train=X_TR, y_train=Y_TR, X_test=X_TE[:, :5, :5], y_test=Y_TE),
        "train images are",
    ),
    "npz flat images not square": (lambda t: npz(t, X=np.zeros((60, 15)), y=Y_TR), "not a square image"),
    "npz with 4-d images": (lambda t: npz(t, X=np.zeros((60, 2, 4, 4)), y=Y_TR), "images must be (n, h, w)"),
    "npz with no images": (lambda t: npz(t, X=np.zeros((0, 4, 4)), y=np.zeros(0, int)), "no images"),
    "npz holding object arrays": (lambda t: npz(t, X=np.array([None] * 3), y=Y_TR[:3]), "never loaded"),
    "file that is not npz": (written("notes.npz", b"just some text\n"), "not an .npz file"),
    "npy file given as npz": (written("one.npz", b"\x93NUMPY\x01\x00rest"), "single-array .npy"),
    "truncated npz": (truncated_npz, "corrupt .npz file"),
    "npz file missing": (lambda t: f"npz:{t / 'absent.npz'}", "no such file"),
    "unknown SPEC": (lambda t: "mnist99", "unknown data source 'mnist99'"),
    "SPEC without its argument": (lambda t: "idx:", "unknown data source 'idx:'"),
    "OpenML name that is a path": (lambda t: "openml:../../etc", "not an OpenML dataset name"),
}


@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_data_is_one_clear_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    make, fragment = BAD_DATA[case]
    spec = make(tmp_path)
    with pytest.raises(DataError) as caught:
        load_dataset(spec)
    message = str(caught.value)
    assert fragment in message and "\n" not in message

    assert main(["info", "--data", spec, "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mnist-explorer: error: {message}\n"


@pytest.mark.parametrize(
    "options, fragment",
    [
        (["--test-size", "abc"], "--test-size must be a count or a fraction, got 'abc'"),
        (["--test-size", "0"], "must be a positive count or a fraction"),
        (["--test-size", "-0.2"], "must be a positive count or a fraction"),
        (["--test-size", "nan"], "must be a positive count or a fraction"),
        (["--test-size", "inf"], "must be a positive count or a fraction"),
        (["--test-size", "2.5"], "must be a whole count"),
        (["--test-size", "1797"], "does not leave both a train and a test set of 1797 images"),
        (["--test-size", "1790"], "leaves no training image of class"),
        (["--seed", "-1"], "seed must be a whole number 0 or more"),
    ],
)
def test_bad_split_options_are_one_line_exit_2(
    options: list[str], fragment: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["info", "--data", "digits", *options]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("mnist-explorer: error: ") and fragment in err


def test_a_tiny_class_keeps_its_only_image_for_training(tmp_path: Path) -> None:
    y = np.array([0] * 20 + [1] * 20 + [2])
    X = np.zeros((41, 4, 4), dtype=np.uint8)
    np.savez(tmp_path / "tiny.npz", X=X, y=y)
    ds = load_dataset(DataSpec(f"npz:{tmp_path / 'tiny.npz'}", test_size=0.25))
    assert ds.class_counts("train")[2] == 1 and ds.class_counts("test")[2] == 0
    assert len(ds.y_test) == 10
