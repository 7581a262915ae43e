"""MLP on scikit-learn's bundled 8x8 digits: the no-download demo of the engine (about a minute on a CPU)."""

import jax
import ml_collections

from jaxzoo.core.recipes import train_classifier
from jaxzoo.data import load
from jaxzoo.vision.mlp import MLP
from jaxzoo.viz.plots import history_plots


def get_config():
    c = ml_collections.ConfigDict()
    c.hidden = (256, 128)
    c.dropout = 0.2
    c.epochs = 40
    c.batch_size = 64
    c.seed = 0
    c.checkpoint_every = 0
    c.progress = True
    c.optimizer = ml_collections.ConfigDict({"name": "adam", "lr": 3e-3, "schedule": "cosine", "warmup_steps": 50,
                                             "weight_decay": 0.0, "grad_clip": 0.0})
    c.early_stopping = ml_collections.ConfigDict({"monitor": "", "mode": "max", "patience": 5})
    c.lock()
    return c


def run(config, run_dir):
    x, y = load("digits", "train")
    xt, yt = load("digits", "test")
    model = MLP(hidden=tuple(config.hidden), num_classes=10, dropout=config.dropout)
    params = model.init(jax.random.key(config.seed), x[:1])["params"]
    state, history = train_classifier(model.apply, params, {"x": x, "y": y}, config, eval_data={"x": xt, "y": yt},
                                      run_dir=run_dir)
    history_plots(history, run_dir / "plots" / "learning_curves.png", title="MLP on digits")
    last = history[-1]
    return {"test_accuracy": round(last["val_accuracy"], 4), "epochs": last["epoch"],
            "best_test_accuracy": round(max(h["val_accuracy"] for h in history), 4)}
