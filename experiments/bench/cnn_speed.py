"""CNN training speed on CPU: jaxzoo (jit step loop and lax.scan epochs) vs PyTorch, LeNet-5 and ResNet-18.

    python experiments/bench/cnn_speed.py [--repeats 5] [--steps 20] [--models lenet5,resnet18]

Both sides train the same network (28x28x1 inputs, batch 128, SGD with momentum, softmax cross-entropy)
on the same random data, in this one process; repeats alternate between the two sides so that other
load on the machine hits both alike. Reported: images/s (median of the repeats) and the ratio
jaxzoo / PyTorch. jaxzoo rows: ``conv_impl=xla`` (XLA's own CPU convolutions), ``im2col``, and ``auto``
(the default: im2col or the row-Toeplitz form per layer; see jaxzoo/vision/layers.py), each as a Python
loop over a jitted step and as one ``lax.scan`` over the steps (how ``jaxzoo.core.fit`` runs an epoch).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from jaxzoo.vision.lenet import LeNet5  # noqa: E402
from jaxzoo.vision.resnet import ResNet18  # noqa: E402

BATCH, SIZE, CLASSES = 128, 28, 10


def jax_runner(model_name: str, conv_impl: str, steps: int, scan: bool):
    if model_name == "lenet5":
        model = LeNet5(conv_impl=conv_impl)
    else:
        model = ResNet18(num_classes=CLASSES, channels=1, conv_impl=conv_impl)
    rng = np.random.default_rng(0)
    xs = jnp.asarray(rng.normal(size=(steps, BATCH, SIZE, SIZE, 1)).astype(np.float32))
    ys = jnp.asarray(rng.integers(0, CLASSES, (steps, BATCH)).astype(np.int32))
    variables = model.init(jax.random.key(0), xs[0])
    params, model_state = variables["params"], {k: v for k, v in variables.items() if k != "params"}
    tx = optax.sgd(0.01, momentum=0.9)
    carry = (params, model_state, tx.init(params))

    def step(carry, batch):
        params, model_state, opt_state = carry
        x, y = batch

        def loss_fn(p):
            if model_state:
                logits, new = model.apply({"params": p, **model_state}, x, train=True, mutable=list(model_state))
            else:
                logits, new = model.apply({"params": p}, x, train=True), model_state
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), new

        (loss, new_state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), dict(new_state), opt_state), loss

    if scan:
        epoch = jax.jit(lambda c, xs, ys: jax.lax.scan(step, c, (xs, ys)))

        def run(c):
            c, losses = epoch(c, xs, ys)
            return jax.block_until_ready(c)
    else:
        jstep = jax.jit(step)

        def run(c):
            for i in range(steps):
                c, _ = jstep(c, (xs[i], ys[i]))
            return jax.block_until_ready(c)

    state = {"c": run(carry)}  # compile + warm up

    def timed() -> float:
        t = time.perf_counter()
        state["c"] = run(state["c"])
        return steps * BATCH / (time.perf_counter() - t)

    return timed


def torch_runner(model_name: str, steps: int):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if model_name == "lenet5":
        net = nn.Sequential(nn.ZeroPad2d(2), nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5),
                            nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh(),
                            nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, CLASSES))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "vision"))
        from torch_resnet import TorchResNet
        net = TorchResNet(layers=(2, 2, 2, 2), num_classes=CLASSES, in_channels=1)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    xs = torch.from_numpy(rng.normal(size=(steps, BATCH, 1, SIZE, SIZE)).astype(np.float32))
    ys = torch.from_numpy(rng.integers(0, CLASSES, (steps, BATCH)).astype(np.int64))

    def run():
        for i in range(steps):
            opt.zero_grad(set_to_none=True)
            nn.functional.cross_entropy(net(xs[i]), ys[i]).backward()
            opt.step()

    run()

    def timed() -> float:
        t = time.perf_counter()
        run()
        return steps * BATCH / (time.perf_counter() - t)

    return timed


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20, help="training steps per timed repeat")
    ap.add_argument("--models", default="lenet5,resnet18")
    ap.add_argument("--impls", default="xla,im2col,auto")
    args = ap.parse_args(argv)
    import torch
    print(f"jax {jax.__version__} ({jax.default_backend()}), torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), batch {BATCH}, {SIZE}x{SIZE}x1, "
          f"{args.repeats} repeats x {args.steps} steps")
    rows = []
    for model_name in args.models.split(","):
        runners = {"pytorch": torch_runner(model_name, args.steps)}
        for impl in args.impls.split(","):
            for scan in (False, True):
                runners[f"jaxzoo {impl} {'scan' if scan else 'loop'}"] = jax_runner(model_name, impl, args.steps, scan)
        results = {k: [] for k in runners}
        for _ in range(args.repeats):  # interleaved, so background load hits every side alike
            for k, fn in runners.items():
                results[k].append(fn())
        base = statistics.median(results["pytorch"])
        for k, v in results.items():
            rows.append((model_name, k, statistics.median(v), statistics.median(v) / base))
    print("\n| model | implementation | images/s (median) | ratio vs PyTorch |\n|---|---|---:|---:|")
    for m, k, v, r in rows:
        print(f"| {m} | {k} | {v:,.0f} | {r:.2f} |")


if __name__ == "__main__":
    main()
