"""mnist-explorer's engine: data, models, metrics, searches, jobs and the run store.

Nothing here imports Textual or the ``tui`` package; everything is usable from the CLI or Python.
"""

__version__ = "0.1.0"
