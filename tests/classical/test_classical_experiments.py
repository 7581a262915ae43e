"""The classical experiments run through the CLI on a small config and leave their run folder."""

import json

import pytest

from jaxzoo.cli import run_experiment
from jaxzoo.core.config import ConfigError
from jaxzoo.core.metrics import read_metrics


def test_regularization_path_small(tmp_path):
    overrides = {"dataset": "iris", "n_values": "4", "n_folds": "3", "max_iter": "200"}
    summary = run_experiment("classical_regularization_path", overrides, run_dir=tmp_path)
    assert summary["fits"] == 12 and len(summary["scores"]) == 4
    assert summary["test_accuracy"] >= 0.8                      # iris: a tuned C classifies well
    assert (tmp_path / "plots" / "regularization_path.png").stat().st_size > 0
    assert json.loads((tmp_path / "summary.json").read_text())["best_C"] == summary["best_C"]
    assert len(read_metrics(tmp_path)) == 5


@pytest.mark.parametrize("key,value,match", [
    ("penalty", "l3", "penalty"), ("dataset", "cifar", "dataset"), ("c_min", "1e3", "c_min"),
    ("n_folds", "1", "n_folds"), ("n_valuez", "3", "unknown config key")])
def test_bad_config_is_one_clear_error(tmp_path, key, value, match):
    with pytest.raises(ConfigError, match=match):
        run_experiment("classical_regularization_path", {key: value}, run_dir=tmp_path)


def test_tour_small(tmp_path):
    overrides = {"datasets": "('iris',)", "compare_sklearn": "false", "tsne_points": "120", "perplexity": "10.0"}
    summary = run_experiment("classical_tour", overrides, run_dir=tmp_path)
    acc = summary["test_accuracy"]["iris"]
    assert set(acc) >= {"logistic", "knn", "gaussian_nb", "perceptron", "adaline", "bagged_logistic", "soft_vote"}
    assert min(acc["logistic"], acc["knn"], acc["gaussian_nb"]) >= 0.8
    assert summary["tsne_trustworthiness"] > 0.9
    for name in ("decision_boundaries_iris", "tsne_digits", "tsne_digits_kmeans"):
        assert (tmp_path / "plots" / f"{name}.png").stat().st_size > 0
    with pytest.raises(ConfigError, match="datasets"):
        run_experiment("classical_tour", {"datasets": "('mnist',)"}, run_dir=tmp_path)
