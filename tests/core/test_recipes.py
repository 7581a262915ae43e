"""train_classifier rejects inputs the model cannot take and labels beyond its outputs, before training."""

import jax
import ml_collections
import numpy as np
import pytest

from jaxzoo.core.recipes import train_classifier
from jaxzoo.vision.mlp import MLP

CONFIG = ml_collections.ConfigDict({"epochs": 1, "batch_size": 8, "progress": False, "data_parallel": False,
                                    "optimizer": {"name": "adam", "lr": 1e-3}})


def _params(shape):
    model = MLP(hidden=(8,), num_classes=3)
    return model, model.init(jax.random.key(0), np.zeros((1, *shape), np.float32))["params"]


def test_wrongly_shaped_inputs_name_the_shape():
    model, params = _params((4,))
    data = {"x": np.zeros((16, 5), np.float32), "y": np.zeros(16, np.int32)}
    with pytest.raises(ValueError, match=r"cannot take inputs of shape \(5,\)"):
        train_classifier(model.apply, params, data, CONFIG)


def test_labels_out_of_range_are_rejected():
    model, params = _params((4,))
    data = {"x": np.zeros((16, 4), np.float32), "y": np.arange(16, dtype=np.int32) % 5}
    msg = r"labels must lie in 0..2 \(the model has 3 outputs\), got values from 0 to 4"
    with pytest.raises(ValueError, match=msg):
        train_classifier(model.apply, params, data, CONFIG)


def test_float_labels_are_rejected():
    model, params = _params((4,))
    data = {"x": np.zeros((16, 4), np.float32), "y": np.zeros(16, np.float32)}
    with pytest.raises(ValueError, match="1-D integer array"):
        train_classifier(model.apply, params, data, CONFIG)
