"""Shared fixtures: every test gets its own run store and data cache, never the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import LaunchedJob, copy_store


@pytest.fixture(scope="session", autouse=True)
def _session_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """For the whole session, module- and session-scoped fixtures included (they are set up before any function
    fixture): the session's data cache, a store of its own, and jobs at the tests' own priority. At their usual 19 a
    machine busy with other work (a shared CI runner) leaves jobs next to no CPU while a test waits on them
    (tests/test_jobs.py checks the default in a job of its own)."""
    base = tmp_path_factory.getbasetemp()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("MNIST_EXPLORER_CACHE", str(base / "cache"))  # parsing mnist5k once is enough
        monkeypatch.setenv("MNIST_EXPLORER_STORE", str(base / "session-store" / "runs.sqlite"))
        monkeypatch.setenv("MNIST_EXPLORER_JOB_NICENESS", str(max(0, os.getpriority(os.PRIO_PROCESS, 0))))
        yield


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
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
    launched = launch(store, "binary", {"digit": 5}, DataSpec("digits"))
    finished = wait_for(store, launched.id, timeout=180)  # a hang still fails; a machine at load 10 needs >60 s
    yield LaunchedJob(store, launched, finished)
    store.close()


@pytest.fixture(scope="session")
def trained_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding a done binary run (digit 5, id 1) and its learning curve (30 epochs, id 2) on digits, computed
    once in this process (at its priority: a launched job waits for long on a busy machine). Tests copy it
    (``helpers.copy_store``) before they write to it."""
    from engine.data import DataSpec
    from engine.jobs import run_inline
    from engine.store import RunStore

    path = tmp_path_factory.mktemp("trained") / "runs.sqlite"
    store = RunStore(path)
    for kind, params in (("binary", {"digit": 5}), ("learning_curve", {"digit": 5, "epochs": 30})):
        assert run_inline(store, kind, params, DataSpec("digits")).status == "done", kind
    store.close()
    return path


@pytest.fixture(scope="session")
def every_kind_store(trained_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``trained_store`` and a done run of every other kind the tabs draw from the start (digits data): an SGD
    multiclass run (id 3) and a KNN search (id 4). Copy it before writing to it."""
    from engine.data import DataSpec
    from engine.jobs import run_inline
    from engine.search.runner import search_params
    from engine.store import RunStore

    path = copy_store(trained_store, tmp_path_factory.mktemp("every_kind") / "runs.sqlite")
    store = RunStore(path)
    for kind, params in (
        ("multiclass", {"model": "sgd"}),
        ("search", search_params("knn", {"n_neighbors": [3, 5]}, cv=3)),
    ):
        assert run_inline(store, kind, params, DataSpec("digits")).status == "done", kind
    store.close()
    return path
