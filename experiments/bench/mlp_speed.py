"""MLP training speed: jaxzoo's `fit` vs PyTorch, the same 784-512-256-10 network, Adam, batch 128, float32.

    python experiments/bench/mlp_speed.py [--repeats 5] [--threads 2]

One process; each repeat trains one epoch of MNIST (60,000 images; random images of the same shape when
$JAXZOO_DATA_DIR is unset) with PyTorch and with jaxzoo, alternating, so that other load on the machine hits
both alike. Reported: images/s (median of the repeats, compilation excluded: jaxzoo compiles once, in a
warm-up epoch) and the ratio. A second table checks that feeding data is not the bottleneck: the wall time
of a `fit` epoch against the same compiled steps run on batches already laid out on the device.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def mnist_like():
    try:
        from jaxzoo.data import load
        return load("mnist", "train")
    except ValueError:
        rng = np.random.default_rng(0)
        return rng.integers(0, 256, (60000, 28, 28, 1), dtype=np.uint8), rng.integers(0, 10, 60000).astype(np.int32)


def torch_epoch(x, y, threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)
    yt = torch.from_numpy(y.astype(np.int64))
    loss_fn = torch.nn.CrossEntropyLoss()

    def run():
        perm = torch.randperm(len(xt))
        steps = len(xt) // 128
        t0 = time.perf_counter()
        for i in range(steps):
            idx = perm[i * 128:(i + 1) * 128]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        return steps * 128 / (time.perf_counter() - t0)
    return run


def jaxzoo_epoch(x, y, unroll):
    import jax
    import optax

    from jaxzoo.core import TrainState, classification_loss, fit, make_train_step
    from jaxzoo.vision.mlp import MLP

    model = MLP(hidden=(512, 256), num_classes=10)
    params = model.init(jax.random.key(0), x[:1])["params"]
    state = TrainState.create(apply_fn=model.apply, params=params, tx=optax.adam(1e-3))
    step = make_train_step(classification_loss(model.apply))
    data = {"x": x, "y": y}
    cfg = {"epochs": 1, "batch_size": 128, "progress": False, "unroll": unroll, "data_parallel": False}

    def run():
        t0 = time.perf_counter()
        fit(state, data, step, config=cfg)
        return (len(x) // 128) * 128 / (time.perf_counter() - t0)

    def steps_only():
        """The same compiled scan over batches already gathered on the device: the floor for an epoch."""
        import jax.numpy as jnp
        n = (len(x) // 128) * 128
        xb = jnp.asarray(x[:n].reshape(-1, 128, *x.shape[1:]))
        yb = jnp.asarray(y[:n].reshape(-1, 128))
        key = jax.random.key(0)
        f = jax.jit(lambda s, xb, yb: jax.lax.scan(lambda s, b: step(s, {"x": b[0], "y": b[1]}, key), s, (xb, yb),
                                                   unroll=unroll))
        jax.block_until_ready(f(state, xb, yb))
        t0 = time.perf_counter()
        jax.block_until_ready(f(state, xb, yb))
        return n / (time.perf_counter() - t0)
    return run, steps_only


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--unroll", type=int, default=1)
    args = ap.parse_args()
    x, y = mnist_like()
    t_run = torch_epoch(x, y, args.threads)
    j_run, j_floor = jaxzoo_epoch(x, y, args.unroll)
    j_run()  # compile
    t_run()  # warm up
    torch_ips, jax_ips, floor_ips = [], [], []
    for _ in range(args.repeats):
        torch_ips.append(t_run())
        jax_ips.append(j_run())
        floor_ips.append(j_floor())
    t, j, f = (statistics.median(v) for v in (torch_ips, jax_ips, floor_ips))
    print(f"MLP 784-512-256-10, Adam, batch 128, one MNIST epoch, {args.threads} threads, median of {args.repeats}")
    print(f"{'':28s}{'images/s':>12s}{'ratio':>8s}")
    print(f"{'PyTorch':28s}{t:12,.0f}{1.0:8.2f}")
    print(f"{'jaxzoo fit (scan epoch)':28s}{j:12,.0f}{j / t:8.2f}")
    print(f"{'jaxzoo steps alone':28s}{f:12,.0f}{f / t:8.2f}")
    print(f"fit epoch wall time / compiled steps alone: {f / j:.3f} (data feeding overhead {100 * (f / j - 1):.1f}%)")


if __name__ == "__main__":
    main()
