"""Unit 04's diagram of one LSTM step: the cell state as a conveyor belt across the top, the four
gates below it, and the four operations labelled: forget, store, update, output.
"""

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from seqlab.drawing import ARROW_COLOR, MODEL_COLOR, arrow, box, diagram_axes

BELT_COLOR = "#f6c85f"  # the cell state's path
GATE_COLOR = MODEL_COLOR
OPERATION_COLORS = {"forget": "#c62828", "store": "#1b7837", "update": "#8a5a00", "output": "#2c6fbb"}


def _circle(ax: Axes, x: float, y: float, text: str) -> None:
    ax.add_patch(Circle((x, y), 0.28, facecolor="white", edgecolor="0.2", lw=1.4, zorder=4))
    ax.text(x, y, text, ha="center", va="center", fontsize=14, zorder=5)


def _gate(ax: Axes, x: float, y: float, name: str, function: str) -> None:
    box(ax, x, y, GATE_COLOR, width=0.84, height=0.66, rounding=0.1, zorder=4)
    ax.text(x, y + 0.08, f"${name}$", ha="center", va="center", fontsize=13, zorder=5)
    ax.text(x, y - 0.2, function, ha="center", va="center", fontsize=8, zorder=5)


def _line(ax: Axes, points, head: bool = True, **kw) -> None:
    """A path through ``points``, with an arrow head on its last segment when ``head``."""
    style = {"color": ARROW_COLOR, "lw": 1.3} | kw
    xs, ys = zip(*points)
    ax.plot(xs[:-1] if head else xs, ys[:-1] if head else ys, zorder=2, **style)
    if head:
        arrow(ax, points[-2], points[-1], mutation_scale=12, zorder=3, **style)


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
    _line(ax, [(0.2, bus), (10.6, bus)], head=False, lw=2)  # the bus carrying h_{t-1} and x_t
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
    box(ax, 9.9, top, "white", "tanh", width=0.9, rounding=0.1, fontsize=9, zorder=4)
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
    diagram_axes(ax, (-0.1, 14.1), (-1.5, 6.4))
    return ax
