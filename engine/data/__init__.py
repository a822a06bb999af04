"""Datasets: one loader for every source, chosen with a SPEC string (see :mod:`engine.data.spec`)."""

from engine.data.dataset import Dataset
from engine.data.spec import SOURCES_HELP, DataSpec, load_dataset

__all__ = ["Dataset", "DataSpec", "load_dataset", "SOURCES_HELP"]
