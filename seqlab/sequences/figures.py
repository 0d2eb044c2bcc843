"""Unit 01's figures: the shapes of sequence tasks, bag-of-words counts, inputs over their
next-step targets, one-hot matrices, and a weight per position against one shared weight.

Every function draws on the ``ax`` it is given, or on a new figure when ``ax`` is None, and
returns what it drew on. Nothing here computes a lab's answer: counts, indices and one-hot
matrices come in as arguments.
"""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from seqlab.drawing import (
    INPUT_COLOR,
    MODEL_COLOR,
    OUTLINE_COLOR,
    OUTPUT_COLOR,
    arrow,
    box,
    diagram_axes,
    new_axes,
    shown_char,
)

WEIGHT_COLORS = ["#fdd49e", "#c6dbef", "#d9f0a3", "#fcc5c0", "#dadaeb", "#ccebc5", "#fee391"]

# (title, example, number of steps, steps with an input, steps with an output)
TASK_SHAPES = [
    ("one to one", "image → class\n(not a sequence task)", 1, [0], [0]),
    ("many to one", "review → sentiment", 3, [0, 1, 2], [2]),
    ("one to many", "seed → melody,\nimage → caption", 3, [0], [0, 1, 2]),
    ("many to many", "translation:\nread all, then write", 5, [0, 1, 2], [3, 4]),
    ("many to many, in step", "next-character prediction\n(this course)", 4, [0, 1, 2, 3],
     [0, 1, 2, 3]),
]


def plot_sequence_task_shapes() -> Figure:
    """The shapes of sequence tasks (after Karpathy's diagram), one panel per shape.

    Red boxes are inputs, green the model at each step (the same model, passing something to
    its right), blue the outputs. Returns the figure.
    """
    fig, axes = plt.subplots(1, len(TASK_SHAPES), figsize=(14, 2.7))
    width = max(steps for _, _, steps, _, _ in TASK_SHAPES)
    for ax, (title, example, steps, inputs, outputs) in zip(axes, TASK_SHAPES, strict=True):
        offset = (width - steps) / 2  # centre the panel's steps
        for t in range(steps):
            x = offset + t
            box(ax, x, 1.0, MODEL_COLOR)
            if t in inputs:
                box(ax, x, 0.0, INPUT_COLOR)
                arrow(ax, (x, 0.25), (x, 0.75))
            if t in outputs:
                box(ax, x, 2.0, OUTPUT_COLOR)
                arrow(ax, (x, 1.25), (x, 1.75))
            if t + 1 < steps:
                arrow(ax, (x + 0.35, 1.0), (x + 0.65, 1.0))
        ax.set_title(title, fontsize=11, fontweight="bold")
        ax.text(width / 2 - 0.5, -0.45, example, ha="center", va="top", fontsize=9)
        diagram_axes(ax, (-0.6, width - 0.4), (-1.35, 2.35))
    handles = [Patch(facecolor=c, edgecolor=OUTLINE_COLOR, label=label) for c, label in
               [(INPUT_COLOR, "input"), (MODEL_COLOR, "model (one step)"), (OUTPUT_COLOR, "output")]]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.1, wspace=0.08)
    return fig


def plot_count_vectors(vocab: Sequence[str], counts, labels: Sequence[str] | None = None,
                       ax: Axes | None = None) -> Axes:
    """Bar chart of bag-of-words count vectors, grouped by word.

    vocab: V words    counts: (V,) or (S, V), one row per sentence    labels: S legend labels
    """
    counts = np.atleast_2d(np.asarray(counts))  # (S, V)
    n_sent, n_words = counts.shape
    if n_words != len(vocab):
        raise ValueError(f"{len(vocab)} words but {n_words} counts per sentence")
    ax = new_axes(ax, (max(5.0, 0.55 * n_words + 1.5), 3.2))
    width = 0.8 / n_sent
    positions = np.arange(n_words)  # (V,)
    for s in range(n_sent):
        label = labels[s] if labels is not None else None
        ax.bar(positions + (s - (n_sent - 1) / 2) * width, counts[s], width, label=label,
               color=[OUTPUT_COLOR, INPUT_COLOR, MODEL_COLOR][s % 3], edgecolor="0.25")
    ax.set_xticks(positions, [str(w) for w in vocab], rotation=45 if n_words > 8 else 0,
                  ha="right" if n_words > 8 else "center")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("count")
    ax.set_xlim(-0.6, max(n_words, 1) - 0.4)
    if labels is not None:  # leave room above the bars for the legend
        ax.set_ylim(0, 1.25 * counts.max(initial=1) + 0.35 * n_sent)
        ax.legend(fontsize=8, loc="upper right", framealpha=0.9)
    return ax


def plot_input_target(x_chars: str, y_chars: str, ax: Axes | None = None) -> Axes:
    """Input characters over their next-step targets: the model reads x[t] and must output y[t].

    Dashed lines show the shift: y[t] is the same character as x[t + 1].
    """
    if len(x_chars) != len(y_chars):
        raise ValueError("x and y must have the same length")
    steps = len(x_chars)
    ax = new_axes(ax, (0.62 * steps + 1.2, 2.3))
    for t in range(steps):
        box(ax, t, 1.0, INPUT_COLOR, shown_char(x_chars[t]), family="monospace", fontsize=11)
        box(ax, t, 0.0, OUTPUT_COLOR, shown_char(y_chars[t]), family="monospace", fontsize=11)
        arrow(ax, (t, 0.75), (t, 0.25))
        if t + 1 < steps:
            ax.plot([t + 0.2, t + 0.8], [0.25, 0.75], ls=":", color="0.55", lw=1)
    ax.text(-0.5, 1.0, "input x ", ha="right", va="center", fontsize=10)
    ax.text(-0.5, 0.0, "target y ", ha="right", va="center", fontsize=10)
    diagram_axes(ax, (-2.2, steps - 0.4), (-0.4, 1.4))
    return ax


def plot_one_hot(one_hot, row_labels: str, vocab: Sequence[str], ax: Axes | None = None) -> Axes:
    """A one-hot matrix as an image: one row per time step, one column per vocabulary entry.

    one_hot: (T, V)    row_labels: the T characters    vocab: the V vocabulary entries.
    Only the columns that hold a 1 are labelled.
    """
    one_hot = np.asarray(one_hot)  # (T, V)
    steps, depth = one_hot.shape
    ax = new_axes(ax, (12, 0.17 * steps + 1.3))
    ax.imshow(one_hot, cmap="Greys", aspect="auto", interpolation="nearest", vmin=0, vmax=1)
    hot = np.flatnonzero(one_hot.any(axis=0))  # columns in use
    ax.set_xticks(hot, [shown_char(vocab[k]) for k in hot], family="monospace", fontsize=7)
    ax.set_yticks(range(steps), [shown_char(c) for c in row_labels], family="monospace", fontsize=8)
    ax.set_xlabel(f"vocabulary index (V = {depth}); only the columns in use are labelled")
    ax.set_ylabel("time step t")
    return ax


def plot_weight_sharing(steps: int = 5) -> Figure:
    """Two ways to read a sequence: a separate weight per position, or one weight shared by all.

    Left: position t has its own weights W_t, so what W_3 learned is unknown to W_7.
    Right: the same W at every position, so a pattern is recognised wherever it occurs.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 2.9))
    titles = ["a separate weight per position", "one weight shared by every position"]
    for panel, (ax, title) in enumerate(zip(axes, titles, strict=True)):
        for t in range(steps):
            color = WEIGHT_COLORS[t % len(WEIGHT_COLORS)] if panel == 0 else MODEL_COLOR
            name = f"$W_{{{t + 1}}}$" if panel == 0 else "$W$"
            box(ax, t, 0.0, INPUT_COLOR, f"$x_{{{t + 1}}}$", fontsize=11)
            box(ax, t, 1.0, color, name, fontsize=11)
            arrow(ax, (t, 0.25), (t, 0.75))
            arrow(ax, (t, 1.25), ((steps - 1) / 2, 1.8), color="0.6", lw=0.8)
        box(ax, (steps - 1) / 2, 2.05, OUTPUT_COLOR, "prediction", width=2.0, fontsize=10)
        ax.set_title(title, fontsize=11, fontweight="bold")
        diagram_axes(ax, (-0.6, steps - 0.4), (-0.4, 2.5))
    fig.tight_layout()
    return fig

