"""Load a PyTorch / torchvision ResNet ``state_dict`` into jaxzoo ResNet variables.

torchvision names (``layer1.0.conv1.weight``, ``layer2.0.downsample.0.weight``, ``bn1.running_mean``,
``fc.weight``) map onto jaxzoo's (``params/layer1_0/conv1/kernel``, ``.../downsample_conv/kernel``,
``batch_stats/bn1/mean``, ``params/fc/kernel``); convolution kernels go from OIHW to HWIO and dense
weights are transposed. Every missing, unexpected or mis-shaped tensor is named in one error.

Usage with torchvision's ImageNet weights::

    sd = torchvision.models.resnet34(weights="IMAGENET1K_V1").state_dict()
    model = ResNet34(num_classes=1000)
    variables = model.init(jax.random.key(0), jnp.zeros((1, 224, 224, 3)))
    variables = load_torch_resnet(sd, variables)
"""

from __future__ import annotations

import re

import numpy as np
from flax import traverse_util

_BN = {"weight": ("params", "scale"), "bias": ("params", "bias"), "running_mean": ("batch_stats", "mean"),
       "running_var": ("batch_stats", "var")}


def _to_numpy(t) -> np.ndarray:
    if hasattr(t, "detach"):
        t = t.detach().cpu().numpy()
    return np.asarray(t, dtype=np.float32)


def torch_name_to_jax(name: str) -> tuple[str, ...] | None:
    """``layer1.0.bn2.running_var`` -> ``("batch_stats", "layer1_0", "bn2", "var")``; None if ignored."""
    parts = name.split(".")
    if parts[-1] == "num_batches_tracked":
        return None
    if len(parts) >= 3 and re.fullmatch(r"layer\d+", parts[0]) and parts[1].isdigit():
        parts = [f"{parts[0]}_{parts[1]}", *parts[2:]]
    if len(parts) >= 3 and parts[-3] == "downsample":  # downsample.0 = conv, downsample.1 = bn
        parts = [*parts[:-3], "downsample_conv" if parts[-2] == "0" else "downsample_bn", parts[-1]]
    *path, leaf = parts
    layer = path[-1] if path else ""
    if layer.startswith(("bn", "downsample_bn", "final_bn")):
        if leaf not in _BN:
            return ("params", *path, leaf)
        collection, jax_leaf = _BN[leaf]
        return (collection, *path, jax_leaf)
    if leaf == "weight":
        return ("params", *path, "kernel")
    return ("params", *path, leaf)


def _convert(value: np.ndarray, target_shape: tuple) -> np.ndarray:
    if value.ndim == 4:  # OIHW -> HWIO
        value = value.transpose(2, 3, 1, 0)
    elif value.ndim == 2:  # (out, in) -> (in, out)
        value = value.T
    return value


def load_torch_resnet(state_dict, variables: dict) -> dict:
    """Return a copy of ``variables`` (``{"params", "batch_stats"}``) filled from a torch ``state_dict``."""
    flat = traverse_util.flatten_dict({k: v for k, v in variables.items()})
    new, problems, seen = dict(flat), [], set()
    for name, tensor in state_dict.items():
        key = torch_name_to_jax(name)
        if key is None:
            continue
        if key not in flat:
            problems.append(f"unexpected tensor {name!r} (no jaxzoo parameter {'/'.join(key)})")
            continue
        value = _convert(_to_numpy(tensor), flat[key].shape)
        seen.add(key)
        if value.shape != tuple(flat[key].shape):
            problems.append(f"shape mismatch for {name!r}: torch {tuple(_to_numpy(tensor).shape)} gives "
                            f"{value.shape}, jaxzoo {'/'.join(key)} expects {tuple(flat[key].shape)}")
            continue
        new[key] = value.astype(np.asarray(flat[key]).dtype)
    for key in flat:
        if key not in seen:
            problems.append(f"missing tensor for jaxzoo {'/'.join(key)}")
    if problems:
        raise ValueError(f"cannot load the state_dict ({len(problems)} problem(s)):\n  " + "\n  ".join(problems))
    return traverse_util.unflatten_dict(new)
