"""Datasets: one loader for every source, chosen with a SPEC string (see :mod:`engine.data.spec`)."""

from engine.data.dataset import Dataset
from engine.data.spec import DataSpec, load_dataset, SOURCES_HELP

__all__ = ["Dataset", "DataSpec", "load_dataset", "SOURCES_HELP"]
