"""The ``n`` form: estimator, grid (one ``name=v1,v2`` line per parameter), cv folds and backend for a new search.

The form collects text; :func:`parse_form` turns it into the search's run params with the engine's own grid
parsing and estimator registry, or raises an :class:`~engine.errors.ExplorerError` that the form shows as a
notification while it stays open (nothing is launched). Checking names and values against the estimator needs
scikit-learn, which the UI process never imports, so that check runs in a short-lived subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

import engine
from engine.errors import ExplorerError, UsageError
from engine.search.backends import check_backend
from engine.search.grid import parse_param
from engine.search.registry import ESTIMATORS, spec_for


@dataclass(frozen=True)
class SearchForm:
    """What the user typed, before validation."""

    estimator: str
    grid: str
    cv: str
    backend: str
    scheduler: str


HINT = "[dim]grid: one parameter per line, name=v1,v2,…[/]"
_CHECK = """
import json, sys
from engine.errors import ExplorerError
from engine.search.runner import search_params
try:
    print(json.dumps(search_params(**json.loads(sys.argv[1]))))
except ExplorerError as exc:
    print(exc)
    sys.exit(2)
"""


def default_grids() -> dict[str, str]:
    """Each estimator's default grid as the form's text, one ``name=v1,v2`` line per parameter."""
    return {
        name: "\n".join(f"{p}={','.join(map(str, values))}" for p, values in spec.default_grid.items())
        for name, spec in ESTIMATORS.items()
    }


def parse_form(form: SearchForm) -> dict:
    """The search's run params from the form's text; UsageError (one line) on anything malformed."""
    spec_for(form.estimator)
    grid: dict[str, list] = {}
    for number, line in enumerate(form.grid.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            name, values = parse_param(line.strip())
        except UsageError as exc:
            raise UsageError(f"grid line {number}: {exc}") from None
        if name in grid:
            raise UsageError(f"grid line {number}: {name} is given twice; list all its values on one line")
        grid[name] = values
    try:
        cv = int(form.cv.strip())
    except ValueError:
        raise UsageError(f"cv folds must be a whole number, got {form.cv.strip()!r}") from None
    if cv < 2:
        raise UsageError(f"cv folds must be at least 2, got {cv}")
    scheduler = form.scheduler.strip() or None
    check_backend(form.backend, scheduler)
    return {
        "estimator": form.estimator,
        "grid": grid,
        "cv": cv,
        "backend": form.backend,
        "scheduler": scheduler,
        "exact_sklearn": False,
    }


def check_with_estimator(params: dict) -> dict:
    """The params as the search job will take them, checked by the engine's ``search_params`` against the
    estimator itself, in a subprocess (it imports scikit-learn)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHECK, json.dumps(params)],
        capture_output=True,
        text=True,
        cwd=Path(engine.__file__).resolve().parents[1],
    )
    if out.returncode == 2:
        raise UsageError(out.stdout.strip())
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        raise UsageError(f"could not check the grid: {lines[-1] if lines else out.returncode}")
    return json.loads(out.stdout)


class NewSearchScreen(ModalScreen[dict | None]):
    """Dismisses with the checked run params of the new search, or None when cancelled.

    The grid text is filled with the chosen estimator's default grid (until the user edits it).
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "start", "Start search"),
    ]

    def __init__(self, estimator: str = "knn", cv: int = 5) -> None:
        super().__init__()
        self._grids = default_grids()
        self._estimator = estimator if estimator in self._grids else next(iter(self._grids))
        self._cv = cv
        self._checking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="search-new-body") as body:
            body.border_title = "New search"
            body.border_subtitle = "ctrl+s starts · esc cancels"
            with Horizontal(classes="search-new-row"):
                yield Label("estimator")
                yield Select(
                    [(f"{name} — {spec.description}", name) for name, spec in ESTIMATORS.items()],
                    value=self._estimator,
                    allow_blank=False,
                    compact=True,
                    id="search-new-estimator",
                )
            with Horizontal(classes="search-new-row -grid"):
                yield Label("grid")
                yield TextArea(
                    self._grids[self._estimator],
                    id="search-new-grid",
                    soft_wrap=False,
                    compact=True,
                    placeholder="name=v1,v2,… (one parameter per line)",
                )
            with Horizontal(classes="search-new-row"):
                yield Label("cv folds")
                yield Input(str(self._cv), id="search-new-cv", compact=True)
            with Horizontal(classes="search-new-row"):
                yield Label("backend")
                yield Select(
                    [("local", "local"), ("dask", "dask")],
                    value="local",
                    allow_blank=False,
                    compact=True,
                    id="search-new-backend",
                )
                yield Input(
                    placeholder="scheduler tcp://HOST:PORT (blank: local cluster)",
                    id="search-new-scheduler",
                    compact=True,
                    disabled=True,  # only dask has a scheduler: no tab stop until it is picked
                )
            yield Static(HINT, id="search-new-hint")
            with Horizontal(id="search-new-buttons"):
                yield Button("Start", variant="primary", id="search-new-start", compact=True)
                yield Button("Cancel", id="search-new-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#search-new-grid", TextArea).focus()

    @on(Select.Changed, "#search-new-estimator")
    def _estimator_changed(self, event: Select.Changed) -> None:
        grid = self.query_one("#search-new-grid", TextArea)
        if event.value != self._estimator and grid.text.strip() in ("", self._grids[self._estimator].strip()):
            grid.text = self._grids[str(event.value)]  # replace the grid only if the user had not edited it
        self._estimator = str(event.value)

    @on(Select.Changed, "#search-new-backend")
    def _backend_changed(self, event: Select.Changed) -> None:
        self.query_one("#search-new-scheduler", Input).disabled = event.value != "dask"

    def form(self) -> SearchForm:
        scheduler = self.query_one("#search-new-scheduler", Input)
        return SearchForm(
            estimator=str(self.query_one("#search-new-estimator", Select).value),
            grid=self.query_one("#search-new-grid", TextArea).text,
            cv=self.query_one("#search-new-cv", Input).value,
            backend=str(self.query_one("#search-new-backend", Select).value),
            scheduler="" if scheduler.disabled else scheduler.value,  # what was typed for dask, if it was
        )

    @on(Button.Pressed, "#search-new-start")
    def action_start(self) -> None:
        if self._checking:
            return
        try:
            params = parse_form(self.form())
        except ExplorerError as exc:
            self._rejected(str(exc))
            return
        self._checking = True
        self.query_one("#search-new-hint", Static).update("[b]checking the grid against the estimator…[/]")
        self._check(params)

    @work(thread=True, exclusive=True, group="search-new-check", exit_on_error=False)
    def _check(self, params: dict) -> None:
        try:
            checked = check_with_estimator(params)
        except ExplorerError as exc:
            self.app.call_from_thread(self._rejected, str(exc))
            return
        self.app.call_from_thread(self.dismiss, checked)

    def _rejected(self, reason: str) -> None:
        self._checking = False
        self.query_one("#search-new-hint", Static).update(HINT)
        self.notify(reason, title="Cannot start this search", severity="error", timeout=8)

    @on(Button.Pressed, "#search-new-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
