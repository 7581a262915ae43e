"""Full-batch (accelerated) proximal gradient descent inside one ``lax.while_loop``, with early stopping.

Used by the linear models: ``params = (coef, intercept)``; the L1 proximal step (soft-thresholding)
applies to ``coef`` only. Works under ``jit`` and ``vmap`` (a vmapped loop runs until every member stops).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp


def soft_threshold(x, t):
    return jnp.sign(x) * jnp.maximum(jnp.abs(x) - t, 0.0)


def top_eigenvalue(A, iters: int = 60):
    """Largest eigenvalue of a symmetric PSD matrix by power iteration (a slight over-estimate is safe)."""
    v = jnp.ones(A.shape[0], A.dtype) / jnp.sqrt(A.shape[0])

    def body(_, v):
        u = A @ v
        return u / (jnp.linalg.norm(u) + 1e-30)

    v = jax.lax.fori_loop(0, iters, body, v)
    return v @ (A @ v)


class History(NamedTuple):
    n_iter: jax.Array          # iterations run
    val_loss: jax.Array        # (max_iter // eval_every,) validation loss per evaluation, nan when not run
    train_loss: jax.Array      # same, for the training objective


def proximal_gradient(loss_fn, params, *, lr, l1, max_iter: int, tol, accelerate: bool = True,
                      val_loss_fn=None, patience: int = 5, eval_every: int = 10):
    """Minimise ``loss_fn(params) + l1 * ||params[0]||_1`` from ``params``.

    Step size ``lr`` (1/L for an L-smooth loss). FISTA momentum with gradient restart when
    ``accelerate``. Stops when the largest entry of the gradient mapping ``(y - prox(y - lr g)) / lr``
    (the gradient, for a smooth problem) is below ``tol``, or after ``max_iter`` steps. With
    ``val_loss_fn``, evaluates it every ``eval_every`` steps, keeps the best parameters, and stops
    after ``patience`` evaluations without improvement (early stopping).
    """
    grad_fn = jax.grad(loss_fn)
    n_eval = max(max_iter // eval_every, 1)
    nan = jnp.full((n_eval,), jnp.nan, jnp.result_type(float))

    def prox(p):
        return (soft_threshold(p[0], lr * l1), p[1])

    def cond(s):
        it, change, bad = s[0], s[4], s[7]
        return (it < max_iter) & (change > tol) & (bad < patience)

    def body(s):
        it, x, y, t, change, best, best_val, bad, vh, th = s
        g = grad_fn(y)
        x_new = prox(jax.tree.map(lambda a, b: a - lr * b, y, g))
        step = jax.tree.map(lambda a, b: a - b, x_new, x)
        change = jnp.max(jnp.stack([jnp.max(jnp.abs(a - b)) for a, b in
                                    zip(jax.tree.leaves(y), jax.tree.leaves(x_new))])) / lr
        if accelerate:
            restart = sum(jnp.vdot(a - b, c).real for a, b, c in
                          zip(jax.tree.leaves(y), jax.tree.leaves(x_new), jax.tree.leaves(step))) > 0
            t_new = jnp.where(restart, 1.0, (1 + jnp.sqrt(1 + 4 * t * t)) / 2)
            mom = jnp.where(restart, 0.0, (t - 1) / t_new)
            y_new = jax.tree.map(lambda a, d: a + mom * d, x_new, step)
        else:
            t_new, y_new = t, x_new
        it = it + 1
        if val_loss_fn is not None:
            do_eval = (it % eval_every) == 0
            k = jnp.minimum(it // eval_every - 1, n_eval - 1)
            v = jax.lax.cond(do_eval, val_loss_fn, lambda p: jnp.asarray(jnp.inf, nan.dtype), x_new)
            improved = do_eval & (v < best_val)
            best = jax.tree.map(lambda a, b: jnp.where(improved, a, b), x_new, best)
            best_val = jnp.where(improved, v, best_val)
            bad = jnp.where(improved, 0, jnp.where(do_eval, bad + 1, bad))
            vh = jnp.where(do_eval, vh.at[k].set(v), vh)
            th = jnp.where(do_eval, th.at[k].set(loss_fn(x_new)), th)
        else:
            best = x_new
        return it, x_new, y_new, t_new, change, best, best_val, bad, vh, th

    init = (jnp.asarray(0), params, params, jnp.asarray(1.0, nan.dtype), jnp.asarray(jnp.inf, nan.dtype),
            params, jnp.asarray(jnp.inf, nan.dtype), jnp.asarray(0), nan, nan)
    it, x, _, _, _, best, _, _, vh, th = jax.lax.while_loop(cond, body, init)
    return (best if val_loss_fn is not None else x), History(it, vh, th)
