"""Shapes, input checks, conv lowering and dtype of LeNet-5, AlexNet, GoogLeNet and ResNet."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxzoo.vision.alexnet import AlexNet, local_response_norm
from jaxzoo.vision.googlenet import GoogLeNet
from jaxzoo.vision.layers import Conv2D, check_labels, im2col_conv, pool, resolve_conv_impl, toeplitz_conv
from jaxzoo.vision.lenet import LeNet5
from jaxzoo.vision.resnet import ResNet, cifar_resnet, resnet

KEY = jax.random.key(0)


def _init_apply(model, x):
    """Shapes only (jax.eval_shape): nothing is compiled or computed."""
    v = jax.eval_shape(model.init, {"params": KEY, "dropout": KEY}, x)
    return v, jax.eval_shape(model.apply, v, x)


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_lenet_shapes_and_feature_maps(variant):
    model = LeNet5(variant=variant, num_classes=7)
    x = jnp.ones((3, 28, 28, 1))
    v, logits = _init_apply(model, x)
    chex.assert_shape(logits, (3, 7))
    chex.assert_shape(v["params"]["conv1"]["kernel"], (5, 5, 1, 6))
    chex.assert_shape(v["params"]["fc1"]["kernel"], (400, 120))  # 16 x 5 x 5 after two subsamplings
    _, maps = jax.eval_shape(lambda v, x: model.apply(v, x, return_features=True), v, x)
    chex.assert_shape([maps["conv1"], maps["conv2"]], [(3, 28, 28, 6), (3, 10, 10, 16)])


def test_alexnet_and_googlenet_shapes():
    x = jnp.ones((2, 28, 28, 1))
    _, logits = _init_apply(AlexNet(width=0.125, dense=32, lrn=True), x)
    chex.assert_shape(logits, (2, 10))
    g = GoogLeNet(width=0.0625)
    v, logits = _init_apply(g, x)
    chex.assert_shape(logits, (2, 10))
    main, aux = jax.eval_shape(lambda v, x: g.apply(v, x, train=True, rngs={"dropout": KEY}), v, x)
    chex.assert_shape([main, *aux], [(2, 10)] * 3)
    assert len(aux) == 2 and "aux_4a" in v["params"] and "aux_4d" in v["params"]


@pytest.mark.parametrize("name,size,filters", [("resnet18", 32, 64), ("resnet50", 32, 256),
                                               ("preact_resnet18", 32, 64), ("cifar_resnet8", 28, 64),
                                               ("cifar_preact_resnet8", 28, 64)])
def test_resnet_shapes(name, size, filters):
    kw = {"num_filters": 8} if not name.startswith("cifar") else {}
    model = resnet(name, num_classes=5, **kw)
    x = jnp.ones((2, size, size, 3))
    v = jax.eval_shape(model.init, KEY, x)
    logits, feats = jax.eval_shape(lambda v, x: model.apply(v, x, return_features=True), v, x)
    chex.assert_shape(logits, (2, 5))
    chex.assert_shape(feats, (2, filters))  # 8 filters doubled over 4 stages (x4 for bottlenecks)
    assert "batch_stats" in v


def test_im2col_matches_xla_convolution():
    x = jax.random.normal(KEY, (2, 9, 11, 3))
    k = jax.random.normal(jax.random.key(1), (3, 3, 3, 5))
    k1 = jax.random.normal(jax.random.key(2), (1, 1, 3, 4))
    cases = [((1, 1), ((1, 1), (1, 1)), k), ((2, 2), ((1, 1), (1, 1)), k), ((2, 1), ((0, 2), (1, 0)), k),
             ((3, 2), ((2, 0), (0, 0)), k), ((1, 1), ((0, 0), (0, 0)), k1), ((2, 2), ((0, 0), (0, 0)), k1)]
    for strides, pad, kern in cases:
        xla = lambda x, kern: jax.lax.conv_general_dilated(x, kern, strides, pad,
                                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))
        ref, ref_vjp = jax.vjp(xla, x, kern)
        dy = jax.random.normal(jax.random.key(3), ref.shape)
        for conv in (im2col_conv, toeplitz_conv):
            out, vjp = jax.vjp(lambda x, kern: conv(x, kern, strides, pad), x, kern)
            chex.assert_trees_all_close(out, ref, atol=1e-5)
            chex.assert_trees_all_close(vjp(dy), ref_vjp(dy), atol=1e-4)  # w.r.t. the input and the kernel
    for shape, strides in [((2, 1, 1, 3), (1, 1)), ((2, 2, 2, 3), (2, 2)), ((2, 2, 3, 3), (1, 1))]:
        tiny = jax.random.normal(KEY, shape)  # maps where some taps see only padding and are skipped
        xla = lambda x, kern: jax.lax.conv_general_dilated(x, kern, strides, ((1, 1), (1, 1)),
                                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))
        ref, ref_vjp = jax.vjp(xla, tiny, k)
        out, vjp = jax.vjp(lambda x, kern: im2col_conv(x, kern, strides, ((1, 1), (1, 1))), tiny, k)
        chex.assert_trees_all_close(out, ref, atol=1e-5)
        dy = jax.random.normal(jax.random.key(4), ref.shape)
        chex.assert_trees_all_close(vjp(dy), ref_vjp(dy), atol=1e-4)
    # second order, as a gradient penalty needs: d/dk |d/dx sum(tanh(conv(x, k)))|^2
    conv = lambda f: lambda k: jnp.sum(jax.grad(lambda x: jnp.sum(jnp.tanh(f(x, k))))(x) ** 2)
    strides, pad = (2, 1), ((1, 1), (0, 1))
    penalty_i2c = conv(lambda x, k: im2col_conv(x, k, strides, pad))
    penalty_xla = conv(lambda x, k: jax.lax.conv_general_dilated(x, k, strides, pad,
                                                                 dimension_numbers=("NHWC", "HWIO", "NHWC")))
    penalty_rows = conv(lambda x, k: toeplitz_conv(x, k, strides, pad))
    for penalty in (penalty_i2c, penalty_rows):
        chex.assert_trees_all_close(jax.grad(penalty)(k * 0.3), jax.grad(penalty_xla)(k * 0.3), rtol=1e-4,
                                    atol=1e-3)
    a, b = Conv2D(4, 5, 2, conv_impl="im2col"), Conv2D(4, 5, 2, conv_impl="xla")
    v = a.init(KEY, x)
    chex.assert_trees_all_close(a.apply(v, x), b.apply(v, x), atol=1e-5)
    ga = jax.grad(lambda p: a.apply({"params": p}, x).sum())(v["params"])
    gb = jax.grad(lambda p: b.apply({"params": p}, x).sum())(v["params"])
    chex.assert_trees_all_close(ga, gb, atol=1e-4)


def test_auto_lowering_on_cpu_picks_rows_for_narrow_wide_kernels():
    if jax.default_backend() != "cpu":
        assert resolve_conv_impl("auto", (5, 5, 1, 6)) == "xla"
        return
    assert resolve_conv_impl("auto", (5, 5, 1, 6), width=32) == "toeplitz"  # LeNet-5's layers
    assert resolve_conv_impl("auto", (5, 5, 6, 16), width=14) == "toeplitz"
    assert resolve_conv_impl("auto", (5, 5, 1, 6), width=512) == "im2col"  # the banded matrix would be huge
    assert resolve_conv_impl("auto", (3, 3, 16, 16), width=30) == "im2col"  # ResNet's
    assert resolve_conv_impl("auto", (5, 5, 32, 64), width=14) == "im2col"
    assert resolve_conv_impl("auto", (7, 7, 1, 64), (2, 2), width=34) == "im2col"  # ResNet-18's strided stem
    assert resolve_conv_impl("xla", (5, 5, 1, 6)) == "xla"


def test_pooling_reshape_path_matches_reduce_window():
    x = jax.random.normal(KEY, (2, 8, 8, 3))
    import flax.linen as nn
    chex.assert_trees_all_close(pool(x, "max", 2), nn.max_pool(x, (2, 2), (2, 2)))
    chex.assert_trees_all_close(pool(x, "avg", 2), nn.avg_pool(x, (2, 2), (2, 2)), atol=1e-6)


def test_overlapping_max_pool_matches_reduce_window_and_its_gradient():
    import flax.linen as nn
    x = jax.random.normal(KEY, (2, 9, 8, 3)).at[0, 1:4, 1:4, 0].set(0.5)  # ties: one element gets the gradient
    dy_key = jax.random.key(5)
    for window, stride, padding in [(3, 2, 1), (3, 1, "SAME"), (3, 2, "SAME"), (3, 2, "VALID"), (2, 2, "SAME")]:
        pads = padding if isinstance(padding, str) else ((padding, padding), (padding, padding))
        ref, ref_vjp = jax.vjp(lambda x: nn.max_pool(x, (window, window), (stride, stride), pads), x)
        out, vjp = jax.vjp(lambda x: pool(x, "max", window, stride, padding), x)
        chex.assert_trees_all_close(out, ref)
        dy = jax.random.normal(dy_key, ref.shape)
        chex.assert_trees_all_close(vjp(dy), ref_vjp(dy), atol=1e-5)


def test_lrn_matches_torch_formula():
    x = jax.random.normal(KEY, (1, 2, 2, 7))
    out = np.asarray(local_response_norm(x, size=5, alpha=1e-2, beta=0.75, k=2.0))
    xs = np.asarray(x)
    for c in range(7):
        window = (xs[..., max(0, c - 2): c + 3] ** 2).sum(-1)
        np.testing.assert_allclose(out[..., c], xs[..., c] / (2.0 + 1e-2 / 5 * window) ** 0.75, rtol=1e-5)


def test_bfloat16_compute_keeps_float32_params():
    model = ResNet(stage_sizes=(1,), num_filters=8, num_classes=3, stem="cifar", dtype=jnp.bfloat16,
                   conv_impl="xla")
    x = jax.random.normal(KEY, (2, 12, 12, 1))
    v = model.init(KEY, x)
    assert all(p.dtype == jnp.float32 for p in jax.tree.leaves(v["params"]))
    out = model.apply(v, x)
    assert out.dtype == jnp.float32
    chex.assert_tree_all_finite(out)
    ref = ResNet(stage_sizes=(1,), num_filters=8, num_classes=3, stem="cifar", conv_impl="xla").apply(v, x)
    chex.assert_trees_all_close(out, ref, atol=0.1)


@pytest.mark.parametrize("model,shape,expected", [
    (LeNet5(), (28, 28, 1), r"LeNet5 expects images of shape \(batch, H, W \(each >= 28\), 1\)"),
    (LeNet5(), (2, 28, 28, 3), r"\(batch, H, W \(each >= 28\), 1\) \(NHWC\), got shape \(2, 28, 28, 3\)"),
    (LeNet5(), (2, 14, 14, 1), r"got shape \(2, 14, 14, 1\)"),
    (AlexNet(), (2, 1, 28, 28), r"AlexNet expects images of shape \(batch, H, W \(each >= 24\), 1\)"),
    (GoogLeNet(width=0.1), (2, 8, 8, 1), r"GoogLeNet expects"),
    (ResNet(channels=3), (2, 32, 32, 1), r"ResNet expects images of shape \(batch, H, W \(each >= 8\), 3\)"),
])
def test_bad_images_name_the_expected_shape(model, shape, expected):
    with pytest.raises(ValueError, match=expected):
        jax.eval_shape(model.init, KEY, jnp.zeros(shape))


def test_bad_options_and_labels():
    with pytest.raises(ValueError, match="variant must be one of"):
        jax.eval_shape(LeNet5(variant="relu").init, KEY, jnp.zeros((1, 28, 28, 1)))
    with pytest.raises(ValueError, match="conv_impl must be one of"):
        jax.eval_shape(Conv2D(2, conv_impl="fft").init, KEY, jnp.zeros((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="depth must be 6n"):
        cifar_resnet(21)
    with pytest.raises(ValueError, match="unknown ResNet 'resnet19'"):
        resnet("resnet19")
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\); found \[10, 12\]"):
        check_labels(np.array([0, 10, 12, 3]), 10)
    with pytest.raises(ValueError, match="1-D integer array"):
        check_labels(np.array([0.5, 1.0]), 10)
