"""The LSTM's gradient highway, measured: how much of a loss's gradient reaches each earlier input.

``input_gradient_norms`` measures it with ``tf.GradientTape`` through Keras' ``SimpleRNN`` or
``LSTM`` (``cached_gradient_norms`` remembers results), and through an LSTM whose gradient may take
one path only: the cell state's (``"lstm-cell"``: the gradient into h_{t-1} is stopped) or the
hidden state's through ``U`` (``"lstm-hidden"``: the gradient into c_{t-1} is stopped).
``highway_figure`` draws RNN against LSTM and its cell path in unit 03's style
(``seqlab.bptt.plot_gradient_norms``: log scale, the three regimes shaded), and
``HighwayExplorer`` adds a slider for the forget gate's bias. The belt itself is drawn by
``seqlab.lstm.cell_diagram``. Nothing here computes an LSTM step: Keras does.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from seqlab.bptt.figures import CURVE_COLORS, REGIME_TEXT_COLORS, plot_gradient_norms
from seqlab.bptt.gradient_norms import regime
from seqlab.explorer import Explorer, png_image

KINDS = ("rnn", "lstm", "lstm-cell", "lstm-hidden")
LABELS = {"rnn": "SimpleRNN (tanh)", "lstm": "LSTM", "lstm-cell": "LSTM, cell path only",
          "lstm-hidden": "LSTM, h/U path only"}
SHOWN = ("rnn", "lstm", "lstm-cell")  # the figure's curves; the h/U path alone falls ~10x per step

# (kind, steps, forget_bias, seed) -> norms (steps,), see input_gradient_norms
NormsFunction = Callable[..., np.ndarray]


def _weights(rng: np.random.Generator, features: int, units: int, blocks: int):
    """Keras' default initialisation, drawn from ``rng``: Glorot-uniform kernel (D, blocks*H),
    orthogonal recurrent kernel (H, blocks*H) with orthonormal rows."""
    limit = np.sqrt(6 / (features + blocks * units))
    kernel = rng.uniform(-limit, limit, size=(features, blocks * units))
    q, r = np.linalg.qr(rng.normal(size=(blocks * units, units)))  # q: (blocks*H, H)
    return kernel, (q * np.sign(np.diag(r))).T


def input_gradient_norms(kind: str = "lstm", steps: int = 100, forget_bias: float = 1.0,
                         seed: int = 0, units: int = 32, features: int = 8, batch: int = 16,
                         input_scale: float = 1.0) -> np.ndarray:
    """How much of a loss's gradient reaches each input: RNN or LSTM, Keras layers, float64.

    A Keras ``SimpleRNN`` or ``LSTM`` (``units`` H, last state only) with Keras' default kind of
    initial weights drawn from ``seed`` (zero bias, except the LSTM's forget block of the bias,
    which is ``forget_bias``; Keras' own default is 1) reads random inputs x (N, T, D) of size
    ``input_scale`` from zero states. The loss is L = sum_n <h_T[n], v_n> for fixed random unit
    vectors v_n; ``tf.GradientTape`` gives dL/dx (N, T, D) in one backward pass.
    ``"lstm-cell"`` and ``"lstm-hidden"`` are the same LSTM (same weights, inputs and forward
    values), stepped by its Keras ``LSTMCell`` with the gradient into h_{t-1} (or c_{t-1}) stopped,
    so that the gradient reaches x_t along the cell state only (or along h and ``U`` only).

    Returns norms (T,): ``norms[k]`` is the mean over the batch of ||dL/dx_{T-k}||, divided by
    the same at k = 0, for k = 0 (the last input) .. T - 1 (the first). Same arguments, same result.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    import keras

    rng = np.random.default_rng(seed)
    blocks = 1 if kind == "rnn" else 4
    kernel, recurrent = _weights(rng, features, units, blocks)
    bias = np.zeros(blocks * units)
    if kind == "rnn":
        layer = keras.layers.SimpleRNN(units, dtype="float64")
    else:
        bias[units:2 * units] = forget_bias  # gate order i, f, g, o: f is the second block
        layer = keras.layers.LSTM(units, dtype="float64")
    layer.build((None, None, features))
    layer.set_weights([kernel, recurrent, bias])
    forward = (lambda x: _one_path(layer.cell, x, kind)) if kind.startswith("lstm-") else layer
    return input_gradient_reach(forward, rng, steps, features, units, batch, input_scale)


def input_gradient_reach(forward: Callable, rng: np.random.Generator, steps: int, features: int,
                         units: int, batch: int = 16, input_scale: float = 1.0) -> np.ndarray:
    """The measurement of ``input_gradient_norms`` for any recurrent ``forward``: x (N, T, D) ->
    h_T (N, H). Draws random inputs x of size ``input_scale`` and unit vectors v_n from ``rng``,
    takes L = sum_n <h_T[n], v_n> and returns norms (T,): ``norms[k]`` is the batch mean of
    ||dL/dx_{T-k}|| relative to k = 0."""
    import tensorflow as tf

    x = tf.constant(input_scale * rng.normal(size=(batch, steps, features)))  # (N, T, D)
    v = rng.normal(size=(batch, units))
    v = tf.constant(v / np.linalg.norm(v, axis=1, keepdims=True))  # (N, H), unit rows
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(forward(x) * v)  # on the last state h_T (N, H)
    grads = tape.gradient(loss, x).numpy()  # (N, T, D)
    norms = np.linalg.norm(grads, axis=2).mean(axis=0)[::-1]  # (T,), index k = T - 1 - t
    return norms / norms[0]


def _one_path(cell, x, kind: str):
    """h_T of Keras' ``cell`` stepped over x (N, T, D) from zero states, the gradient into
    h_{t-1} (``"lstm-cell"``) or c_{t-1} (``"lstm-hidden"``) stopped at every step."""
    import tensorflow as tf

    h = c = tf.zeros((x.shape[0], cell.units), x.dtype)  # (N, H) each
    for t in range(x.shape[1]):
        h_in = tf.stop_gradient(h) if kind == "lstm-cell" else h
        c_in = tf.stop_gradient(c) if kind == "lstm-hidden" else c
        h, (_, c) = cell(x[:, t], [h_in, c_in])
    return h


@lru_cache(maxsize=512)
def _cached_norms(kind: str, steps: int, forget_bias: float, seed: int) -> np.ndarray:
    return input_gradient_norms(kind=kind, steps=steps, forget_bias=forget_bias, seed=seed)


def cached_gradient_norms(kind: str = "lstm", steps: int = 100, forget_bias: float = 1.0,
                          seed: int = 0) -> np.ndarray:
    """``input_gradient_norms`` with the default sizes, remembered: a setting seen before (in a
    figure or an earlier slider position) comes back at once. The RNN ignores ``forget_bias``."""
    bias = float(forget_bias) if kind != "rnn" else 0.0
    return _cached_norms(kind, int(steps), bias, int(seed)).copy()


def forget_gate(forget_bias: float) -> float:
    """sigma(b_f): a forget gate that sees only its bias."""
    return float(1 / (1 + np.exp(-forget_bias)))


def forget_guide(forget_bias: float, steps: int) -> np.ndarray:
    """sigma(b_f)^k, k = 0 .. steps - 1: the product of k forget gates that see only their bias."""
    return forget_gate(forget_bias) ** np.arange(steps)


def highway_curves(forget_bias: float, steps: int, seeds: Sequence[int] = (0,),
                   norms_fn: NormsFunction = cached_gradient_norms,
                   rnn: list[np.ndarray] | None = None,
                   kinds: Sequence[str] = SHOWN) -> dict[str, list[np.ndarray]]:
    """``{kind: [norms per seed]}`` for each of ``kinds`` (the RNN, the LSTM and its cell path
    alone). The RNN has no forget gate, so its curves can be passed in (``rnn``) from an earlier
    call with the same steps and seeds."""
    def runs(kind):
        return [np.asarray(norms_fn(kind=kind, steps=steps, forget_bias=forget_bias, seed=s))
                for s in seeds]

    return {kind: rnn if kind == "rnn" and rnn is not None else runs(kind) for kind in kinds}


def plot_highway(ax: Axes, curves: dict[str, list[np.ndarray]], forget_bias: float,
                 title: str | None = None) -> Axes:
    """RNN against LSTM (and its cell path alone, drawn thinner) in unit 03's plot: the first
    seed bold, further seeds thin, the guide sigma(b_f)^k dashed. ``curves`` as returned by
    ``highway_curves``."""
    steps = len(curves["lstm"][0])
    main = {f"{LABELS[k]}" + (f", forget bias b_f = {forget_bias:g}" if k == "lstm" else ""):
            runs[0] for k, runs in curves.items()}
    styles = {LABELS[k]: {"lw": 1.6, "ls": "-."} for k in curves if k.startswith("lstm-")}
    guide = {f"σ(b_f)^k = {forget_gate(forget_bias):.3f}^k (forget gates alone)":
             forget_guide(forget_bias, steps)}
    plot_gradient_norms(ax, main, guides=guide, title=title, styles=styles)
    for i, runs in enumerate(curves.values()):
        for norms in runs[1:]:  # other seeds: thin lines of the same colour, not in the legend
            ax.plot(np.arange(len(norms)), np.where(norms > 0, norms, np.nan), lw=0.8, alpha=0.6,
                    color=CURVE_COLORS[i % len(CURVE_COLORS)], zorder=3)
    ax.set_ylabel("‖∂L/∂x_t‖ relative to k = 0 (log scale)")
    if len(curves["lstm"]) > 1:
        ax.text(0.01, 0.02, f"thin lines: {len(curves['lstm']) - 1} more seeds", fontsize=8,
                transform=ax.transAxes, color="0.3")
    return ax


def highway_figure(forget_bias: float = 1.0, steps: int = 100, seeds: Sequence[int] = (0, 1, 2),
                   norms_fn: NormsFunction = cached_gradient_norms) -> Figure:
    """A free-standing figure of ``plot_highway`` (show it in a notebook by displaying it)."""
    fig = Figure(figsize=(8, 4))
    plot_highway(fig.add_subplot(), highway_curves(forget_bias, steps, seeds, norms_fn),
                 forget_bias, title=f"the gradient reaching input x_t from the loss at T = {steps}")
    fig.tight_layout()
    return fig


def verdict_html(curves: dict[str, list[np.ndarray]]) -> str:
    """One line per model naming its regime (unit 03's words) and how much gradient is left."""
    lines = []
    for kind, runs in curves.items():
        name = regime(runs[0])
        left = ", ".join(f"{norms[-1]:.1g}" for norms in runs)
        lines.append(f"{LABELS[kind]}: <b style='color:{REGIME_TEXT_COLORS[name]}'>{name}</b> "
                     f"(the first input receives {left} of the last one's gradient)")
    return "<br>".join(lines)


class HighwayExplorer(Explorer):
    """A slider for the LSTM's forget-gate bias (and the length T); RNN against LSTM redrawn.

    Controls: ``forget_bias`` (FloatSlider), ``steps`` (IntSlider). Outputs: ``chart`` (PNG of
    ``plot_highway``) and ``verdict`` (HTML: each model's regime). ``curves`` holds the latest
    result of ``highway_curves``; the RNN's curves, which do not depend on the bias, are cached
    per T. Every seed is fixed, so a setting always gives the same figure.
    """

    def __init__(self, norms_fn: NormsFunction = cached_gradient_norms, forget_bias: float = 1.0,
                 steps: int = 100, seeds: Sequence[int] = (0, 1, 2), max_steps: int = 200):
        self.norms_fn, self.seeds = norms_fn, tuple(seeds)
        self.forget_bias = widgets.FloatSlider(value=forget_bias, min=-2.0, max=6.0, step=0.5,
                                               description="forget bias b_f",
                                               continuous_update=False,
                                               style={"description_width": "initial"})
        self.steps = widgets.IntSlider(value=steps, min=10, max=max_steps, step=10,
                                       description="steps T", continuous_update=False)
        self.verdict = widgets.HTML()
        self.chart = png_image()
        self.curves: dict[str, list[np.ndarray]] = {}
        self._rnn: dict[int, list[np.ndarray]] = {}
        self.watch(self.forget_bias, self.steps)
        self.show(widgets.VBox([widgets.HBox([self.forget_bias, self.steps]), self.verdict,
                                self.chart]))

    def update(self, change=None) -> None:
        """Recompute the curves for the current controls and redraw (an ``observe`` callback)."""
        bias, steps = float(self.forget_bias.value), int(self.steps.value)
        self.curves = highway_curves(bias, steps, self.seeds, self.norms_fn, self._rnn.get(steps))
        self._rnn[steps] = self.curves["rnn"]
        fig = Figure(figsize=(8, 4))
        plot_highway(fig.add_subplot(), self.curves, bias,
                     title=f"the gradient reaching input x_t from the loss at T = {steps}")
        fig.tight_layout()
        self.show_figure(self.chart, fig)
        self.verdict.value = verdict_html(self.curves)
