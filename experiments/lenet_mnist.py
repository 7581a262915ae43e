"""LeNet-5 on MNIST: test accuracy, confusion matrix, misclassified digits, first-layer filters, feature maps."""

import jax
import ml_collections
import numpy as np

from jaxzoo.core.config import ConfigError, check_positive
from jaxzoo.vision.classify import load_images, report, train_classifier
from jaxzoo.vision.lenet import VARIANTS, LeNet5
from jaxzoo.viz import vision as viz
from jaxzoo.viz.plots import history_plots


def get_config():
    c = ml_collections.ConfigDict()
    c.variant = "modern"  # "classic": tanh + average subsampling as in 1998
    c.epochs = 8
    c.batch_size = 128
    c.seed = 0
    c.train_limit = 0  # 0 = all 60,000 training images
    c.progress = True
    c.optimizer = ml_collections.ConfigDict({"name": "adam", "lr": 2e-3, "schedule": "cosine"})
    return c.lock()


def check_config(c):
    check_positive(c, "epochs", "batch_size", "optimizer.lr")
    if c.variant not in VARIANTS:
        raise ConfigError(f"config.variant must be one of {VARIANTS}, got {c.variant!r}")


def run(c, run_dir):
    train = load_images("mnist", "train", limit=c.train_limit, seed=c.seed)
    test = load_images("mnist", "test")
    model = LeNet5(variant=c.variant)
    state, history = train_classifier(model, train, test, c, run_dir)
    history_plots(history, run_dir / "plots" / "lenet5_history.png")
    summary = report(state, test, run_dir, "lenet5", "mnist")
    viz.plot_filters(state.params["conv1"]["kernel"], run_dir / "plots" / "lenet5_filters.png",
                     title="LeNet-5 conv1 filters (5x5)")
    x = test["x"][:1].astype(np.float32) / 255.0
    _, maps = jax.jit(lambda p, x: model.apply({"params": p}, x, return_features=True))(state.params, x)
    viz.plot_feature_maps(x[0], {k: np.asarray(v[0]) for k, v in maps.items()},
                          run_dir / "plots" / "lenet5_feature_maps.png")
    return {**summary, "epochs_run": len(history), "variant": c.variant,
            "examples_per_s": history[-1]["examples_per_s"]}
