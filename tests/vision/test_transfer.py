"""Freezing with partitioned optax optimizers, new heads, and frozen-mode BatchNorm behaviour."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jaxzoo.core.train import TrainState, make_train_step
from jaxzoo.vision.resnet import ResNet
from jaxzoo.vision.transfer import partitioned_optimizer, replace_head, trainable_labels, transfer_loss
from jaxzoo.vision.transfer_study import count_frozen

MODEL = ResNet(stage_sizes=(1,), num_filters=4, num_classes=3, stem="cifar", conv_impl="xla")


@pytest.fixture(scope="module")
def setup():
    x = jax.random.normal(jax.random.key(1), (8, 10, 10, 1))
    variables = jax.jit(MODEL.init)(jax.random.key(0), x)
    return x, variables


def test_labels_and_frozen_count(setup):
    _, v = setup
    labels = trainable_labels(v["params"])
    assert labels["fc"] == {"kernel": "trainable", "bias": "trainable"}
    assert set(jax.tree.leaves(labels)) == {"trainable", "frozen"}
    tx = partitioned_optimizer(optax.sgd(0.1), v["params"], "frozen")
    head = v["params"]["fc"]["kernel"].size + v["params"]["fc"]["bias"].size
    total = sum(p.size for p in jax.tree.leaves(v["params"]))
    assert count_frozen(tx, v["params"]) == total - head
    assert count_frozen(partitioned_optimizer(optax.sgd(0.1), v["params"], "finetune"), v["params"]) == 0


def test_frozen_training_changes_only_the_head_and_keeps_batch_stats(setup):
    x, v = setup
    params = replace_head(v["params"], jax.random.key(2), 5)
    chex.assert_shape(params["fc"]["kernel"], (v["params"]["fc"]["kernel"].shape[0], 5))
    model = MODEL.clone(num_classes=5)
    state = TrainState.create(apply_fn=model.apply, params=params,
                              tx=partitioned_optimizer(optax.adam(1e-2), params, "frozen"),
                              model_state={"batch_stats": v["batch_stats"]})
    batch = {"x": x, "y": jnp.arange(8) % 5}
    step = jax.jit(make_train_step(transfer_loss(model.apply, "frozen")))
    new, _ = step(state, batch, jax.random.key(3))
    changed = jax.tree.map(lambda a, b: bool(np.any(np.asarray(a) != np.asarray(b))), params, new.params)
    assert changed.pop("fc") == {"kernel": True, "bias": True}
    assert not any(jax.tree.leaves(changed))
    chex.assert_trees_all_equal(new.model_state, state.model_state)
    # fine-tuning moves the backbone and the running statistics too
    state_ft = state.replace(tx=optax.adam(1e-2), opt_state=optax.adam(1e-2).init(params))
    ft, _ = jax.jit(make_train_step(transfer_loss(model.apply, "finetune")))(state_ft, batch, jax.random.key(3))
    assert np.any(np.asarray(ft.params["conv1"]["kernel"]) != np.asarray(params["conv1"]["kernel"]))
    assert np.any(np.asarray(ft.model_state["batch_stats"]["bn1"]["mean"])
                  != np.asarray(state.model_state["batch_stats"]["bn1"]["mean"]))


def test_bad_mode_and_head():
    with pytest.raises(ValueError, match="transfer mode must be one of"):
        partitioned_optimizer(optax.sgd(0.1), {}, "partial")
    with pytest.raises(ValueError, match="no dense head 'head'"):
        replace_head({"fc": {"kernel": jnp.ones((2, 2))}}, jax.random.key(0), 3, head="head")
