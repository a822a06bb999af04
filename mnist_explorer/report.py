"""``mnist-explorer report``: the study as a folder to share — ``index.md``, one SVG per tab, ``index.html``.

The tabs are rendered headless from the store (one app, each tab shown in turn, as ``snapshot`` does); the text
comes from :mod:`engine.report`. Nothing in it depends on the clock, so the same store gives the same files.
"""

from __future__ import annotations

import argparse
import asyncio

from engine.cli.common import data_spec, open_store, print_json
from engine.data import load_dataset
from engine.outputs import check_output_folder, protected_files, replace_folder
from engine.report import INDEX_HTML, INDEX_MD, Screenshot, report_html, report_markdown
from engine.study import read_study
from tui.tabs import TABS

DEFAULT_DIR = "mnist-explorer-report"
SIZE = (120, 40)


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "report",
        parents=[common_parent()],
        help="write the study as a report folder: index.md, one SVG per tab, a self-contained index.html",
    )
    p.add_argument(
        "-o", "--output", default=DEFAULT_DIR, metavar="DIR", help=f"folder to write (default {DEFAULT_DIR})"
    )
    p.add_argument("--force", action="store_true", help="replace an existing report folder")
    p.set_defaults(func=run)


def is_report_file(name: str) -> bool:
    """Whether a report writes a file of this name (what --force may replace)."""
    return name in (INDEX_MD, INDEX_HTML) or name in {f"{tab.id}.svg" for tab in TABS}


def run(args: argparse.Namespace) -> int:
    from tui.app import MnistExplorerApp  # Textual is imported only for this command
    from tui.snapshot import render_svgs

    spec = data_spec(args)
    load_dataset(spec)  # a bad SPEC fails here with one line instead of inside the app
    out = check_output_folder(args.output, protected_files(args.store, spec), args.force, is_report_file)
    store = open_store(args)
    table = read_study(store, spec)
    app = MnistExplorerApp(data=spec, store_path=args.store)
    svgs = asyncio.run(render_svgs(app, SIZE, [tab.id for tab in TABS]))
    shots = [Screenshot(tab.id, tab.title, svg) for tab, svg in zip(TABS, svgs, strict=True)]
    files = {INDEX_MD: report_markdown(table, shots), INDEX_HTML: report_html(table, shots)}
    files.update({shot.filename: shot.svg for shot in shots})
    replace_folder(out, files)
    if args.json:
        print_json({"path": str(out), "files": sorted(files), "steps_done": table.n_done, "steps": len(table.steps)})
    else:
        print(f"wrote {out}/ ({INDEX_MD}, {INDEX_HTML}, {len(shots)} SVGs): {table.n_done} of {len(table.steps)} steps")
    return 0
