"""The half-block renderer draws exactly the pixels it is given; grids, stats and class-balance bars."""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.console import Console
from rich.segment import Segment

from engine.render import ClassBalance, DigitGrid, DigitImage, digit_stats, fit_side
from engine.render.bars import bar


def render_lines(renderable, width: int = 120) -> list[list[Segment]]:
    console = Console(width=width, color_system="truecolor", legacy_windows=False)
    return list(Segment.split_lines(console.render(renderable, console.options)))


def cells(line: list[Segment]) -> list[tuple[str, Color | None, Color | None]]:
    """One (character, fg, bg) per terminal cell."""
    out = []
    for seg in line:
        for ch in seg.text:
            style = seg.style
            out.append((ch, style.color if style else None, style.bgcolor if style else None))
    return out


def grey(value: int) -> Color:
    return Color.from_rgb(value, value, value)


def test_each_cell_shows_the_top_pixel_as_foreground_and_the_bottom_as_background() -> None:
    image = np.array([[0, 10, 20], [30, 40, 50], [60, 70, 80], [90, 100, 110]], dtype=np.uint8)
    lines = render_lines(DigitImage(image))
    assert len(lines) == 2
    for row, line in enumerate(lines):
        got = cells(line)
        assert [c[0] for c in got] == ["▀"] * 3
        assert [c[1] for c in got] == [grey(int(v)) for v in image[2 * row]]
        assert [c[2] for c in got] == [grey(int(v)) for v in image[2 * row + 1]]


def test_an_odd_number_of_pixel_rows_pads_the_last_line_with_black() -> None:
    image = np.array([[255, 128], [7, 9], [200, 100]], dtype=np.uint8)
    lines = render_lines(DigitImage(image))
    assert len(lines) == 2
    last = cells(lines[1])
    assert [c[1] for c in last] == [grey(200), grey(100)]
    assert [c[2] for c in last] == [grey(0), grey(0)]


def test_runs_of_equal_pixels_become_one_segment() -> None:
    image = np.zeros((2, 28), dtype=np.uint8)
    image[:, 10:12] = 255
    (line,) = render_lines(DigitImage(image))
    assert [(seg.text, seg.style.color) for seg in line] == [
        ("▀" * 10, grey(0)),
        ("▀" * 2, grey(255)),
        ("▀" * 16, grey(0)),
    ]


def test_scaling_repeats_each_pixel_in_both_directions() -> None:
    image = np.array([[0, 255], [255, 0]], dtype=np.uint8)
    lines = render_lines(DigitImage(image, scale=2))
    assert len(lines) == 2
    assert [c[1] for c in cells(lines[0])] == [grey(0), grey(0), grey(255), grey(255)]
    assert [c[2] for c in cells(lines[0])] == [grey(0), grey(0), grey(255), grey(255)]
    assert [c[1] for c in cells(lines[1])] == [grey(255), grey(255), grey(0), grey(0)]


def test_a_grid_puts_each_caption_under_its_digit_and_marks_the_highlighted_one() -> None:
    images = np.stack([np.full((4, 4), v, dtype=np.uint8) for v in (10, 20, 30, 40, 50)])
    lines = render_lines(DigitGrid(images, ["a", "b", "c", "d", "e"], columns=3, highlight=4))
    # two rows of digits: 2 pixel lines + 1 caption line each
    assert len(lines) == 6
    first = cells(lines[0])
    assert "".join(c[0] for c in first).rstrip() == " ▀▀▀▀ ▀▀▀▀ ▀▀▀▀"
    assert [c[1] for c in first[1:5]] == [grey(10)] * 4 and [c[1] for c in first[11:15]] == [grey(30)] * 4
    assert "".join(seg.text for seg in lines[2]).split() == ["a", "b", "c"]
    second = "".join(c[0] for c in cells(lines[3]))
    assert second.startswith(" ▀▀▀▀▐▀▀▀▀▌")  # the highlighted fifth digit has bars either side
    assert "".join(seg.text for seg in lines[5]).split() == ["d", "e"]


def test_grid_layout_counts_what_fits() -> None:
    assert DigitGrid.fits(14, 80, 19) == (5, 2)  # 14-px digits: 15 columns and 8 lines each
    assert DigitGrid.fits(28, 200, 55) == (6, 3)  # 28-px digits: 29 columns and 15 lines each
    assert DigitGrid.fits(28, 10, 3) == (1, 1)


def test_resampling_shrinks_by_block_mean_and_grows_by_repetition() -> None:
    image = np.arange(16, dtype=np.uint8).reshape(1, 4, 4) * 10
    small = fit_side(image, 2)
    assert small.tolist() == [
        [
            [(0 + 10 + 40 + 50) // 4, (20 + 30 + 60 + 70) // 4],
            [(80 + 90 + 120 + 130) // 4, (100 + 110 + 140 + 150) // 4],
        ]
    ]
    big = fit_side(image, 8)
    assert big.shape == (1, 8, 8) and big[0, 1, 1] == image[0, 0, 0] and big[0, 7, 7] == image[0, 3, 3]
    assert fit_side(image, 4) is image


def test_digit_stats_give_mean_range_ink_and_bounding_box() -> None:
    image = np.zeros((6, 6), dtype=np.uint8)
    image[1:4, 2:5] = 200
    image[3, 2] = 100
    stats = digit_stats(image)
    assert stats.bbox == (1, 2, 3, 4)
    assert stats.min == 0 and stats.max == 200
    assert stats.ink_fraction == 8 / 36
    assert stats.nonzero_fraction == 9 / 36
    assert abs(stats.mean - (8 * 200 + 100) / 36) < 1e-9
    assert digit_stats(np.zeros((3, 3), dtype=np.uint8)).bbox is None


def test_bars_fill_in_eighths_proportional_to_the_value() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██  "
    assert bar(1, 8, 1) == "▏"
    assert bar(0, 10, 3) == "   "


def test_class_balance_lists_each_class_with_train_and_test_counts() -> None:
    chart = ClassBalance(("T-shirt", "Bag"), [600, 300], [100, 50])
    text = [("".join(seg.text for seg in line)) for line in render_lines(chart, width=40)]
    assert "train" in text[0] and "test" in text[0]
    assert text[1].split()[0] == "T-shirt" and "600" in text[1] and "100" in text[1]
    full = text[1].split()[1]
    assert text[2].split()[1] == "█" * (len(full) // 2) + "▌"  # half the count, half the bar (11 → 5½ cells)
    assert text[3].split() == ["900", "150"]
