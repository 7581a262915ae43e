"""BatchNorm in ResNet: batch statistics in training, running averages in evaluation, synced across devices."""

import chex
import jax
import numpy as np

from jaxzoo.vision.layers import Conv2D
from jaxzoo.vision.resnet import ResNet

KW = dict(stage_sizes=(1, 1), num_filters=4, num_classes=3, stem="cifar", conv_impl="xla")


def _setup(n=16, **kw):
    model = ResNet(**{**KW, **kw})
    x = jax.random.normal(jax.random.key(1), (n, 12, 12, 2)) * 2.0 + 0.5
    variables = jax.jit(model.init)(jax.random.key(0), x)
    return model, x, variables


def test_train_mode_uses_batch_statistics_and_updates_running_averages():
    model, x, v = _setup()
    train_apply = jax.jit(lambda v, x: model.apply(v, x, train=True, mutable=["batch_stats"]))
    out, new = train_apply(v, x)
    conv1 = Conv2D(4, 3, 1, ((1, 1), (1, 1)), use_bias=False, conv_impl="xla")
    h = conv1.apply({"params": v["params"]["conv1"]}, x)
    np.testing.assert_allclose(new["batch_stats"]["bn1"]["mean"], 0.1 * h.mean(axis=(0, 1, 2)), rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(new["batch_stats"]["bn1"]["var"], 0.9 + 0.1 * h.var(axis=(0, 1, 2)), rtol=1e-4)
    # training-mode outputs ignore the running averages; evaluation outputs depend on them
    shifted = jax.tree.map(lambda a: a + 3.0, v["batch_stats"])
    out2, _ = train_apply({"params": v["params"], "batch_stats": shifted}, x)
    chex.assert_trees_all_close(out, out2, atol=1e-5)
    eval_apply = jax.jit(model.apply)
    e1 = eval_apply(v, x)
    e2 = eval_apply({"params": v["params"], "batch_stats": shifted}, x)
    assert np.abs(np.asarray(e1) - np.asarray(e2)).max() > 1e-2
    assert np.abs(np.asarray(e1) - np.asarray(out)).max() > 1e-3  # eval != train on the same batch


def test_eval_mode_is_per_example():
    model, x, v = _setup()
    full = jax.jit(model.apply)(v, x)
    one = jax.jit(model.apply)(v, x[:1])
    chex.assert_trees_all_close(full[:1], one, atol=1e-5)


def test_batch_statistics_are_averaged_across_devices():
    n_dev = jax.local_device_count()
    assert n_dev == 8, "conftest sets 8 fake CPU devices"
    model, x, v = _setup(n=16)
    synced = ResNet(**KW, bn_axis_name="data")
    ref, ref_state = jax.jit(lambda v, x: model.apply(v, x, train=True, mutable=["batch_stats"]))(v, x)
    shards = x.reshape(n_dev, 16 // n_dev, *x.shape[1:])
    out, state = jax.pmap(lambda v, x: synced.apply(v, x, train=True, mutable=["batch_stats"]),
                          axis_name="data", in_axes=(None, 0))(v, shards)
    chex.assert_trees_all_close(out.reshape(ref.shape), ref, atol=1e-4)
    chex.assert_trees_all_close(jax.tree.map(lambda a: a[0], state), ref_state, atol=1e-5)
    # without syncing, each device normalises with its own 2 examples and the outputs differ
    unsynced, _ = jax.pmap(lambda v, x: model.apply(v, x, train=True, mutable=["batch_stats"]),
                           axis_name="data", in_axes=(None, 0))(v, shards)
    assert np.abs(np.asarray(unsynced).reshape(ref.shape) - np.asarray(ref)).max() > 1e-3
