"""Following a run from the command line: a rich progress bar fed by the store until the run finishes.

Used by every command that launches a job (``binary``, searches, ...). The job runs in its own detached process,
so Ctrl+C here only stops following: the run keeps going and the user is told how to watch or cancel it.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from engine.errors import Detached, ExplorerError
from engine.follow import NewEvents, RunChanged, RunFinished, follow_run
from engine.jobs import wait_for
from engine.render.status import describe_params, format_duration
from engine.store import Event, Run, RunStore, default_store_path


class RunFailed(ExplorerError):
    """The job ended without results (failed, cancelled or interrupted)."""


def log_line(event: Event) -> str | None:
    """The default for what to print above the bar: the run's ``log`` events."""
    return event.payload.get("message") if event.kind == "log" else None


def store_option(store: RunStore) -> str:
    """`` --store PATH`` when the store is not the default one, so printed commands reach the same runs."""
    return "" if store.path.resolve() == default_store_path().resolve() else f" --store {store.path}"


def follow(
    store: RunStore,
    run_id: int,
    console: Console,
    *,
    poll: float = 0.2,
    describe: Callable[[Event], str | None] = log_line,
) -> Run:
    """Show the run's progress (steps, elapsed, ETA) and its event lines until it finishes; returns the final Run.

    Raises :class:`Detached` on Ctrl+C (the run keeps running).
    """
    run = store.get_run(run_id)
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[dim]{task.fields[elapsed]}[/] {task.fields[eta]}"),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(
                f"run {run.id} {run.kind} {describe_params(run.params)}".strip(),
                total=run.fits_total or None,
                elapsed="0:00",
                eta="",
            )
            for update in follow_run(store, run_id, interval=poll):
                if isinstance(update, NewEvents):
                    for event in update.events:
                        line = describe(event)
                        if line:
                            progress.console.print(f"  {line}", highlight=False, markup=False)
                elif isinstance(update, RunChanged | RunFinished):
                    run = update.run
                    eta = run.eta()
                    progress.update(
                        task,
                        completed=run.fits_done,
                        total=run.fits_total or None,
                        elapsed=format_duration(run.elapsed()),
                        eta=f"ETA {format_duration(eta)}" if eta is not None else "",
                    )
    except KeyboardInterrupt:
        raise detached(store, run_id) from None
    return run


def require_done(store: RunStore, run: Run) -> Run:
    """``run`` if it is done; else :class:`RunFailed` saying how it ended and where to look."""
    if run.status == "done":
        return run
    reason = f": {run.error}" if run.error else ""
    raise RunFailed(
        f"run {run.id} {run.status}{reason} (`mnist-explorer runs show {run.id}{store_option(store)}` for details)"
    )


def wait_quietly(store: RunStore, run_id: int) -> Run:
    """Wait for a run to finish without printing anything (``--json``); Ctrl+C raises :class:`Detached`."""
    try:
        return wait_for(store, run_id)
    except KeyboardInterrupt:
        raise detached(store, run_id) from None


def detached(store: RunStore, run_id: int, watch: str = "show") -> Detached:
    """What Ctrl+C while following says: the run keeps going, and how to reach it again."""
    where = store_option(store)
    return Detached(
        f"stopped following; run {run_id} keeps running in the background — "
        f"`mnist-explorer runs {watch} {run_id}{where}` to see it, "
        f"`mnist-explorer runs cancel {run_id}{where}` to stop it"
    )
