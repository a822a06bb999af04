"""Shared fixtures: every test gets its own run store and data cache, never the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import LaunchedJob


def _job_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data cache of the session, and jobs at the tests' own priority: at their usual 19 a machine busy with other
    work (a shared CI runner) leaves them next to no CPU while a test waits on them (tests/test_jobs.py checks the
    default in a job of its own)."""
    cache = tmp_path_factory.getbasetemp() / "cache"  # shared by the session: parsing mnist5k once is enough
    monkeypatch.setenv("MNIST_EXPLORER_CACHE", str(cache))
    monkeypatch.setenv("MNIST_EXPLORER_JOB_NICENESS", str(max(0, os.getpriority(os.PRIO_PROCESS, 0))))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    _job_environment(tmp_path_factory, monkeypatch)
    monkeypatch.setenv("MNIST_EXPLORER_STORE", str(tmp_path_factory.mktemp("store") / "runs.sqlite"))


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


@pytest.fixture(scope="session")
def binary_job(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedJob]:
    """The binary detector (digit 5 on digits) launched once as a real detached job and waited for, in a store of its
    own: the tests that check its results share it (it takes half a minute on a busy machine)."""
    from engine.data import DataSpec
    from engine.jobs import launch, wait_for
    from engine.store import RunStore

    store = RunStore(tmp_path_factory.mktemp("binary_job") / "runs.sqlite")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _job_environment(tmp_path_factory, monkeypatch)
        launched = launch(store, "binary", {"digit": 5}, DataSpec("digits"))
        finished = wait_for(store, launched.id, timeout=60)
    yield LaunchedJob(store, launched, finished)
    store.close()
