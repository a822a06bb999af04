"""One config's folds (score, fit and score time), as a rich table and as the modal ``enter`` opens on a row."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from engine.leaderboard import ConfigRow, Leaderboard
from tui.tabs.search.search_leaderboard import fmt_score, fmt_seconds, status_text


def folds_view(row: ConfigRow, board: Leaderboard) -> Group:
    """Params, rank, mean ± std and status over a table of the config's folds."""
    params = Table.grid(padding=(0, 1))
    for name, value in row.params.items():
        params.add_row(Text(name, style="dim"), Text(str(value), style="bold"))
    rank = "–" if row.rank is None else str(row.rank)
    mean = "–" if row.mean is None else f"{row.mean:.4f} ± {row.std:.4f}"
    summary = Text.assemble(("rank ", "dim"), rank, ("  mean ", "dim"), mean, "  ", status_text(row, board.n_folds))
    folds = Table("fold", "score", "fit s", "score s", box=None, header_style="bold", pad_edge=False)
    for fold, fit in enumerate(row.fits):
        if fit is None:
            folds.add_row(str(fold + 1), Text("·", style="dim"), "", "")
        else:
            folds.add_row(str(fold + 1), fmt_score(fit.score), fmt_seconds(fit.fit_time), fmt_seconds(fit.score_time))
    return Group(params, summary, Text(""), folds)


class SearchFoldsScreen(ModalScreen[None]):
    """The folds of one config of a search."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, title: str, row: ConfigRow, board: Leaderboard) -> None:
        super().__init__()
        self._title = title
        self._row = row
        self._board = board

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="search-folds-body") as body:
            body.border_title = self._title
            body.border_subtitle = "esc closes"
            yield Static(folds_view(self._row, self._board))

    def action_dismiss(self) -> None:
        self.dismiss(None)
