"""Model jobs: each module defines one job kind's function (see :mod:`engine.jobs.registry`)."""
