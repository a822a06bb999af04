"""Multilabel, denoising and shift augmentation on ``digits``: each job equals plain scikit-learn on the same split,
and each command prints its results (``--json`` keys exactly as documented) or refuses bad input in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage
from scipy.stats import binomtest
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import cross_val_predict
from sklearn.multioutput import ClassifierChain
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from engine.cli.main import main
from engine.data import DataSpec, load_dataset
from engine.jobs import run_inline
from engine.models import augment as augment_job
from engine.models.augment import AugmentResults, job_params, mcnemar_exact
from engine.models.denoise import DenoiseResults
from engine.models.multilabel import MultilabelResults, labels_for
from engine.shift import SHIFTS, augment, shift_images
from engine.store import RunStore

DIGITS = DataSpec("digits")


def flat(X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), -1).astype(np.float64)


@pytest.fixture(scope="module")
def digits_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one done run of each job on digits (run in this process, as a job process runs them)."""
    path = tmp_path_factory.mktemp("more") / "runs.sqlite"
    store = RunStore(path)
    for kind, params in (("multilabel", {}), ("denoise", {"seed": 42}), ("augment", job_params(store, DIGITS))):
        run = run_inline(store, kind, params, DIGITS)
        assert run.status == "done", run.error
    store.close()
    return path


def results_of(path: Path, kind: str):
    store = RunStore(path)
    run = store.list_runs(kind)[0]
    cls = {"multilabel": MultilabelResults, "denoise": DenoiseResults, "augment": AugmentResults}[kind]
    return cls.from_store(store, run.id)


def test_multilabel_knn_equals_cross_val_predict_and_its_f1s(digits_store) -> None:
    ds = load_dataset(DIGITS)
    Y = np.column_stack([ds.y_train >= 7, ds.y_train % 2 == 1]).astype(np.int8)
    expected = cross_val_predict(KNeighborsClassifier(), flat(ds.X_train), Y, cv=3)
    r = results_of(digits_store, "multilabel")
    assert r.label_names == ("large", "odd")
    assert np.array_equal(r.y_true, Y) and np.array_equal(r.y_pred, expected)
    assert r.f1_macro == f1_score(Y, expected, average="macro")
    assert r.f1_weighted == f1_score(Y, expected, average="weighted")
    precision, recall, f1, _ = precision_recall_fscore_support(Y, expected, average=None)
    for j, label in enumerate(r.per_label):
        assert (label.precision, label.recall, label.f1) == (precision[j], recall[j], f1[j])
        (tn, fp), (fn, tp) = label.confusion
        assert tp == np.sum((Y[:, j] == 1) & (expected[:, j] == 1)) and tn + fp + fn + tp == len(Y)
    assert set(r.mismatches) == set(np.flatnonzero(np.any(expected != Y, axis=1)))


def test_multilabel_chain_of_svcs_equals_scikit_learns(digits_store) -> None:
    ds = load_dataset(DIGITS)
    r = results_of(digits_store, "multilabel")
    assert not r.chain_subsample and np.array_equal(r.chain_indices, np.arange(len(ds.y_train)))
    chain = ClassifierChain(SVC(), cv=3, random_state=42)
    expected = cross_val_predict(chain, flat(ds.X_train), r.y_true, cv=3)
    assert r.chain_f1_macro == f1_score(r.y_true, expected, average="macro")


def test_fashion_mnist_gets_labels_that_mean_something_there() -> None:
    from engine.data.sources import FASHION_NAMES

    footwear, upper = labels_for(FASHION_NAMES)
    assert [FASHION_NAMES[c] for c in footwear.classes] == ["Sandal", "Sneaker", "Ankle boot"]
    assert [FASHION_NAMES[c] for c in upper.classes] == ["T-shirt/top", "Pullover", "Coat", "Shirt"]


def test_denoise_equals_a_plain_knn_on_the_same_noise(digits_store) -> None:
    ds = load_dataset(DIGITS)
    rng = np.random.default_rng(42)
    noisy = [
        np.minimum(X.astype(int) + rng.integers(0, 101, X.shape, dtype=np.uint16), 255) for X in (ds.X_train, ds.X_test)
    ]
    knn = KNeighborsClassifier().fit(flat(noisy[0]), flat(ds.X_train))
    expected = knn.predict(flat(noisy[1])).reshape(ds.X_test.shape)
    r = results_of(digits_store, "denoise")
    assert np.array_equal(r.noisy, noisy[1]) and np.array_equal(r.denoised, expected)
    assert r.denoised.dtype == np.uint8
    assert r.mae_noisy == pytest.approx(np.mean(np.abs(noisy[1] - ds.X_test.astype(int))), rel=1e-12)
    assert r.mae_denoised == pytest.approx(np.mean(np.abs(expected - ds.X_test.astype(float))), rel=1e-12)
    worst = r.worst_first()
    assert r.error_denoised[worst[0]] == r.error_denoised.max()
    assert np.all(np.diff(r.error_denoised[worst]) <= 0)


def test_on_the_embedded_sample_denoising_halves_the_error(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    run = run_inline(store, "denoise", {"seed": 42}, DataSpec("mnist5k"))
    r = DenoiseResults.from_store(store, run.id)
    assert r.mae_denoised < r.mae_noisy / 2
    store.close()


@pytest.mark.parametrize("dy, dx", [(dy, dx) for dy in (-2, -1, 0, 1, 2) for dx in (-2, -1, 0, 1, 2)] + [(30, 0)])
def test_shifts_equal_scipy_ndimage_shift(dy: int, dx: int) -> None:
    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    expected = np.stack([scipy.ndimage.shift(image, (dy, dx), cval=0, order=0) for image in images])
    assert np.array_equal(shift_images(images, dy, dx), expected)


def test_augmented_set_is_the_images_and_their_four_shifts() -> None:
    images = np.random.default_rng(1).integers(0, 256, (3, 8, 8), dtype=np.uint8)
    X, y = augment(images, np.array([4, 5, 6]))
    assert X.dtype == np.uint8 and X.shape == (15, 8, 8) and y.tolist() == [4, 5, 6] * 5
    for block, (dy, dx) in enumerate(SHIFTS, start=1):
        assert np.array_equal(X[3 * block : 3 * block + 3], shift_images(images, dy, dx))


def test_augment_equals_plain_knn_fits_and_mcnemar(digits_store) -> None:
    ds = load_dataset(DIGITS)
    knn = KNeighborsClassifier(n_neighbors=4, weights="distance")
    plain = knn.fit(flat(ds.X_train), ds.y_train).predict(flat(ds.X_test))
    shifted = [ds.X_train] + [
        np.stack([scipy.ndimage.shift(x, s, cval=0, order=0) for x in ds.X_train]) for s in SHIFTS
    ]
    X_aug, y_aug = np.concatenate(shifted), np.tile(ds.y_train, 5)
    augmented = knn.fit(flat(X_aug), y_aug).predict(flat(ds.X_test))
    r = results_of(digits_store, "augment")
    assert r.params == {"weights": "distance", "n_neighbors": 4} and r.search_run is None
    assert np.array_equal(r.y_pred_plain, plain) and np.array_equal(r.y_pred_augmented, augmented)
    assert r.accuracy_plain == np.mean(plain == ds.y_test)
    assert r.accuracy_augmented == np.mean(augmented == ds.y_test)
    assert r.gain == r.accuracy_augmented - r.accuracy_plain
    assert r.n_train_augmented == 5 * len(ds.X_train)
    fixed = np.flatnonzero((plain != ds.y_test) & (augmented == ds.y_test))
    broken = np.flatnonzero((plain == ds.y_test) & (augmented != ds.y_test))
    assert np.array_equal(r.fixed, fixed) and np.array_equal(r.broken, broken)
    n = len(fixed) + len(broken)
    assert r.p_value == (binomtest(len(fixed), n).pvalue if n else 1.0)


def test_mcnemar_exact_is_the_two_sided_binomial_test() -> None:
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(24, 7) == pytest.approx(binomtest(24, 31, 0.5).pvalue)
    assert mcnemar_exact(7, 24) == mcnemar_exact(24, 7)


def test_augment_uses_the_newest_finished_knn_search_on_the_same_data(store: RunStore) -> None:
    def search(best: dict, data: DataSpec, estimator: str = "knn", status: str = "done") -> int:
        run = store.create_run("search", {"estimator": estimator}, data.to_dict())
        store.put_result(run.id, "best_params", best)
        store.finish(run.id, status)
        return run.id

    assert job_params(store, DIGITS) == {"knn": augment_job.DEFAULT_KNN, "search_run": None}
    wanted = search({"n_neighbors": 3, "weights": "uniform"}, DIGITS)
    search({"n_neighbors": 6}, DataSpec("mnist5k"))  # other data
    search({"C": 1.0}, DIGITS, estimator="svc")  # not a KNN search
    search({"n_neighbors": 7}, DIGITS, status="cancelled")  # not finished
    assert job_params(store, DIGITS) == {"knn": {"n_neighbors": 3, "weights": "uniform"}, "search_run": wanted}


def test_commands_give_their_json_keys(digits_store: Path, capsys) -> None:
    keys = {
        "multilabel": {"run_id", "f1_macro", "f1_weighted", "per_label", "chain_f1_macro"},
        "denoise": {"run_id", "mae_noisy", "mae_denoised"},
        "augment": {
            "run_id",
            "params",
            "accuracy_plain",
            "accuracy_augmented",
            "gain",
            "fixed",
            "broken",
            "p_value",
            "n_train_augmented",
        },
    }
    for command, expected in keys.items():
        assert main([command, "--data", "digits", "--store", str(digits_store), "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert set(out) == expected
        assert out["run_id"] == RunStore(digits_store).list_runs(command)[0].id  # the finished run is reused
    assert main(["multilabel", "--data", "digits", "--store", str(digits_store), "--json"]) == 0
    per_label = json.loads(capsys.readouterr().out)["per_label"]
    assert [set(p) for p in per_label] == [{"name", "precision", "recall", "f1"}] * 2


def test_commands_print_their_reports(digits_store: Path, capsys) -> None:
    for command, texts in (
        ("multilabel", ("F1 macro", "Chain of SVCs", "large", "odd", "precision")),
        ("denoise", ("noisy input", "denoised (KNN)", "Worst denoised")),
        ("augment", ("plain", "augmented", "gain", "fixed", "broken", "McNemar")),
    ):
        assert main([command, "--data", "digits", "--store", str(digits_store)]) == 0
        out = capsys.readouterr().out
        for text in texts:
            assert text in out, (command, text)


def test_augment_runs_as_a_job_when_there_is_none(store_path: Path, capsys) -> None:
    assert main(["augment", "--data", "digits", "--store", str(store_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    run = RunStore(store_path).get_run(out["run_id"])
    assert run.kind == "augment" and run.status == "done" and run.pid and run.fits_done == run.fits_total


@pytest.mark.parametrize("command", ["multilabel", "denoise", "augment"])
@pytest.mark.parametrize("data", ["nope", "idx:/no/such/folder"])
def test_bad_data_is_one_line_and_exit_2_before_any_run(command: str, data: str, store_path: Path, capsys) -> None:
    assert main([command, "--data", data, "--store", str(store_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err
    assert not store_path.exists() or RunStore(store_path).list_runs() == []
