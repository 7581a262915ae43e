"""Build the CNNs of the zoo by name, each with the training loss it needs (GoogLeNet adds its aux heads)."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from jaxzoo.core.train import classification_loss, images_to_float
from jaxzoo.vision.alexnet import AlexNet
from jaxzoo.vision.googlenet import GoogLeNet, auxiliary_classification_loss
from jaxzoo.vision.lenet import LeNet5
from jaxzoo.vision.resnet import resnet

NAMES = ("lenet5", "lenet5_classic", "alexnet", "googlenet", "resnet", "preact_resnet")


def build_model(name: str, *, num_classes: int = 10, channels: int = 1, width: float = 1.0, depth: int = 20,
                dtype=None):
    """``lenet5`` (modern), ``lenet5_classic``, ``alexnet`` (``width`` scales filters), ``googlenet``
    (``width``), ``resnet`` / ``preact_resnet`` (CIFAR-style, ``depth`` = 6n + 2, 16 * ``width`` filters)."""
    if name == "lenet5":
        return LeNet5(num_classes, "modern", channels, dtype)
    if name == "lenet5_classic":
        return LeNet5(num_classes, "classic", channels, dtype)
    if name == "alexnet":
        return AlexNet(num_classes, channels, width=width, dense=max(64, int(1024 * width)), dtype=dtype)
    if name == "googlenet":
        return GoogLeNet(num_classes, channels, width=width, dtype=dtype)
    if name in ("resnet", "preact_resnet"):
        prefix = "cifar_preact_resnet" if name == "preact_resnet" else "cifar_resnet"
        return resnet(f"{prefix}{depth}", num_classes=num_classes, channels=channels,
                      num_filters=max(4, int(16 * width)), dtype=dtype)
    raise ValueError(f"unknown CNN {name!r}; known: {', '.join(NAMES)}")


def random_crop_flip(key: jax.Array, x: jax.Array, *, pad: int = 2, flip: bool = True) -> jax.Array:
    """Standard augmentation, per example: pad by ``pad`` pixels, crop back at a random offset, and
    mirror left-right with probability 1/2. Pure and jittable (runs inside the compiled train step)."""
    n, h, w, c = x.shape
    k1, k2, k3 = jax.random.split(key, 3)
    padded = jnp.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dy = jax.random.randint(k1, (n,), 0, 2 * pad + 1)
    dx = jax.random.randint(k2, (n,), 0, 2 * pad + 1)
    crop = jax.vmap(lambda img, i, j: jax.lax.dynamic_slice(img, (i, j, 0), (h, w, c)))(padded, dy, dx)
    if flip:
        mirror = jax.random.bernoulli(k3, 0.5, (n, 1, 1, 1))
        crop = jnp.where(mirror, crop[:, :, ::-1, :], crop)
    return crop


def training_loss(name: str, apply_fn: Callable, *, augment: bool = False, aux_weight: float = 0.3) -> Callable:
    """The loss function for ``make_train_step``: cross-entropy (plus aux heads for GoogLeNet), with
    optional random-crop/flip augmentation drawn from the step's key."""
    base = (auxiliary_classification_loss(apply_fn, aux_weight=aux_weight) if name == "googlenet"
            else classification_loss(apply_fn))
    if not augment:
        return base

    def loss_fn(params, model_state, batch, key):
        k_aug, k_model = jax.random.split(key)
        batch = {**batch, "x": random_crop_flip(k_aug, images_to_float(batch["x"]))}
        return base(params, model_state, batch, k_model)

    return loss_fn
