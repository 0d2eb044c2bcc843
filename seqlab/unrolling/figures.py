"""Unit 02's figures: the recurrence drawn with code, for any number of steps.

``plot_rolled_rnn`` is the loop, ``plot_unrolled_rnn`` the same network unrolled through time
(with per-step losses summed into one), ``plot_rolled_and_unrolled`` both side by side;
``hidden_state_figure`` shows the states after reading part of a text, ``plot_step_losses`` the
losses L_t. The states come in as arguments: nothing here computes a recurrent step.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.path import Path

from seqlab.drawing import (
    ARROW_COLOR,
    INPUT_COLOR,
    LABEL_COLOR,
    MODEL_COLOR,
    OUTPUT_COLOR,
    arrow,
    box,
    diagram_axes,
    shown_char,
)

LOSS_COLOR = "#fdd49e"  # orange: a loss
START_COLOR = "#e0e0e0"  # grey: the initial state h_0
STATE_CMAP = "RdBu_r"  # hidden states live in (-1, 1): blue negative, red positive
DX, ROW = 1.5, 1.25  # spacing of the diagram: between steps, between layers


def _node(ax: Axes, x: float, y: float, color: str, label: str, width: float = 0.8) -> None:
    """One of the network's values: a rounded box centred on (x, y) with a (LaTeX) label."""
    box(ax, x, y, color, label, width=width, height=0.55, rounding=0.12, fontsize=12)


def _edge(ax: Axes, start, end, label: str = "", side: str = "right", **style) -> None:
    """An arrow between two of the network's values, with an optional weight label."""
    arrow(ax, start, end, label, side=side, mutation_scale=11, **style)


def plot_rolled_rnn(ax: Axes | None = None, show_output: bool = True) -> Axes:
    """The RNN drawn as a loop: x_t into the cell, the state fed back to itself, y_t read out."""
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4, 3.6))
    _node(ax, 0, 0, INPUT_COLOR, "$x_t$")
    _node(ax, 0, ROW, MODEL_COLOR, "$h_t$")
    _edge(ax, (0, 0.28), (0, ROW - 0.28), "$W_{xh}$")
    loop = Path([(0.4, ROW + 0.12), (1.15, ROW + 0.75), (1.15, ROW - 0.75), (0.4, ROW - 0.12)],
                [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])  # out of h_t and back in
    ax.add_patch(FancyArrowPatch(path=loop, arrowstyle="-|>", mutation_scale=11, color=ARROW_COLOR,
                                 lw=1.2))
    ax.text(1.1, ROW, "$W_{hh}$", fontsize=9, color=LABEL_COLOR, va="center")
    top = ROW
    if show_output:
        top = 2 * ROW
        _node(ax, 0, top, OUTPUT_COLOR, r"$\hat y_t$")
        _edge(ax, (0, ROW + 0.28), (0, top - 0.28), "$W_{hy}$")
    diagram_axes(ax, (-0.7, 1.75), (-0.45, top + 0.45))
    return ax


def unrolled_figsize(steps: int, show_outputs: bool = True, show_losses: bool = True) -> tuple:
    """The (width, height) in inches that ``plot_unrolled_rnn`` uses for a new figure."""
    rows = 2 + (show_outputs or show_losses) + 2 * show_losses  # x, h, (y_hat), (L_t, L)
    return 1.05 * DX * (steps + 1) + 0.6, 0.95 * ROW * rows + 0.4


def plot_unrolled_rnn(steps: int, show_outputs: bool = True, show_losses: bool = True,
                      ax: Axes | None = None) -> Axes:
    """The RNN unrolled through ``steps`` time steps, bottom to top: inputs x_t, states h_t
    (from h_0 on the left), outputs y_t and per-step losses L_t summed into the total loss L.

    Every arrow of one kind carries the same weight matrix (W_xh, W_hh, W_hy): one cell, copied.
    show_losses implies show_outputs.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    show_outputs = show_outputs or show_losses
    if ax is None:
        _, ax = plt.subplots(figsize=unrolled_figsize(steps, show_outputs, show_losses))
    _node(ax, 0, ROW, START_COLOR, "$h_0$")
    for t in range(1, steps + 1):
        x = t * DX
        _node(ax, x, 0, INPUT_COLOR, f"$x_{{{t}}}$")
        _node(ax, x, ROW, MODEL_COLOR, f"$h_{{{t}}}$")
        _edge(ax, (x, 0.28), (x, ROW - 0.28), "$W_{xh}$")
        _edge(ax, (x - DX + 0.4, ROW), (x - 0.4, ROW), "$W_{hh}$", side="above")
        if show_outputs:
            _node(ax, x, 2 * ROW, OUTPUT_COLOR, rf"$\hat y_{{{t}}}$")
            _edge(ax, (x, ROW + 0.28), (x, 2 * ROW - 0.28), "$W_{hy}$")
        if show_losses:
            _node(ax, x, 3 * ROW, LOSS_COLOR, f"$L_{{{t}}}$")
            _edge(ax, (x, 2 * ROW + 0.28), (x, 3 * ROW - 0.28))
            ax.text(x + 0.42, 3 * ROW - 0.4, f"$y_{{{t}}}$", fontsize=9, color="0.35")
    top = 4 * ROW if show_losses else (2 * ROW if show_outputs else ROW)  # the highest row
    if show_losses:
        centre, width = (steps + 1) * DX / 2, max(2.2, steps * DX - 0.6)
        _node(ax, centre, top, LOSS_COLOR, r"$L = \sum_{t} L_t$", width=width)
        for t in range(1, steps + 1):
            end_x = centre + (t * DX - centre) * (width - 0.4) / max(width, steps * DX)
            _edge(ax, (t * DX, 3 * ROW + 0.28), (end_x, top - 0.28), color="0.55", lw=0.9)
    diagram_axes(ax, (-0.6, steps * DX + 1.1), (-0.45, top + 0.45))
    return ax


def plot_rolled_and_unrolled(steps: int = 4, show_output: bool = True) -> Figure:
    """The loop picture next to the same network unrolled through ``steps`` steps."""
    fig, (left, mid, right) = plt.subplots(
        1, 3, figsize=(1.05 * DX * (steps + 1) + 3.6, 3.4),
        gridspec_kw={"width_ratios": [2.2, 0.6, DX * (steps + 1) + 0.5]})
    plot_rolled_rnn(left, show_output=show_output)
    mid.text(0.5, 0.5, "=", fontsize=28, ha="center", va="center")
    mid.axis("off")
    plot_unrolled_rnn(steps, show_outputs=show_output, show_losses=False, ax=right)
    left.set_title("rolled (a loop)", fontsize=11)
    right.set_title(f"unrolled through {steps} steps", fontsize=11)
    fig.tight_layout()
    return fig


def hidden_state_figure(states, chars: str, step: int, title: str | None = None,
                        pyplot: bool = True) -> Figure:
    """The hidden states after reading the first ``step`` characters, as a growing heatmap.

    states: (T, H), row t is h_{t+1}, the state after reading chars[t]   chars: the T characters
    step: 0..T, how many characters have been read (0: only h_0 = 0).
    Left: the H x T grid, one column per character read so far (later columns blank, the newest
    outlined). Right: the current state h_step as bars. Returns the new figure: a pyplot figure
    (shown by ``plt.show()``) or, with ``pyplot=False``, a free-standing one (for widgets).
    """
    states = np.asarray(states, dtype=float).reshape(len(chars), -1)  # (T, H)
    steps, units = states.shape
    step = int(np.clip(step, 0, steps))
    fig = (plt.figure if pyplot else Figure)(figsize=(max(5.0, 0.3 * steps + 3.2),
                                                       0.21 * max(units, 5) + 1.6))
    grid, bars = fig.subplots(1, 2, gridspec_kw={"width_ratios": [max(steps, 4), 3]})
    shown = np.full((units, max(steps, 1)), np.nan)  # (H, T), NaN: not read yet
    shown[:, :step] = states[:step].T
    cmap = plt.get_cmap(STATE_CMAP).with_extremes(bad="#f4f4f4")
    image = grid.imshow(shown, cmap=cmap, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    if step > 0:
        grid.add_patch(Rectangle((step - 1.5, -0.5), 1, units, fill=False, edgecolor="k", lw=2))
    grid.set_xticks(range(steps), [shown_char(c) for c in chars], family="monospace", fontsize=9)
    for t, label in enumerate(grid.get_xticklabels()):
        label.set_color("black" if t < step else "#b0b0b0")
    grid.set_yticks(range(units), [f"h[{k}]" for k in range(units)], fontsize=7)
    grid.set_xlabel("characters read (time →)")
    current = states[step - 1] if step > 0 else np.zeros(units)  # (H,)
    bars.barh(range(units), current, color=[plt.get_cmap(STATE_CMAP)((v + 1) / 2) for v in current],
              edgecolor="0.3")
    bars.axvline(0, color="0.4", lw=0.8)
    bars.set(xlim=(-1, 1), ylim=(units - 0.5, -0.5), yticks=[], xlabel=f"$h_{{{step}}}$")
    if title is None:
        title = (f"step {step}: read {shown_char(chars[step - 1])!r}" if step > 0 else
                 "step 0: nothing read yet, the state is h_0 = 0")
    fig.suptitle(title, fontsize=11)
    fig.colorbar(image, ax=bars, fraction=0.08, pad=0.04)
    fig.tight_layout()
    return fig


def plot_step_losses(losses, chars: str | None = None, ax: Axes | None = None) -> Axes:
    """Per-step losses L_t as bars, with their sum L in the title.

    losses: (T,) the loss at each step    chars: optional T labels (e.g. the target characters)
    """
    losses = np.asarray(losses, dtype=float).reshape(-1)  # (T,)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 0.42 * len(losses) + 1.5), 2.8))
    steps = np.arange(1, len(losses) + 1)  # (T,)
    ax.bar(steps, losses, color=LOSS_COLOR, edgecolor="0.3")
    labels = [f"$L_{{{t}}}$" for t in steps]
    if chars is not None:
        labels = [f"{label}\n{shown_char(c)}" for label, c in zip(labels, chars, strict=True)]
    ax.set_xticks(steps, labels, fontsize=8)
    ax.set_ylabel("loss (nats)")
    ax.set_title(f"$L = \\sum_t L_t = {losses.sum():.2f}$ over T = {len(losses)} steps", fontsize=11)
    return ax
