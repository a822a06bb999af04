"""Options every subcommand shares, and helpers to build what they need from them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console

from engine.data import DataSpec
from engine.data.spec import DEFAULT_SEED, DEFAULT_SPEC, SOURCES_HELP, parse_test_size
from engine.errors import UsageError
from engine.store import MAX_RUN_ID, RunStore, default_store_path

VALUE_OPTIONS = ("--data", "--test-size", "--seed", "--store")  # the shared options that take a value


def add_common_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """``--data``, ``--test-size``, ``--seed``, ``--store`` and ``--json``.

    On subcommands the defaults are suppressed so that options given before the subcommand still count.
    """
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    group = parser.add_argument_group("data and store")
    group.add_argument("--data", metavar="SPEC", default=default(DEFAULT_SPEC), help=f"data source: {SOURCES_HELP}")
    group.add_argument(
        "--test-size",
        metavar="N",
        default=default(None),
        help="test set size when the source has none: a count or a fraction (default 0.2)",
    )
    group.add_argument(
        "--seed", metavar="S", type=int, default=default(DEFAULT_SEED), help="seed of the train/test split (default 42)"
    )
    group.add_argument(
        "--store", metavar="PATH", default=default(None), help=f"run store file (default {default_store_path()})"
    )
    if suppress:
        group.add_argument(
            "--json",
            action="store_true",
            default=argparse.SUPPRESS,
            help="print machine-readable JSON instead of tables",
        )


def data_spec(args: argparse.Namespace) -> DataSpec:
    if args.test_size is None:
        return DataSpec(args.data, seed=args.seed)
    return DataSpec(args.data, test_size=parse_test_size(args.test_size), seed=args.seed)


def open_store(args: argparse.Namespace) -> RunStore:
    return RunStore(args.store) if args.store is not None else RunStore()  # --store '' is refused, not ignored


def console() -> Console:
    return Console(highlight=False)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")
    sys.stdout.flush()


def run_id_arg(text: str) -> int:
    """A run id argument: a whole number SQLite can hold (argparse turns the error into one line)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a run id is a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_RUN_ID:
        raise argparse.ArgumentTypeError(f"no run has id {text}")
    return value


def positive_int(text: str, name: str, minimum: int = 1) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{name} must be a whole number, got {text!r}") from None
    if value < minimum:
        raise UsageError(f"{name} must be at least {minimum}, got {value}")
    return value
