"""jaxzoo.classical against scikit-learn, side by side in one process: KNN on MNIST, a C path x 5-fold CV, PCA.

    python experiments/bench/classical_vs_sklearn.py [--only knn,logreg,pca] [--repeats 3] [--queries 10000]

(a) KNN prediction, 10k MNIST test queries against the 60k training images (k=5, brute force);
(b) logistic regression, 32 values of C x 5-fold CV on a 50,000 x 100 dataset, against
    ``GridSearchCV(LogisticRegression(), cv=5, n_jobs=2)``;
(c) PCA (50 components) of the 60k MNIST training images.

Times are medians over ``--repeats`` runs. jaxzoo is reported twice: "cold" is the first call of a fresh
process-level function (tracing + XLA compilation included), "warm" the median of the following calls.
The ratio is scikit-learn time / jaxzoo time (> 1: jaxzoo faster). Needs $JAXZOO_DATA_DIR for MNIST.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import jax
import numpy as np

from jaxzoo.classical import (
    PCA,
    KNeighborsClassifier,
    LogisticRegression,
    StratifiedKFold,
    grid_search,
    model_selection,
)
from jaxzoo.data import load


def timed(fn, repeats):
    out, times = None, []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, times


def row(name, sk_times, cold, warm_times, note=""):
    sk, warm = statistics.median(sk_times), statistics.median(warm_times)
    return (f"| {name} | {sk:8.2f} | {cold:8.2f} | {warm:8.2f} | {sk / cold:6.2f}x | {sk / warm:6.2f}x | {note} |")


def mnist(n_queries):
    Xtr, ytr = load("mnist", "train")
    Xte, yte = load("mnist", "test")
    f = lambda a: (a.reshape(len(a), -1) / 255.0).astype(np.float32)
    return f(Xtr), ytr, f(Xte)[:n_queries], yte[:n_queries]


def bench_knn(args):
    from sklearn.neighbors import KNeighborsClassifier as SkKNN
    Xtr, ytr, Xte, yte = mnist(args.queries)
    sk = SkKNN(5, algorithm="brute", n_jobs=2).fit(Xtr, ytr)
    sk_pred, sk_times = timed(lambda: sk.predict(Xte), args.repeats)
    ours = KNeighborsClassifier(5).fit(Xtr, ytr)
    jax.clear_caches()
    t0 = time.perf_counter()
    pred = ours.predict(Xte)
    cold = time.perf_counter() - t0
    pred, warm = timed(lambda: ours.predict(Xte), args.repeats)
    note = (f"accuracy {np.mean(pred == yte):.4f} vs {np.mean(sk_pred == yte):.4f}; "
            f"same label on {np.mean(pred == sk_pred) * 100:.2f}% of queries")
    return row(f"KNN predict, {len(Xte)} x {len(Xtr)} MNIST, k=5", sk_times, cold, warm, note)


def bench_logreg(args):
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression as SkLR
    from sklearn.model_selection import GridSearchCV
    from sklearn.model_selection import StratifiedKFold as SkSKF
    X, y = make_classification(n_samples=args.rows, n_features=100, n_informative=20, n_redundant=10,
                               class_sep=0.8, flip_y=0.05, random_state=0)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    Cs = np.logspace(-4, 2, 32)
    gs = GridSearchCV(SkLR(max_iter=200), {"C": Cs}, cv=SkSKF(5), n_jobs=2)
    _, sk_times = timed(lambda: gs.fit(X, y), args.repeats)
    sk_scores = np.stack([gs.cv_results_[f"split{k}_test_score"] for k in range(5)], 1)
    est = LogisticRegression(max_iter=1000, tol=1e-4)
    model_selection._CACHE.clear()
    jax.clear_caches()
    t0 = time.perf_counter()
    grid_search(est, X, y, {"C": Cs}, cv=StratifiedKFold(5))
    cold = time.perf_counter() - t0
    table, warm = timed(lambda: grid_search(est, X, y, {"C": Cs}, cv=StratifiedKFold(5)), args.repeats)
    note = (f"best C {Cs[table.mean(1).argmax()]:.3g} vs {gs.best_params_['C']:.3g}; max |score diff| "
            f"{np.abs(table - sk_scores).max():.4f}")
    return row(f"LogReg 32 C x 5-fold CV, {args.rows} x 100 (GridSearchCV n_jobs=2)", sk_times, cold, warm, note)


def bench_pca(args):
    from sklearn.decomposition import PCA as SkPCA
    Xtr, _, _, _ = mnist(1)
    sk, sk_times = timed(lambda: SkPCA(50).fit(Xtr), args.repeats)
    jax.clear_caches()
    t0 = time.perf_counter()
    PCA(50).fit(Xtr)
    cold = time.perf_counter() - t0
    ours, warm = timed(lambda: PCA(50).fit(Xtr), args.repeats)
    note = (f"sum explained variance ratio {ours.explained_variance_ratio_.sum():.6f} vs "
            f"{sk.explained_variance_ratio_.sum():.6f}")
    return row(f"PCA fit, 60000 x 784 MNIST, 50 components (sklearn solver {sk._fit_svd_solver})",
               sk_times, cold, warm, note)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default="knn,logreg,pca")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--queries", type=int, default=10000)
    p.add_argument("--rows", type=int, default=50000)
    args = p.parse_args()
    todo = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in todo if s not in ("knn", "logreg", "pca")]
    if bad:
        p.error(f"--only got unknown {bad}; allowed: knn, logreg, pca")
    if {"knn", "pca"} & set(todo) and not os.environ.get("JAXZOO_DATA_DIR"):
        p.error("MNIST benchmarks need JAXZOO_DATA_DIR (the offline datasets folder)")
    print(f"jax {jax.__version__} on {jax.default_backend()}, {os.cpu_count()} CPUs; medians of {args.repeats}")
    print("| task | sklearn s | jaxzoo cold s | jaxzoo warm s | ratio cold | ratio warm | check |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in todo:
        print({"knn": bench_knn, "logreg": bench_logreg, "pca": bench_pca}[name](args), flush=True)


if __name__ == "__main__":
    main()
