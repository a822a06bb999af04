"""The ``mnist-explorer`` console script: subcommands from the engine's CLI; no command opens the app."""

from __future__ import annotations

import argparse
import sys

from engine.cli.common import data_spec
from engine.cli.main import main as engine_main


def open_app(args: argparse.Namespace) -> int:
    from tui.app import MnistExplorerApp  # Textual is imported only when the app opens

    app = MnistExplorerApp(data=data_spec(args), store_path=args.store)
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
