"""``mnist-explorer info``: what a data source holds, as a table or JSON; plus ``--help`` and ``--version``."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import FASHION_DIR, needs_fashion

from engine import __version__
from engine.cli.main import main
from engine.data.sources import FASHION_NAMES

INFO_KEYS = {"source", "n_train", "n_test", "image_shape", "class_counts_train", "class_counts_test"}


def test_user_can_get_info_json_on_the_default_data_from_the_console_script() -> None:
    done = subprocess.run(["mnist-explorer", "info", "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info.keys() >= INFO_KEYS
    assert info["source"].startswith("MNIST 5k sample")
    assert (info["n_train"], info["n_test"]) == (4000, 1000)
    assert info["image_shape"] == [28, 28]
    assert info["class_counts_train"] == [400] * 10 and info["class_counts_test"] == [100] * 10


def test_bad_data_from_the_console_script_is_one_line_and_exit_2(tmp_path) -> None:
    done = subprocess.run(
        ["mnist-explorer", "info", "--data", f"idx:{tmp_path / 'nowhere'}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"mnist-explorer: error: {tmp_path / 'nowhere'}: no such folder\n"


def test_info_table_names_the_source_shapes_dtype_and_counts(capsys: pytest.CaptureFixture) -> None:
    assert main(["info", "--data", "digits"]) == 0
    out = capsys.readouterr().out
    assert "scikit-learn 8x8 digits" in out
    assert "train 1,438" in out and "test 359" in out and "8×8 uint8" in out
    assert "Images per class" in out


def test_options_given_before_the_subcommand_count(capsys: pytest.CaptureFixture) -> None:
    assert main(["--data", "digits", "--test-size", "597", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["n_train"], info["n_test"]) == (1200, 597)
    assert sum(info["class_counts_test"]) == 597


@needs_fashion
def test_info_json_on_fashion_mnist_names_its_classes(capsys: pytest.CaptureFixture) -> None:
    assert main(["info", "--data", f"idx:{FASHION_DIR}", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["n_train"], info["n_test"]) == (60000, 10000)
    assert info["class_names"] == list(FASHION_NAMES)


def test_help_lists_the_commands_and_the_data_sources(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "info" in out and "runs" in out and "--data SPEC" in out and "idx:DIR" in out
    with pytest.raises(SystemExit) as exited:
        main(["info", "--help"])
    assert exited.value.code == 0
    assert "--json" in capsys.readouterr().out


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"mnist-explorer {__version__}"


def test_unknown_option_is_one_line_exit_2(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["info", "--colour"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments: --colour" in err
