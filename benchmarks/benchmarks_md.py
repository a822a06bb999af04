"""Writing a benchmark's tables into BENCHMARKS.md, replacing the copy an earlier run wrote."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def write_block(name: str, section: str, text: str) -> None:
    """Put ``text`` between ``<!-- NAME: begin -->`` and ``<!-- NAME: end -->`` in BENCHMARKS.md: in place of an
    earlier block, or else just above ``<!-- section:SECTION -->``."""
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    doc = BENCHMARKS_MD.read_text(encoding="utf-8")
    if begin in doc:
        doc = doc[: doc.index(begin)] + block + doc[doc.index(end) + len(end) :]
    else:
        marker = f"<!-- section:{section} -->"
        doc = doc.replace(marker, f"{block}\n\n{marker}", 1)
    BENCHMARKS_MD.write_text(doc, encoding="utf-8")
