"""``mnist-explorer``'s argument parsing and dispatch; every error the user can fix is one line and exit 2."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Sequence

from engine import __version__
from engine.cli import binary, errors, info, runs, search, threshold
from engine.cli.common import add_common_options
from engine.errors import ExplorerError

# Each command module has ``register(subparsers)`` which adds its parser with ``func=run(args) -> int``.
COMMANDS = [info, binary, threshold, errors, search, runs]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse would print the whole usage first)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser(extra_commands: Sequence[Any] = ()) -> argparse.ArgumentParser:
    """The parser of every command; ``extra_commands`` are more modules with ``register(sub)`` (e.g. from tui)."""
    parser = _Parser(
        prog="mnist-explorer",
        description="Explore handwritten-digit classification: with no command, opens the terminal app.",
    )
    parser.add_argument("--version", action="version", version=f"mnist-explorer {__version__}")
    add_common_options(parser, suppress=False)
    parser.set_defaults(json=False, func=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for module in [*COMMANDS, *extra_commands]:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None, open_app: Callable[[argparse.Namespace], int] | None = None,
         extra_commands: Sequence[Any] = ()) -> int:
    """Run the CLI; ``open_app`` starts the TUI when no subcommand is given; ``extra_commands`` add subcommands."""
    args = build_parser(extra_commands).parse_args(argv)
    try:
        if args.func is None:
            if open_app is None:
                build_parser().print_help()
                return 0
            return open_app(args)
        return args.func(args)
    except ExplorerError as exc:
        print(f"mnist-explorer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mnist-explorer: interrupted", file=sys.stderr)
        return 130


def common_parent() -> argparse.ArgumentParser:
    """A parent parser holding the shared options, for subcommands."""
    parent = argparse.ArgumentParser(add_help=False)
    add_common_options(parent, suppress=True)
    return parent
