"""The Threshold tab's curves, drawn in braille with numpy (:mod:`engine.render.braille`), each marking the threshold.

The curves themselves never change while the threshold moves, so each plot keeps its static canvas and its lines
(per size and axis range) and only overlays the current threshold's mark on a copy. Only the lines the mark changed
are rebuilt and repainted: a move costs the terminal a line or two of a precision/recall or ROC plot.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from engine.render.braille import BrailleCanvas, x_axis, y_label
from engine.threshold import ThresholdCurves, ThresholdRow

PRECISION_COLOR = "cyan"
RECALL_COLOR = "dark_orange"
RF_COLOR = "green"
MARK_COLOR = "bold red"
GUIDE_COLOR = "grey42"
X_QUANTILES = (0.02, 0.995)  # the threshold axis spans these quantiles of the scores (and the threshold)
Y_LABEL_WIDTH = 5


class CurvePlot(Widget):
    """A plot of a binary run's curves, redrawn whenever the current threshold moves (see :meth:`show`)."""

    DEFAULT_CSS = "CurvePlot { height: 1fr; }"
    TITLE = ""
    X_LABEL = ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.curves: ThresholdCurves | None = None
        self.current: ThresholdRow | None = None
        self.rendered: ThresholdRow | None = None  # the point the last painted lines show
        self._static: tuple[tuple, BrailleCanvas, list[Strip]] | None = None
        self._cells: dict[tuple[str, str], Strip] = {}  # one-cell strips of the marks, per static plot
        self._lines: tuple[tuple, ThresholdRow | None, list[Strip]] | None = None

    def show(self, curves: ThresholdCurves, current: ThresholdRow) -> None:
        """Mark ``current``; repaint only the lines that changed (all of them after a resize or new curves)."""
        self.curves, self.current = curves, current
        before = self._lines
        key, _, lines = self._build()
        if before is None or before[0] != key:
            self.refresh()
            return
        changed = [y for y, (old, new) in enumerate(zip(before[2], lines)) if old is not new]
        if changed:
            self.refresh(*(Region(0, y, self.size.width, 1) for y in changed))
        else:
            self.rendered = current

    def xlim(self, curves: ThresholdCurves, current: ThresholdRow) -> tuple[float, float]:
        return (0.0, 1.0)

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        """(label, style) of each series, shown beside the title."""
        return []

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        """The curves: drawn once per size and axis range."""

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        """The current threshold's mark, drawn on a copy of the static canvas at every move."""

    def render_line(self, y: int) -> Strip:
        _, current, lines = self._build()
        self.rendered = current
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, self.rich_style)

    def _build(self) -> tuple[tuple, ThresholdRow | None, list[Strip]]:
        """The plot's lines for the current threshold (title, canvas rows, x axis), each a Strip; unchanged lines
        are the very Strip objects of the static plot, so a caller can tell which lines the mark changed."""
        curves, current = self.curves, self.current
        width, height = self.size
        if curves is None or current is None or width < Y_LABEL_WIDTH + 8 or height < 4:
            key: tuple = (width, height, None)
            if self._lines is None or self._lines[0] != key:
                self._lines = (key, current, [self._strip(Text(self.TITLE, style="bold"), width)])
            return self._lines
        xlim = self.xlim(curves, current)
        key = (width, height, xlim, id(curves))
        if self._lines is not None and self._lines[0] == key and self._lines[1] is current:
            return self._lines
        if self._static is None or self._static[0] != key:
            canvas = BrailleCanvas(width - Y_LABEL_WIDTH - 1, height - 2, xlim, (0.0, 1.0))
            self.draw_static(canvas, curves)
            title = Text(self.TITLE, style="bold")
            for label, style in self.legend(curves):
                title.append("  ━ ", style=style)
                title.append(label)
            title.truncate(width, overflow="ellipsis")  # one line, or the canvas would shift down
            static_lines = [self._strip(title, width)]
            static_lines += [self._row_strip(canvas, y, row, width) for y, row in enumerate(canvas.rows())]
            static_lines.append(self._strip(x_axis(canvas, self.X_LABEL, Y_LABEL_WIDTH), width))
            self._static, self._cells = (key, canvas, static_lines), {}
        _, static, static_lines = self._static
        marked = static.copy()
        self.draw_mark(marked, curves, current)
        lines = list(static_lines)
        for y, columns in marked.changed_cells(static).items():  # the mark's cells spliced into the static line
            line, parts, at = lines[1 + y], [], 0
            for x in columns:
                cell_at = Y_LABEL_WIDTH + 1 + x
                parts += [line.crop(at, cell_at), self._cell(marked.cell(y, x))]
                at = cell_at + 1
            parts.append(line.crop(at, width))
            lines[1 + y] = Strip.join(parts)
        self._lines = (key, current, lines)
        return self._lines

    def _row_strip(self, canvas: BrailleCanvas, y: int, row: Text, width: int) -> Strip:
        line = y_label(canvas, y, Y_LABEL_WIDTH)
        line.append_text(row)
        return self._strip(line, width)

    def _cell(self, cell: tuple[str, str]) -> Strip:
        if cell not in self._cells:
            self._cells[cell] = self._strip(Text(cell[0], style=cell[1] or ""), 1)
        return self._cells[cell]

    def _strip(self, text: Text, width: int) -> Strip:
        """A line as Textual paints it: the widget's own colours under the text's styles.

        Every segment gets a Style, even where the text has none (rich's Text.render yields ``None`` for an
        unstyled text): Textual's NO_COLOR filter reads the colour of every segment's style.
        """
        if text.style and not text.spans:  # rich's Text.render drops the text's own style when it has no spans
            text = text.copy()
            text.stylize(text.style)
        style = self.rich_style
        segments = [Segment(chars, style + own, control) for chars, own, control in text.render(self.app.console)]
        return Strip(segments).adjust_cell_length(width, style)


class ThresholdCurvePlot(CurvePlot):
    """Precision and recall against the threshold, the threshold as a vertical line."""

    TITLE = "P/R vs threshold"
    X_LABEL = "threshold"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._span: tuple[ThresholdCurves, float, float] | None = None  # the curves' score quantiles, found once

    def xlim(self, curves: ThresholdCurves, current: ThresholdRow) -> tuple[float, float]:
        if self._span is None or self._span[0] is not curves:  # asked at every line drawn: ~1 ms at 60,000 steps
            low, high = np.quantile(curves.thresholds, X_QUANTILES)
            self._span = (curves, float(low), float(high))
        _, low, high = self._span
        return float(min(low, current.threshold)), float(max(high, current.threshold))

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        return [("precision", PRECISION_COLOR), ("recall", RECALL_COLOR)]

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        low, high = canvas.xlim
        inside = np.flatnonzero((curves.thresholds >= low) & (curves.thresholds <= high))
        x = curves.thresholds[inside]
        canvas.line(x, curves.precision[inside], PRECISION_COLOR)
        canvas.line(x, curves.recall[inside], RECALL_COLOR)

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        canvas.vline(current.threshold, MARK_COLOR)


class PrecisionRecallPlot(CurvePlot):
    """Precision against recall, the current point marked."""

    TITLE = "precision vs recall"
    X_LABEL = "recall"

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        return [("SGD", PRECISION_COLOR)]

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        canvas.line(curves.recall, curves.precision, PRECISION_COLOR)

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        canvas.mark(current.recall, current.precision, "●", MARK_COLOR)


class RocPlot(CurvePlot):
    """ROC curves of SGD and RandomForest with their AUCs; SGD's current point marked."""

    TITLE = "ROC"
    X_LABEL = "false positive rate"

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        entries = [(f"SGD AUC {curves.auc_sgd:.3f}", PRECISION_COLOR)]
        if curves.auc_rf is not None:
            entries.append((f"RF AUC {curves.auc_rf:.3f}", RF_COLOR))
        return entries

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        canvas.line([0.0, 1.0], [0.0, 1.0], GUIDE_COLOR)
        if curves.fpr_rf is not None and curves.tpr_rf is not None:
            canvas.line(curves.fpr_rf, curves.tpr_rf, RF_COLOR)
        canvas.line(curves.fpr_sgd, curves.tpr_sgd, PRECISION_COLOR)

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        negatives = current.fp + current.tn
        canvas.mark(current.fp / negatives if negatives else 0.0, current.recall, "●", MARK_COLOR)
