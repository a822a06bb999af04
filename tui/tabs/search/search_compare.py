"""Two searches side by side: their configs merged by params, each side's rank and mean ± std (the mean alone where
that would be cut at the right, e.g. at 80 columns), and the difference."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from engine.leaderboard import CompareRow, ConfigRow, Leaderboard, compare
from engine.render.leaderboard import fmt_mean
from engine.search.grid import describe

BODY_WIDTH = 110  # search.tcss #search-compare-body


def _side(row: ConfigRow | None, std: bool) -> list[Text]:
    if row is None:
        return [Text("–", style="dim", justify="right"), Text("not in grid", style="dim")]
    rank = "" if row.rank is None else str(row.rank)
    mean = fmt_mean(row) if std else ("–" if row.mean is None else f"{row.mean:.4f}")
    return [Text(rank, justify="right", style="bold green" if row.rank == 1 else ""), Text(mean, justify="right")]


def _width(headers: list[str], rows: list[list[Text]]) -> int:
    """The table's width: each column's widest cell and DataTable's cell padding of 1 on each side."""
    return sum(max([len(header), *(row[i].cell_len for row in rows)]) + 2 for i, header in enumerate(headers))


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
        self._show_estimator = a[1].estimator != b[1].estimator
        self._std = True  # each side's mean ± std; the means alone where that would not fit

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
        self._fill(self.app.size.width)
        self.query_one(DataTable).focus()

    def on_resize(self, event: Resize) -> None:
        self._fill(event.size.width)

    def _table(self, std: bool) -> tuple[list[str], list[list[Text]]]:
        """The headers and rows, with each side's mean ± std or its mean alone."""
        (_, board_a), (_, board_b) = self._a, self._b
        mean = "mean ± std" if std else "mean"
        model = ["model"] if self._show_estimator else []
        headers = [*model, "params", "Δ mean", "A #", f"A {mean}", "B #", f"B {mean}"]
        rows = []
        for row in compare(board_a, board_b):
            cells = [Text(row.estimator or "")] if self._show_estimator else []
            rows.append([*cells, Text(describe(row.params)), _delta(row), *_side(row.a, std), *_side(row.b, std)])
        return headers, rows

    def _fill(self, width: int) -> None:
        """Fill the table for a terminal ``width``: the means alone where mean ± std would be cut at the right."""
        room = min(BODY_WIDTH, width) - 4 - 2  # the body's border and padding; a vertical scrollbar
        headers, rows = self._table(std=True)
        std = _width(headers, rows) <= room
        if std == self._std and self.query_one(DataTable).columns:
            return
        if not std:
            headers, rows = self._table(std=False)
        self._std = std
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(*headers)
        # Δ beside the params, both pinned: where even the means do not fit, the two sides scroll, the answer does not
        table.fixed_columns = 3 if self._show_estimator else 2
        table.add_rows(rows)

    def action_close(self) -> None:
        self.dismiss(None)
