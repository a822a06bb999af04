"""Where a search's tasks run: local joblib workers, or a Dask distributed cluster through joblib's dask backend."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from engine.errors import UsageError

BACKENDS = ("local", "dask")
LOCAL_CLUSTER_WORKERS = 2


def check_backend(backend: str, scheduler: str | None) -> None:
    """One-line errors for a backend or scheduler address that cannot work."""
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; choose {' or '.join(BACKENDS)}")
    if scheduler is not None:
        if backend != "dask":
            raise UsageError("--scheduler needs --backend dask")
        if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")) or scheduler[-3:] == "://":
            raise UsageError(f"--scheduler wants an address like tcp://HOST:8786, got {scheduler!r}")


@contextlib.contextmanager
def parallel_backend(backend: str, scheduler: str | None = None, log=None) -> Iterator[str]:
    """Run the ``joblib.Parallel`` calls inside on ``backend``; yields a one-line description of where.

    ``dask`` without a scheduler starts a LocalCluster (2 worker processes, loopback only) and closes it after.
    """
    check_backend(backend, scheduler)
    if backend == "local":
        yield "local joblib workers"
        return
    import joblib

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("the dask backend needs dask.distributed: pip install 'mnist-explorer[dask]'") from None
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=LOCAL_CLUSTER_WORKERS,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            where = f"a dask LocalCluster at {cluster.scheduler_address}"
        else:
            where = f"the dask scheduler at {scheduler}"
        try:
            client = stack.enter_context(Client(cluster if scheduler is None else scheduler, timeout="10s"))
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the dask scheduler {scheduler}: {exc}") from None
        if log is not None:
            log(f"running on {where}: {len(client.scheduler_info().get('workers', {}))} workers")
        stack.enter_context(joblib.parallel_config("dask"))
        yield where
