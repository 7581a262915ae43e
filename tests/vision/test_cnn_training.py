"""LeNet-5 learns MNIST on a small budget; GoogLeNet's loss weighs its auxiliary heads as stated."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jaxzoo.vision.classify import load_images, predict, train_classifier
from jaxzoo.vision.googlenet import GoogLeNet, auxiliary_classification_loss
from jaxzoo.vision.lenet import LeNet5
from jaxzoo.vision.zoo import random_crop_flip


@pytest.mark.slow
def test_lenet5_reaches_96_percent_on_an_mnist_subset(data_dir):
    train = load_images("mnist", "train", limit=8000, seed=0)
    test = load_images("mnist", "test", limit=2000, seed=1)
    config = {"epochs": 4, "batch_size": 64, "seed": 0, "progress": False, "data_parallel": False,
              "optimizer": {"name": "adam", "lr": 2e-3, "schedule": "cosine"}}
    state, history = train_classifier(LeNet5(variant="modern"), train, test, config)
    accuracy = float(np.mean(predict(state, test["x"]).argmax(-1) == test["y"]))
    assert accuracy >= 0.96, f"LeNet-5 reached only {accuracy:.4f} on 2,000 MNIST test digits"
    assert history[-1]["val_accuracy"] == pytest.approx(accuracy, abs=1e-4)
    assert history[0]["train_loss"] > history[-1]["train_loss"]


def test_googlenet_loss_adds_weighted_auxiliary_losses():
    model = GoogLeNet(width=0.0625, conv_impl="xla")
    x = jax.random.uniform(jax.random.key(0), (4, 16, 16, 1))
    y = jnp.array([0, 3, 7, 9])
    variables = jax.jit(model.init)(jax.random.key(1), x)
    loss_fn = auxiliary_classification_loss(model.apply, aux_weight=0.3)
    key = jax.random.key(2)
    # one compiled call gives the loss, its parts and the gradients (GoogLeNet is slow to compile)
    (loss, (_, metrics)), grads = jax.jit(jax.value_and_grad(loss_fn, has_aux=True))(
        variables["params"], {}, {"x": x, "y": y}, key)
    logits, aux = jax.jit(lambda v: model.apply(v, x, train=True, rngs={"dropout": key}))(variables)
    ce = lambda z: optax.softmax_cross_entropy_with_integer_labels(z, y).mean()
    np.testing.assert_allclose(metrics["main_loss"], ce(logits), rtol=1e-5)
    np.testing.assert_allclose(loss, ce(logits) + 0.3 * (ce(aux[0]) + ce(aux[1])), rtol=1e-5)
    assert float(jnp.abs(grads["aux_4a"]["fc2"]["kernel"]).sum()) > 0  # the aux heads are trained


def test_random_crop_flip_moves_pixels_but_keeps_shape_and_values():
    x = jnp.arange(2 * 6 * 6, dtype=jnp.float32).reshape(2, 6, 6, 1)
    out = random_crop_flip(jax.random.key(0), x, pad=1)
    assert out.shape == x.shape
    assert set(np.unique(np.asarray(out))) <= set(np.unique(np.asarray(x))) | {0.0}
    outs = [np.asarray(random_crop_flip(jax.random.key(i), x, pad=1)) for i in range(6)]
    assert any(not np.array_equal(o, outs[0]) for o in outs[1:])
