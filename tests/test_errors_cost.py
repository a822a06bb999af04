"""A slow model in the Errors tab: timed first by an ``estimate`` job, then run on every image or a subsample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import until
from test_errors_tab import DIGITS, errors_app, show_errors, summarised_errors, tab
from textual.app import App, ComposeResult
from textual.widgets import Static

import engine.models.cost as cost
from engine.data import load_dataset
from engine.jobs import run_inline
from engine.models.cost import CostEstimate, estimate_cost
from engine.models.multiclass import load_analysis
from engine.store import RunStore
from tui.tabs.errors.errors_cost import CostDialog
from tui.tabs.errors.errors_models import ModelPicker
from tui.tabs.errors.errors_screens import DigitGallery

SLOW = CostEstimate("errors", "svc", 60_000, 7_560.0, (2000, 4000), (1.9, 7.1), 1.91, 12_000)


def test_an_estimate_job_saves_what_estimate_cost_gives(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    run = run_inline(store, "estimate", {"job": "errors", "model": "svc", "max_train": None}, DIGITS)
    assert run.status == "done" and (run.fits_done, run.fits_total) == (1, 1)
    saved = CostEstimate.from_results(store.results(run.id, arrays=False))
    direct = estimate_cost("errors", "svc", load_dataset(DIGITS))
    assert (saved.job, saved.model, saved.n_train, saved.sizes) == ("errors", "svc", 1438, direct.sizes)
    assert saved.seconds > 0 and not saved.too_long
    assert saved.suggested_max_train == 1438  # cheap: the whole set, never a rounded-down subsample


def test_fit_time_grows_at_least_as_the_models_arithmetic_does() -> None:
    """Two small timings flatten the curve (fixed costs): SVC's exponent is at least 2 (O(n²) kernel entries), SGD's
    at least 1 (an epoch touches every image), so an estimate does not swing with the noise of a 2,000-image fit."""
    ds = load_dataset(DIGITS)
    assert estimate_cost("errors", "svc", ds, sizes=(300, 600)).exponent >= 2.0
    assert estimate_cost("errors", "sgd", ds, sizes=(300, 600)).exponent >= 1.0


class DialogApp(App[None]):
    CSS_PATH = ["../tui/tabs/errors/errors.tcss"]

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[int | None] = []

    def compose(self) -> ComposeResult:
        yield Static("behind")

    def on_mount(self) -> None:
        self.push_screen(CostDialog(SLOW), self.answers.append)


@pytest.mark.parametrize(("key", "answer"), [("a", 60_000), ("m", 12_000), ("escape", None)])
async def test_the_cost_dialog_answers_every_image_the_subsample_or_nothing(key: str, answer: int | None) -> None:
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "60,000 training images: estimated ~2.1 h" in text and "subsample of 12,000 (~5 min)" in text
        await pilot.press(key)
        assert app.answers == [answer]


def test_cost_dialog_snapshot(snap_compare) -> None:
    assert snap_compare(DialogApp(), terminal_size=(80, 24))


async def test_user_is_asked_before_a_slow_model_and_runs_it_on_every_image(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on 60,000 images: the digits' 1,438 count as large and any cost as too long (limits lowered)."""
    monkeypatch.setattr(cost, "ESTIMATE_FROM", 0)
    monkeypatch.setattr(cost, "LIMIT_S", 0.0)
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await summarised_errors(pilot)
        t.model = "svc"
        await pilot.pause()
        await pilot.press("s")
        await until(pilot, lambda: t.statuses["svc"].estimating is not None, what="the estimate job")
        assert "estimating its cost" in str(app.query_one("#errors-status", Static).render())
        await until(pilot, lambda: isinstance(app.screen, CostDialog), timeout=60, what="the cost dialog")
        estimate = app.screen.estimate
        assert estimate.model == "svc" and estimate.n_train == 1438
        (estimate_run,) = app.store.list_runs("estimate")
        assert estimate_run.status == "done" and app.store.list_runs("multiclass") == []  # nothing runs unasked
        await pilot.press("a")
        await until(pilot, lambda: t.analysis is not None, timeout=90, what="the svc run")
        run = app.store.get_run(t.loaded_run)
        assert run.params == {"model": "svc"} and run.status == "done"


async def test_escape_in_the_cost_dialog_runs_nothing(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cost, "ESTIMATE_FROM", 0)
    monkeypatch.setattr(cost, "LIMIT_S", 0.0)
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await summarised_errors(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, CostDialog), timeout=60, what="the cost dialog")
        await pilot.press("escape")
        await until(pilot, lambda: t.statuses["sgd"].estimating is None, what="the estimate's end")
        assert app.store.list_runs("multiclass") == [] and t.statuses["sgd"].active is None


async def test_a_subsample_run_shows_with_its_size_and_opens_its_own_digits(store_path: Path) -> None:
    store = RunStore(store_path)
    run = run_inline(store, "multiclass", {"model": "sgd-scaled", "max_train": 1000}, DIGITS)
    index = store.get_result(run.id, "train_index")
    store.close()
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_errors(pilot)
        t = tab(app)
        t.model = "sgd-scaled"
        await until(pilot, lambda: t.analysis is not None, what="the subsample run")
        prompt = app.query_one(ModelPicker).get_option("sgd-scaled").prompt
        assert " 1k" in str(prompt) and f"#{run.id}" in str(prompt)
        assert np.array_equal(t.train_index, index) and len(t.analysis.y_true) == 1000
        analysis = load_analysis(app.store, run.id)
        await pilot.press("enter")  # the cell (0, 0): the subsample's zeros predicted as zeros
        await until(pilot, lambda: isinstance(app.screen, DigitGallery), what="the cell's digits")
        gallery = app.screen
        assert isinstance(gallery, DigitGallery)
        assert np.array_equal(gallery.images, load_dataset(DIGITS).X_train[index])  # the run's rows, in its order
        assert (
            sorted(gallery.indices.tolist()) == np.flatnonzero((analysis.y_true == 0) & (analysis.y_pred == 0)).tolist()
        )
