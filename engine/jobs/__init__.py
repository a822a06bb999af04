"""Background jobs: each runs in a detached process of its own and reports through the run store."""

from engine.jobs.context import Cancelled, JobContext
from engine.jobs.launcher import cancel_run, launch, run_inline, wait_for
from engine.jobs.registry import JOB_KINDS

__all__ = ["launch", "cancel_run", "run_inline", "wait_for", "JobContext", "Cancelled", "JOB_KINDS"]
