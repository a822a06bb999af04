"""The niceness jobs run at: 19 unless MNIST_EXPLORER_JOB_NICENESS says otherwise; a bad value is refused at launch."""

from __future__ import annotations

import pytest

from engine.data import DataSpec
from engine.errors import UsageError
from engine.jobs import launch
from engine.jobs.priority import job_niceness
from engine.store import RunStore


def test_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MNIST_EXPLORER_JOB_NICENESS", raising=False)
    assert job_niceness() == 19
    monkeypatch.setenv("MNIST_EXPLORER_JOB_NICENESS", "0")
    assert job_niceness() == 0


@pytest.mark.parametrize("value", ["abc", "-1", "20", "", "1.5"])
def test_a_bad_value_is_refused_before_any_run_exists(value: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNIST_EXPLORER_JOB_NICENESS", value)
    store = RunStore(tmp_path / "runs.sqlite")
    with pytest.raises(UsageError, match="MNIST_EXPLORER_JOB_NICENESS must be a whole number from 0 to 19"):
        launch(store, "binary", {"digit": 5}, DataSpec("digits"))
    assert store.list_runs() == []
