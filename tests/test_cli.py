"""The `jaxzoo` command: list, run with overrides, run folders, and one clear error (exit 2) for bad input."""

import json
import subprocess
import sys

import pytest

from jaxzoo.cli import list_experiments, main


def test_list_names_the_mlp_experiments(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("mlp_digits", "mlp_mnist", "mlp_heart"):
        assert name in out
    assert "mlp_digits" in list_experiments()


def test_run_writes_the_run_folder(tmp_path):
    rc = main(["run", "mlp_digits", "--root", str(tmp_path), "--config.epochs=3", "--config.hidden=(64,)",
               "--config.optimizer.lr=0.01", "--config.progress=False"])
    assert rc == 0
    (run_dir,) = (tmp_path / "mlp_digits").iterdir()
    config = json.loads((run_dir / "config.json").read_text())
    assert config["epochs"] == 3 and config["hidden"] == [64] and config["optimizer"]["lr"] == 0.01
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["epochs"] == 3 and summary["test_accuracy"] > 0.8
    assert (run_dir / "plots" / "learning_curves.png").stat().st_size > 1000
    assert len((run_dir / "metrics.jsonl").read_text().splitlines()) == 3


@pytest.mark.parametrize("args, message", [
    (["run", "mlp_nope"], "unknown experiment 'mlp_nope'"),
    (["run", "mlp_digits", "--config.epochz=3"], "unknown config key 'epochz'; known keys here: batch_size"),
    (["run", "mlp_digits", "--config.optimizer.lr=-0.1"], "learning rate must be > 0, got -0.1"),
    (["run", "mlp_digits", "--config.batch_size=0"], "batch_size must be an integer in 1..1438"),
    (["run", "mlp_digits", "--config.batch_size=100000"], "batch_size must be an integer in 1..1438"),
    (["run", "mlp_digits", "--config.epochs=many"], "config.epochs must be a int"),
    (["run", "mlp_digits", "--epochs=3"], "overrides look like --config.key=value"),
])
def test_bad_input_exits_2_with_one_message(tmp_path, capsys, args, message):
    assert main([*args, "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_console_script_exit_status_and_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "jaxzoo.cli", "run", "mlp_digits", "--config.optimizer.lr=-1",
                           "--root", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "jaxzoo: error: learning rate must be > 0, got -1.0"
