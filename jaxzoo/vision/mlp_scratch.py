"""An MLP written from scratch in ``jax.numpy``: forward pass and hand-derived backpropagation.

No ``jax.grad`` is involved in its gradients: ``value_and_grad`` works the chain rule out layer by
layer (softmax cross-entropy, dense, ReLU, inverted dropout). It plugs into the engine like any Flax
model: ``apply(variables, x, train=..., rngs=...)`` for inference and ``value_and_grad`` for
``make_train_step(value_and_grad_fn=...)``. Parameters are ``{"layers": [{"w": (in, out), "b": (out,)}, ...]}``.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

from jaxzoo.core.train import images_to_float


def init(key: jax.Array, sizes: Sequence[int]) -> dict:
    """LeCun-normal weights and zero biases for layer sizes ``(in, hidden..., out)``."""
    if len(sizes) < 2 or any(int(s) <= 0 for s in sizes):
        raise ValueError(f"sizes must be at least (inputs, outputs), all positive; got {tuple(sizes)}")
    keys = jax.random.split(key, len(sizes) - 1)
    init_w = jax.nn.initializers.lecun_normal()
    return {"layers": [{"w": init_w(k, (a, b), jnp.float32), "b": jnp.zeros((b,), jnp.float32)}
                       for k, a, b in zip(keys, sizes[:-1], sizes[1:])]}


def _forward(params: dict, x: jax.Array, dropout: float, key: jax.Array | None):
    """Logits and the activations backprop needs: per hidden layer (input, pre-activation, dropout mask)."""
    h = images_to_float(x).reshape(x.shape[0], -1)
    cache = []
    layers = params["layers"]
    for i, layer in enumerate(layers[:-1]):
        z = h @ layer["w"] + layer["b"]
        a = jnp.maximum(z, 0.0)
        mask = None
        if dropout and key is not None:
            keep = 1.0 - dropout
            mask = jax.random.bernoulli(jax.random.fold_in(key, i), keep, a.shape).astype(a.dtype) / keep
            a = a * mask
        cache.append((h, z, mask))
        h = a
    logits = h @ layers[-1]["w"] + layers[-1]["b"]
    return logits, cache, h


def apply(variables: dict, x: jax.Array, *, train: bool = False, rngs: dict | None = None,
          dropout: float = 0.0) -> jax.Array:
    key = rngs.get("dropout") if (train and rngs) else None
    return _forward(variables["params"], x, dropout if train else 0.0, key)[0]


def value_and_grad(params: dict, model_state: dict, batch: dict, key: jax.Array, *, dropout: float = 0.0):
    """Mean softmax cross-entropy, accuracy and the gradient of the loss w.r.t. every parameter."""
    labels = batch["y"]
    logits, cache, h_last = _forward(params, batch["x"], dropout, key)
    n = logits.shape[0]
    log_probs = jax.nn.log_softmax(logits)
    onehot = jax.nn.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
    loss = -jnp.sum(onehot * log_probs) / n
    accuracy = jnp.mean(jnp.argmax(logits, -1) == labels)

    # d loss / d logits for softmax + cross-entropy: (softmax - onehot) / N
    delta = (jnp.exp(log_probs) - onehot) / n
    layers = params["layers"]
    grads = [None] * len(layers)
    grads[-1] = {"w": h_last.T @ delta, "b": delta.sum(0)}
    upstream = delta @ layers[-1]["w"].T
    for i in range(len(layers) - 2, -1, -1):
        h_in, z, mask = cache[i]
        if mask is not None:
            upstream = upstream * mask                   # inverted dropout passes the same scaled mask back
        dz = upstream * (z > 0).astype(z.dtype)          # ReLU'(z)
        grads[i] = {"w": h_in.T @ dz, "b": dz.sum(0)}
        if i:
            upstream = dz @ layers[i]["w"].T
    return (loss, (model_state, {"accuracy": accuracy})), {"layers": grads}
