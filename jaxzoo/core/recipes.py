"""Ready-made training recipes on top of `fit`: a classifier from a config, and k-fold cross-validation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from jaxzoo.core.fit import epochs_to_steps, fit, validate_config
from jaxzoo.core.optim import make_optimizer
from jaxzoo.core.train import TrainState, classification_loss, make_train_step

FIT_KEYS = ("epochs", "batch_size", "seed", "log_every", "checkpoint_every", "keep_checkpoints", "eval_batch_size",
            "progress", "unroll", "data_parallel", "early_stopping")


def fit_config(config: Mapping) -> dict:
    """The part of an experiment config that `fit` reads."""
    return {k: (config[k].to_dict() if hasattr(config[k], "to_dict") else config[k]) for k in FIT_KEYS if k in config}


def train_classifier(apply_fn: Callable, params, train: Mapping[str, np.ndarray], config: Mapping, *,
                     eval_data: Mapping[str, np.ndarray] | None = None, run_dir: str | Path | None = None,
                     model_state: dict | None = None, value_and_grad_fn: Callable | None = None,
                     label_smoothing: float = 0.0) -> tuple[TrainState, list[dict]]:
    """Softmax classifier training: optimizer from ``config.optimizer`` (see `make_optimizer`), then `fit`."""
    n = len(train["y"])
    validate_config(fit_config(config), train, eval_data)
    check_classifier_data(apply_fn, params, model_state, train, eval_data)
    tx = make_optimizer(config["optimizer"], epochs_to_steps(n, config["batch_size"], config["epochs"]))
    state = TrainState.create(apply_fn=apply_fn, params=params, tx=tx, model_state=model_state)
    step = (make_train_step(value_and_grad_fn=value_and_grad_fn) if value_and_grad_fn else
            make_train_step(classification_loss(apply_fn, label_smoothing=label_smoothing)))
    return fit(state, train, step, config=fit_config(config), run_dir=run_dir, eval_data=eval_data)


def check_classifier_data(apply_fn: Callable, params, model_state, *datasets) -> None:
    """One clear ValueError when the model cannot take these inputs or the labels exceed its outputs."""
    import jax

    variables = {"params": params, **(model_state or {})}
    for data in datasets:
        if data is None:
            continue
        x, y = np.asarray(data["x"][:2]), np.asarray(data["y"])
        try:
            out = jax.eval_shape(lambda v, inp: apply_fn(v, inp, train=False), variables, x)
        except Exception as e:  # noqa: BLE001 - shape errors surface as several exception types
            raise ValueError(f"the model cannot take inputs of shape {tuple(data['x'].shape[1:])} (per example, "
                             f"dtype {x.dtype}): {str(e).splitlines()[0][:300]}") from None
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"labels must be a 1-D integer array, got shape {y.shape} and dtype {y.dtype}")
        k = out.shape[-1]
        if y.size and (y.min() < 0 or y.max() >= k):
            raise ValueError(f"labels must lie in 0..{k - 1} (the model has {k} outputs), "
                             f"got values from {y.min()} to {y.max()}")


def cross_validate(folds, x: np.ndarray, y: np.ndarray, train_fold: Callable) -> list[dict]:
    """Run ``train_fold(k, train_data, test_data) -> history`` for each ``(train_idx, test_idx)`` of ``folds``;
    returns one row per fold with the last epoch's metrics."""
    rows = []
    for k, (tr, te) in enumerate(folds):
        history = train_fold(k, {"x": x[tr], "y": y[tr]}, {"x": x[te], "y": y[te]})
        rows.append({"fold": k, **history[-1]})
    return rows
