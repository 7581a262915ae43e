"""fit: learning, checkpoints and resume, corrupted checkpoints, NaN losses, early stopping, bad input."""

import json

import chex
import jax
import jax.numpy as jnp
import pytest
from fit_setup import digits_state

from jaxzoo.core import TrainingDivergedError, fit, make_train_step
from jaxzoo.core.checkpoint import Checkpointer

CFG = {"batch_size": 32, "seed": 0, "progress": False, "data_parallel": False}


def _fit(epochs=4, run_dir=None, **cfg):
    state, loss_fn, train, evald = digits_state(epochs=4)
    return fit(state, train, make_train_step(loss_fn), config={**CFG, "epochs": epochs, **cfg}, run_dir=run_dir,
               eval_data=evald)


def test_fit_learns_digits_and_writes_metrics(tmp_path):
    state, history = _fit(epochs=4, run_dir=tmp_path)
    assert [h["epoch"] for h in history] == [1, 2, 3, 4]
    assert history[-1]["val_accuracy"] >= 0.92, history[-1]  # chance is 0.10; 4 short epochs
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2, 3, 4] and "val_loss" in rows[0]
    assert Checkpointer(tmp_path / "checkpoints").steps()[-1] == int(state.step)


def test_resume_from_checkpoint_equals_uninterrupted_run(tmp_path):
    full, _ = _fit(epochs=4)
    _fit(epochs=2, run_dir=tmp_path, checkpoint_every=10)  # stops after 2 of 4 epochs' worth of steps
    # the same run folder asked for 4 epochs: resumes at the last checkpoint and continues
    resumed, history = _fit(epochs=4, run_dir=tmp_path, checkpoint_every=10)
    chex.assert_trees_all_equal(resumed.params, full.params)
    assert [h["epoch"] for h in history] == [1, 2, 3, 4]


def test_corrupted_latest_checkpoint_falls_back_to_previous(tmp_path, capsys):
    full, _ = _fit(epochs=3)
    _fit(epochs=2, run_dir=tmp_path, checkpoint_every=20)
    steps = Checkpointer(tmp_path / "checkpoints").steps()
    latest = tmp_path / "checkpoints" / str(steps[-1])
    for f in (latest / "state").rglob("*"):
        if f.is_file() and f.stat().st_size > 64:
            f.write_bytes(f.read_bytes()[:-16] + b"\0" * 16)
    resumed, _ = _fit(epochs=3, run_dir=tmp_path, checkpoint_every=20)
    out = capsys.readouterr().out
    assert f"checkpoint at step {steps[-1]} is unreadable" in out
    assert f"resuming from the checkpoint at step {steps[-2]}" in out
    assert (tmp_path / "checkpoints" / f"corrupt-{steps[-1]}").is_dir()  # moved aside, not deleted
    chex.assert_trees_all_equal(resumed.params, full.params)


def test_nan_loss_stops_with_step_and_keeps_last_good_checkpoint(tmp_path):
    state, loss_fn, train, evald = digits_state()

    def poisoned(params, model_state, batch, key):
        loss, aux = loss_fn(params, model_state, batch, key)
        return loss, aux

    step_fn = make_train_step(poisoned)

    def train_step(state, batch, key):  # the loss turns NaN at step 50
        new, metrics = step_fn(state, batch, key)
        bad = state.step + 1 == 50
        metrics["loss"] = jnp.where(bad, jnp.nan, metrics["loss"])
        return new, metrics

    with pytest.raises(TrainingDivergedError, match="at step 50"):
        fit(state, train, train_step, config={**CFG, "epochs": 3, "checkpoint_every": 20}, run_dir=tmp_path)
    ckpt = Checkpointer(tmp_path / "checkpoints")
    assert ckpt.steps() == [20, 40]
    restored = ckpt.restore_latest({"state": state, "best": {"params": state.params, "model_state": {}}})
    assert restored is not None and int(restored[0]["state"].step) == 40


def test_early_stopping_restores_best_params():
    _, history = _fit(epochs=6, early_stopping={"monitor": "val_accuracy", "mode": "max", "patience": 1,
                                                  "min_delta": 0.5})
    # no epoch can beat the first by 0.5 accuracy: stop after 1 + patience more epochs
    assert len(history) == 3


def test_data_parallel_on_eight_devices_matches_one_device():
    assert jax.device_count() == 8
    single, _ = _fit(epochs=1)
    sharded, _ = _fit(epochs=1, data_parallel=True)
    # Adam turns reduction-order differences (~1e-7) in near-zero gradients into larger steps
    chex.assert_trees_all_close(sharded.params, single.params, rtol=1e-4, atol=2e-4)


@pytest.mark.parametrize("cfg, match", [({"batch_size": 0}, "batch_size must be an integer in 1..1438"),
                                        ({"batch_size": 5000}, "batch_size must be"),
                                        ({"epochs": -1}, "epochs must be a positive"),
                                        ({"early_stopping": {"monitor": "val_f1"}}, "not a logged metric")])
def test_bad_config_is_one_clear_error(cfg, match):
    with pytest.raises(ValueError, match=match):
        _fit(**{"epochs": 1, **cfg})


def test_mismatched_array_lengths_are_rejected():
    state, loss_fn, train, _ = digits_state()
    with pytest.raises(ValueError, match="share their first dimension"):
        fit(state, {"x": train["x"], "y": train["y"][:-1]}, make_train_step(loss_fn), config=CFG)
