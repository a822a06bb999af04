"""Datasets: one loader for every source, chosen with a SPEC string (see :mod:`engine.data.spec`)."""

from engine.data.dataset import Dataset, class_phrase
from engine.data.spec import SOURCES_HELP, DataSpec, load_dataset

__all__ = ["Dataset", "class_phrase", "DataSpec", "load_dataset", "SOURCES_HELP"]
