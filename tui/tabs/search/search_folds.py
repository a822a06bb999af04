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
from engine.render.leaderboard import fmt_mean, fmt_score
from tui.tabs.search.search_leaderboard import fmt_seconds, rank_name, status_text


def folds_view(row: ConfigRow, board: Leaderboard) -> Group:
    """Params, rank, mean ± std (from two folds) and status over a table of the config's folds."""
    params = Table.grid(padding=(0, 1))
    for name, value in row.params.items():
        params.add_row(Text(name, style="dim"), Text(str(value), style="bold"))
    summary = Text.assemble(
        rank_name(row, board), ("  mean ", "dim"), fmt_mean(row), "  ", status_text(row, board.n_folds)
    )
    folds = Table("fold", "score", "fit s", "score s", box=None, header_style="bold", pad_edge=False)
    for fold, fit in enumerate(row.fits):
        if fit is None:
            folds.add_row(str(fold + 1), Text("·", style="dim"), "", "")
        else:
            folds.add_row(str(fold + 1), fmt_score(fit.score), fmt_seconds(fit.fit_time), fmt_seconds(fit.score_time))
    return Group(params, summary, Text(""), folds)


class SearchFoldsScreen(ModalScreen[None]):
    """The folds of one config of a search."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]
    AUTO_FOCUS = "#search-folds-body"  # scrolls with the arrows at once (the app's AUTO_FOCUS looks for a tab)

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

    def action_close(self) -> None:
        self.dismiss(None)
