"""The live leaderboard of a grid search: one row per config, re-sorted on every update, the cursor kept on its config."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from engine.leaderboard import DONE, PARTIAL, PENDING, ConfigRow, Leaderboard, sort_rows
from engine.render.leaderboard import fmt_mean


def rank_name(row: ConfigRow, board: Leaderboard) -> str:
    """``rank 1 of 8`` (a partial config's rank is by the folds it has), or ``unranked`` before any fold."""
    if row.rank is None:
        return f"unranked (of {len(board.rows)})"
    partial = " so far" if row.status == PARTIAL else ""
    return f"rank {row.rank} of {len(board.rows)}{partial}"


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


def display_columns(board: Leaderboard, folds: bool = True) -> list[tuple[str, str]]:
    """(column key, header) in display order: rank, params, mean ± std, status, fit time, then each fold."""
    return [
        ("rank", "#"),
        *((f"param:{n}", n) for n in board.param_names),
        ("mean", "mean ± std"),
        ("status", "status"),
        ("fit_time", "fit s"),
        *((f"fold:{i}", f"fold {i + 1}") for i in range(board.n_folds) if folds),
    ]


FOLD_WIDTH = 8  # a fold column: "0.9512" and the cell padding


def _look(cell: Text) -> tuple:
    """What a cell looks like (``Text.__eq__`` ignores the base style)."""
    return cell.plain, str(cell.style), cell.justify


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
        self.follow_best = True  # the cursor stays on the top row until the user moves it
        self.show_folds = True  # a column per fold (left out when they do not fit: the side view and enter show them)
        self.sort_column = "rank"
        self.sort_reverse = False
        self._columns: list[tuple[str, str]] = []
        self._built_sort: tuple[str, bool] | None = None  # the sort the headers were built for
        self._shown: dict[int, list[Text]] = {}  # config index → the cells the table holds for it
        self._signatures: dict[int, tuple] = {}  # config index → what its cells were drawn from

    # -- showing -----------------------------------------------------------------------------------------------
    def show(self, board: Leaderboard) -> None:
        """Show ``board``, keeping the cursor on the config it was on and the scroll where it was.

        While the columns, the configs and the sort stay the same (the usual update: some folds finished), only the
        cells that changed are rewritten and the rows re-ordered in place; otherwise the table is rebuilt.
        """
        current = self.current_config()
        self.board = board
        if not board.rows:  # no grid yet: an empty table rather than headers over nothing
            self.clear(columns=True)
            self._columns, self._shown, self._signatures = [], {}, {}
            return
        self.show_folds = self.folds_fit(board)
        columns = display_columns(board, self.show_folds)
        self.fixed_columns = 2 + len(board.param_names)  # rank, params and mean stay when scrolled sideways
        if self.sort_column not in dict(columns):
            self.sort_column, self.sort_reverse = "rank", False
        sort = (self.sort_column, self.sort_reverse)
        best = board.best
        ordered = sort_rows(board.rows, *sort)
        same_shape = columns == self._columns and len(board.rows) == len(self._shown)
        cells = {}
        for row in board.rows:
            signature = (row.params, row.fits, row.rank, best is not None and row.index == best.index)
            if same_shape and self._signatures.get(row.index) == signature:
                cells[row.index] = self._shown[row.index]  # unchanged: the very cells the table holds
            else:
                cells[row.index] = self._cells(row, best)
                self._signatures[row.index] = signature
        if same_shape and cells.keys() == self._shown.keys():
            self._update_in_place(cells, [row.index for row in ordered])
            if sort != self._built_sort:
                self._relabel(sort)
        else:
            self._rebuild(columns, sort, cells, [row.index for row in ordered])
        if self.follow_best:
            self.move_cursor(row=0, scroll=False)  # the best config, in the default sort
        elif current is not None and current in cells:
            self.move_cursor(row=self.get_row_index(str(current)), scroll=False)

    def folds_fit(self, board: Leaderboard) -> bool:
        """Whether a column per fold fits beside the others in the table's width (before it is laid out: yes)."""
        width = self.scrollable_content_region.width
        if not width:
            return True
        pad = 2 * self.cell_padding
        params = sum(
            max(len(name), *(len(str(row.params.get(name, "–"))) for row in board.rows)) + pad
            for name in board.param_names
        )
        others = (3 + pad) + (15 + pad) + (len(f"partial {board.n_folds}/{board.n_folds}") + pad) + (5 + pad)
        return params + others + board.n_folds * FOLD_WIDTH <= width

    def on_resize(self) -> None:
        if self.board.rows and self.folds_fit(self.board) != self.show_folds:
            self.show(self.board)  # folds come or go with the width

    # -- the user moving the cursor ends following the best row -------------------------------------------------
    def action_cursor_up(self) -> None:
        self.follow_best = False
        super().action_cursor_up()

    def action_cursor_down(self) -> None:
        self.follow_best = False
        super().action_cursor_down()

    def action_page_up(self) -> None:
        self.follow_best = False
        super().action_page_up()

    def action_page_down(self) -> None:
        self.follow_best = False
        super().action_page_down()

    def action_scroll_bottom(self) -> None:
        self.follow_best = False
        super().action_scroll_bottom()

    def on_click(self) -> None:
        self.follow_best = False

    def _rebuild(
        self, columns: list[tuple[str, str]], sort: tuple[str, bool], cells: dict[int, list[Text]], order: list[int]
    ) -> None:
        scroll_x, scroll_y = self.scroll_x, self.scroll_y
        self.clear(columns=True)  # new headers: their widths are measured again
        self._columns, self._built_sort = columns, sort
        for key, _ in columns:
            self.add_column(self._header(key), key=key)
        for index in order:
            self.add_row(*cells[index], key=str(index))
        self._shown = cells
        self.scroll_to(scroll_x, scroll_y, animate=False)

    def _relabel(self, sort: tuple[str, bool]) -> None:
        """Move the sort arrow to ``sort``'s column; the two headers that changed are measured again."""
        changed = {self._built_sort[0], sort[0]} if self._built_sort else {key for key, _ in self._columns}
        self._built_sort = sort
        some_row = next(iter(self._shown))
        for key in changed & set(dict(self._columns)):
            self.columns[ColumnKey(key)].label = self._header(key)
            position = [k for k, _ in self._columns].index(key)
            self.update_cell(str(some_row), key, self._shown[some_row][position], update_width=True)

    def _update_in_place(self, cells: dict[int, list[Text]], order: list[int]) -> None:
        keys = [key for key, _ in self._columns]
        for index, new in cells.items():
            old = self._shown[index]
            if new is old:
                continue
            for position, (key, before, after) in enumerate(zip(keys, old, new)):
                if _look(before) != _look(after):
                    self.update_cell(str(index), key, after, update_width=True)
                    old[position] = after
        rank_cells = {id(self._shown[index][0]): position for position, index in enumerate(order)}
        self.sort("rank", key=lambda cell: rank_cells[id(cell)])  # each row's rank cell is its own object

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
        mean = fmt_mean(row)
        cells = [Text("" if row.rank is None else str(row.rank), style=rank_style, justify="right")]
        cells += [Text(str(row.params.get(name, "–"))) for name in self.board.param_names]
        cells += [
            Text(mean, justify="right"),
            status_text(row, n),
            Text(fmt_seconds(row.mean_fit_time), justify="right"),
        ]
        if self.show_folds:
            cells += [
                Text("·" if s is None else f"{s:.4f}", style="dim" if s is None else "", justify="right")
                for s in row.scores
            ]
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
