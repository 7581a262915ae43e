"""The heart-disease MLP reaches 80% stratified 5-fold cross-validated accuracy (UCI Cleveland, 303 rows)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXPERIMENT = Path(__file__).resolve().parents[2] / "experiments" / "mlp_heart.py"


@pytest.mark.slow
def test_heart_mlp_cross_validated_accuracy_at_least_80_percent():
    spec = importlib.util.spec_from_file_location("mlp_heart", EXPERIMENT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    config = mod.get_config()
    config.epochs = 30
    rows, _ = mod.cross_validated_accuracy(config)
    accs = np.array([r["val_accuracy"] for r in rows])
    assert len(accs) == 5
    assert accs.mean() >= 0.80, accs
