"""A PyTorch ResNet's state_dict (torchvision names) loads into jaxzoo's ResNet with the same logits."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed: pip install torch==2.13.0 (CPU build)")

from torch_resnet import Bottleneck, TorchResNet, randomise_batchnorm  # noqa: E402

from jaxzoo.vision.resnet import ResNet, ResNet34  # noqa: E402
from jaxzoo.vision.resnet_import import load_torch_resnet, torch_name_to_jax  # noqa: E402


def _logits_both(torch_model, jax_model, x):
    torch_model = randomise_batchnorm(torch_model).eval()
    variables = jax.jit(jax_model.init)(jax.random.key(0), jnp.asarray(x))
    variables = load_torch_resnet(torch_model.state_dict(), variables)
    ours = np.asarray(jax.jit(jax_model.apply)(variables, jnp.asarray(x)))
    with torch.no_grad():
        theirs = torch_model(torch.from_numpy(x.transpose(0, 3, 1, 2))).numpy()
    return ours, theirs


def test_resnet34_logits_match_pytorch():
    torch.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(2, 40, 40, 3)).astype(np.float32)
    ours, theirs = _logits_both(TorchResNet(), ResNet34(num_classes=1000), x)
    assert ours.shape == theirs.shape == (2, 1000)
    np.testing.assert_allclose(ours, theirs, atol=1e-4)
    assert np.abs(theirs).max() > 1e-2  # the comparison is not between two near-zero outputs


def test_bottleneck_resnet_logits_match_pytorch():
    torch.manual_seed(1)
    x = np.random.default_rng(1).normal(size=(2, 32, 32, 3)).astype(np.float32)
    theirs_model = TorchResNet(layers=(1, 1, 1, 1), block=Bottleneck, num_classes=7, width=8)
    ours, theirs = _logits_both(theirs_model, ResNet((1, 1, 1, 1), "bottleneck", 8, num_classes=7), x)
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_name_mapping():
    assert torch_name_to_jax("layer2.0.downsample.1.running_var") == ("batch_stats", "layer2_0", "downsample_bn",
                                                                      "var")
    assert torch_name_to_jax("layer1.1.conv2.weight") == ("params", "layer1_1", "conv2", "kernel")
    assert torch_name_to_jax("bn1.weight") == ("params", "bn1", "scale")
    assert torch_name_to_jax("fc.bias") == ("params", "fc", "bias")
    assert torch_name_to_jax("bn1.num_batches_tracked") is None


def test_missing_unexpected_and_mismatched_tensors_are_each_named():
    torch_model = TorchResNet(layers=(1, 1, 1, 1), num_classes=4, width=4, in_channels=1)
    model = ResNet((1, 1, 1, 1), num_filters=4, num_classes=5)
    variables = jax.jit(model.init)(jax.random.key(0), jnp.zeros((1, 32, 32, 1)))
    sd = dict(torch_model.state_dict())
    del sd["layer1.0.bn2.running_mean"]
    sd["head.weight"] = torch.zeros(3, 3)
    with pytest.raises(ValueError) as err:
        load_torch_resnet(sd, variables)
    msg = str(err.value)
    assert "shape mismatch for 'fc.weight'" in msg and "expects (32, 5)" in msg
    assert "shape mismatch for 'fc.bias'" in msg
    assert "unexpected tensor 'head.weight'" in msg
    assert "missing tensor for jaxzoo batch_stats/layer1_0/bn2/mean" in msg
    assert "4 problem(s)" in msg
