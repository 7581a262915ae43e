"""MNIST with two MLPs side by side: Flax (jax.grad) and from scratch (hand-derived backprop); both reach 98%."""

import jax
import ml_collections

from jaxzoo.core.recipes import train_classifier
from jaxzoo.data import load
from jaxzoo.vision import mlp_scratch
from jaxzoo.vision.mlp import MLP
from jaxzoo.viz.plots import learning_curves


def get_config():
    c = ml_collections.ConfigDict()
    c.models = ("flax", "scratch")
    c.hidden = (512, 256)
    c.dropout = 0.2
    c.epochs = 15
    c.batch_size = 128
    c.seed = 0
    c.checkpoint_every = 0
    c.progress = True
    c.optimizer = ml_collections.ConfigDict({"name": "adam", "lr": 1e-3, "schedule": "cosine", "warmup_steps": 0,
                                             "weight_decay": 0.0, "grad_clip": 0.0})
    c.lock()
    return c


def check_config(config):
    bad = set(config.models) - {"flax", "scratch"}
    if bad or not config.models:
        raise ValueError(f"config.models must be a non-empty subset of ('flax', 'scratch'), got {config.models}")


def run(config, run_dir):
    x, y = load("mnist", "train")
    xt, yt = load("mnist", "test")
    train, test = {"x": x, "y": y}, {"x": xt, "y": yt}
    key = jax.random.key(config.seed)
    summary, curves = {}, {}
    for name in config.models:
        if name == "flax":
            model = MLP(hidden=tuple(config.hidden), num_classes=10, dropout=config.dropout)
            params = model.init(key, x[:1])["params"]
            _, history = train_classifier(model.apply, params, train, config, eval_data=test,
                                          run_dir=run_dir / name)
        else:
            params = mlp_scratch.init(key, (784, *config.hidden, 10))
            d = config.dropout

            def apply(variables, inputs, *, train=False, rngs=None):
                return mlp_scratch.apply(variables, inputs, train=train, rngs=rngs, dropout=d)

            def value_and_grad(p, ms, batch, k):
                return mlp_scratch.value_and_grad(p, ms, batch, k, dropout=d)

            _, history = train_classifier(apply, params, train, config, eval_data=test, run_dir=run_dir / name,
                                          value_and_grad_fn=value_and_grad)
        curves[f"{name} test"] = ([h["epoch"] for h in history], [h["val_accuracy"] for h in history])
        curves[f"{name} train"] = ([h["epoch"] for h in history], [h["train_accuracy"] for h in history])
        summary[f"{name}_test_accuracy"] = round(history[-1]["val_accuracy"], 4)
        summary[f"{name}_examples_per_s"] = history[-1]["examples_per_s"]
    learning_curves(curves, run_dir / "plots" / "accuracy.png", ylabel="accuracy",
                    title="MLP 784-512-256-10 on MNIST: Flax vs hand-derived backprop")
    return summary
