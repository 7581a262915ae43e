"""AlexNet (Krizhevsky et al. 2012) adapted to small images: five convolutions, three dense layers,
ReLU, dropout before the first two dense layers, and optional local response normalisation.

For 28-32 pixel inputs the 11x11/stride-4 stem becomes a 3x3/stride-1 convolution and the three
max-pools halve the image (28 -> 14 -> 7 -> 3); ``width`` scales every layer (1.0 = 64-192-384-256-256
filters and 4096-wide dense layers scaled down to ``dense``).
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxzoo.vision.layers import Conv2D, check_images, pool


def local_response_norm(x: jax.Array, size: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 2.0) -> jax.Array:
    """AlexNet's LRN across channels: x / (k + alpha/size * sum_{window} x^2)^beta (PyTorch's convention)."""
    sq = jnp.square(x)
    half = size // 2
    padded = jnp.pad(sq, ((0, 0), (0, 0), (0, 0), (half, size - 1 - half)))
    window = sum(padded[..., i: i + x.shape[-1]] for i in range(size))
    return x / jnp.power(k + alpha / size * window, beta)


class AlexNet(nn.Module):
    num_classes: int = 10
    channels: int = 1
    width: float = 1.0
    dense: int = 1024
    dropout: float = 0.5
    lrn: bool = False
    dtype: jnp.dtype | None = None
    conv_impl: str = "auto"

    @nn.compact
    def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
        check_images(x, "AlexNet", channels=self.channels, min_size=24)
        dtype = self.dtype or jnp.float32
        filters = [max(8, int(f * self.width)) for f in (64, 192, 384, 256, 256)]
        conv = lambda f, k, name: Conv2D(f, k, padding="SAME", dtype=dtype, conv_impl=self.conv_impl, name=name)
        x = nn.relu(conv(filters[0], 3, "conv1")(x))
        if self.lrn:
            x = local_response_norm(x)
        x = pool(x, "max", 3, 2, "SAME")
        x = nn.relu(conv(filters[1], 3, "conv2")(x))
        if self.lrn:
            x = local_response_norm(x)
        x = pool(x, "max", 3, 2, "SAME")
        x = nn.relu(conv(filters[2], 3, "conv3")(x))
        x = nn.relu(conv(filters[3], 3, "conv4")(x))
        x = nn.relu(conv(filters[4], 3, "conv5")(x))
        x = pool(x, "max", 3, 2, "VALID")
        x = x.reshape(x.shape[0], -1)
        x = nn.Dropout(self.dropout, deterministic=not train)(x)
        x = nn.relu(nn.Dense(self.dense, dtype=dtype, name="fc1")(x))
        x = nn.Dropout(self.dropout, deterministic=not train)(x)
        x = nn.relu(nn.Dense(self.dense, dtype=dtype, name="fc2")(x))
        return nn.Dense(self.num_classes, dtype=dtype, name="fc3")(x).astype(jnp.float32)
