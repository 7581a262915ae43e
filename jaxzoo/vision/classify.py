"""Training and reporting glue for the CNN experiments: data, state, `fit`, predictions and figures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxzoo.core.fit import epochs_to_steps, fit
from jaxzoo.core.optim import make_optimizer
from jaxzoo.core.train import TrainState, classification_loss, images_to_float, make_train_step
from jaxzoo.data import load
from jaxzoo.vision.layers import check_labels
from jaxzoo.viz import vision as viz

CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion_mnist": ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                      "Ankle boot"],
}


def load_images(name: str, split: str, *, limit: int = 0, seed: int = 0, num_classes: int = 10,
                classes: tuple[int, ...] | None = None) -> dict[str, np.ndarray]:
    """``{"x": uint8 (N, H, W, C), "y": int32 (N,)}``; ``limit`` > 0 keeps a random subset of that size;
    ``classes`` keeps only those classes and relabels them 0..len(classes)-1."""
    x, y = load(name, split)
    if x.ndim == 3:
        x = x[..., None]
    y = y.astype(np.int32)
    if classes is not None:
        keep = np.isin(y, classes)
        x, y = x[keep], np.searchsorted(np.asarray(sorted(classes)), y[keep]).astype(np.int32)
        num_classes = len(classes)
    if limit and limit < len(y):
        idx = np.random.default_rng(seed).permutation(len(y))[:limit]
        x, y = x[idx], y[idx]
    check_labels(y, num_classes)
    return {"x": x, "y": y}


def create_state(model, example_x, tx: optax.GradientTransformation, key: jax.Array) -> TrainState:
    """Initialise ``model`` on one example batch; non-param collections (batch_stats) become model_state."""
    variables = model.init({"params": key, "dropout": key}, images_to_float(jnp.asarray(example_x[:2])))
    variables = dict(variables)
    params = variables.pop("params")
    return TrainState.create(apply_fn=model.apply, params=params, tx=tx, model_state=variables)


def train_classifier(model, train: Mapping, test: Mapping, config: Mapping, run_dir: Path | None = None, *,
                     loss_fn: Callable | Callable[[Callable], Callable] | None = None,
                     tx: optax.GradientTransformation | None = None,
                     state: TrainState | None = None) -> tuple[TrainState, list[dict]]:
    """Train with ``jaxzoo.core.fit``; ``config`` holds fit's keys plus ``optimizer`` (see make_optimizer).

    ``loss_fn`` maps the model's ``apply_fn`` to a loss for ``make_train_step`` (default: cross-entropy)."""
    steps = epochs_to_steps(len(train["y"]), config["batch_size"], config["epochs"])
    tx = tx or make_optimizer(config["optimizer"], steps)
    state = state or create_state(model, train["x"], tx, jax.random.key(config.get("seed", 0)))
    step_fn = make_train_step((loss_fn or classification_loss)(state.apply_fn))
    fit_config = {k: config[k] for k in ("epochs", "batch_size", "seed", "progress", "data_parallel")
                  if k in config}
    return fit(state, train, step_fn, config=fit_config, run_dir=run_dir, eval_data=test)


def predict(state: TrainState, x: np.ndarray, *, batch_size: int = 1000) -> np.ndarray:
    """Inference-mode logits for every image of ``x``, computed batch by batch."""
    fwd = jax.jit(lambda xb: state.apply_fn({"params": state.params, **state.model_state},
                                            images_to_float(xb), train=False))
    return np.concatenate([np.asarray(fwd(jnp.asarray(x[i: i + batch_size])))
                           for i in range(0, len(x), batch_size)])


def report(state: TrainState, test: Mapping, run_dir: Path, name: str, dataset: str) -> dict:
    """Test accuracy, plus plots/<name>_confusion.png and plots/<name>_misclassified.png."""
    preds = predict(state, test["x"]).argmax(-1)
    names = CLASS_NAMES.get(dataset)
    plots = Path(run_dir) / "plots"
    viz.plot_confusion_matrix(test["y"], preds, plots / f"{name}_confusion.png", class_names=names, title=name)
    viz.plot_misclassified(test["x"], test["y"], preds, plots / f"{name}_misclassified.png", class_names=names)
    return {f"{name}_test_accuracy": float(np.mean(preds == test["y"]))}


def cnn_config(model: str, *, epochs: int, lr: float = 2e-3, width: float = 1.0, depth: int = 20,
               augment: bool = False, train_limit: int = 0, batch_size: int = 128):
    """The config shared by the CNN experiments (an unlocked ConfigDict; experiments lock it)."""
    import ml_collections

    c = ml_collections.ConfigDict()
    c.model, c.width, c.depth, c.augment = model, width, depth, augment
    c.epochs, c.batch_size, c.seed, c.train_limit, c.progress = epochs, batch_size, 0, train_limit, True
    c.optimizer = ml_collections.ConfigDict({"name": "adamw", "lr": lr, "schedule": "cosine",
                                             "warmup_steps": 200, "weight_decay": 5e-4})
    return c


def check_cnn_config(c) -> None:
    from jaxzoo.core.config import ConfigError, check_positive
    from jaxzoo.vision.zoo import NAMES

    check_positive(c, "epochs", "batch_size", "width", "optimizer.lr")
    check_positive(c, "train_limit", allow_zero=True)
    for m in (c.model if isinstance(c.model, (tuple, list)) else (c.model,)):
        if m not in NAMES:
            raise ConfigError(f"config.model must be one of {NAMES}, got {m!r}")
    if c.depth < 8 or (c.depth - 2) % 6:
        raise ConfigError(f"config.depth must be 6n + 2 (8, 14, 20, ...), got {c.depth}")


def train_named_cnn(name: str, c, run_dir: Path, dataset: str = "fashion_mnist",
                    train: Mapping | None = None, test: Mapping | None = None) -> tuple[dict, list[dict]]:
    """Train zoo model ``name`` on ``dataset`` with config ``c`` (see ``cnn_config``); write its history,
    confusion matrix and misclassified grid; return (summary, history)."""
    from jaxzoo.vision.zoo import build_model, training_loss
    from jaxzoo.viz.plots import history_plots

    train = train or load_images(dataset, "train", limit=c.train_limit, seed=c.seed)
    test = test or load_images(dataset, "test")
    model = build_model(name, width=c.width, depth=c.depth)
    sub_dir = Path(run_dir) / name
    state, history = train_classifier(model, train, test, c, sub_dir,
                                      loss_fn=lambda apply_fn: training_loss(name, apply_fn, augment=c.augment))
    history_plots(history, Path(run_dir) / "plots" / f"{name}_history.png", title=f"{name} on {dataset}")
    summary = report(state, test, run_dir, name, dataset)
    summary[f"{name}_examples_per_s"] = history[-1]["examples_per_s"]
    summary[f"{name}_params"] = int(sum(p.size for p in jax.tree.leaves(state.params)))
    return summary, history
