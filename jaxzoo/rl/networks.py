"""Flax Linen networks for the deep RL agents: MLP torso, actor, critic, actor-critic and (dueling) Q-network."""

from __future__ import annotations

from collections.abc import Sequence

import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from jaxzoo.core.initializers import orthogonal

ACTIVATIONS = {"tanh": nn.tanh, "relu": nn.relu, "gelu": nn.gelu, "elu": nn.elu}
INITS = ("orthogonal", "normal")


def kernel_init(scale: float, kind: str = "orthogonal"):
    """``orthogonal``: orthogonal matrices times ``scale``; ``normal``: Gaussian entries of the same variance
    (scale^2 / fan_in). Both train the agents here alike; ``normal`` compiles much faster, because each
    orthogonal draw is a Gram-Schmidt loop of its own in the compiled graph."""
    if kind == "orthogonal":
        return orthogonal(scale)
    if kind == "normal":
        return nn.initializers.variance_scaling(scale ** 2, "fan_in", "normal")
    raise ValueError(f"unknown initialiser {kind!r}; choose one of {', '.join(INITS)}")


def activation(name: str):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


class MLP(nn.Module):
    """Flattens the observation, then Dense + activation per hidden width (gain sqrt(2), zero bias).

    The orthogonal initialiser is jaxzoo's LAPACK-free one (``jaxzoo.core.initializers``), which keeps
    ``jit(vmap(train))`` over many seeds from deadlocking XLA's CPU thread pool."""

    hidden: Sequence[int] = (64, 64)
    act: str = "tanh"
    obs_ndim: int = 1
    initializer: str = "orthogonal"

    @nn.compact
    def __call__(self, x):
        x = x.reshape(x.shape[: -self.obs_ndim] + (-1,)) if self.obs_ndim > 1 else x
        for width in self.hidden:
            x = activation(self.act)(nn.Dense(width, kernel_init=kernel_init(np.sqrt(2), self.initializer))(x))
        return x


def _head(n: int, scale: float, init: str):
    return nn.Dense(n, kernel_init=kernel_init(scale, init))


class Actor(nn.Module):
    """Categorical policy logits."""

    num_actions: int
    hidden: Sequence[int] = (64, 64)
    act: str = "tanh"
    obs_ndim: int = 1
    initializer: str = "orthogonal"

    @nn.compact
    def __call__(self, obs):
        h = MLP(self.hidden, self.act, self.obs_ndim, self.initializer)(obs)
        return _head(self.num_actions, 0.01, self.initializer)(h)


class Critic(nn.Module):
    """State value V(s)."""

    hidden: Sequence[int] = (64, 64)
    act: str = "tanh"
    obs_ndim: int = 1
    initializer: str = "orthogonal"

    @nn.compact
    def __call__(self, obs):
        return _head(1, 1.0, self.initializer)(MLP(self.hidden, self.act, self.obs_ndim, self.initializer)(obs))[..., 0]


class ActorCritic(nn.Module):
    """Separate actor and critic torsos; returns (logits, value)."""

    num_actions: int
    hidden: Sequence[int] = (64, 64)
    act: str = "tanh"
    obs_ndim: int = 1
    initializer: str = "orthogonal"

    def setup(self):
        self.actor = Actor(self.num_actions, self.hidden, self.act, self.obs_ndim, self.initializer)
        self.critic = Critic(self.hidden, self.act, self.obs_ndim, self.initializer)

    def __call__(self, obs):
        return self.actor(obs), self.critic(obs)

    def value(self, obs):
        return self.critic(obs)

    def logits(self, obs):
        return self.actor(obs)


class QNetwork(nn.Module):
    """Q(s, a) for every action; ``dueling`` splits into V(s) + A(s, a) - mean_a A(s, a)."""

    num_actions: int
    hidden: Sequence[int] = (64, 64)
    act: str = "relu"
    dueling: bool = False
    obs_ndim: int = 1
    initializer: str = "orthogonal"

    @nn.compact
    def __call__(self, obs):
        h = MLP(self.hidden, self.act, self.obs_ndim, self.initializer)(obs)
        if not self.dueling:
            return _head(self.num_actions, 1.0, self.initializer)(h)
        adv = _head(self.num_actions, 1.0, self.initializer)(h)
        value = _head(1, 1.0, self.initializer)(h)
        return value + adv - adv.mean(axis=-1, keepdims=True)


def log_softmax_pick(logits, action):
    """log pi(action) from logits (last axis) and integer actions."""
    logp = logits - jnp.max(logits, -1, keepdims=True)
    logp = logp - jnp.log(jnp.sum(jnp.exp(logp), -1, keepdims=True))
    return jnp.take_along_axis(logp, action[..., None], -1)[..., 0], logp


def entropy_from_logp(logp):
    return -jnp.sum(jnp.exp(logp) * logp, -1)
