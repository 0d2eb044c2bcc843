"""Figures of unit 06, drawn with code: attention maps, masks, positional encodings, and
accuracy curves (the diagrams are in ``seqlab.attention.diagrams``).

Every function draws on the ``ax`` it is given, or on a new figure when ``ax`` is None, and
returns what it drew on. Nothing here computes a lab answer: attention weights and masks come in
as arguments (in the walkthrough, from Keras' own attention layers).
"""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from seqlab.drawing import new_axes, shown_char

WEIGHT_CMAP = "Blues"
CURVE_COLORS = {"with attention": "#2b8cbe", "without attention": "#e34a33"}


# --- attention maps ---------------------------------------------------------------------------


def plot_attention(weights, query_labels: Sequence[str], key_labels: Sequence[str],
                   ax: Axes | None = None, title: str = "", annotate: bool | None = None,
                   colorbar: bool = False, vmax: float | None = None) -> Axes:
    """Attention weights as an image: row = query (output step), column = key (input step).

    weights: (Tq, Tk), rows usually sum to 1    query_labels: Tq    key_labels: Tk.
    Labels are drawn as characters (space as ␣). ``annotate`` writes the numbers (default: small
    maps). Colours run from 0 to ``vmax`` (default: the largest weight).
    """
    weights = np.asarray(weights, float)  # (Tq, Tk)
    n_q, n_k = weights.shape
    ax = new_axes(ax, (max(3.0, 0.28 * n_k + 1.5), max(2.0, 0.28 * n_q + 1.0)))
    vmax = max(1e-9, weights.max()) if vmax is None else vmax
    image = ax.imshow(weights, cmap=WEIGHT_CMAP, vmin=0, vmax=vmax,
                      aspect="auto", interpolation="nearest")
    ax.set_xticks(range(n_k), [shown_char(str(c)) for c in key_labels], family="monospace",
                  fontsize=9 if n_k < 30 else 7)
    ax.set_yticks(range(n_q), [shown_char(str(c)) for c in query_labels], family="monospace",
                  fontsize=9)
    ax.tick_params(length=0)
    if annotate if annotate is not None else n_q * n_k <= 36:
        for i in range(n_q):
            for j in range(n_k):
                ax.text(j, i, f"{weights[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if weights[i, j] > 0.6 * vmax else "black")
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    return ax


def plot_heads(weights, labels: Sequence[str], titles: Sequence[str] | None = None,
               vmax: float | None = None) -> Figure:
    """One attention map per head, side by side.  weights: (H, T, T)    labels: T.

    ``vmax``: the weight shown in the darkest colour (default: each head's largest weight).
    """
    weights = np.asarray(weights)  # (H, T, T)
    heads = weights.shape[0]
    fig, axes = plt.subplots(1, heads, figsize=(3.2 * heads, 3.2), squeeze=False)
    for h, ax in enumerate(axes[0]):
        plot_attention(weights[h], labels, labels, ax=ax, annotate=False, vmax=vmax,
                       title=titles[h] if titles else f"head {h + 1}")
        ax.set_xlabel("key (attended to)", fontsize=8)
    axes[0, 0].set_ylabel("query", fontsize=8)
    fig.tight_layout()
    return fig


def plot_mask(allowed, labels: Sequence[str] | None = None, ax: Axes | None = None,
              title: str = "") -> Axes:
    """A boolean attention mask: green where query i may attend to key j, grey × where not.

    allowed: (Tq, Tk) bool    labels: optional Tq (= Tk) tokens for the axes.
    """
    allowed = np.asarray(allowed, bool)  # (Tq, Tk)
    n_q, n_k = allowed.shape
    ax = new_axes(ax, (0.4 * n_k + 1.5, 0.4 * n_q + 1.0))
    colors = np.where(allowed[..., None], np.array([0.66, 0.85, 0.64]), np.array([0.88, 0.88, 0.88]))
    ax.imshow(colors, interpolation="nearest")
    for i, j in zip(*np.nonzero(~allowed)):
        ax.text(j, i, "×", ha="center", va="center", color="0.45", fontsize=10)
    ticks = [shown_char(str(c)) for c in labels] if labels is not None else None
    ax.set_xticks(range(n_k), ticks if ticks else range(n_k), family="monospace")
    ax.set_yticks(range(n_q), ticks if ticks else range(n_q), family="monospace")
    ax.set_xlabel("key position j (attended to)")
    ax.set_ylabel("query position i")
    ax.tick_params(length=0)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# --- positions --------------------------------------------------------------------------------


def sinusoid_table(length: int, depth: int) -> np.ndarray:
    """Sinusoids for the figures, in the *concatenated* layout: float64 ``(length, depth)``.

    Column i < depth/2 holds ``sin(p * w_i)`` and column depth/2 + i holds ``cos(p * w_i)``, with
    ``w_i = 1 / 10000^(2i / depth)`` (the layout of tensor2tensor and of TensorFlow's transformer
    tutorial). The paper, and the lab, interleave the same columns instead. ``depth`` must be even.
    """
    if depth % 2:
        raise ValueError("the figures' layout needs an even depth")
    rates = 1.0 / 10000.0 ** (np.arange(0, depth, 2) / depth)  # (depth/2,)
    angles = np.arange(length)[:, None] * rates[None, :]  # (length, depth/2)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def plot_position_table(table, ax: Axes | None = None, title: str = "") -> Axes:
    """A positional-encoding table as an image: rows are positions, columns dimensions."""
    table = np.asarray(table)  # (L, D)
    ax = new_axes(ax, (8, 4))
    image = ax.imshow(table, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xlabel("dimension")
    ax.set_ylabel("position p")
    ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    if title:
        ax.set_title(title, fontsize=10)
    return ax

# --- results ----------------------------------------------------------------------------------


def plot_accuracy_by_length(curves: Mapping[str, tuple], ax: Axes | None = None) -> Axes:
    """Exact-match accuracy against input length, one line per model.

    curves: name -> (centres (B,), accuracy (B,), counts (B,)) from
    ``seqlab.attention.seq2seq.accuracy_by_length``. Grey bars (right axis) show how many test inputs
    each bin holds.
    """
    ax = new_axes(ax, (7.5, 3.8))
    counts_ax = ax.twinx()
    for k, (name, (centres, accuracy, counts)) in enumerate(curves.items()):
        color = CURVE_COLORS.get(name, f"C{k}")
        ax.plot(centres, accuracy, "o-", color=color, label=name, zorder=3)
        if k == 0:
            width = np.diff(centres).min() * 0.8 if len(centres) > 1 else 1.0
            counts_ax.bar(centres, counts, width=width, color="0.9", zorder=0)
    counts_ax.set_ylabel("test inputs per bin", color="0.5")
    counts_ax.tick_params(axis="y", colors="0.5")
    ax.set_zorder(counts_ax.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("input length (characters)")
    ax.set_ylabel("exact-match accuracy")
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    return ax


def plot_histories(histories: Mapping[str, Mapping[str, Sequence[float]]],
                   key: str = "val_accuracy", ax: Axes | None = None) -> Axes:
    """A metric after each epoch, one line per model.  histories: name -> Keras history dict."""
    ax = new_axes(ax, (5.5, 3.5))
    for k, (name, history) in enumerate(histories.items()):
        values = history[key]
        ax.plot(range(1, len(values) + 1), values, "o-", color=CURVE_COLORS.get(name, f"C{k}"),
                label=name)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(key.replace("_", " "))
    ax.grid(alpha=0.3)
    ax.legend()
    return ax
