"""The live leaderboard of a grid search: one row per config, re-sorted on every update, the cursor kept on its config."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from engine.leaderboard import DONE, PARTIAL, PENDING, ConfigRow, Leaderboard, sort_rows


def fmt_score(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def status_text(row: ConfigRow, n_folds: int) -> Text:
    if row.status == DONE:
        return Text("done", style="green")
    if row.status == PARTIAL:
        return Text(f"partial {row.folds_done}/{n_folds}", style="yellow")
    return Text(PENDING, style="dim")


def display_columns(board: Leaderboard) -> list[tuple[str, str]]:
    """(column key, header) in display order: rank, params, mean ± std, status, fit time, then each fold."""
    return [("rank", "#"), *((f"param:{n}", n) for n in board.param_names), ("mean", "mean ± std"),
            ("status", "status"), ("fit_time", "fit s"),
            *((f"fold:{i}", f"fold {i + 1}") for i in range(board.n_folds))]


class SearchLeaderboard(DataTable):
    """Shows a :class:`Leaderboard` sorted by ``sort_column`` (best first unless ``sort_reverse``).

    Clicking a header sorts by it (again: reverses). Posts :class:`SearchLeaderboard.SortChanged`.
    """

    @dataclass
    class SortChanged(Message):
        column: str
        reverse: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.board = Leaderboard()
        self.sort_column = "rank"
        self.sort_reverse = False
        self._columns: list[tuple[str, str]] = []
        self._built_sort: tuple[str, bool] | None = None  # the sort the headers were built for

    # -- showing -----------------------------------------------------------------------------------------------
    def show(self, board: Leaderboard) -> None:
        """Redraw with ``board``, keeping the cursor on the config it was on and the horizontal scroll."""
        current = self.current_config()
        scroll_x, scroll_y = self.scroll_x, self.scroll_y
        self.board = board
        if not board.rows:  # no grid yet: an empty table rather than headers over nothing
            self.clear(columns=True)
            self._columns = []
            return
        columns = display_columns(board)
        if self.sort_column not in dict(columns):
            self.sort_column, self.sort_reverse = "rank", False
        sort = (self.sort_column, self.sort_reverse)
        if columns != self._columns or sort != self._built_sort or not self.columns:
            self.clear(columns=True)  # new headers: their widths are measured again
            self._columns, self._built_sort = columns, sort
            for key, _ in columns:
                self.add_column(self._header(key), key=key)
        else:
            self.clear()
        best = board.best
        for row in sort_rows(board.rows, self.sort_column, self.sort_reverse):
            self.add_row(*self._cells(row, best), key=str(row.index))
        if current is not None and current < len(board.rows):
            self.move_cursor(row=self.get_row_index(str(current)), scroll=False)
        self.scroll_to(scroll_x, scroll_y, animate=False)

    def _header(self, key: str) -> Text:
        """The column's name, then ▾ (best first) or ▴ (reversed) if it is the sort column."""
        label = dict(self._columns)[key]
        if key != self.sort_column:
            return Text(label)
        return Text(f"{label} {'▴' if self.sort_reverse else '▾'}", style="bold")

    def _cells(self, row: ConfigRow, best: ConfigRow | None) -> list[Text]:
        n = self.board.n_folds
        is_best = best is not None and row.index == best.index
        rank_style = "bold green" if is_best else "dim" if row.status == PARTIAL else ""
        mean = "–" if row.mean is None else f"{row.mean:.4f} ± {row.std:.4f}"
        cells = [Text("" if row.rank is None else str(row.rank), style=rank_style, justify="right")]
        cells += [Text(str(row.params.get(name, "–"))) for name in self.board.param_names]
        cells += [Text(mean, justify="right"), status_text(row, n),
                  Text(fmt_seconds(row.mean_fit_time), justify="right")]
        cells += [Text("·" if s is None else f"{s:.4f}", style="dim" if s is None else "", justify="right")
                  for s in row.scores]
        return cells

    def current_config(self) -> int | None:
        """The config index under the cursor, or None when the table is empty."""
        if self.row_count == 0:
            return None
        row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return int(row_key.value) if row_key.value is not None else None

    def current_row(self) -> ConfigRow | None:
        index = self.current_config()
        return None if index is None or index >= len(self.board.rows) else self.board.rows[index]

    # -- sorting -----------------------------------------------------------------------------------------------
    def sort_by(self, column: str, reverse: bool = False) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        self.show(self.board)
        self.post_message(self.SortChanged(column, reverse))

    def cycle_sort(self) -> None:
        """Sort by the next column (after the last: back to rank)."""
        keys = [key for key, _ in self._columns] or ["rank"]
        position = keys.index(self.sort_column) if self.sort_column in keys else -1
        self.sort_by(keys[(position + 1) % len(keys)])

    def reverse_sort(self) -> None:
        self.sort_by(self.sort_column, not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        self.sort_by(column, not self.sort_reverse if column == self.sort_column else False)
