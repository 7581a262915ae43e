"""A small training run on the digits set, used by the kill/resume and multi-host tests as a subprocess.

usage: python fit_worker.py OUT.npz [--run-dir DIR] [--multihost COORD NPROC PID] [--epochs N]
"""

import argparse
import os
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--run-dir")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--checkpoint-every", type=int, default=10)
    ap.add_argument("--multihost", nargs=3)
    args = ap.parse_args()
    if args.multihost:
        from jaxzoo.core.parallel import initialize_multihost
        coord, nproc, pid = args.multihost
        initialize_multihost(coord, int(nproc), int(pid))
    import jax

    from jaxzoo.core import fit, make_train_step
    sys.path.insert(0, os.path.dirname(__file__))
    from fit_setup import digits_state

    state, loss_fn, train, evald = digits_state(epochs=args.epochs)
    config = {"epochs": args.epochs, "batch_size": 32, "seed": 0, "checkpoint_every": args.checkpoint_every,
              "progress": False}
    state, history = fit(state, train, make_train_step(loss_fn), config=config, run_dir=args.run_dir,
                         eval_data=evald)
    from jaxzoo.core.parallel import to_host
    params = to_host(state.params)
    if jax.process_index() == 0:
        flat = {jax.tree_util.keystr(k): v for k, v in jax.tree_util.tree_flatten_with_path(params)[0]}
        np.savez(args.out, **flat)
        print("final val_accuracy", history[-1]["val_accuracy"])


if __name__ == "__main__":
    main()
