"""Shared set-up for the fit tests: an MLP on scikit-learn's digits (no download needed)."""

import jax

from jaxzoo.core import TrainState, classification_loss, epochs_to_steps, make_optimizer
from jaxzoo.data import load
from jaxzoo.vision.mlp import MLP


def digits_state(epochs=5, batch_size=32, hidden=(64,), lr=1e-2):
    x, y = load("digits", "train")
    xt, yt = load("digits", "test")
    model = MLP(hidden=hidden, num_classes=10)
    params = model.init(jax.random.key(0), x[:1])["params"]
    tx = make_optimizer({"name": "adam", "lr": lr, "schedule": "cosine"}, epochs_to_steps(len(x), batch_size, epochs))
    state = TrainState.create(apply_fn=model.apply, params=params, tx=tx)
    return state, classification_loss(model.apply), {"x": x, "y": y}, {"x": xt, "y": yt}
