"""``mnist-explorer info``: what a data source holds."""

from __future__ import annotations

import argparse

from rich.table import Table

from engine.cli.common import console, data_spec, print_json
from engine.data import Dataset, load_dataset


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser("info", parents=[common_parent()], help="source, shapes and class counts of the data")
    p.set_defaults(func=run)


def info_dict(ds: Dataset) -> dict:
    return {
        "source": ds.source,
        "n_train": int(len(ds.y_train)),
        "n_test": int(len(ds.y_test)),
        "image_shape": list(ds.image_shape),
        "dtype": str(ds.X_train.dtype),
        "class_names": list(ds.class_names),
        "class_counts_train": ds.class_counts("train"),
        "class_counts_test": ds.class_counts("test"),
    }


def run(args: argparse.Namespace) -> int:
    ds = load_dataset(data_spec(args))
    info = info_dict(ds)
    if args.json:
        print_json(info)
        return 0
    out = console()
    h, w = ds.image_shape
    out.print(
        f"[bold]{ds.source}[/]  train {info['n_train']:,} · test {info['n_test']:,} · images {h}×{w} {info['dtype']}"
    )
    table = Table("class", "name", "train", "test", title="Images per class", title_justify="left")
    for c, name in enumerate(ds.class_names):
        table.add_row(str(c), name, f"{info['class_counts_train'][c]:,}", f"{info['class_counts_test'][c]:,}")
    table.add_row("", "[bold]all[/]", f"[bold]{info['n_train']:,}[/]", f"[bold]{info['n_test']:,}[/]")
    out.print(table)
    return 0
