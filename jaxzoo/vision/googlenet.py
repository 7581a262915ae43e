"""GoogLeNet / Inception v1 (Szegedy et al. 2014) for small images, with its two auxiliary classifiers.

Each inception module runs four branches side by side and concatenates them along channels:
1x1; 1x1 reduction -> 3x3; 1x1 reduction -> 5x5; 3x3 max-pool -> 1x1 projection. The filter counts are
those of the paper's table 1, scaled by ``width``. For 28-32 pixel inputs the 7x7/2 stem becomes a 3x3
convolution followed by one 2x2 max-pool (``stem_pool``), so the nine modules see 14 -> 7 -> 4 pixels.

During training (``train=True``) the model returns ``(logits, (aux1, aux2))``: the auxiliary heads sit on
inception 4a and 4d and their losses are added with weight ``aux_weight`` (0.3 in the paper; see
``auxiliary_classification_loss``). At inference (``train=False``) they are dropped and only the logits
are returned.
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from jaxzoo.core.train import images_to_float
from jaxzoo.vision.layers import Conv2D, check_images, pool

# name: (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj)
INCEPTION = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64), "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64), "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}


class Inception(nn.Module):
    filters: tuple[int, ...]
    dtype: jnp.dtype = jnp.float32
    conv_impl: str = "auto"

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        f1, r3, f3, r5, f5, fp = self.filters

        def conv(f, k, name):
            return lambda h: nn.relu(Conv2D(f, k, padding="SAME", dtype=self.dtype, conv_impl=self.conv_impl,
                                            name=name)(h))

        b1 = conv(f1, 1, "b1_1x1")(x)
        b2 = conv(f3, 3, "b2_3x3")(conv(r3, 1, "b2_reduce")(x))
        b3 = conv(f5, 5, "b3_5x5")(conv(r5, 1, "b3_reduce")(x))
        b4 = conv(fp, 1, "b4_proj")(pool(x, "max", 3, 1, "SAME"))
        return jnp.concatenate([b1, b2, b3, b4], axis=-1)


class AuxHead(nn.Module):
    num_classes: int
    width: float
    dtype: jnp.dtype = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        if x.shape[1] >= 5:
            x = nn.avg_pool(x, (5, 5), (3, 3))
        x = nn.relu(nn.Dense(max(8, int(128 * self.width)), dtype=self.dtype, name="proj_1x1")(x))
        x = x.reshape(x.shape[0], -1)
        x = nn.relu(nn.Dense(max(16, int(1024 * self.width)), dtype=self.dtype, name="fc1")(x))
        x = nn.Dropout(0.7, deterministic=not train)(x)
        return nn.Dense(self.num_classes, dtype=self.dtype, name="fc2")(x).astype(jnp.float32)


class GoogLeNet(nn.Module):
    num_classes: int = 10
    channels: int = 1
    width: float = 1.0
    stem_pool: bool = True
    aux_heads: bool = True
    dropout: float = 0.4
    dtype: jnp.dtype | None = None
    conv_impl: str = "auto"

    @nn.compact
    def __call__(self, x: jax.Array, train: bool = False):
        check_images(x, "GoogLeNet", channels=self.channels, min_size=16)
        dtype = self.dtype or jnp.float32
        scale = lambda fs: tuple(max(4, int(f * self.width)) for f in fs)
        x = nn.relu(Conv2D(max(8, int(192 * self.width)), 3, padding="SAME", dtype=dtype,
                           conv_impl=self.conv_impl, name="stem")(x))
        if self.stem_pool:
            x = pool(x, "max", 2, 2, "SAME")
        aux = []
        for name in INCEPTION:
            if name in ("4a", "5a"):
                x = pool(x, "max", 3, 2, "SAME")
            x = Inception(scale(INCEPTION[name]), dtype, self.conv_impl, name=f"inception_{name}")(x)
            if self.aux_heads and (train or self.is_initializing()) and name in ("4a", "4d"):
                aux.append(AuxHead(self.num_classes, self.width, dtype, name=f"aux_{name}")(x, train))
        x = jnp.mean(x, axis=(1, 2))
        x = nn.Dropout(self.dropout, deterministic=not train)(x)
        logits = nn.Dense(self.num_classes, dtype=dtype, name="fc")(x).astype(jnp.float32)
        return (logits, tuple(aux)) if train else logits


def auxiliary_classification_loss(apply_fn, *, aux_weight: float = 0.3, preprocess=images_to_float):
    """Cross-entropy of the main logits plus ``aux_weight`` times each auxiliary head's cross-entropy.

    A loss function for ``jaxzoo.core.train.make_train_step``; ``batch = {"x": images, "y": labels}``.
    """

    def loss_fn(params, model_state, batch, key):
        variables = {"params": params, **model_state}
        logits, aux = apply_fn(variables, preprocess(batch["x"]), train=True, rngs={"dropout": key})
        ce = lambda z: optax.softmax_cross_entropy_with_integer_labels(z, batch["y"]).mean()
        main = ce(logits)
        loss = main + aux_weight * sum(ce(a) for a in aux)
        accuracy = jnp.mean(jnp.argmax(logits, -1) == batch["y"])
        return loss, (model_state, {"main_loss": main, "accuracy": accuracy})

    return loss_fn
