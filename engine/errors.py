"""Errors the engine raises for bad input: each carries one line meant for a person."""


class ExplorerError(Exception):
    """Base for errors shown to the user as one line (CLI exit code 2, an in-app notification)."""


class DataError(ExplorerError):
    """A data source is missing, malformed or unknown."""


class StoreError(ExplorerError):
    """The run store cannot be opened or does not hold what was asked for."""


class UsageError(ExplorerError):
    """A command was given a value it cannot use."""


class Detached(ExplorerError):
    """Ctrl+C while following a run: the run goes on in the background (the message says how to reach it)."""

    exit_code = 130
