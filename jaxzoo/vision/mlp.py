"""Multi-layer perceptrons in Flax, the same network written three ways.

- ``MLP``            ``@nn.compact`` (the counterpart of Keras' subclassing API)
- ``MLPSetup``       explicit ``setup`` (the counterpart of Keras' functional API: layers built, then wired)
- ``mlp_sequential`` ``nn.Sequential`` (the counterpart of Keras' Sequential API; no dropout)

Given the same parameter leaves, the three give identical outputs (see tests/vision/test_mlp.py).
Inputs of any shape ``(N, ...)`` are flattened to ``(N, features)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import flax.linen as nn
import jax.numpy as jnp


def _flatten(x: jnp.ndarray) -> jnp.ndarray:
    return x.reshape((x.shape[0], -1))


class MLP(nn.Module):
    hidden: Sequence[int] = (512, 256)
    num_classes: int = 10
    dropout: float = 0.0

    @nn.compact
    def __call__(self, x, *, train: bool = False):
        x = _flatten(x)
        for width in self.hidden:
            x = nn.relu(nn.Dense(width)(x))
            if self.dropout:
                x = nn.Dropout(self.dropout, deterministic=not train)(x)
        return nn.Dense(self.num_classes)(x)


class MLPSetup(nn.Module):
    hidden: Sequence[int] = (512, 256)
    num_classes: int = 10
    dropout: float = 0.0

    def setup(self):
        self.hidden_layers = [nn.Dense(w) for w in self.hidden]
        self.output = nn.Dense(self.num_classes)
        self.drop = nn.Dropout(self.dropout)

    def __call__(self, x, *, train: bool = False):
        x = _flatten(x)
        for layer in self.hidden_layers:
            x = nn.relu(layer(x))
            if self.dropout:
                x = self.drop(x, deterministic=not train)
        return self.output(x)


class _Sequential(nn.Sequential):
    """``nn.Sequential`` that accepts (and ignores) the ``train`` flag the engine passes."""

    def __call__(self, x, *, train: bool = False):
        return super().__call__(x)


def mlp_sequential(hidden: Sequence[int] = (512, 256), num_classes: int = 10) -> nn.Module:
    layers = [_flatten]
    for width in hidden:
        layers += [nn.Dense(width), nn.relu]
    return _Sequential([*layers, nn.Dense(num_classes)])
