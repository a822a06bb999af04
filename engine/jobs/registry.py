"""Job kinds: the name stored in a run, and where its function lives (imported only by the job process).

A job function has the signature ``fn(ctx: JobContext) -> None``; it reads ``ctx.params`` and ``ctx.dataset`` and
reports through ``ctx.progress``, ``ctx.log``, ``ctx.event`` and ``ctx.save``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

JOB_KINDS: dict[str, str] = {
    "binary": "engine.models.binary:run_binary",
    "search": "engine.search.runner:run_search",
    "learning_curve": "engine.models.learning_curve:run_learning_curve",
    "multiclass": "engine.models.multiclass:run_multiclass",
    "multilabel": "engine.models.multilabel:run_multilabel",
    "denoise": "engine.models.denoise:run_denoise",
    "augment": "engine.models.augment:run_augment",
    "study": "engine.study:run_study",
    "fit": "engine.models.fit:run_fit",
    "estimate": "engine.models.cost:run_estimate",
}


def job_function(kind: str) -> Callable:
    """The function that runs jobs of ``kind``."""
    try:
        target = JOB_KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown job kind {kind!r}; known: {', '.join(sorted(JOB_KINDS))}") from None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)
