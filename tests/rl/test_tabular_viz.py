"""Text and PNG renderings of grids, values and policies, and the two experiments end to end on tiny configs."""

import json

import numpy as np
import pytest

from jaxzoo.cli import run_experiment
from jaxzoo.rl.gridworld import Gridworld
from jaxzoo.rl.planning import value_iteration
from jaxzoo.viz.rl_tabular import convergence_curves, render_text, value_heatmap


def test_render_text_shows_walls_goals_traps_and_arrows():
    env = Gridworld("aima", slip=0.2, step_reward=-0.04, discount=1.0)
    result = value_iteration(env.mdp())
    text = render_text(env.grid, result.policy)
    assert text.splitlines() == ["→ → → G", "↑ # ↑ T", "↑ ← ← ←"]
    with_values = render_text(env.layout, None, result.values).splitlines()
    assert with_values[:3] == [". . . G", ". # . T", "S . . ."]
    assert with_values[4].split()[0] == f"{float(result.values[0]):.2f}" and with_values[5].split()[1] == "#"


def test_pngs_are_written(tmp_path):
    env = Gridworld("8x8", slip=0.1)
    result = value_iteration(env.mdp())
    p1 = value_heatmap(env.grid, result.values, tmp_path / "v.png", policy=result.policy, title="V*")
    p2 = convergence_curves({"vi": np.asarray(result.residuals)}, tmp_path / "c.png")
    for p in (p1, p2):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000


def test_planning_experiment_end_to_end(tmp_path):
    summary = run_experiment("rl_gridworld", {"env.size": "6", "num_variants": "2", "discounts": "(0.5, 0.9)"},
                             run_dir=tmp_path)
    assert summary["vi_converged"] and summary["max_abs_vi_minus_linear_solve"] < 1e-4
    assert summary["sweeps_by_discount"]["0.5"] < summary["sweeps_by_discount"]["0.9"]
    assert len(summary["variants_v_start"]) == 2
    for name in ("values_policy", "convergence", "values_by_discount", "map_variants"):
        assert (tmp_path / "plots" / f"{name}.png").exists()
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == summary["vi_sweeps"] and rows[-1]["vi_residual"] < 1e-6
    assert "G" in (tmp_path / "policy.txt").read_text()


@pytest.mark.slow
def test_tabular_experiment_end_to_end(tmp_path):
    overrides = {"env.name": "gridworld", "env.layout": "4x4", "env.slip": "0.0", "num_seeds": "2",
                 "num_envs": "16", "num_steps": "1000", "log_every": "250", "algorithms": "('q_learning', 'td0')"}
    summary = run_experiment("rl_tabular", overrides, run_dir=tmp_path)
    assert summary["q_learning"]["max_regret"] < 1e-4
    assert max(summary["td0"]["final_max_error_vs_v_pi"]) < 0.1
    for name in ("returns", "max_error", "values_policy"):
        assert (tmp_path / "plots" / f"{name}.png").exists()


@pytest.mark.parametrize("experiment,overrides,match", [
    ("rl_gridworld", {"env.slip": "1.5"}, "slip"),
    ("rl_gridworld", {"discount": "0.0"}, "discount"),
    ("rl_gridworld", {"env.layout": "nope"}, "unknown gridworld cell"),
    ("rl_tabular", {"algorithms": "('dqn',)"}, "algorithms"),
    ("rl_tabular", {"env.name": "cartpole"}, "env.name"),
])
def test_experiment_bad_config_is_one_clear_error(tmp_path, experiment, overrides, match):
    with pytest.raises(ValueError, match=match):
        run_experiment(experiment, overrides, run_dir=tmp_path)
