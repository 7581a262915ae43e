"""Pretrain on one task, transfer to another: frozen backbone vs fine-tuning vs from scratch, across
amounts of labelled data (the study behind experiments/transfer_fashion.py)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import jax
import numpy as np
import optax

from jaxzoo.core.optim import make_optimizer
from jaxzoo.core.train import TrainState
from jaxzoo.vision.classify import create_state, load_images, train_classifier
from jaxzoo.vision.resnet import resnet
from jaxzoo.vision.transfer import MODES, partitioned_optimizer, replace_head, transfer_loss


def pretrain(arch: str, source: Mapping, test: Mapping, config: Mapping, run_dir: Path) -> TrainState:
    model = resnet(arch, num_classes=int(source["y"].max()) + 1, channels=source["x"].shape[-1])
    state, _ = train_classifier(model, source, test, config, run_dir)
    return state


def transfer(pretrained: TrainState, arch: str, mode: str, target: Mapping, test: Mapping, *, num_classes: int,
             steps: int, batch_size: int, optimizer: Mapping, seed: int = 0, run_dir: Path | None = None) -> float:
    """Train on ``target`` for about ``steps`` steps in ``mode``; return the test accuracy."""
    n = len(target["y"])
    batch = min(batch_size, n)
    # one pass over `copies` shuffled copies of a small labelled set = one epoch of ~`steps` steps,
    # so the test set is evaluated once, not after every few steps
    copies = max(1, math.ceil(steps * batch / n))
    target = {k: np.concatenate([v] * copies) for k, v in target.items()}
    epochs, total = 1, (n * copies) // batch
    model = resnet(arch, num_classes=num_classes, channels=target["x"].shape[-1])
    key = jax.random.key(seed)
    tx = make_optimizer(optimizer, total)
    if mode == "scratch":
        state = create_state(model, target["x"], tx, key)
    else:
        params = replace_head(pretrained.params, key, num_classes)
        tx = partitioned_optimizer(tx, params, mode)
        state = TrainState.create(apply_fn=model.apply, params=params, tx=tx, model_state=pretrained.model_state)
    config = {"epochs": epochs, "batch_size": batch, "seed": seed, "progress": False, "optimizer": optimizer}
    _, history = train_classifier(model, target, test, config, run_dir, state=state,
                                  loss_fn=lambda apply_fn: transfer_loss(apply_fn, mode))
    return float(history[-1]["val_accuracy"])


def transfer_study(arch: str, source_classes: Sequence[int], target_classes: Sequence[int],
                   amounts: Sequence[int], config: Mapping, run_dir: Path, dataset: str = "fashion_mnist") -> dict:
    """Accuracy on the target classes' test set for every (mode, labelled amount): ``{mode: [acc, ...]}``."""
    source = load_images(dataset, "train", classes=tuple(source_classes), limit=config["pretrain_limit"])
    source_test = load_images(dataset, "test", classes=tuple(source_classes))
    pre_cfg = {"epochs": config["pretrain_epochs"], "batch_size": config["batch_size"], "seed": config["seed"],
               "progress": config["progress"], "optimizer": config["optimizer"]}
    pretrained = pretrain(arch, source, source_test, pre_cfg, Path(run_dir) / "pretrain")
    target_all = load_images(dataset, "train", classes=tuple(target_classes))
    target_test = load_images(dataset, "test", classes=tuple(target_classes))
    results = {mode: [] for mode in MODES}
    rng = np.random.default_rng(config["seed"])
    for amount in amounts:
        idx = rng.permutation(len(target_all["y"]))[:amount]
        target = {k: v[idx] for k, v in target_all.items()}
        for mode in MODES:
            acc = transfer(pretrained, arch, mode, target, target_test, num_classes=len(target_classes),
                           steps=config["steps"], batch_size=config["batch_size"], optimizer=config["optimizer"],
                           seed=config["seed"])
            results[mode].append(acc)
            print(f"transfer: {mode:8s} {amount:6d} labelled -> test accuracy {acc:.4f}", flush=True)
    return results


def count_frozen(tx: optax.GradientTransformation, params) -> int:
    """How many parameters an optimizer leaves untouched (their update is exactly zero for a unit gradient)."""
    grads = jax.tree.map(lambda p: np.ones_like(p), params)
    updates, _ = tx.update(grads, tx.init(params), params)
    return int(sum(np.sum(np.asarray(u) == 0) for u in jax.tree.leaves(updates)))
