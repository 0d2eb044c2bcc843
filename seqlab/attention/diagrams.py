"""Diagrams of unit 06, drawn with code: the encoder–decoder (with and without attention) and
the transformer block. Each function returns the figure it drew.
"""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from seqlab.drawing import INPUT_COLOR, MODEL_COLOR, OUTPUT_COLOR, arrow, box, diagram_axes

DECODER_COLOR = "#c6dbef"  # light blue: the decoder at one step
BOTTLENECK_COLOR = "#fdd49e"  # orange: the one vector between encoder and decoder
ATTENTION_COLOR = "#d9534f"  # red: attention links


def _node(ax: Axes, x: float, y: float, color: str, label: str = "", w: float = 0.8,
          h: float = 0.5, fontsize: int = 10, **text_kw) -> None:
    """A step of a model, or a token: a rounded box (unit 06's boxes are all rounded)."""
    box(ax, x, y, color, label, width=w, height=h, rounding=0.1, fontsize=fontsize, **text_kw)


def _link(ax: Axes, start, end, lw: float = 1.1, **style) -> None:
    """An arrow from start to end; unit 06 draws them a little thinner than the other units."""
    arrow(ax, start, end, lw=lw, **style)


# --- the encoder–decoder ----------------------------------------------------------------------


def plot_encoder_decoder(source: Sequence[str] = ("the", "3rd", "of", "May", "1997"),
                         target: Sequence[str] = ("1997", "05", "03"),
                         weights=(0.04, 0.12, 0.04, 1.0, 0.08), focus: int = 1) -> Figure:
    """Two panels: an encoder–decoder without attention, and the same with attention.

    source: input tokens (red), read by the encoder (green)    target: output tokens (blue).
    Left: the decoder sees the input only through the encoder's last state (orange, the
    bottleneck). Right: decoder step ``focus`` also looks at every encoder state, with line
    widths ``weights`` (len(source),) (illustrative; uniform when the lengths do not match).
    """
    n_src, n_tgt = len(source), len(target)
    if weights is None or len(weights) != n_src:
        weights = np.ones(n_src)
    weights = np.asarray(weights, float) / np.sum(weights)  # (S,)
    fig, axes = plt.subplots(1, 2, figsize=(13, 3.6))
    gap = 1.4  # room between encoder and decoder
    for panel, ax in enumerate(axes):
        for s, token in enumerate(source):
            _node(ax, s, 0.0, INPUT_COLOR, token, fontsize=9)
            _node(ax, s, 1.2, MODEL_COLOR)
            _link(ax, (s, 0.25), (s, 0.95))
            if s + 1 < n_src:
                _link(ax, (s + 0.4, 1.2), (s + 0.6, 1.2))
        x0 = n_src - 1 + gap  # first decoder step
        _node(ax, x0 - gap / 2, 1.2, BOTTLENECK_COLOR, "$c$", w=0.5)
        _link(ax, (n_src - 1 + 0.4, 1.2), (x0 - gap / 2 - 0.25, 1.2))
        _link(ax, (x0 - gap / 2 + 0.25, 1.2), (x0 - 0.4, 1.2))
        for t, token in enumerate(target):
            x = x0 + t
            _node(ax, x, 1.2, DECODER_COLOR)
            _node(ax, x, 2.4, OUTPUT_COLOR, token, fontsize=9)
            _link(ax, (x, 1.45), (x, 2.15))
            if t + 1 < n_tgt:
                _link(ax, (x + 0.4, 1.2), (x + 0.6, 1.2))
        if panel == 1:
            xf = x0 + focus
            for s in range(n_src):
                ax.add_patch(FancyArrowPatch((s, 1.45), (xf, 0.95), connectionstyle="arc3,rad=-0.25",
                                             arrowstyle="-", color=ATTENTION_COLOR,
                                             lw=0.4 + 5 * weights[s], alpha=0.85))
            ax.text(xf + 0.5, 0.75, f"step {focus + 1} looks back\nat every input", fontsize=8,
                    color=ATTENTION_COLOR, va="top")
        ax.text(-0.5, 1.2, "encoder ", ha="right", va="center", fontsize=10, color="0.3")
        ax.text(x0 + n_tgt - 0.5, 1.2, " decoder", ha="left", va="center", fontsize=10, color="0.3")
        ax.set_title(["without attention: all of the input squeezed into one vector $c$",
                      "with attention: each output step reads all encoder states"][panel],
                     fontsize=10, fontweight="bold")
        diagram_axes(ax, (-1.8, x0 + n_tgt + 0.9), (-0.45, 2.8))
    fig.tight_layout()
    return fig

# --- the transformer block --------------------------------------------------------------------


def plot_transformer_block() -> Figure:
    """The encoder block of a transformer: attention and feed-forward, each wrapped in a
    residual connection and layer normalisation, on inputs with positions added."""
    fig, ax = plt.subplots(figsize=(5.2, 6.6))
    x = 0.0
    steps = [  # (y, colour, label, width)
        (0.0, INPUT_COLOR, "token embeddings $x$  (N, T, d)", 3.6),
        (1.2, "#e0e0e0", "+ positional encoding", 3.0),
        (2.6, ATTENTION_COLOR + "55", "multi-head self-attention\n(causal mask in a decoder)", 3.4),
        (3.8, "#fff3b0", "add & layer norm", 2.6),
        (5.0, MODEL_COLOR, "feed-forward (per position)\nDense(relu) → Dense", 3.4),
        (6.2, "#fff3b0", "add & layer norm", 2.6),
        (7.4, OUTPUT_COLOR, "output  (N, T, d)", 3.0),
    ]
    for i, (y, color, label, width) in enumerate(steps):
        _node(ax, x, y, color, label, w=width, h=0.75 if "\n" in label else 0.55, fontsize=9)
        if i + 1 < len(steps):
            top = y + (0.375 if "\n" in label else 0.275)
            nxt = steps[i + 1]
            bottom = nxt[0] - (0.375 if "\n" in nxt[2] else 0.275)
            _link(ax, (x, top), (x, bottom))
    purple = "#6a51a3"
    for branch, target in ((1.8, 3.8), (4.35, 6.2)):  # residual: around the sub-layer, into "add"
        ax.plot([x, x + 2.0, x + 2.0], [branch, branch, target], color=purple, lw=1.3)
        ax.plot([x], [branch], "o", color=purple, ms=4)
        _link(ax, (x + 2.0, target), (x + 1.3, target), color=purple, lw=1.3)
        ax.text(x + 2.1, (branch + target) / 2, "residual", color=purple, fontsize=8, rotation=90,
                va="center")
    ax.add_patch(FancyBboxPatch((x - 2.3, 1.6), 4.8, 5.0, boxstyle="round,pad=0.05",
                                facecolor="none", edgecolor="0.5", ls="--"))
    ax.text(x - 2.2, 1.65, "× L blocks", fontsize=9, color="0.4", va="bottom")
    diagram_axes(ax, (-2.5, 2.6), (-0.5, 7.9))
    return fig
