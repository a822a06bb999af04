"""A learning curve to watch: SGD trained epoch by epoch with ``partial_fit``, scored after every epoch.

Params: ``digit`` (a class: the binary "is it this class?" task; ``None``: all classes), ``epochs`` (default 30).
The run's training images are split (stratified, seed of the data spec) into 80 % fit / 20 % validation.
Events: one ``epoch`` event per epoch with ``epoch`` (1-based), ``train_accuracy`` and ``val_accuracy``.
Results: ``epochs``, ``train_accuracy``, ``val_accuracy`` (lists, one value per epoch), ``n_fit``, ``n_val``.
"""

from __future__ import annotations

import numpy as np

from engine.data.dataset import stratified_split
from engine.errors import UsageError
from engine.jobs.context import JobContext
from engine.models.binary import check_digit
from engine.models.features import flat_float

DEFAULT_EPOCHS = 30
MAX_EPOCHS = 1000
VALIDATION_SHARE = 0.2


def check_epochs(epochs: int) -> None:
    if not 1 <= epochs <= MAX_EPOCHS:
        raise UsageError(f"epochs must be between 1 and {MAX_EPOCHS}, got {epochs}")


def run_learning_curve(ctx: JobContext) -> None:
    from sklearn.linear_model import SGDClassifier

    digit = ctx.params.get("digit", 5)
    epochs = int(ctx.params.get("epochs", DEFAULT_EPOCHS))
    check_epochs(epochs)
    ds = ctx.dataset
    if digit is None:
        target = ds.y_train
        task = f"all {ds.n_classes} classes"
    else:
        digit = int(digit)
        check_digit(digit, ds.n_classes, ds.class_names, ds.class_counts("train"))
        target = (ds.y_train == digit).astype(np.int64)
        task = f"class {digit} ({ds.class_names[digit]}) vs the rest"
    X = flat_float(ds.X_train) / 255.0  # scaled pixels: plain SGD steps on 0–255 values make the curve jump
    X_fit, y_fit, X_val, y_val = stratified_split(X, target, VALIDATION_SHARE, ctx.data_spec.seed)
    classes = np.unique(target)
    ctx.log(f"learning curve for {task}: {len(y_fit)} images to fit, {len(y_val)} to validate, {epochs} epochs")
    ctx.progress(0, epochs)

    model = SGDClassifier(random_state=42)
    rng = np.random.default_rng(42)
    train_acc: list[float] = []
    val_acc: list[float] = []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(y_fit))  # partial_fit does not shuffle: each epoch visits a new order
        model.partial_fit(X_fit[order], y_fit[order], classes=classes)
        train_acc.append(float(model.score(X_fit, y_fit)))
        val_acc.append(float(model.score(X_val, y_val)))
        ctx.event("epoch", epoch=epoch, train_accuracy=train_acc[-1], val_accuracy=val_acc[-1])
        ctx.progress(epoch, force=True)
    ctx.save(
        epochs=list(range(1, epochs + 1)),
        train_accuracy=train_acc,
        val_accuracy=val_acc,
        n_fit=int(len(y_fit)),
        n_val=int(len(y_val)),
    )
    best = int(np.argmax(val_acc))
    ctx.log(
        f"best validation accuracy {val_acc[best]:.4f} after epoch {best + 1}; "
        f"last: train {train_acc[-1]:.4f}, validation {val_acc[-1]:.4f}"
    )
