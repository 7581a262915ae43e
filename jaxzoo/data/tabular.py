"""Tabular preprocessing: one-hot categoricals, standardised numerics, imputed missing values."""

from __future__ import annotations

import numpy as np

from jaxzoo.data.datasets import HEART_COLUMNS

# UCI Cleveland coding (see DATA.md): categorical columns and the codes each may take.
HEART_CATEGORICAL = {"cp": (1, 2, 3, 4), "restecg": (0, 1, 2), "slope": (1, 2, 3), "ca": (0, 1, 2, 3),
                     "thal": (3, 6, 7)}
HEART_BINARY = ("sex", "fbs", "exang")
HEART_NUMERIC = ("age", "trestbps", "chol", "thalach", "oldpeak")


def heart_features(x_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Encode heart-disease rows: statistics (means, scales, modes) come from ``x_train`` only.

    Missing values (nan) take the training mode (categoricals) or mean (numerics). Returns the encoded
    ``x_train`` followed by each of ``others``, all float32 with the same columns.
    """
    col = {c: i for i, c in enumerate(HEART_COLUMNS)}
    if x_train.ndim != 2 or x_train.shape[1] != len(HEART_COLUMNS):
        raise ValueError(f"heart rows must have shape (N, {len(HEART_COLUMNS)}), got {x_train.shape}")
    fill, mean, std = {}, {}, {}
    for c in HEART_CATEGORICAL | dict.fromkeys(HEART_BINARY):
        v = x_train[:, col[c]]
        vals, counts = np.unique(v[~np.isnan(v)], return_counts=True)
        fill[c] = vals[np.argmax(counts)]
    for c in HEART_NUMERIC:
        v = x_train[:, col[c]]
        mean[c], std[c] = np.nanmean(v), np.nanstd(v) + 1e-8

    def encode(x: np.ndarray) -> np.ndarray:
        parts = []
        for c in HEART_NUMERIC:
            v = np.where(np.isnan(x[:, col[c]]), mean[c], x[:, col[c]])
            parts.append(((v - mean[c]) / std[c])[:, None])
        for c in HEART_BINARY:
            parts.append(np.where(np.isnan(x[:, col[c]]), fill[c], x[:, col[c]])[:, None])
        for c, codes in HEART_CATEGORICAL.items():
            v = np.where(np.isnan(x[:, col[c]]), fill[c], x[:, col[c]])
            parts.append((v[:, None] == np.asarray(codes)[None, :]).astype(np.float32))
        return np.concatenate(parts, axis=1).astype(np.float32)

    return tuple(encode(x) for x in (x_train, *others))
