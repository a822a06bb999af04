"""The study report's text: ``index.md`` (the study table, each step's numbers, a line on what it shows) and a
self-contained ``index.html`` with the tabs' SVG screenshots inline. Pure functions of a :class:`StudyTable` and
the screenshots, so the same store gives the same files (no clock in them)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.render.study import LINES, formatted, state_text
from engine.study import BOOK_SOURCE, StudyStep, StudyTable

INDEX_MD = "index.md"
INDEX_HTML = "index.html"


@dataclass(frozen=True)
class Screenshot:
    """One tab rendered headless: its id, title and SVG text (written as ``ID.svg``)."""

    tab: str
    title: str
    svg: str

    @property
    def filename(self) -> str:
        return f"{self.tab}.svg"


def value_text(value: Any) -> str:
    """A result value as the report writes it: floats to 4 decimals, dicts and lists as compact JSON."""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return "—" if value is None else str(value)


def table_rows(table: StudyTable) -> list[tuple[str, str, str, str]]:
    """The study table as text rows: label, measured here, the book's figure, state (on a step's first line)."""
    steps = {s.name: s for s in table.steps}
    rows, previous = [], None
    for line in LINES:
        step = steps[line.step]
        first = line.step != previous
        previous = line.step
        measured = formatted(line, step.result) if step.is_done else None
        book = formatted(line, step.book) or (step.book_note or "—" if first else "")
        state = _state(step) if first else ""
        rows.append((line.wide_label.strip(), measured or "·", book, state))
    return rows


def _state(step: StudyStep) -> str:
    text = state_text(step).plain
    return f"{text} (run {step.run_id})" if step.run_id is not None else text


def _numbers(step: StudyStep) -> list[tuple[str, str, str]]:
    """Each headline number of a step: key, measured, the book's (``—`` where it gives none)."""
    keys = list(step.result or {}) or list(step.book)
    return [(k, value_text((step.result or {}).get(k)), value_text(step.book.get(k))) for k in keys]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def report_markdown(table: StudyTable, shots: Sequence[Screenshot]) -> str:
    """``index.md``: the study table, then a section per step, then the screenshots."""
    out = [
        f"# The study on {table.data}",
        "",
        f"{table.n_done} of {len(table.steps)} steps done. *Book*: {BOOK_SOURCE}; its figures are the book's, on "
        "full MNIST, beside ours measured here on this data.",
        "",
        "| step | measured here | book, full MNIST | state |",
        "| --- | --- | --- | --- |",
        *(f"| {' | '.join(_md_cell(c) for c in row)} |" for row in table_rows(table)),
        "",
    ]
    for step in table.steps:
        out += [f"## {step.title}", "", step.what + ("." if step.what else ""), ""]
        out.append(f"State: {_state(step)}." + (f" Error: {step.error}" if step.error else ""))
        out.append("")
        if step.is_done:
            out += ["| number | measured here | book |", "| --- | --- | --- |"]
            out += [f"| `{k}` | {_md_cell(m)} | {_md_cell(b)} |" for k, m, b in _numbers(step)]
            out.append("")
        if step.book_note:
            out += [f"Book: {step.book_note}.", ""]
    out += ["## The tabs", ""]
    for shot in shots:
        out += [f"### {shot.title}", "", f"![The {shot.title} tab]({shot.filename})", ""]
    return "\n".join(out)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td:nth-child(2) { font-weight: 600; }
figure { margin: 1.5rem 0; }
figure svg { width: 100%; height: auto; }
.note { color: #666; }
"""


def report_html(table: StudyTable, shots: Sequence[Screenshot]) -> str:
    """``index.html``: the same as ``index.md``, self-contained (the SVGs inline, no external file)."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>The study on {esc(table.data)}</title><style>{STYLE}</style></head><body>",
        f"<h1>The study on {esc(table.data)}</h1>",
        f'<p>{table.n_done} of {len(table.steps)} steps done. <span class="note">Book: {esc(BOOK_SOURCE)}; its '
        "figures are the book's, on full MNIST, beside ours measured here on this data.</span></p>",
        _html_table(("step", "measured here", "book, full MNIST", "state"), table_rows(table)),
    ]
    for step in table.steps:
        parts.append(f'<section id="step-{esc(step.name)}"><h2>{esc(step.title)}</h2><p>{esc(step.what)}.</p>')
        parts.append(f"<p>State: {esc(_state(step))}." + (f" Error: {esc(step.error)}" if step.error else "") + "</p>")
        if step.is_done:
            parts.append(_html_table(("number", "measured here", "book"), _numbers(step)))
        if step.book_note:
            parts.append(f'<p class="note">Book: {esc(step.book_note)}.</p>')
        parts.append("</section>")
    parts.append("<h2>The tabs</h2>")
    for shot in shots:
        parts.append(f'<figure id="tab-{esc(shot.tab)}"><figcaption>{esc(shot.title)}</figcaption>{_inline(shot.svg)}')
        parts.append("</figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _inline(svg: str) -> str:
    """An SVG document as an element to place in HTML (its XML declaration, if any, dropped)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
