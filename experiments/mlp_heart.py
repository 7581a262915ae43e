"""MLP on UCI Cleveland heart disease: one-hot categoricals, standardised numerics, stratified 5-fold CV."""

import jax
import ml_collections
import numpy as np

from jaxzoo.classical.model_selection import StratifiedKFold
from jaxzoo.core.recipes import cross_validate, train_classifier
from jaxzoo.data import heart_features, load
from jaxzoo.vision.mlp import MLP
from jaxzoo.viz.plots import learning_curves


def get_config():
    c = ml_collections.ConfigDict()
    c.hidden = (32,)
    c.dropout = 0.3
    c.folds = 5
    c.epochs = 60
    c.batch_size = 32
    c.seed = 0
    c.progress = False
    c.checkpoint_every = 0
    c.optimizer = ml_collections.ConfigDict({"name": "adamw", "lr": 3e-3, "schedule": "cosine", "warmup_steps": 0,
                                             "weight_decay": 1e-2, "grad_clip": 0.0})
    c.lock()
    return c


def cross_validated_accuracy(config, run_dir=None) -> tuple[list[dict], dict]:
    x, y = load("heart", "all")
    folds = StratifiedKFold(config.folds, shuffle=True, seed=config.seed).split(x, y)
    histories = {}

    def train_fold(k, train, test):
        xtr, xte = heart_features(train["x"], test["x"])
        model = MLP(hidden=tuple(config.hidden), num_classes=2, dropout=config.dropout)
        params = model.init(jax.random.fold_in(jax.random.key(config.seed), k), xtr[:1])["params"]
        _, history = train_classifier(model.apply, params, {"x": xtr, "y": train["y"]}, config,
                                      eval_data={"x": xte, "y": test["y"]},
                                      run_dir=None if run_dir is None else run_dir / f"fold{k}")
        histories[k] = history
        return history

    rows = cross_validate(folds, x, y, train_fold)
    return rows, histories


def run(config, run_dir):
    rows, histories = cross_validated_accuracy(config, run_dir)
    accs = np.array([r["val_accuracy"] for r in rows])
    curves = {f"fold {k}": ([h["epoch"] for h in hist], [h["val_accuracy"] for h in hist])
              for k, hist in histories.items()}
    learning_curves(curves, run_dir / "plots" / "fold_accuracy.png", ylabel="held-out accuracy",
                    title=f"Heart disease MLP, {config.folds}-fold CV: {accs.mean():.3f} +/- {accs.std():.3f}")
    return {"cv_accuracy": round(float(accs.mean()), 4), "cv_std": round(float(accs.std()), 4),
            "fold_accuracy": [round(float(a), 4) for a in accs]}
