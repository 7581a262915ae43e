"""ResNet (He et al. 2015) with basic and bottleneck blocks, and pre-activation ResNet (He et al. 2016).

Module and parameter names follow torchvision (``conv1``, ``bn1``, ``layer1_0/conv1``, ``downsample_conv``,
``fc``) so a PyTorch ``state_dict`` maps across name by name (see ``resnet_import``). Padding is explicit
and symmetric, as in PyTorch, so imported weights give the same logits.

BatchNorm statistics live in the ``batch_stats`` collection: ``train=True`` normalises with the batch
statistics and updates the running averages (call ``apply`` with ``mutable=["batch_stats"]``),
``train=False`` uses the running averages. With ``bn_axis_name`` set, batch statistics are averaged
over that mapped device axis (synchronised BatchNorm for data-parallel training).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxzoo.vision.layers import Conv2D, check_images, pool

BLOCKS = ("basic", "bottleneck", "preact_basic", "preact_bottleneck")
STEMS = ("imagenet", "cifar")


class _Block(nn.Module):
    filters: int
    strides: int
    kind: str
    conv: functools.partial
    norm: functools.partial

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        bottleneck = self.kind.endswith("bottleneck")
        out_filters = self.filters * (4 if bottleneck else 1)
        needs_projection = self.strides != 1 or x.shape[-1] != out_filters
        if bottleneck:
            convs = [(self.filters, 1, 1, 0), (self.filters, 3, self.strides, 1), (out_filters, 1, 1, 0)]
        else:
            convs = [(self.filters, 3, self.strides, 1), (self.filters, 3, 1, 1)]
        if self.kind.startswith("preact"):  # identity mapping: BN-ReLU-conv, nothing after the addition
            pre = nn.relu(self.norm(name="bn1")(x))
            shortcut = self.conv(out_filters, 1, self.strides, 0, name="downsample_conv")(pre) \
                if needs_projection else x
            y = pre
            for i, (f, k, s, p) in enumerate(convs):
                if i:
                    y = nn.relu(self.norm(name=f"bn{i + 1}")(y))
                y = self.conv(f, k, s, p, name=f"conv{i + 1}")(y)
            return y + shortcut
        y = x
        for i, (f, k, s, p) in enumerate(convs):
            y = self.conv(f, k, s, p, name=f"conv{i + 1}")(y)
            last = i == len(convs) - 1
            y = self.norm(name=f"bn{i + 1}")(y)
            if not last:
                y = nn.relu(y)
        shortcut = x
        if needs_projection:
            shortcut = self.conv(out_filters, 1, self.strides, 0, name="downsample_conv")(x)
            shortcut = self.norm(name="downsample_bn")(shortcut)
        return nn.relu(y + shortcut)


class ResNet(nn.Module):
    stage_sizes: Sequence[int] = (2, 2, 2, 2)
    block: str = "basic"
    num_filters: int = 64
    num_classes: int = 1000
    stem: str = "imagenet"  # 7x7/2 conv + 3x3/2 max-pool; "cifar": one 3x3/1 conv
    channels: int | None = None  # input channels to check (None: any)
    dtype: jnp.dtype | None = None
    conv_impl: str = "auto"
    bn_axis_name: str | None = None
    bn_momentum: float = 0.9  # Flax convention: running = momentum * running + (1 - momentum) * batch

    @nn.compact
    def __call__(self, x: jax.Array, train: bool = False, *, return_features: bool = False):
        if self.block not in BLOCKS:
            raise ValueError(f"ResNet block must be one of {BLOCKS}, got {self.block!r}")
        if self.stem not in STEMS:
            raise ValueError(f"ResNet stem must be one of {STEMS}, got {self.stem!r}")
        check_images(x, "ResNet", channels=self.channels, min_size=8)
        dtype = self.dtype or jnp.float32

        def conv(f, k, s, p, name):
            return Conv2D(f, k, s, ((p, p), (p, p)), use_bias=False, dtype=dtype, conv_impl=self.conv_impl,
                          kernel_init=nn.initializers.variance_scaling(2.0, "fan_out", "normal"), name=name)

        norm = functools.partial(nn.BatchNorm, use_running_average=not train, momentum=self.bn_momentum,
                                 epsilon=1e-5, dtype=dtype, axis_name=self.bn_axis_name)
        preact = self.block.startswith("preact")
        if self.stem == "imagenet":
            x = conv(self.num_filters, 7, 2, 3, "conv1")(x)
            x = nn.relu(norm(name="bn1")(x))
            x = pool(x, "max", 3, 2, padding=1)
        else:
            x = conv(self.num_filters, 3, 1, 1, "conv1")(x)
            if not preact:
                x = nn.relu(norm(name="bn1")(x))
        for i, size in enumerate(self.stage_sizes):
            for j in range(size):
                strides = 2 if i > 0 and j == 0 else 1
                x = _Block(self.num_filters * 2 ** i, strides, self.block, conv, norm, name=f"layer{i + 1}_{j}")(x)
        if preact:
            x = nn.relu(norm(name="final_bn")(x))
        features = jnp.mean(x, axis=(1, 2))
        logits = nn.Dense(self.num_classes, dtype=dtype, name="fc")(features).astype(jnp.float32)
        return (logits, features.astype(jnp.float32)) if return_features else logits


ResNet18 = functools.partial(ResNet, stage_sizes=(2, 2, 2, 2), block="basic")
ResNet34 = functools.partial(ResNet, stage_sizes=(3, 4, 6, 3), block="basic")
ResNet50 = functools.partial(ResNet, stage_sizes=(3, 4, 6, 3), block="bottleneck")
PreActResNet18 = functools.partial(ResNet, stage_sizes=(2, 2, 2, 2), block="preact_basic")


def cifar_resnet(depth: int = 20, *, preact: bool = False, num_filters: int = 16, **kwargs) -> ResNet:
    """The CIFAR ResNets of the paper: 3 stages of (depth - 2) / 6 basic blocks, 16-32-64 filters."""
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"CIFAR ResNet depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, ...), got {depth}")
    n = (depth - 2) // 6
    return ResNet(stage_sizes=(n, n, n), block="preact_basic" if preact else "basic", num_filters=num_filters,
                  stem="cifar", **kwargs)


MODELS = {"resnet18": ResNet18, "resnet34": ResNet34, "resnet50": ResNet50, "preact_resnet18": PreActResNet18}


def resnet(name: str, **kwargs) -> ResNet:
    """``resnet18|34|50``, ``preact_resnet18``, or ``cifar_resnet<depth>`` / ``cifar_preact_resnet<depth>``."""
    if name in MODELS:
        return MODELS[name](**kwargs)
    for prefix, preact in (("cifar_preact_resnet", True), ("cifar_resnet", False)):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            return cifar_resnet(int(name[len(prefix):]), preact=preact, **kwargs)
    raise ValueError(f"unknown ResNet {name!r}; known: {', '.join(MODELS)}, cifar_resnet<6n+2>, "
                     f"cifar_preact_resnet<6n+2>")
