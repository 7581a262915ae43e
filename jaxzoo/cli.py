"""``jaxzoo list`` | ``jaxzoo run NAME [--config.key=value ...] [--run-dir DIR | --resume]``."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

from jaxzoo.core.config import ConfigError, apply_override
from jaxzoo.core.runs import latest_run_dir, new_run_dir, write_json


def experiment_dirs() -> list[Path]:
    """Where experiments are looked up: $JAXZOO_EXPERIMENTS, ./experiments, then beside the package."""
    dirs = [Path(p) for p in os.environ.get("JAXZOO_EXPERIMENTS", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "experiments", Path(__file__).resolve().parent.parent / "experiments"]
    seen, out = set(), []
    for d in dirs:
        if d.is_dir() and d.resolve() not in seen:
            seen.add(d.resolve())
            out.append(d)
    return out


def list_experiments() -> dict[str, Path]:
    found = {}
    for d in experiment_dirs():
        for p in sorted(d.glob("*.py")):
            if not p.name.startswith("_"):
                found.setdefault(p.stem, p)
    return found


def load_experiment(name: str):
    found = list_experiments()
    if name not in found:
        raise ConfigError(f"unknown experiment {name!r}; run `jaxzoo list` to see them "
                          f"({', '.join(sorted(found)) or 'none found'})")
    spec = importlib.util.spec_from_file_location(f"jaxzoo_experiment_{name}", found[name])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_experiment(name: str, overrides: dict[str, str] | None = None, *, run_dir: str | Path | None = None,
                   root: str | Path = "runs") -> dict:
    """Resolve the config, make (or reuse) the run folder, run, and write summary.json."""
    module = load_experiment(name)
    config = module.get_config()
    for key, text in (overrides or {}).items():
        apply_override(config, key, text)
    if hasattr(module, "check_config"):
        module.check_config(config)
    run_dir = Path(run_dir) if run_dir else new_run_dir(name, root)
    (run_dir / "plots").mkdir(parents=True, exist_ok=True)
    write_json(run_dir / "config.json", config.to_dict())
    t0 = time.time()
    summary = dict(module.run(config, run_dir) or {})
    summary.setdefault("experiment", name)
    summary.setdefault("wall_time_s", round(time.time() - t0, 2))
    write_json(run_dir / "summary.json", summary)
    return summary


def _parse_overrides(extra: list[str]) -> dict[str, str]:
    out = {}
    for arg in extra:
        if not arg.startswith("--config.") or "=" not in arg:
            raise ConfigError(f"unexpected argument {arg!r}; overrides look like --config.key=value")
        key, value = arg[len("--config."):].split("=", 1)
        out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jaxzoo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments")
    run_p = sub.add_parser("run", help="run an experiment")
    run_p.add_argument("name")
    where = run_p.add_mutually_exclusive_group()
    where.add_argument("--run-dir", help="run folder to use (resumes from its checkpoints)")
    where.add_argument("--resume", action="store_true", help="resume the latest run of this experiment")
    run_p.add_argument("--root", default="runs", help="parent of run folders (default: runs)")
    run_p.add_argument("--distributed", action="store_true",
                       help="join a multi-host run first (jax.distributed.initialize; on Cloud TPU it finds "
                            "its peers itself, elsewhere set JAXZOO_COORDINATOR, JAXZOO_NUM_PROCESSES, "
                            "JAXZOO_PROCESS_ID)")
    args, extra = parser.parse_known_args(argv)
    try:
        if args.command == "list":
            for name, _path in list_experiments().items():
                doc = (load_experiment(name).__doc__ or "").strip().splitlines()
                print(f"{name:28s} {doc[0] if doc else ''}")
            return 0
        overrides = _parse_overrides(extra)
        if args.distributed:
            from jaxzoo.core.parallel import initialize_multihost
            initialize_multihost()
        run_dir = args.run_dir
        if args.resume:
            run_dir = latest_run_dir(args.name, args.root)
            if run_dir is None:
                raise ConfigError(f"--resume: no earlier run of {args.name!r} under {args.root}/")
        summary = run_experiment(args.name, overrides, run_dir=run_dir, root=args.root)
    except (ValueError, FileNotFoundError) as e:  # user mistakes: one line, exit status 2
        print(f"jaxzoo: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jaxzoo: interrupted; the run folder keeps its last checkpoint (resume with --resume)",
              file=sys.stderr)
        return 130
    print("summary: " + ", ".join(f"{k}={v}" for k, v in summary.items() if not isinstance(v, (dict, list))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
