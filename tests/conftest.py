"""Shared fixtures: every test gets its own run store and data cache, never the user's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path_factory.getbasetemp() / "cache"  # shared by the session: parsing mnist5k once is enough
    monkeypatch.setenv("MNIST_EXPLORER_CACHE", str(cache))
    monkeypatch.setenv("MNIST_EXPLORER_STORE", str(tmp_path_factory.mktemp("store") / "runs.sqlite"))
    # jobs at the tests' own priority: at their usual 19 a machine busy with other work (a shared CI runner) leaves
    # them next to no CPU while a test waits on them; tests/test_jobs.py checks the default in a job of its own
    monkeypatch.setenv("MNIST_EXPLORER_JOB_NICENESS", str(max(0, os.getpriority(os.PRIO_PROCESS, 0))))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "runs.sqlite"


@pytest.fixture
def store(store_path: Path):
    from engine.store import RunStore

    s = RunStore(store_path)
    yield s
    s.close()


FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="apt-get install dataset-fashion-mnist")
