"""One train step agrees under jit, vmap over seeds, pmap and shard_map (8 fake CPU devices)."""


import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.sharding import PartitionSpec as P

from jaxzoo.core import TrainState, classification_loss, make_optimizer, make_train_step
from jaxzoo.core.parallel import data_mesh
from jaxzoo.vision.mlp import MLP

N_DEV = 8


def _setup(seed=0, batch=64, tx=None):
    model = MLP(hidden=(32, 16), num_classes=5)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, 12)).astype(np.float32)
    y = rng.integers(0, 5, size=batch).astype(np.int32)
    params = model.init(jax.random.key(seed), x[:1])["params"]
    state = TrainState.create(apply_fn=model.apply, params=params, tx=tx or optax.adam(1e-2))
    return model, state, {"x": x, "y": y}


class TrainStepTest(chex.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    def test_step_reduces_loss_and_keeps_shapes(self):
        model, state, batch = _setup()
        step = self.variant(make_train_step(classification_loss(model.apply)))
        new, m0 = step(state, batch, jax.random.key(1))
        chex.assert_trees_all_equal_shapes(new.params, state.params)
        chex.assert_tree_all_finite(new.params)
        for i in range(20):
            new, m = step(new, batch, jax.random.key(i))
        assert int(new.step) == 21
        assert float(m["loss"]) < 0.5 * float(m0["loss"])


def test_vmap_over_seeds_equals_separate_runs():
    model, _, batch = _setup()
    step = jax.jit(make_train_step(classification_loss(model.apply)))
    seeds = [0, 1, 2, 3]
    base = _setup()[1]
    states = [base.replace(params=p, opt_state=base.tx.init(p))
              for p in (_setup(seed=s)[1].params for s in seeds)]
    keys = jax.random.split(jax.random.key(7), len(seeds))
    stacked = jax.tree.map(lambda *a: jnp.stack(a), *states)
    vstep = jax.jit(jax.vmap(make_train_step(classification_loss(model.apply)), in_axes=(0, None, 0)))
    for _ in range(3):
        stacked, vm = vstep(stacked, batch, keys)
        states = [step(s, batch, k)[0] for s, k in zip(states, keys)]
    for i, s in enumerate(states):
        chex.assert_trees_all_close(jax.tree.map(lambda a: a[i], stacked.params), s.params, rtol=1e-5, atol=1e-6)


def test_vmap_over_learning_rates():
    """A learning rate injected into the optimizer state is a traced leaf: one compiled call sweeps it."""
    model, _, batch = _setup()
    rates = jnp.array([1e-3, 1e-2, 1e-1])

    def make(lr):
        params = model.init(jax.random.key(0), batch["x"][:1])["params"]
        tx = optax.inject_hyperparams(optax.sgd)(learning_rate=lr)
        return TrainState.create(apply_fn=model.apply, params=params, tx=tx)

    states = jax.vmap(make)(rates)
    step = jax.vmap(make_train_step(classification_loss(model.apply)), in_axes=(0, None, None))
    states, metrics = jax.jit(step)(states, batch, jax.random.key(0))
    for i, lr in enumerate(rates):
        single, _ = jax.jit(make_train_step(classification_loss(model.apply)))(make(lr), batch, jax.random.key(0))
        chex.assert_trees_all_close(jax.tree.map(lambda a: a[i], states.params), single.params, rtol=1e-5, atol=1e-7)


def test_pmap_and_shard_map_match_jit_on_the_global_batch():
    assert jax.device_count() == N_DEV, "conftest sets 8 fake CPU devices"
    model, state, batch = _setup(batch=64, tx=optax.sgd(0.1))  # sgd: the update is linear in the gradient
    loss_fn = classification_loss(model.apply)
    key = jax.random.key(3)
    ref, ref_m = jax.jit(make_train_step(loss_fn))(state, batch, key)

    # pmap: state replicated, batch split in 8 shards of 8, gradients averaged over "batch"
    shards = jax.tree.map(lambda a: a.reshape(N_DEV, -1, *a.shape[1:]), batch)
    rep = jax.tree.map(lambda a: jnp.broadcast_to(a, (N_DEV, *jnp.shape(a))), state)
    pstep = jax.pmap(make_train_step(loss_fn, axis_name="batch"), axis_name="batch", in_axes=(0, 0, None))
    pstate, pm = pstep(rep, shards, key)
    for i in range(N_DEV):
        chex.assert_trees_all_close(jax.tree.map(lambda a: a[i], pstate.params), ref.params, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pm["loss"][0], ref_m["loss"], rtol=1e-5)

    # shard_map over a ("data",) mesh: the same step code, axis_name="data"
    mesh = data_mesh()
    sstep = jax.shard_map(make_train_step(loss_fn, axis_name="data"), mesh=mesh,
                          in_specs=(P(), P("data"), P()), out_specs=(P(), P()), check_vma=False)
    sstate, sm = jax.jit(sstep)(state, batch, key)
    chex.assert_trees_all_close(sstate.params, ref.params, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sm["loss"], ref_m["loss"], rtol=1e-5)


def test_make_train_step_needs_exactly_one_gradient_source():
    with pytest.raises(ValueError, match="exactly one"):
        make_train_step()


@pytest.mark.parametrize("schedule", ["constant", "cosine", "linear"])
def test_optimizer_schedules_warm_up_and_decay(schedule):
    tx = make_optimizer({"name": "adam", "lr": 0.1, "schedule": schedule, "warmup_steps": 10}, 110)
    params = {"w": jnp.zeros(3)}
    opt_state = tx.init(params)
    lrs = []
    for _ in range(110):
        lrs.append(float(opt_state.hyperparams["learning_rate"]))
        _, opt_state = tx.update({"w": jnp.ones(3)}, opt_state, params)
    # the state holds the rate its last update used: lrs[i] is the schedule at step i - 1
    assert lrs[1] == 0.0 and abs(lrs[6] - 0.05) < 1e-6 and abs(lrs[11] - 0.1) < 1e-6
    assert (lrs[-1] < 0.01) if schedule != "constant" else abs(lrs[-1] - 0.1) < 1e-6


@pytest.mark.parametrize("bad, match", [({"lr": -1.0}, "learning rate must be > 0"),
                                        ({"name": "adagrad9"}, "unknown optimizer"),
                                        ({"schedule": "step"}, "unknown schedule")])
def test_optimizer_rejects_bad_config(bad, match):
    with pytest.raises(ValueError, match=match):
        make_optimizer({"name": "adam", "lr": 1e-3, **bad}, 100)
