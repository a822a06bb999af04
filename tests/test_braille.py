"""Braille line charts: dots land where the data says, marks overlay a copy, styles follow the series."""

from __future__ import annotations

import numpy as np

from engine.render.braille import BRAILLE_BASE, BrailleCanvas, axis_number, y_label


def dots(canvas: BrailleCanvas) -> set[tuple[int, int]]:
    """The (dot row, dot column) of every dot set."""
    out = set()
    for cy, cx in zip(*np.nonzero(canvas.bits)):
        bits = int(canvas.bits[cy, cx])
        for r, c, bit in ((0, 0, 1), (1, 0, 2), (2, 0, 4), (0, 1, 8), (1, 1, 16), (2, 1, 32), (3, 0, 64), (3, 1, 128)):
            if bits & bit:
                out.add((4 * int(cy) + r, 2 * int(cx) + c))
    return out


def test_a_horizontal_line_sets_every_dot_of_its_row() -> None:
    canvas = BrailleCanvas(4, 2, (0.0, 1.0), (0.0, 1.0))
    canvas.line([0.0, 1.0], [1.0, 1.0], "cyan")
    assert dots(canvas) == {(0, c) for c in range(8)}


def test_a_diagonal_is_connected_from_corner_to_corner() -> None:
    canvas = BrailleCanvas(4, 2, (0.0, 1.0), (0.0, 1.0))
    canvas.line([0.0, 1.0], [0.0, 1.0], "cyan")
    got = dots(canvas)
    assert (7, 0) in got and (0, 7) in got
    assert {c for _, c in got} == set(range(8))  # no gap in any column


def test_marks_go_on_a_copy_and_leave_the_static_canvas_alone() -> None:
    static = BrailleCanvas(10, 3, (0.0, 10.0), (0.0, 1.0))
    static.line(np.linspace(0, 10, 50), np.full(50, 0.5), "cyan")
    moved = static.copy()
    moved.vline(5.0, "red")
    moved.mark(2.0, 0.5, "●", "red")
    assert dots(moved) > dots(static)
    assert static.chars == {} and "●" in moved.rows()[1].plain
    assert "●" not in "".join(row.plain for row in static.rows())


def test_rows_are_braille_characters_styled_by_the_last_series_in_each_cell() -> None:
    canvas = BrailleCanvas(2, 1, (0.0, 1.0), (0.0, 1.0))
    canvas.line([0.0, 1.0], [1.0, 1.0], "cyan")
    canvas.line([0.5, 1.0], [1.0, 1.0], "red")
    [row] = canvas.rows()
    assert row.plain == chr(BRAILLE_BASE + 0x09) * 2
    assert [str(span.style) for span in row.spans] == ["cyan", "red"]


def test_axis_numbers_are_short() -> None:
    assert [axis_number(v) for v in (0.0, 0.5, 12.34, -3210.0, 45678.0)] == ["0", "0.5", "12", "-3.2k", "46k"]


def test_the_y_axis_labels_its_top_middle_and_bottom_rows_with_their_exact_values() -> None:
    labels = lambda ylim: [y_label(BrailleCanvas(10, 9, (0.0, 1.0), ylim), row).plain for row in range(9)]  # noqa: E731
    assert labels((0.0, 1.0)) == [" 1.00┤", *["     │"] * 3, " 0.50┤", *["     │"] * 3, " 0.00┤"]
    assert labels((0.95, 1.0))[4] == "0.975┤"  # not rounded to a value the row does not show
