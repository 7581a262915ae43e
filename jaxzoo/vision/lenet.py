"""LeNet-5 (LeCun et al. 1998): two 5x5 convolutions with subsampling, then 120-84-classes dense layers.

``variant="classic"`` is the 1998 network: tanh, 2x2 average subsampling, 32x32 inputs (28x28 MNIST
digits are zero-padded by 2 as in the paper). ``variant="modern"`` swaps in ReLU and max pooling.
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxzoo.vision.layers import Conv2D, check_images, pool

VARIANTS = ("classic", "modern")


class LeNet5(nn.Module):
    num_classes: int = 10
    variant: str = "classic"
    channels: int = 1
    dtype: jnp.dtype | None = None  # compute dtype (e.g. jnp.bfloat16); parameters stay float32
    conv_impl: str = "auto"

    @nn.compact
    def __call__(self, x: jax.Array, train: bool = False, *, return_features: bool = False):
        if self.variant not in VARIANTS:
            raise ValueError(f"LeNet5 variant must be one of {VARIANTS}, got {self.variant!r}")
        check_images(x, "LeNet5", channels=self.channels, min_size=28)
        if x.shape[1] < 32 or x.shape[2] < 32:  # the paper's 32x32 field: pad 28x28 digits by 2
            ph, pw = max(32 - x.shape[1], 0), max(32 - x.shape[2], 0)
            x = jnp.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
        act = jnp.tanh if self.variant == "classic" else nn.relu
        kind = "avg" if self.variant == "classic" else "max"
        dtype = self.dtype or jnp.float32
        c1 = act(Conv2D(6, 5, padding="VALID", dtype=dtype, conv_impl=self.conv_impl, name="conv1")(x))
        s2 = pool(c1, kind, 2)
        c3 = act(Conv2D(16, 5, padding="VALID", dtype=dtype, conv_impl=self.conv_impl, name="conv2")(s2))
        s4 = pool(c3, kind, 2)
        h = s4.reshape(s4.shape[0], -1)
        h = act(nn.Dense(120, dtype=dtype, name="fc1")(h))
        h = act(nn.Dense(84, dtype=dtype, name="fc2")(h))
        logits = nn.Dense(self.num_classes, dtype=dtype, name="fc3")(h).astype(jnp.float32)
        if return_features:
            return logits, {"conv1": c1, "conv2": c3}
        return logits
