"""How far a gradient travels back through time: measure it, plot it, explore it.

The loss at the last step T sends a gradient back to every earlier hidden state. Each step back
multiplies it by one Jacobian, ``diag(f'(a_t)) Whh^T`` in the course's row-vector convention, so
its norm shrinks or grows roughly geometrically: it **vanishes**, stays **stable**, or
**explodes**. This module measures those norms with ``tf.GradientTape`` through Keras'
``SimpleRNNCell`` (``keras_gradient_norms``), draws them on a log scale with the three regimes
shaded (``plot_gradient_norms``, reused by later units), and wraps both in a widget
(``gradient_flow_explorer``). It computes norms of gradients; it does not implement
backpropagation itself.
"""

from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from seqlab import plots

ACTIVATIONS = ("linear", "tanh", "relu")
VANISHING_BELOW = 1e-2  # a gradient that has shrunk 100-fold no longer teaches the early steps
EXPLODING_ABOVE = 1e2  # one that has grown 100-fold swamps everything else in an update
SMALLEST_SHOWN = 1e-12  # plots show 1e-12 .. 1e12; a curve that leaves them has vanished/exploded
REGIME_COLORS = {"vanishing": "#c6dbef", "stable": "#d9f0d3", "exploding": "#fcd5cf"}
REGIME_TEXT_COLORS = {"vanishing": "#2c6fbb", "stable": "#2e7d32", "exploding": "#c62828"}
CURVE_COLORS = ["#1f3b73", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"]

# (radius, steps, activation, identity_init, input_scale) -> norms (steps + 1,)
NormsFunction = Callable[..., np.ndarray]


def recurrent_matrix(units: int, radius: float, identity: bool = False, seed: int = 0) -> np.ndarray:
    """A recurrent weight matrix ``Whh`` (H, H) whose singular values all equal ``radius``.

    ``identity=False``: ``radius`` times a random orthogonal matrix (QR of a Gaussian matrix,
    drawn from ``seed``); ``identity=True``: ``radius * I``. Either way its spectral radius and
    its spectral norm are both ``radius``, and ``||Whh^k|| = radius^k``.
    """
    if identity:
        return radius * np.eye(units)
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(units, units)))  # q: (H, H) orthogonal
    return radius * q * np.sign(np.diag(r))  # sign fix: uniformly distributed rotations


def keras_gradient_norms(radius: float = 1.0, steps: int = 50, activation: str = "tanh",
                         identity_init: bool = False, input_scale: float = 0.1, units: int = 32,
                         features: int = 8, batch: int = 16, seed: int = 0) -> np.ndarray:
    """Norms of the gradient that the loss at step T sends back to each earlier hidden state.

    A Keras ``SimpleRNNCell`` (float64, ``units`` H, zero bias) with ``Whh = recurrent_matrix(...)``
    reads random inputs x (N, T, D) of size ``input_scale`` from h_0 = 0. The loss is
    L = sum_n <h_T[n], v_n> for fixed random unit vectors v_n, so dL/dh_T has norm 1 per sequence.
    The cell is stepped in a Python loop so that ``tf.GradientTape`` can return dL/dh_t for every t.

    Returns norms (T + 1,): ``norms[k]`` is the mean over the batch of ||dL/dh_{T-k}||,
    for k = 0 (the last step, always 1) .. T (the initial state).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    cell = keras.layers.SimpleRNNCell(units, activation=activation, dtype="float64")
    cell.build((None, features))
    cell.kernel.assign(rng.normal(scale=1 / np.sqrt(features), size=(features, units)))  # (D, H)
    cell.recurrent_kernel.assign(recurrent_matrix(units, radius, identity_init, seed))  # (H, H)
    cell.bias.assign(np.zeros(units))
    x = tf.constant(input_scale * rng.normal(size=(batch, steps, features)))  # (N, T, D)
    v = rng.normal(size=(batch, units))
    v = tf.constant(v / np.linalg.norm(v, axis=1, keepdims=True))  # (N, H), unit rows
    h = tf.zeros((batch, units), dtype=tf.float64)  # (N, H)
    states = [h]
    with tf.GradientTape() as tape:
        tape.watch(h)
        for t in range(steps):
            h, _ = cell(x[:, t], [h])  # (N, H)
            states.append(h)
        loss = tf.reduce_sum(h * v)
    grads = tape.gradient(loss, states)  # T + 1 tensors (N, H): dL/dh_0 .. dL/dh_T
    norms = np.array([np.linalg.norm(g.numpy(), axis=1).mean() for g in grads])  # (T + 1,)
    return norms[::-1].copy()  # index k = T - t


def regime(norms) -> str:
    """``"vanishing"``, ``"stable"`` or ``"exploding"``: where the gradient ends up after T steps.

    Judged by the last entry relative to the first (norms[k] for k = T vs k = 0), against
    ``VANISHING_BELOW`` and ``EXPLODING_ABOVE``. NaN or infinite counts as exploding.
    """
    norms = np.asarray(norms, dtype=np.float64)
    ratio = norms[-1] / norms[0]
    if not np.isfinite(ratio) or ratio > EXPLODING_ABOVE:
        return "exploding"
    return "vanishing" if ratio < VANISHING_BELOW else "stable"


def plot_gradient_norms(ax: Axes, norms_by_label: Mapping[str, np.ndarray], *,
                        guides: Mapping[str, np.ndarray] | None = None, title: str | None = None,
                        styles: Mapping[str, dict] | None = None) -> Axes:
    """Gradient norms against steps back in time, on a log scale, with the three regimes shaded.

    norms_by_label: label -> norms (K + 1,), norms[k] = ||dL/dh_{T-k}|| for k = 0 .. K
    (curves may have different lengths). guides: label -> (K + 1,) drawn dashed and grey, e.g.
    a bound ``radius ** k``. styles: label -> extra ``ax.plot`` keywords for that curve.
    Bands: blue below ``VANISHING_BELOW`` (vanishing), green between (stable), red above
    ``EXPLODING_ABOVE`` (exploding). The y-axis never extends beyond ``SMALLEST_SHOWN`` and its
    inverse, so that the bands stay readable; zeros cannot be drawn on a log axis and are left out.
    """
    styles = styles or {}
    every = [np.asarray(n, dtype=np.float64) for n in [*norms_by_label.values(),
                                                       *(guides or {}).values()]]
    shown = np.concatenate([n[np.isfinite(n) & (n > 0)] for n in every] + [np.ones(1)])
    low = max(min(VANISHING_BELOW / 100, shown.min() / 5), SMALLEST_SHOWN)
    high = min(max(EXPLODING_ABOVE * 100, shown.max() * 5), 1 / SMALLEST_SHOWN)
    longest = max(len(n) for n in every) - 1
    bands = [("vanishing", low, VANISHING_BELOW), ("stable", VANISHING_BELOW, EXPLODING_ABOVE),
             ("exploding", EXPLODING_ABOVE, high)]
    for name, bottom, top in bands:
        ax.axhspan(bottom, top, color=REGIME_COLORS[name], zorder=0, lw=0)
        ax.text(1.01, np.sqrt(bottom * top), name, transform=ax.get_yaxis_transform(),
                ha="left", va="center", fontsize=9, fontweight="bold",
                color=REGIME_TEXT_COLORS[name])  # outside the axes, right of its band
    for label, guide in (guides or {}).items():
        ax.plot(np.arange(len(guide)), _drawable(guide), ls="--", color="0.45", lw=1.2,
                label=label, zorder=2)
    for i, (label, norms) in enumerate(norms_by_label.items()):
        style = {"color": CURVE_COLORS[i % len(CURVE_COLORS)], "lw": 2.2} | dict(styles.get(label, {}))
        ax.plot(np.arange(len(norms)), _drawable(norms), label=label, zorder=3, **style)
    ax.set_yscale("log")
    ax.set_ylim(low, high)
    ax.set_xlim(0, max(longest, 1))
    ax.set_xlabel("k = T − t: steps back from the loss at step T")
    ax.set_ylabel("‖∂L/∂h_t‖ (log scale)")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8, framealpha=0.9)
    return ax


def _drawable(values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).copy()
    values[~(values > 0)] = np.nan  # zeros and NaN: a gap in the line
    return values


def plot_clipping(ax: Axes, grad, clipped, max_norm: float) -> Axes:
    """A 2-D gradient before and after clipping by norm: same direction, length at most max_norm.

    grad, clipped: (2,) vectors (for example one parameter's gradient before and after
    ``tf.clip_by_global_norm``). The dashed circle is the ball of radius ``max_norm``.
    """
    grad, clipped = np.asarray(grad, dtype=float), np.asarray(clipped, dtype=float)
    circle = np.linspace(0, 2 * np.pi, 200)
    ax.fill(max_norm * np.cos(circle), max_norm * np.sin(circle), color=REGIME_COLORS["stable"],
            zorder=0)
    ax.plot(max_norm * np.cos(circle), max_norm * np.sin(circle), ls="--", color="0.4", lw=1,
            label=f"‖g‖ = {max_norm:g}")
    for vector, color, label in [(grad, plots.INPUT_COLOR, f"gradient, ‖g‖ = {np.linalg.norm(grad):.3g}"),
                                 (clipped, "#2e7d32", f"clipped, ‖g‖ = {np.linalg.norm(clipped):.3g}")]:
        ax.annotate("", xy=vector, xytext=(0, 0),
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2.5, "mutation_scale": 16})
        ax.plot([], [], color=color, lw=2.5, label=label)  # legend entry for the arrow
    reach = 1.15 * max(np.abs(grad).max(), max_norm)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    return ax


def plot_eigenvalues(ax: Axes, matrices: Mapping[str, np.ndarray]) -> Axes:
    """Eigenvalues of square matrices in the complex plane, with the unit circle.

    Outside the circle (|λ| > 1) a direction grows with every multiplication, inside it shrinks.
    """
    circle = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(circle), np.sin(circle), color="0.3", lw=1.2, label="|λ| = 1")
    for i, (label, matrix) in enumerate(matrices.items()):
        eig = np.linalg.eigvals(np.asarray(matrix, dtype=np.float64))
        ax.scatter(eig.real, eig.imag, s=14, color=CURVE_COLORS[i % len(CURVE_COLORS)],
                   label=f"{label} (max |λ| = {np.abs(eig).max():.2f})", zorder=3)
    ax.set_aspect("equal")
    ax.set_xlabel("Re λ")
    ax.set_ylabel("Im λ")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return ax


def plot_backward_graph(steps: int = 4) -> Figure:
    """The unrolled RNN with its forward arrows (grey) and the gradient's way back (red).

    Each red arrow between hidden states is one multiplication by diag(f'(a_t)) Whh^T.
    """
    fig, ax = plt.subplots(figsize=(2.1 * steps + 2.2, 3.2))
    for t in range(steps + 1):
        label = f"$h_{{{t}}}$" if t < steps else "$h_T$"
        plots._box(ax, 2 * t, 1.0, plots.MODEL_COLOR, label, size=(0.8, 0.5), fontsize=11)
        if t == 0:
            continue
        name = "T" if t == steps else t
        plots._box(ax, 2 * t, 0.0, plots.INPUT_COLOR, f"$x_{{{name}}}$", size=(0.8, 0.5), fontsize=11)
        plots._box(ax, 2 * t, 2.1, plots.OUTPUT_COLOR, f"$L_{{{name}}}$", size=(0.8, 0.5), fontsize=11)
        plots._arrow(ax, (2 * t, 0.25), (2 * t, 0.75))
        plots._arrow(ax, (2 * t, 1.25), (2 * t, 1.85))
        plots._arrow(ax, (2 * t - 1.6, 1.08), (2 * t - 0.4, 1.08))  # forward: h_{t-1} -> h_t
        plots._arrow(ax, (2 * t - 0.4, 0.88), (2 * t - 1.6, 0.88), color="#c62828", lw=1.8)
        ax.text(2 * t - 1, 0.62, r"$\times\,\mathrm{diag}(f')\,W_{hh}^{\top}$", ha="center",
                va="top", fontsize=8, color="#c62828")
        plots._arrow(ax, (2 * t + 0.12, 1.85), (2 * t + 0.12, 1.25), color="#c62828", lw=1.2)
    ax.text(steps + 0.2, 2.75, "forward (grey): $h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b)$;  "
            r"backward (red): $\partial L / \partial h_t$ flows right to left",
            ha="center", fontsize=9)
    plots._diagram_axes(ax, (-0.6, 2 * steps + 0.6), (-0.4, 3.0))
    return fig


def setting_label(radius: float, activation: str, identity_init: bool,
                  input_scale: float | None = None) -> str:
    """A short name for an explorer setting, e.g. ``tanh, Whh = 1.1·orthogonal, inputs 0.1``."""
    label = f"{activation}, Whh = {radius:g}·{'I' if identity_init else 'orthogonal'}"
    return label if input_scale is None else f"{label}, inputs {input_scale:g}"


class GradientFlowExplorer:
    """Sliders for an RNN's recurrent matrix and activation; the gradient norms it produces.

    Controls: ``radius`` (spectral radius of Whh), ``steps`` (T), ``activation``
    (linear/tanh/relu), ``identity_init`` (Whh = radius·I instead of radius·orthogonal) and
    ``input_scale``. Outputs: ``chart`` (PNG of ``plot_gradient_norms``, the previous setting
    dotted grey for comparison) and ``verdict`` (HTML naming the regime). ``norms`` holds the latest
    result of ``norms_fn``. Display the object itself in a notebook.
    """

    def __init__(self, norms_fn: NormsFunction = keras_gradient_norms, radius: float = 1.0,
                 steps: int = 50, activation: str = "tanh", identity_init: bool = False,
                 input_scale: float = 0.1, max_steps: int = 100):
        self.norms_fn = norms_fn
        self.radius = widgets.FloatSlider(value=radius, min=0.5, max=1.5, step=0.05,
                                          description="radius ρ", continuous_update=False)
        self.steps = widgets.IntSlider(value=steps, min=5, max=max_steps, step=5,
                                       description="steps T", continuous_update=False)
        self.activation = widgets.ToggleButtons(options=list(ACTIVATIONS), value=activation,
                                                description="activation")
        self.identity_init = widgets.Checkbox(value=identity_init, description="Whh = ρ·I (identity)")
        self.input_scale = widgets.FloatSlider(value=input_scale, min=0.0, max=1.0, step=0.05,
                                               description="input size", continuous_update=False)
        self.verdict = widgets.HTML()
        self.chart = widgets.Image(format="png")
        self.norms = np.ones(1)
        self.previous: tuple[str, np.ndarray] | None = None
        self.controls = (self.radius, self.steps, self.activation, self.identity_init,
                         self.input_scale)
        for control in self.controls:
            control.observe(self.update, names="value")
        self.box = widgets.VBox([
            widgets.HBox([widgets.VBox([self.radius, self.steps, self.input_scale]),
                          widgets.VBox([self.activation, self.identity_init])]),
            self.verdict, self.chart,
        ])
        self.update()

    def update(self, change=None) -> None:
        """Recompute the norms for the current controls and redraw (an ``observe`` callback)."""
        radius, steps = float(self.radius.value), int(self.steps.value)
        label = setting_label(radius, self.activation.value, self.identity_init.value,
                              float(self.input_scale.value))
        norms = np.asarray(self.norms_fn(radius=radius, steps=steps,
                                         activation=self.activation.value,
                                         identity_init=self.identity_init.value,
                                         input_scale=float(self.input_scale.value)))
        curves = {label: norms}
        styles = {}
        if self.previous is not None and self.previous[0] != label:
            curves[f"before: {self.previous[0]}"] = self.previous[1]
            styles[f"before: {self.previous[0]}"] = {"color": "0.55", "lw": 1.2, "ls": ":"}
        fig = Figure(figsize=(7.5, 3.8))
        ax = fig.add_subplot()
        plot_gradient_norms(ax, curves, guides={"ρ^k (bound for every activation here)":
                                                radius ** np.arange(steps + 1)},
                            styles=styles, title=f"gradient reaching step t from step T = {steps}")
        fig.tight_layout()
        self.chart.value = plots.figure_to_png(fig)
        name = regime(norms)
        self.verdict.value = (f"<b style='color:{REGIME_TEXT_COLORS[name]}; font-size:120%'>"
                              f"{name}</b>: after {steps} steps back the gradient's norm is "
                              f"{norms[-1]:.2g} (it started at {norms[0]:.2g})")
        self.norms, self.previous = norms, (label, norms)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)


def gradient_flow_explorer(norms_fn: NormsFunction = keras_gradient_norms,
                           **initial) -> GradientFlowExplorer:
    """The gradient-norm explorer; ``initial`` sets the controls (radius, steps, activation,
    identity_init, input_scale). ``norms_fn`` defaults to ``keras_gradient_norms``."""
    return GradientFlowExplorer(norms_fn, **initial)
