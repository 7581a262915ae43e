"""The classical family's experiment bodies (the files in ``experiments/`` hold only their configs).

- ``regularization_path``: a whole logistic-regression C grid x k folds fitted in one compiled call,
  the scores table plotted, the best C refitted and scored on the held-out test split;
- ``tour``: every classifier of the family on the bundled tabular sets (test accuracy next to
  scikit-learn's for the models it has), decision boundaries on 2-D iris, t-SNE and k-means on digits.
"""

from __future__ import annotations

import time
from pathlib import Path

import jax
import numpy as np

from jaxzoo.classical import (
    PCA,
    TSNE,
    Adaline,
    Bagging,
    GaussianNB,
    KMeans,
    KNeighborsClassifier,
    LogisticRegression,
    Perceptron,
    StratifiedKFold,
    Voting,
    grid_search,
)
from jaxzoo.core.metrics import MetricWriter
from jaxzoo.data import load
from jaxzoo.viz import classical as viz


def standardized_split(name: str):
    """Train/test features (flattened, standardised with the training statistics) and labels."""
    Xtr, ytr = load(name, "train")
    Xte, yte = load(name, "test")
    Xtr, Xte = (a.reshape(len(a), -1).astype(np.float32) for a in (Xtr, Xte))
    mean, std = Xtr.mean(0), Xtr.std(0)
    std = np.where(std > 0, std, 1.0)
    return (Xtr - mean) / std, ytr, (Xte - mean) / std, yte


def regularization_path(config, run_dir: Path) -> dict:
    Xtr, ytr, Xte, yte = standardized_split(config.dataset)
    Cs = np.logspace(np.log10(config.c_min), np.log10(config.c_max), config.n_values)
    est = LogisticRegression(penalty=config.penalty, max_iter=config.max_iter, tol=config.tol)
    cv = StratifiedKFold(config.n_folds, shuffle=True, seed=config.seed)
    t0 = time.perf_counter()
    table = grid_search(est, Xtr, ytr, {"C": Cs}, cv=cv)
    seconds = time.perf_counter() - t0
    writer = MetricWriter(run_dir)
    for i, (C, row) in enumerate(zip(Cs, table)):
        writer.write(i, {"C": C, "cv_accuracy": row.mean(), "cv_accuracy_std": row.std()})
    best = int(np.argmax(table.mean(1)))
    final = LogisticRegression(C=float(Cs[best]), penalty=config.penalty, max_iter=config.max_iter,
                               tol=config.tol).fit(Xtr, ytr)
    test_acc = final.score(Xte, yte)
    writer.write(len(Cs), {"best_C": Cs[best], "test_accuracy": test_acc})
    writer.close()
    viz.score_table(Cs, table, run_dir / "plots" / "regularization_path.png",
                    title=f"{config.dataset}: {len(Cs)} C values x {config.n_folds} folds, one compiled call")
    return {"dataset": config.dataset, "penalty": config.penalty, "fits": int(table.size),
            "grid_seconds_incl_compile": round(seconds, 2), "best_C": float(Cs[best]),
            "cv_accuracy": float(table[best].mean()), "test_accuracy": float(test_acc),
            "scores": table.round(4).tolist(), "C_values": Cs.tolist()}


def _classifiers(seed: int):
    return {
        "logistic": LogisticRegression(C=1.0),
        "knn": KNeighborsClassifier(5),
        "gaussian_nb": GaussianNB(),
        "perceptron": Perceptron(lr=0.01, n_epochs=50),
        "adaline": Adaline(lr=0.01, n_epochs=50, solver="gd"),
        "bagged_logistic": Bagging(LogisticRegression(C=1.0), n_estimators=10),
        "soft_vote": Voting([("lr", LogisticRegression(C=1.0)), ("knn", KNeighborsClassifier(5)),
                             ("nb", GaussianNB())], voting="soft"),
    }


def _sklearn_reference(name, Xtr, ytr, Xte, yte) -> dict:
    from sklearn.linear_model import LogisticRegression as SkLR
    from sklearn.naive_bayes import GaussianNB as SkNB
    from sklearn.neighbors import KNeighborsClassifier as SkKNN
    return {"logistic": SkLR(C=1.0, max_iter=2000).fit(Xtr, ytr).score(Xte, yte),
            "knn": SkKNN(5, algorithm="brute").fit(Xtr, ytr).score(Xte, yte),
            "gaussian_nb": SkNB().fit(Xtr, ytr).score(Xte, yte)}


def tour(config, run_dir: Path) -> dict:
    writer = MetricWriter(run_dir)
    results = {}
    for step, name in enumerate(config.datasets):
        Xtr, ytr, Xte, yte = standardized_split(name)
        row = {f"{model}": est.fit(Xtr, ytr, seed=config.seed).score(Xte, yte)
               for model, est in _classifiers(config.seed).items()}
        if config.compare_sklearn:
            row.update({f"sklearn_{k}": v for k, v in _sklearn_reference(name, Xtr, ytr, Xte, yte).items()})
        writer.write(step, {f"{name}/{k}": v for k, v in row.items()})
        results[name] = {k: round(float(v), 4) for k, v in row.items()}

    # decision boundaries on iris, projected to its first two principal components
    X, y = load("iris", "all")
    Z = PCA(2).fit_transform((X - X.mean(0)) / X.std(0))
    fitted = {name: est.fit(Z, y, seed=config.seed) for name, est in _classifiers(config.seed).items()}
    viz.decision_boundaries({k: v.predict for k, v in fitted.items()}, Z, y,
                            run_dir / "plots" / "decision_boundaries_iris.png",
                            title="iris, first two principal components")

    # t-SNE and k-means on digits
    X, y = load("digits", "all")
    X = X.reshape(len(X), -1).astype(np.float32)[: config.tsne_points]
    y = y[: config.tsne_points]
    tsne = TSNE(perplexity=config.perplexity, seed=config.seed)
    emb = tsne.fit_transform(X)
    km = KMeans(10, n_init=10, seed=config.seed).fit(X)
    viz.embedding(emb, y, run_dir / "plots" / "tsne_digits.png", title="t-SNE of digits (colour: label)")
    viz.embedding(emb, km.labels_, run_dir / "plots" / "tsne_digits_kmeans.png",
                  title="t-SNE of digits (colour: k-means cluster)")
    from sklearn.manifold import trustworthiness
    from sklearn.metrics import adjusted_rand_score
    extra = {"tsne_trustworthiness": float(trustworthiness(X, emb, n_neighbors=5)),
             "tsne_kl": tsne.kl_divergence_, "kmeans_inertia": km.inertia_,
             "kmeans_adjusted_rand": float(adjusted_rand_score(y, km.labels_))}
    writer.write(len(config.datasets), extra)
    writer.close()
    return {"test_accuracy": results, **extra, "backend": jax.default_backend()}
