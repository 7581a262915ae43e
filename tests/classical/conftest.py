"""Fixtures for the classical family: float64 mode for parity tests, standardised bundled datasets."""

import jax
import numpy as np
import pytest

from jaxzoo.data import load


@pytest.fixture
def x64():
    """Run the test with 64-bit floats (parity to 1e-6 needs them); restored afterwards."""
    with jax.enable_x64(True):
        yield


def tabular(name: str, standardize: bool = True):
    """``(X, y)`` of a bundled dataset, every row, as float64 (digits flattened to 64 columns)."""
    X, y = load(name, "all")
    X = X.reshape(len(X), -1).astype(np.float64)
    if standardize:
        X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0)
    return X, y


def split(X, y, test_fraction=0.25, seed=0):
    idx = np.random.default_rng(seed).permutation(len(X))
    cut = int(len(X) * (1 - test_fraction))
    return X[idx[:cut]], y[idx[:cut]], X[idx[cut:]], y[idx[cut:]]
