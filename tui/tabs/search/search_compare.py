"""Two searches side by side: their configs merged by params, each side's rank and mean ± std, and the difference."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from engine.leaderboard import CompareRow, ConfigRow, Leaderboard, compare
from engine.render.leaderboard import fmt_mean
from engine.search.grid import describe


def _side(row: ConfigRow | None) -> list[Text]:
    if row is None:
        return [Text("–", style="dim", justify="right"), Text("not in grid", style="dim")]
    rank = "" if row.rank is None else str(row.rank)
    return [
        Text(rank, justify="right", style="bold green" if row.rank == 1 else ""),
        Text(fmt_mean(row), justify="right"),
    ]


def _delta(row: CompareRow) -> Text:
    if row.delta is None:
        return Text("")
    style = "green" if row.delta > 0 else "red" if row.delta < 0 else ""
    return Text(f"{row.delta:+.4f}", style=style, justify="right")


class SearchCompareScreen(ModalScreen[None]):
    """``a`` and ``b`` are the two searches' labels and leaderboards; Δ is B's mean minus A's."""

    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, a: tuple[str, Leaderboard], b: tuple[str, Leaderboard]) -> None:
        super().__init__()
        self._a, self._b = a, b

    def compose(self) -> ComposeResult:
        (label_a, _), (label_b, _) = self._a, self._b
        with Vertical(id="search-compare-body") as body:
            body.border_title = "Compare searches"
            body.border_subtitle = "esc closes"
            legend = Text.assemble(("A ", "bold"), label_a, "\n", ("B ", "bold"), label_b, ("   Δ = B − A", "dim"))
            yield Static(legend, id="search-compare-legend")
            table: DataTable = DataTable(cursor_type="row", zebra_stripes=True, id="search-compare-table")
            yield table

    def on_mount(self) -> None:
        (_, board_a), (_, board_b) = self._a, self._b
        rows = compare(board_a, board_b)
        show_estimator = board_a.estimator != board_b.estimator
        table = self.query_one(DataTable)
        # Δ beside the params, both pinned: at 80 columns the two sides' columns scroll, the answer does not
        table.add_columns(
            *(["model"] if show_estimator else []), "params", "Δ mean", "A #", "A mean ± std", "B #", "B mean ± std"
        )
        table.fixed_columns = 3 if show_estimator else 2
        for row in rows:
            cells = [Text(row.estimator or "")] if show_estimator else []
            table.add_row(*cells, Text(describe(row.params)), _delta(row), *_side(row.a), *_side(row.b))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
