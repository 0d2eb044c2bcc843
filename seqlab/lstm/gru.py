"""The GRU beside the LSTM: one step written out in Keras' convention, and its gradient reach.

``gru_step`` computes one step of a GRU in numpy, exactly as Keras' ``GRUCell`` does (gate order
z, r, h; ``reset_after=True``, Keras' default, or the original ``reset_after=False``), so the
walkthrough can check it against the cell with the weights copied in. ``gru_gradient_norms``
measures how much of a loss's gradient reaches each earlier input through a Keras ``GRU``, with
exactly the measurement of ``seqlab.lstm.highway`` (same kind of initial weights, inputs and
loss), so that its curves sit beside the SimpleRNN's and the LSTM's; ``reach_curves`` and
``plot_reach`` draw the three in unit 03's plot.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from seqlab.bptt.figures import CURVE_COLORS, plot_gradient_norms
from seqlab.lstm.highway import _weights, cached_gradient_norms, input_gradient_reach

GRU_GATES = ("z", "r", "h")  # Keras' order of the blocks of kernel, recurrent_kernel and bias


@dataclass
class GRUStep:
    """One GRU step's results, each (N, H): the new state ``h``, the update gate ``z`` (the share
    of h_{t-1} kept), the reset gate ``r`` and the candidate state ``candidate``."""

    h: np.ndarray
    z: np.ndarray
    r: np.ndarray
    candidate: np.ndarray


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


def gru_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
             reset_after: bool = True) -> GRUStep:
    """One step of Keras' ``GRUCell`` in numpy.

    x_t: (N, D)   h_prev: (N, H)   W: (D, 3H) = kernel   U: (H, 3H) = recurrent_kernel, blocks
    z, r, h.   b: (2, 3H) with ``reset_after`` (an input bias and a recurrent bias), else (3H,).

    z = sigmoid(x W_z + h U_z + b_z), r = sigmoid(x W_r + h U_r + b_r),
    candidate = tanh(x W_h + r * (h U_h + b'_h) + b_h)    (reset_after: r after the product)
              = tanh(x W_h + (r * h) U_h + b_h)          (reset_after=False: r before it),
    h_t = z * h_prev + (1 - z) * candidate.
    """
    H = h_prev.shape[1]
    b_in, b_rec = (b[0], b[1]) if reset_after else (b, np.zeros_like(b))  # (3H,) each
    from_x = x_t @ W + b_in  # (N, 3H)
    from_h = h_prev @ U + b_rec  # (N, 3H); its h block is recomputed below without reset_after
    z = _sigmoid(from_x[:, :H] + from_h[:, :H])  # (N, H)
    r = _sigmoid(from_x[:, H:2 * H] + from_h[:, H:2 * H])  # (N, H)
    if reset_after:
        candidate = np.tanh(from_x[:, 2 * H:] + r * from_h[:, 2 * H:])  # (N, H)
    else:
        candidate = np.tanh(from_x[:, 2 * H:] + (r * h_prev) @ U[:, 2 * H:])  # (N, H)
    return GRUStep(z * h_prev + (1 - z) * candidate, z, r, candidate)


def gru_gradient_norms(steps: int = 100, update_bias: float = 0.0, seed: int = 0, units: int = 32,
                       features: int = 8, batch: int = 16, input_scale: float = 1.0) -> np.ndarray:
    """``seqlab.lstm.highway.input_gradient_norms`` for a Keras ``GRU`` (float64, last state only).

    Keras' kind of initial weights drawn from ``seed`` (Glorot-uniform kernel, orthogonal
    recurrent kernel), zero biases except the update gate's input bias, ``update_bias`` (Keras'
    default is 0: z starts near 0.5). Returns norms (T,): ``norms[k]`` is the mean over the batch
    of ||dL/dx_{T-k}|| relative to k = 0. Same arguments, same result.
    """
    import keras

    rng = np.random.default_rng(seed)
    kernel, recurrent = _weights(rng, features, units, blocks=3)  # (D, 3H), (H, 3H)
    bias = np.zeros((2, 3 * units))  # input bias, recurrent bias (reset_after=True)
    bias[0, :units] = update_bias  # block z comes first
    layer = keras.layers.GRU(units, dtype="float64")
    layer.build((None, None, features))
    layer.set_weights([kernel, recurrent, bias])
    return input_gradient_reach(layer, rng, steps, features, units, batch, input_scale)


def reach_curves(steps: int, seeds: Sequence[int] = (0,), forget_bias: float = 1.0,
                 update_bias: float = 0.0) -> dict[str, list[np.ndarray]]:
    """``{label: [norms (T,) per seed]}`` for a SimpleRNN, an LSTM (forget bias ``forget_bias``)
    and a GRU (update-gate bias ``update_bias``), all measured the same way; the defaults are
    Keras' own initial biases."""
    return {
        "SimpleRNN (tanh)": [cached_gradient_norms("rnn", steps, seed=s) for s in seeds],
        f"LSTM, forget bias b_f = {forget_bias:g}":
            [cached_gradient_norms("lstm", steps, forget_bias, seed=s) for s in seeds],
        f"GRU, update bias b_z = {update_bias:g}":
            [gru_gradient_norms(steps, update_bias, seed=s) for s in seeds],
    }


def plot_reach(ax: Axes, curves: dict[str, list[np.ndarray]],
               guides: dict[str, np.ndarray] | None = None, title: str | None = None) -> Axes:
    """The curves of ``reach_curves`` in unit 03's plot: the first seed bold, others thin;
    ``guides`` (label -> (T,)) dashed, e.g. ``seqlab.lstm.forget_guide``."""
    plot_gradient_norms(ax, {label: runs[0] for label, runs in curves.items()}, guides=guides,
                        title=title)
    for i, runs in enumerate(curves.values()):
        for norms in runs[1:]:  # further seeds: thin lines of the same colour
            ax.plot(np.arange(len(norms)), np.where(norms > 0, norms, np.nan), lw=0.8, alpha=0.6,
                    color=CURVE_COLORS[i % len(CURVE_COLORS)], zorder=3)
    ax.set_ylabel("‖∂L/∂x_t‖ relative to k = 0 (log scale)")
    return ax
