"""The ``mnist-explorer`` console script: subcommands from the engine's CLI; no command opens the app."""

from __future__ import annotations

import argparse
import os
import sys

from engine.cli.common import data_spec
from engine.cli.main import main as engine_main
from engine.data.spec import check_spec
from engine.errors import UsageError


def open_app(args: argparse.Namespace) -> int:
    spec = data_spec(args)
    check_spec(spec)  # a SPEC that cannot load is one line here, not an app stuck at "loading…"
    web = "TEXTUAL_DRIVER" in os.environ  # `serve`: the browser is the terminal, through pipes
    if not web and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the app needs a terminal (stdin and stdout); without one use a command: `mnist-explorer info`, "
            "`mnist-explorer snapshot`, `mnist-explorer serve`, … (see --help)"
        )
    from tui.app import MnistExplorerApp  # Textual is imported only when the app opens

    app = MnistExplorerApp(data=spec, store_path=args.store)
    app.run(mouse=not args.no_mouse)
    return app.return_code or 0


def app_options(parser: argparse.ArgumentParser) -> None:
    """Options of the app itself (no command given)."""
    parser.add_argument(
        "--no-mouse",
        action="store_true",
        help="leave the mouse to the terminal (select and copy text; the app is driven by keys alone)",
    )


def main(argv: list[str] | None = None) -> int:
    return engine_main(
        argv,
        open_app=open_app,
        extra_commands=["mnist_explorer.snapshot", "mnist_explorer.report", "mnist_explorer.serve"],
        app_options=app_options,
    )


if __name__ == "__main__":
    sys.exit(main())
