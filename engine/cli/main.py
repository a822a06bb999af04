"""``mnist-explorer``'s argument parsing and dispatch; every error the user can fix is one line and exit 2."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import NoReturn

from engine import __version__
from engine.cli.common import VALUE_OPTIONS, add_common_options
from engine.errors import Detached, ExplorerError

# Each command module has ``register(subparsers)`` which adds its parser with ``func=run(args) -> int``.
# They are imported only when a command is given, so that opening the app costs none of their imports.
COMMANDS = [
    "engine.cli.info",
    "engine.cli.binary",
    "engine.cli.threshold",
    "engine.cli.errors",
    "engine.cli.multilabel",
    "engine.cli.denoise",
    "engine.cli.augment",
    "engine.cli.fit",
    "engine.cli.search",
    "engine.cli.study",
    "engine.cli.runs",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse would print the whole usage first)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser(
    extra_commands: Sequence[str] = (),
    with_commands: bool = True,
    app_options: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.ArgumentParser:
    """The parser of every command; ``extra_commands`` name more modules with ``register(sub)`` (e.g. from tui);
    ``app_options`` adds the options of the app (opened with no command) to the top-level parser."""
    parser = _Parser(
        prog="mnist-explorer",
        description="Explore handwritten-digit classification: with no command, opens the terminal app.",
    )
    parser.add_argument("--version", action="version", version=f"mnist-explorer {__version__}")
    add_common_options(parser, suppress=False)
    parser.set_defaults(json=False, func=None)
    if app_options is not None:
        app_options(parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for module in [*COMMANDS, *extra_commands] if with_commands else ():
        import_module(module).register(sub)
    return parser


def _names_a_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` holds a positional word (a command) or asks for help: then every command is needed."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help") or not word.startswith("-"):
            return True
        if word in VALUE_OPTIONS:
            next(words, None)
    return False


def main(
    argv: list[str] | None = None,
    open_app: Callable[[argparse.Namespace], int] | None = None,
    extra_commands: Sequence[str] = (),
    app_options: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """Run the CLI; ``open_app`` starts the TUI when no subcommand is given; ``extra_commands`` add subcommands;
    ``app_options`` adds the app's own options."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(extra_commands, _names_a_command(argv), app_options).parse_args(argv)
    try:
        if args.func is None:
            if open_app is None:
                build_parser().print_help()
                return 0
            return open_app(args)
        return args.func(args)
    except Detached as exc:  # Ctrl+C while following a run: the run goes on
        print(f"mnist-explorer: {exc}", file=sys.stderr)
        return Detached.exit_code
    except ExplorerError as exc:
        print(f"mnist-explorer: error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:  # a store damaged in a way no check caught: still one line
        print(f"mnist-explorer: error: the run store cannot be read ({exc})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mnist-explorer: interrupted", file=sys.stderr)
        return 130


def common_parent() -> argparse.ArgumentParser:
    """A parent parser holding the shared options, for subcommands."""
    parent = argparse.ArgumentParser(add_help=False)
    add_common_options(parent, suppress=True)
    return parent
