"""The functional training engine: TrainState, pure train steps, classifier losses and `evaluate`.

A train step is ``train_step(state, batch, key) -> (state, metrics)``: a pure function that works under
``jax.jit``, ``jax.vmap`` (over a leading axis of ``state`` and ``key``) and ``jax.pmap`` / ``jax.shard_map``
(when built with ``axis_name``, gradients, metrics and model state are averaged with ``lax.pmean``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import struct

Params = Any
Batch = dict[str, jax.Array]
LossFn = Callable[[Params, dict, Batch, jax.Array], tuple[jax.Array, tuple[dict, dict]]]


class TrainState(struct.PyTreeNode):
    """Everything a training step reads and writes, as one pytree (vmappable, shardable, checkpointable)."""

    step: jax.Array
    params: Params
    opt_state: optax.OptState
    model_state: dict  # mutable collections such as {"batch_stats": ...}; {} when the model has none
    apply_fn: Callable = struct.field(pytree_node=False)
    tx: optax.GradientTransformation = struct.field(pytree_node=False)

    @classmethod
    def create(cls, *, apply_fn: Callable, params: Params, tx: optax.GradientTransformation,
               model_state: dict | None = None) -> TrainState:
        return cls(step=jnp.zeros((), jnp.int32), params=params, opt_state=tx.init(params),
                   model_state=dict(model_state or {}), apply_fn=apply_fn, tx=tx)

    def apply_gradients(self, grads: Params, **changes) -> TrainState:
        updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
        return self.replace(step=self.step + 1, params=optax.apply_updates(self.params, updates),
                            opt_state=opt_state, **changes)

    @property
    def variables(self) -> dict:
        return {"params": self.params, **self.model_state}


def make_train_step(loss_fn: LossFn | None = None, *, axis_name: str | None = None,
                    value_and_grad_fn: Callable | None = None) -> Callable:
    """Build ``train_step(state, batch, key) -> (state, metrics)`` from a loss function.

    ``loss_fn(params, model_state, batch, key) -> (loss, (new_model_state, metrics))``. A model with
    hand-derived gradients passes ``value_and_grad_fn`` instead, with the signature of
    ``jax.value_and_grad(loss_fn, has_aux=True)``.

    With ``axis_name`` the step averages per-device gradients with ``lax.pmean``: use it under
    ``jax.pmap`` or under ``jax.shard_map(..., check_vma=False)``. (With ``check_vma=True``, JAX's
    transpose already sums the gradients of replicated parameters over the axis.)
    """
    if (loss_fn is None) == (value_and_grad_fn is None):
        raise ValueError("make_train_step needs exactly one of loss_fn or value_and_grad_fn")
    vg = value_and_grad_fn or jax.value_and_grad(loss_fn, has_aux=True)

    def train_step(state: TrainState, batch: Batch, key: jax.Array) -> tuple[TrainState, dict]:
        (loss, (model_state, metrics)), grads = vg(state.params, state.model_state, batch, key)
        metrics = {"loss": loss, **metrics}
        if axis_name is not None:
            grads, metrics, model_state = jax.lax.pmean((grads, metrics, model_state), axis_name)
        return state.apply_gradients(grads, model_state=model_state), metrics

    return train_step


def images_to_float(x: jax.Array) -> jax.Array:
    """uint8 pixels (kept on device as bytes) become float32 in [0, 1]; float inputs pass through."""
    return x.astype(jnp.float32) / 255.0 if jnp.issubdtype(x.dtype, jnp.integer) else x


def _forward(apply_fn, params, model_state, x, *, train: bool, key=None):
    """Apply a Flax model, threading its mutable collections; returns (logits, new_model_state)."""
    variables = {"params": params, **model_state}
    rngs = {"dropout": key} if key is not None else None
    if train and model_state:
        logits, new_state = apply_fn(variables, x, train=True, rngs=rngs, mutable=list(model_state))
        return logits, dict(new_state)
    return apply_fn(variables, x, train=train, rngs=rngs), model_state


def classification_loss(apply_fn: Callable, *, preprocess: Callable = images_to_float,
                        label_smoothing: float = 0.0) -> LossFn:
    """Softmax cross-entropy on ``batch["x"]``, ``batch["y"]`` (integer labels), with accuracy."""

    def loss_fn(params, model_state, batch, key):
        logits, new_state = _forward(apply_fn, params, model_state, preprocess(batch["x"]), train=True, key=key)
        labels = batch["y"]
        if label_smoothing:
            onehot = optax.smooth_labels(jax.nn.one_hot(labels, logits.shape[-1]), label_smoothing)
            loss = optax.softmax_cross_entropy(logits, onehot).mean()
        else:
            loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
        accuracy = jnp.mean(jnp.argmax(logits, -1) == labels)
        return loss, (new_state, {"accuracy": accuracy})

    return loss_fn


def classification_metrics(state: TrainState, batch: Batch, preprocess: Callable = images_to_float) -> dict:
    """Per-example loss and correctness in inference mode (what `evaluate` averages)."""
    logits, _ = _forward(state.apply_fn, state.params, state.model_state, preprocess(batch["x"]), train=False)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"])
    return {"loss": loss, "accuracy": (jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32)}


@functools.partial(jax.jit, static_argnames=("metrics_fn", "batch_size"))
def _evaluate_padded(state, data, mask, metrics_fn, batch_size):
    n = mask.shape[0]
    batches = jax.tree.map(lambda a: a.reshape(n // batch_size, batch_size, *a.shape[1:]), data)
    masks = mask.reshape(n // batch_size, batch_size)

    def one(args):
        batch, m = args
        per_example = metrics_fn(state, batch)
        return jax.tree.map(lambda v: jnp.sum(v * m), per_example)

    sums = jax.lax.map(one, (batches, masks))
    return jax.tree.map(lambda s: jnp.sum(s) / jnp.sum(mask), sums)


def evaluate(state: TrainState, data: dict[str, np.ndarray], metrics_fn: Callable = classification_metrics, *,
             batch_size: int = 1000) -> dict[str, float]:
    """Mean of ``metrics_fn(state, batch)`` (per-example values) over every example of ``data``.

    The last partial batch is padded and masked out, so each example counts exactly once.
    """
    n = len(next(iter(data.values())))
    if n == 0:
        raise ValueError("evaluate: the dataset is empty")
    batch_size = min(batch_size, n)
    padded = -(-n // batch_size) * batch_size
    pad = padded - n
    data = {k: jnp.concatenate([v, jnp.zeros((pad, *v.shape[1:]), v.dtype)]) if pad else v
            for k, v in data.items()}
    mask = jnp.arange(padded) < n
    out = _evaluate_padded(state, data, mask, metrics_fn, batch_size)
    return {k: float(v) for k, v in out.items()}
