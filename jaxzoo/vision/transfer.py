"""Transfer learning: a new head on a pretrained network, then feature extraction or fine-tuning.

Freezing is done the optax way: ``optax.multi_transform`` sends the frozen parameters to
``optax.set_to_zero()`` (their gradients are then dead code that XLA removes under ``jit``), and the
trainable ones to the real optimizer. Nothing is copied around between steps.

Modes: ``"frozen"`` (feature extraction: only the head learns, and the backbone's BatchNorm layers
keep their pretrained running statistics), ``"finetune"`` (every parameter learns, starting from the
pretrained ones), ``"scratch"`` (the same network, freshly initialised).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import optax
from flax import traverse_util

from jaxzoo.core.train import classification_loss, images_to_float

MODES = ("frozen", "finetune", "scratch")


def trainable_labels(params, trainable: Sequence[str] = ("fc",)) -> dict:
    """A pytree like ``params`` with "trainable" under the top-level modules named in ``trainable``, else
    "frozen"."""
    flat = traverse_util.flatten_dict(params)
    return traverse_util.unflatten_dict({k: "trainable" if k[0] in trainable else "frozen" for k in flat})


def partitioned_optimizer(tx: optax.GradientTransformation, params, mode: str,
                          trainable: Sequence[str] = ("fc",)) -> optax.GradientTransformation:
    """``tx`` for every parameter (finetune, scratch) or only for the ``trainable`` modules (frozen)."""
    if mode not in MODES:
        raise ValueError(f"transfer mode must be one of {MODES}, got {mode!r}")
    if mode != "frozen":
        return tx
    return optax.multi_transform({"trainable": tx, "frozen": optax.set_to_zero()},
                                 trainable_labels(params, trainable))


def replace_head(params, key: jax.Array, num_classes: int, head: str = "fc") -> dict:
    """``params`` with a freshly initialised dense head of ``num_classes`` outputs (LeCun normal, zero bias)."""
    if head not in params or "kernel" not in params[head]:
        raise ValueError(f"no dense head {head!r} in params; top-level modules: {', '.join(params)}")
    fan_in = params[head]["kernel"].shape[0]
    kernel = jax.nn.initializers.lecun_normal()(key, (fan_in, num_classes), jnp.float32)
    return {**params, head: {"kernel": kernel, "bias": jnp.zeros((num_classes,), jnp.float32)}}


def transfer_loss(apply_fn: Callable, mode: str) -> Callable:
    """Cross-entropy; in ``frozen`` mode the network runs in inference mode (BatchNorm uses its running
    statistics, which stay as pretrained), so the frozen backbone is a fixed feature extractor."""
    if mode not in MODES:
        raise ValueError(f"transfer mode must be one of {MODES}, got {mode!r}")
    if mode != "frozen":
        return classification_loss(apply_fn)

    def loss_fn(params, model_state, batch, key):
        logits = apply_fn({"params": params, **model_state}, images_to_float(batch["x"]), train=False)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
        return loss, (model_state, {"accuracy": jnp.mean(jnp.argmax(logits, -1) == batch["y"])})

    return loss_fn
