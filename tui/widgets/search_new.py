"""The ``n`` form: estimator, grid (one ``name=v1,v2`` line per parameter), cv folds and backend for a new search.

The form only collects text; ``validate`` (the engine's parsing) turns it into the search's run params or raises an
:class:`~engine.errors.ExplorerError`, shown as a notification while the form stays open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from engine.errors import ExplorerError


@dataclass(frozen=True)
class SearchForm:
    """What the user typed, before validation."""

    estimator: str
    grid: str
    cv: str
    backend: str
    scheduler: str


Validate = Callable[[SearchForm], dict]


class NewSearchScreen(ModalScreen[dict | None]):
    """Dismisses with the validated run params, or None when cancelled.

    ``default_grids`` maps each estimator to its default grid text, filled in when the estimator changes.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "start", "Start search"),
    ]

    def __init__(self, default_grids: dict[str, str], validate: Validate, estimator: str, cv: int = 5) -> None:
        super().__init__()
        self._grids = default_grids
        self._validate = validate
        self._estimator = estimator
        self._cv = cv

    def compose(self) -> ComposeResult:
        with Grid(id="search-new-body") as body:
            body.border_title = "New search"
            body.border_subtitle = "ctrl+s starts · esc cancels"
            yield Label("estimator")
            yield Select([(name, name) for name in self._grids], value=self._estimator, allow_blank=False,
                         compact=True, id="search-new-estimator")
            yield Label("grid")
            yield TextArea(self._grids[self._estimator], id="search-new-grid", soft_wrap=False,
                           show_line_numbers=False)
            yield Label("cv folds")
            yield Input(str(self._cv), id="search-new-cv", compact=True)
            yield Label("backend")
            with Horizontal(id="search-new-backend-row"):
                yield Select([("local", "local"), ("dask", "dask")], value="local", allow_blank=False, compact=True,
                             id="search-new-backend")
                yield Input(placeholder="scheduler tcp://HOST:PORT (dask; blank: a local cluster)",
                            id="search-new-scheduler", compact=True)
            yield Static("")
            yield Static("[dim]grid: one parameter per line, name=v1,v2,…[/]", id="search-new-hint")
            yield Static("")
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

    def form(self) -> SearchForm:
        return SearchForm(
            estimator=str(self.query_one("#search-new-estimator", Select).value),
            grid=self.query_one("#search-new-grid", TextArea).text,
            cv=self.query_one("#search-new-cv", Input).value,
            backend=str(self.query_one("#search-new-backend", Select).value),
            scheduler=self.query_one("#search-new-scheduler", Input).value,
        )

    @on(Button.Pressed, "#search-new-start")
    def action_start(self) -> None:
        try:
            params = self._validate(self.form())
        except ExplorerError as exc:
            self.notify(str(exc), title="Cannot start this search", severity="error", timeout=8)
            return
        self.dismiss(params)

    @on(Button.Pressed, "#search-new-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
