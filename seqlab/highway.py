"""The LSTM's gradient highway: the cell state drawn as a conveyor belt, and measured.

``plot_lstm_cell`` draws one LSTM step with its cell state as a belt running across the top and
the four operations labelled: forget, store, update, output. ``input_gradient_norms`` measures,
with ``tf.GradientTape`` through Keras' ``SimpleRNN`` or ``LSTM``, how much of the gradient of a
loss at the last step reaches each earlier input (``cached_gradient_norms`` remembers results);
``highway_figure`` draws RNN against LSTM in unit 03's style
(``seqlab.gradient_flow.plot_gradient_norms``: log scale, the three regimes shaded), and
``HighwayExplorer`` adds a slider for the forget gate's bias. Nothing here computes an LSTM step:
Keras does.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from seqlab import plots
from seqlab.gradient_flow import CURVE_COLORS, REGIME_TEXT_COLORS, plot_gradient_norms, regime

KINDS = ("rnn", "lstm")
LABELS = {"rnn": "SimpleRNN (tanh)", "lstm": "LSTM"}
BELT_COLOR = "#f6c85f"  # the cell state's path
GATE_COLOR = plots.MODEL_COLOR
OPERATION_COLORS = {"forget": "#c62828", "store": "#1b7837", "update": "#8a5a00", "output": "#2c6fbb"}

# (kind, steps, forget_bias, seed) -> norms (steps,), see input_gradient_norms
NormsFunction = Callable[..., np.ndarray]


def _circle(ax: Axes, x: float, y: float, text: str) -> None:
    ax.add_patch(Circle((x, y), 0.28, facecolor="white", edgecolor="0.2", lw=1.4, zorder=4))
    ax.text(x, y, text, ha="center", va="center", fontsize=14, zorder=5)


def _gate(ax: Axes, x: float, y: float, name: str, function: str) -> None:
    ax.add_patch(FancyBboxPatch((x - 0.42, y - 0.33), 0.84, 0.66, facecolor=GATE_COLOR,
                                edgecolor="0.25", boxstyle="round,pad=0.02,rounding_size=0.1",
                                zorder=4))
    ax.text(x, y + 0.08, f"${name}$", ha="center", va="center", fontsize=13, zorder=5)
    ax.text(x, y - 0.2, function, ha="center", va="center", fontsize=8, zorder=5)


def _line(ax: Axes, points, arrow: bool = True, **kw) -> None:
    style = {"color": "0.3", "lw": 1.3} | kw
    xs, ys = zip(*points)
    ax.plot(xs[:-1] if arrow else xs, ys[:-1] if arrow else ys, zorder=2, **style)
    if arrow:
        ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=0, shrinkB=0, zorder=3, **style))


def plot_lstm_cell(ax: Axes | None = None) -> Axes:
    """One LSTM step: the cell state c as a belt across the top, the four gates below it.

    Gate order as in Keras: i (input), f (forget), g (candidate), o (output), each read from
    [h_{t-1}, x_t]. Labelled operations: forget (x f), store (i x g), update (+), output
    (o x tanh c_t). Returns the axes (of a new free-standing figure when ``ax`` is None).
    """
    if ax is None:
        ax = Figure(figsize=(12, 6)).add_subplot()
    belt, bus, top = 5.0, 0.5, 3.7  # heights: the cell-state belt, the [h_{t-1}, x_t] bus, the products
    ax.add_patch(FancyArrowPatch((0.2, belt), (13.9, belt), arrowstyle="simple,head_width=1.6,"
                                 "head_length=1.2,tail_width=0.9", mutation_scale=14,
                                 color=BELT_COLOR, zorder=1))
    ax.text(0.2, belt + 0.35, "$c_{t-1}$", fontsize=13, ha="left", va="bottom")
    ax.text(13.9, belt + 0.35, "$c_t$", fontsize=13, ha="right", va="bottom")
    ax.text(6.15, belt - 0.4, "cell state $c$: the conveyor belt\n(no weight matrix, no squashing)",
            ha="left", va="top", fontsize=8.5, color="#8a5a00")
    _line(ax, [(0.2, bus), (10.6, bus)], arrow=False, lw=2)  # the bus carrying h_{t-1} and x_t
    ax.text(0.2, bus - 0.2, "$h_{t-1}$", fontsize=13, ha="left", va="top")
    ax.text(1.4, -0.85, "$x_t$", fontsize=13, ha="center", va="top")
    _line(ax, [(1.4, -0.8), (1.4, bus)])
    gates = {"f": (2.2, "σ"), "i": (5.2, "σ"), "g": (6.6, "tanh"), "o": (10.6, "σ")}
    for name, (x, function) in gates.items():
        _line(ax, [(x, bus), (x, 1.67)])
        _gate(ax, x, 2.0, name, function)
    _circle(ax, 2.2, belt, "×")  # forget: f * c_{t-1}
    _line(ax, [(2.2, 2.33), (2.2, belt - 0.28)])
    _circle(ax, 5.9, top, "×")  # store: i * g
    _line(ax, [(5.2, 2.33), (5.2, top), (5.62, top)])
    _line(ax, [(6.6, 2.33), (6.6, top), (6.18, top)])
    _circle(ax, 5.9, belt, "+")  # update: c_t = f * c_{t-1} + i * g
    _line(ax, [(5.9, top + 0.28), (5.9, belt - 0.28)])
    _line(ax, [(9.9, belt), (9.9, top + 0.25)])  # output: o * tanh(c_t)
    ax.add_patch(FancyBboxPatch((9.45, top - 0.25), 0.9, 0.5, facecolor="white", edgecolor="0.25",
                                boxstyle="round,pad=0.02,rounding_size=0.1", zorder=4))
    ax.text(9.9, top, "tanh", ha="center", va="center", fontsize=9, zorder=5)
    _circle(ax, 11.6, top, "×")
    _line(ax, [(10.35, top), (11.32, top)])
    _line(ax, [(10.6, 2.33), (10.6, 3.0), (11.6, 3.0), (11.6, top - 0.28)])
    _line(ax, [(11.88, top), (13.9, top)])
    _line(ax, [(13.0, top), (13.0, bus), (13.9, bus)])
    ax.text(13.9, top + 0.15, "$h_t$ (output)", fontsize=11, ha="right", va="bottom")
    ax.text(13.9, bus - 0.2, "$h_t$", fontsize=13, ha="right", va="top")
    notes = [("forget", "① forget: what to drop\n$f_t \\odot c_{t-1}$", 2.2, belt + 0.45, "center"),
             ("update", "③ update the cell state\n$c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$",
              5.9, belt + 0.45, "center"),
             ("store", "② store: what is new\nand relevant, $i_t \\odot g_t$", 7.1, 3.0, "left"),
             ("output", "④ output:\nwhat to expose,\n$h_t = o_t \\odot \\tanh(c_t)$", 11.1, 2.7, "left")]
    for name, text, x, y, align in notes:
        ax.text(x, y, text, ha=align, va="bottom" if y > belt else "top", fontsize=9.5,
                color=OPERATION_COLORS[name], fontweight="bold", zorder=6)
    ax.text(3.3, -0.5, "the gates read $[h_{t-1}, x_t]$; the σ gates are soft switches in (0, 1).\n"
            "Keras keeps them in the order i, f, g, o in W, U and b", ha="left", va="top", fontsize=9)
    plots._diagram_axes(ax, (-0.1, 14.1), (-1.5, 6.4))
    return ax


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

    Returns norms (T,): ``norms[k]`` is the mean over the batch of ||dL/dx_{T-k}||, divided by
    the same at k = 0, for k = 0 (the last input) .. T - 1 (the first). Same arguments, same result.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    blocks = 4 if kind == "lstm" else 1
    kernel, recurrent = _weights(rng, features, units, blocks)
    bias = np.zeros(blocks * units)
    if kind == "lstm":
        bias[units:2 * units] = forget_bias  # gate order i, f, g, o: f is the second block
        layer = keras.layers.LSTM(units, dtype="float64")
    else:
        layer = keras.layers.SimpleRNN(units, dtype="float64")
    layer.build((None, None, features))
    layer.set_weights([kernel, recurrent, bias])
    x = tf.constant(input_scale * rng.normal(size=(batch, steps, features)))  # (N, T, D)
    v = rng.normal(size=(batch, units))
    v = tf.constant(v / np.linalg.norm(v, axis=1, keepdims=True))  # (N, H), unit rows
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x) * v)  # layer(x): (N, H), the last state h_T
    grads = tape.gradient(loss, x).numpy()  # (N, T, D)
    norms = np.linalg.norm(grads, axis=2).mean(axis=0)[::-1]  # (T,), index k = T - 1 - t
    return norms / norms[0]


@lru_cache(maxsize=512)
def _cached_norms(kind: str, steps: int, forget_bias: float, seed: int) -> np.ndarray:
    return input_gradient_norms(kind=kind, steps=steps, forget_bias=forget_bias, seed=seed)


def cached_gradient_norms(kind: str = "lstm", steps: int = 100, forget_bias: float = 1.0,
                          seed: int = 0) -> np.ndarray:
    """``input_gradient_norms`` with the default sizes, remembered: a setting seen before (in a
    figure or an earlier slider position) comes back at once. The RNN ignores ``forget_bias``."""
    bias = float(forget_bias) if kind == "lstm" else 0.0
    return _cached_norms(kind, int(steps), bias, int(seed)).copy()


def forget_gate(forget_bias: float) -> float:
    """sigma(b_f): a forget gate that sees only its bias."""
    return float(1 / (1 + np.exp(-forget_bias)))


def forget_guide(forget_bias: float, steps: int) -> np.ndarray:
    """sigma(b_f)^k, k = 0 .. steps - 1: the product of k forget gates that see only their bias."""
    return forget_gate(forget_bias) ** np.arange(steps)


def highway_curves(forget_bias: float, steps: int, seeds: Sequence[int] = (0,),
                   norms_fn: NormsFunction = cached_gradient_norms,
                   rnn: list[np.ndarray] | None = None) -> dict[str, list[np.ndarray]]:
    """``{"rnn": [norms per seed], "lstm": [norms per seed]}``. The RNN has no forget gate, so
    its curves can be passed in (``rnn``) from an earlier call with the same steps and seeds."""
    def runs(kind):
        return [np.asarray(norms_fn(kind=kind, steps=steps, forget_bias=forget_bias, seed=s))
                for s in seeds]

    return {"rnn": runs("rnn") if rnn is None else rnn, "lstm": runs("lstm")}


def plot_highway(ax: Axes, curves: dict[str, list[np.ndarray]], forget_bias: float,
                 title: str | None = None) -> Axes:
    """RNN against LSTM in unit 03's plot: the first seed bold, further seeds thin, the guide
    sigma(b_f)^k dashed. ``curves`` as returned by ``highway_curves``."""
    steps = len(curves["lstm"][0])
    main = {f"{LABELS[k]}" + (f", forget bias b_f = {forget_bias:g}" if k == "lstm" else ""):
            runs[0] for k, runs in curves.items()}
    guide = {f"σ(b_f)^k = {forget_gate(forget_bias):.3f}^k (forget gates alone)":
             forget_guide(forget_bias, steps)}
    plot_gradient_norms(ax, main, guides=guide, title=title)
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


class HighwayExplorer:
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
        self.chart = widgets.Image(format="png")
        self.curves: dict[str, list[np.ndarray]] = {}
        self._rnn: dict[int, list[np.ndarray]] = {}
        for control in (self.forget_bias, self.steps):
            control.observe(self.update, names="value")
        self.box = widgets.VBox([widgets.HBox([self.forget_bias, self.steps]), self.verdict,
                                 self.chart])
        self.update()

    def update(self, change=None) -> None:
        """Recompute the curves for the current controls and redraw (an ``observe`` callback)."""
        bias, steps = float(self.forget_bias.value), int(self.steps.value)
        self.curves = highway_curves(bias, steps, self.seeds, self.norms_fn, self._rnn.get(steps))
        self._rnn[steps] = self.curves["rnn"]
        fig = Figure(figsize=(8, 4))
        plot_highway(fig.add_subplot(), self.curves, bias,
                     title=f"the gradient reaching input x_t from the loss at T = {steps}")
        fig.tight_layout()
        self.chart.value = plots.figure_to_png(fig)
        self.verdict.value = verdict_html(self.curves)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)
