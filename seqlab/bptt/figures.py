"""Unit 03's figures: gradient norms on a log scale with the three regimes shaded (reused by
unit 04), clipping by norm, eigenvalues against the unit circle, and the backward graph.

Every function draws on the ``ax`` it is given (``plot_backward_graph`` on a new figure) and
returns it. The norms come in as arguments (``seqlab.bptt.gradient_norms`` measures them).
"""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from seqlab.bptt.gradient_norms import EXPLODING_ABOVE, VANISHING_BELOW
from seqlab.drawing import INPUT_COLOR, MODEL_COLOR, OUTPUT_COLOR, arrow, box, diagram_axes

SMALLEST_SHOWN = 1e-12  # plots show 1e-12 .. 1e12; a curve that leaves them has vanished/exploded
REGIME_COLORS = {"vanishing": "#c6dbef", "stable": "#d9f0d3", "exploding": "#fcd5cf"}
REGIME_TEXT_COLORS = {"vanishing": "#2c6fbb", "stable": "#2e7d32", "exploding": "#c62828"}
CURVE_COLORS = ["#1f3b73", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"]


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
    for vector, color, label in [(grad, INPUT_COLOR, f"gradient, ‖g‖ = {np.linalg.norm(grad):.3g}"),
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
        box(ax, 2 * t, 1.0, MODEL_COLOR, label, width=0.8, fontsize=11)
        if t == 0:
            continue
        name = "T" if t == steps else t
        box(ax, 2 * t, 0.0, INPUT_COLOR, f"$x_{{{name}}}$", width=0.8, fontsize=11)
        box(ax, 2 * t, 2.1, OUTPUT_COLOR, f"$L_{{{name}}}$", width=0.8, fontsize=11)
        arrow(ax, (2 * t, 0.25), (2 * t, 0.75))
        arrow(ax, (2 * t, 1.25), (2 * t, 1.85))
        arrow(ax, (2 * t - 1.6, 1.08), (2 * t - 0.4, 1.08))  # forward: h_{t-1} -> h_t
        arrow(ax, (2 * t - 0.4, 0.88), (2 * t - 1.6, 0.88), color="#c62828", lw=1.8)
        ax.text(2 * t - 1, 0.62, r"$\times\,\mathrm{diag}(f')\,W_{hh}^{\top}$", ha="center",
                va="top", fontsize=8, color="#c62828")
        arrow(ax, (2 * t + 0.12, 1.85), (2 * t + 0.12, 1.25), color="#c62828", lw=1.2)
    ax.text(steps + 0.2, 2.75, "forward (grey): $h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b)$;  "
            r"backward (red): $\partial L / \partial h_t$ flows right to left",
            ha="center", fontsize=9)
    diagram_axes(ax, (-0.6, 2 * steps + 0.6), (-0.4, 3.0))
    return fig
