"""``mnist-explorer snapshot``: render the app headless once the data is loaded and write an SVG screenshot."""

from __future__ import annotations

import argparse
import asyncio
import unicodedata

from engine.cli.common import data_spec, print_json
from engine.data import load_dataset
from engine.errors import UsageError
from engine.outputs import check_output, protected_files
from tui.tabs import TABS

MIN_SIZE = (80, 24)  # the app's own minimum (tui.app.MIN_WIDTH/MIN_HEIGHT; Textual is not imported to check args)
MAX_SIDE = 1000  # a screenshot wider or taller than this is a typo, and would take minutes to render
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


def parse_size(text: str) -> tuple[int, int]:
    """``100x30`` → (100, 30), refused unless the app can draw it (80×24 up to 1000×1000)."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise argparse.ArgumentTypeError(f"size must look like 100x30, got {text!r}")
    size = int(width), int(height)
    if size[0] < MIN_SIZE[0] or size[1] < MIN_SIZE[1]:
        raise argparse.ArgumentTypeError(f"size {text!r} is below the app's minimum of {MIN_SIZE[0]}x{MIN_SIZE[1]}")
    if max(size) > MAX_SIDE:
        raise argparse.ArgumentTypeError(f"size {text!r} is over {MAX_SIDE} in a side")
    return size


def is_key(name: str) -> bool:
    """Whether Textual knows ``name`` as a key: one character, a key name (``right``, ``f4``, ``pagedown``), a
    character's name (``question_mark``, ``left_square_bracket``), any of these after modifiers (``shift+left``)."""
    from textual.keys import REPLACED_KEYS, Keys, _get_unicode_name_from_key

    if len(name) == 1:
        return True
    *modifiers, base = name.split("+")
    if not base or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(base) == 1 or name in {k.value for k in Keys} or base in {k.value for k in Keys}:
        return True
    try:
        unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(base, base)))
    except KeyError:
        return False
    return True


def parse_keys(text: str) -> list[str]:
    """``right,enter`` → ["right", "enter"]; an unknown key name is a UsageError before the app starts."""
    keys = [key.strip() for key in text.split(",") if key.strip()]
    unknown = [key for key in keys if not is_key(key)]
    if unknown:
        raise UsageError(
            f"--keys: unknown key {unknown[0]!r} (keys look like right, enter, f4, question_mark, shift+left)"
        )
    return keys


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser("snapshot", parents=[common_parent()], help="render the app headless to an SVG screenshot")
    p.add_argument("--tab", default=TABS[0].id, choices=[tab.id for tab in TABS], help="tab to show")
    p.add_argument("--size", default=(100, 30), type=parse_size, metavar="WxH", help="terminal size (default 100x30)")
    p.add_argument("--keys", default="", metavar="K1,K2", help="keys to press first, e.g. 'right,enter'")
    p.add_argument("-o", "--output", default="mnist-explorer.svg", metavar="FILE", help="SVG file to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tui.app import MnistExplorerApp  # Textual is imported only for this command
    from tui.snapshot import render_svg

    spec = data_spec(args)
    load_dataset(spec)  # a bad SPEC fails here with one line instead of inside the app
    keys = parse_keys(args.keys)
    out = check_output(args.output, protected_files(args.store, spec))  # never over the store or a data file
    app = MnistExplorerApp(data=spec, store_path=args.store)
    svg = asyncio.run(render_svg(app, args.size, args.tab, keys))
    try:
        out.write_text(svg, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
    if args.json:
        print_json({"path": str(out), "tab": args.tab, "size": list(args.size)})
    else:
        print(f"wrote {out} ({args.tab} tab, {args.size[0]}×{args.size[1]})")
    return 0
