"""Convolution and pooling layers with a choice of lowering, and the input checks every CNN shares.

``Conv2D`` holds the same parameters as ``flax.linen.Conv`` (``kernel`` HWIO, ``bias``), so models are
pure functions of the same params whichever way the convolution is computed:

- ``"xla"``: ``lax.conv_general_dilated`` (cuDNN on GPU, the MXU on TPU; on CPU XLA's own kernels);
- ``"im2col"``: the kh*kw shifted views of the (padded) input are stacked along channels and multiplied
  by the kernel reshaped to ``(kh*kw*cin, cout)`` in one matrix product; taps that see only padding
  are left out (a 3x3 convolution on a 1x1 map, as in ResNet-18's last stage on 28x28 inputs, is then
  one ninth of the work). Its gradient is again one
  matrix product plus in-place adds, which XLA's CPU backend runs much faster than its convolution
  gradients for the small images of this zoo (see experiments/bench/cnn_speed.py);
- ``"toeplitz"``: whole image rows instead of pixels. The kh shifted rows of the input (each
  ``W*cin`` long) are stacked, and the kernel becomes a banded ``(kh*W*cin, ow*cout)`` matrix that
  slides it along the row. That is W/kw times the arithmetic of im2col, but its stacking copies long
  contiguous rows where im2col interleaves kh*kw narrow views, which is what bounds im2col's speed on
  CPU when there are few input channels (LeNet-5's layers: about 1.8x faster training);
- ``"auto"``: ``xla`` on GPU and TPU. On CPU, per layer when the function is traced: ``toeplitz`` for
  stride-1 kernels at least 5 wide with fewer than 8 input channels whose banded matrix stays under
  4M entries (small images), ``im2col`` otherwise.

Why not ``xla`` on CPU, even where XLA's CPU kernels win in isolation (jax 0.10, stride-1 3x3 convolutions
with 16-32 channels on 14-28 pixel maps: 3-7x faster than im2col in a single jitted step): XLA hands a
convolution to its fast library kernels only outside loops, and ``jaxzoo.core.fit`` runs each epoch as
one ``lax.scan``. Inside the loop the same convolution is about 15x slower (ResNet-20 trains at 29
images/s instead of 169 with im2col), and on 1-2 pixel maps XLA's kernels are 10-40x slower anyway.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

CONV_IMPLS = ("auto", "xla", "im2col", "toeplitz")


def _pairs(v, n=2) -> tuple:
    return tuple(v) if isinstance(v, Sequence) else (v,) * n


def resolve_conv_impl(impl: str, kernel_shape: tuple = (1, 1, 1, 1), strides=(1, 1), width: int = 0) -> str:
    """The lowering ``Conv2D`` uses for an HWIO ``kernel_shape``, ``strides`` and (padded) input ``width``:
    ``impl``, or for ``"auto"`` the fastest one on this backend (see the module docstring)."""
    if impl not in CONV_IMPLS:
        raise ValueError(f"conv_impl must be one of {CONV_IMPLS}, got {impl!r}")
    if impl != "auto":
        return impl
    if jax.default_backend() != "cpu":
        return "xla"
    kh, kw, cin, cout = kernel_shape
    small_band = kh * width * cin * width * cout <= 1 << 22
    return "toeplitz" if kw >= 5 and cin < 8 and tuple(strides) == (1, 1) and small_band else "im2col"


def _explicit_padding(padding, kernel, strides, spatial) -> tuple:
    if isinstance(padding, str):
        if padding == "VALID":
            return ((0, 0), (0, 0))
        if padding == "SAME":
            out = []
            for k, s, n in zip(kernel, strides, spatial):
                total = max((-(-n // s) - 1) * s + k - n, 0)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        raise ValueError(f"padding must be 'SAME', 'VALID', an int or pairs, got {padding!r}")
    if isinstance(padding, int):
        return ((padding, padding),) * 2
    return tuple(_pairs(p) for p in padding)


def _view(i: int, j: int, oh: int, ow: int, sh: int, sw: int) -> tuple:
    """The index of the (oh, ow) output grid's view of an NHWC input, shifted by (i, j), strided by (sh, sw)."""
    return (slice(None), slice(i, i + (oh - 1) * sh + 1, sh), slice(j, j + (ow - 1) * sw + 1, sw), slice(None))


def _live_range(k: int, stride: int, pad: tuple, size: int) -> tuple[int, int]:
    """The kernel offsets (first, last + 1) along one axis whose views touch a real (unpadded) pixel of the
    padded ``size``; the others see only padding (on a 1x1 map, every 3x3 offset but the centre)."""
    n_out, (before, after) = (size - k) // stride + 1, pad
    live = [i for i in range(k) if any(before <= i + o * stride < size - after for o in range(n_out))]
    return live[0], live[-1] + 1


def _im2col_forward(x, kernel, strides, padding):
    kh, kw, cin, cout = kernel.shape
    sh, sw = strides
    x = jnp.pad(x, ((0, 0), *padding, (0, 0)))
    n, h, w, _ = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    (r0, r1), (c0, c1) = _live_range(kh, sh, padding[0], h), _live_range(kw, sw, padding[1], w)
    views = [x[_view(i, j, oh, ow, sh, sw)] for i in range(r0, r1) for j in range(c0, c1)]
    cols = views[0] if len(views) == 1 else jnp.concatenate(views, axis=-1)
    cols = cols.reshape(n * oh * ow, len(views) * cin)
    weights = kernel[r0:r1, c0:c1].reshape(len(views) * cin, cout)
    out = (cols @ weights).reshape(n, oh, ow, cout)
    return out, (cols, weights, kernel.shape, (h, w), (r0, r1, c0, c1))


def _im2col_backward(strides, padding, residuals, dy):
    """The kernel's gradient is cols^T dy. The input's gradient adds each tap's slice of dy K^T into a
    zero image in place; written as the transpose of the forward slicing instead, XLA fuses those pads
    and adds into whatever consumes the gradient (a pooling layer's broadcast, say) and recomputes
    them for every pixel there: 18% of a LeNet-5 training step on CPU."""
    cols, weights, (kh, kw, cin, cout), (h, w), (r0, r1, c0, c1) = residuals
    (sh, sw), (n, oh, ow, _) = strides, dy.shape
    dy2 = dy.reshape(n * oh * ow, cout)
    dk = (cols.T @ dy2).reshape(r1 - r0, c1 - c0, cin, cout)
    dk = jnp.pad(dk, ((r0, kh - r1), (c0, kw - c1), (0, 0), (0, 0)))
    dcols = (dy2 @ weights.T).reshape(n, oh, ow, (r1 - r0) * (c1 - c0), cin)
    dx = jnp.zeros((n, h, w, cin), dy.dtype)
    taps = [(i, j) for i in range(r0, r1) for j in range(c0, c1)]
    for t, (i, j) in enumerate(taps):
        dx = dx.at[_view(i, j, oh, ow, sh, sw)].add(dcols[:, :, :, t])
    (top, bottom), (left, right) = padding
    return dx[:, top: h - bottom, left: w - right, :], dk


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _im2col(x, kernel, strides, padding):
    return _im2col_forward(x, kernel, strides, padding)[0]


_im2col.defvjp(_im2col_forward, _im2col_backward)


def toeplitz_conv(x: jax.Array, kernel: jax.Array, strides=(1, 1), padding=((0, 0), (0, 0))) -> jax.Array:
    """NHWC convolution with an HWIO kernel as stacked input rows times a banded (Toeplitz) matrix."""
    kh, kw, cin, cout = kernel.shape
    sh, sw = strides
    x = jnp.pad(x, ((0, 0), *padding, (0, 0)))
    n, h, w, _ = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    shift = np.zeros((kw, w, ow), np.float32)  # shift[j, w', o] = 1 where input column w' = o*sw + j
    for j in range(kw):
        shift[j, np.arange(ow) * sw + j, np.arange(ow)] = 1
    band = jnp.einsum("jab,ijcd->iacbd", shift.astype(kernel.dtype), kernel).reshape(kh * w * cin, ow * cout)
    rows = x.reshape(n, h, w * cin)
    cols = jnp.concatenate([rows[:, i: i + (oh - 1) * sh + 1: sh] for i in range(kh)], axis=-1)
    return (cols.reshape(n * oh, kh * w * cin) @ band).reshape(n, oh, ow, cout)


def im2col_conv(x: jax.Array, kernel: jax.Array, strides=(1, 1), padding=((0, 0), (0, 0))) -> jax.Array:
    """NHWC convolution with an HWIO kernel as shifted views and one matrix product."""
    return _im2col(x, kernel, tuple(strides), tuple(tuple(p) for p in padding))


class Conv2D(nn.Module):
    """A 2-D convolution (NHWC, HWIO kernel), parameter-compatible with ``flax.linen.Conv``."""

    features: int
    kernel_size: int | tuple[int, int] = 3
    strides: int | tuple[int, int] = 1
    padding: str | int | tuple = "SAME"
    use_bias: bool = True
    dtype: jnp.dtype | None = None
    conv_impl: str = "auto"
    kernel_init: nn.initializers.Initializer = nn.initializers.lecun_normal()

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kh, kw = _pairs(self.kernel_size)
        strides = _pairs(self.strides)
        kernel = self.param("kernel", self.kernel_init, (kh, kw, x.shape[-1], self.features), jnp.float32)
        dtype = self.dtype or x.dtype
        x, kernel = x.astype(dtype), kernel.astype(dtype)
        pad = _explicit_padding(self.padding, (kh, kw), strides, x.shape[1:3])
        impl = resolve_conv_impl(self.conv_impl, kernel.shape, strides, x.shape[2] + sum(pad[1]))
        if impl in ("im2col", "toeplitz"):
            y = (im2col_conv if impl == "im2col" else toeplitz_conv)(x, kernel, strides, pad)
        else:
            y = jax.lax.conv_general_dilated(x, kernel, strides, pad, dimension_numbers=("NHWC", "HWIO", "NHWC"))
        if self.use_bias:
            y = y + self.param("bias", nn.initializers.zeros, (self.features,), jnp.float32).astype(dtype)
        return y


def pool(x: jax.Array, kind: str, window: int, stride: int | None = None, padding: int | str = 0) -> jax.Array:
    """Max or average pooling (NHWC); ``padding`` is an int, "SAME" or "VALID" (max pads with -inf, the
    average counts padded zeros). Non-overlapping windows that tile the image are a reshape and a
    reduction. Other max pools on CPU take the maximum of the window's shifted views, with the gradient
    going to the first maximum as ``reduce_window``'s does: XLA's CPU gradient of ``reduce_window``
    (select-and-scatter) took 12% of a ResNet-18 training step for its one stem pool. Anything else
    uses ``reduce_window``."""
    stride = stride or window
    n, h, w, c = x.shape
    pads = _explicit_padding(padding, (window, window), (stride, stride), (h, w))
    if window == stride and pads == ((0, 0), (0, 0)) and h % window == 0 and w % window == 0:
        blocks = x.reshape(n, h // window, window, w // window, window, c)
        return blocks.max(axis=(2, 4)) if kind == "max" else blocks.mean(axis=(2, 4))
    if kind == "max" and jax.default_backend() == "cpu":
        x = jnp.pad(x, ((0, 0), *pads, (0, 0)), constant_values=-jnp.inf)
        oh, ow = (x.shape[1] - window) // stride + 1, (x.shape[2] - window) // stride + 1
        out = None
        for i in range(window):
            for j in range(window):
                v = x[_view(i, j, oh, ow, stride, stride)]
                out = v if out is None else jnp.where(v > out, v, out)
        return out
    if kind == "max":
        return nn.max_pool(x, (window, window), (stride, stride), pads)
    return nn.avg_pool(x, (window, window), (stride, stride), pads, count_include_pad=True)


def check_images(x, model: str, *, channels: int | None, min_size: int = 1, size: int | None = None) -> None:
    """Raise one ValueError naming the expected shape unless ``x`` is an NHWC batch the model accepts."""
    c = "C" if channels is None else str(channels)
    hw = f"{size}, {size}" if size else f"H, W (each >= {min_size})"
    expected = f"(batch, {hw}, {c})"
    shape = tuple(getattr(x, "shape", ()))
    bad = (len(shape) != 4 or (channels is not None and shape[3] != channels)
           or (size is not None and shape[1:3] != (size, size)) or min(shape[1:3], default=0) < min_size)
    if bad:
        raise ValueError(f"{model} expects images of shape {expected} (NHWC), got shape {shape}")


def check_labels(y, num_classes: int) -> None:
    """Raise a ValueError unless every label is an integer in [0, num_classes)."""
    import numpy as np

    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array of shape (batch,), got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        bad = y[(y < 0) | (y >= num_classes)]
        raise ValueError(f"labels must lie in [0, {num_classes}); found {sorted(set(bad.tolist()))[:5]}")
