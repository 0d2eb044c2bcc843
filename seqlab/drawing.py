"""The course's one set of matplotlib drawing helpers: colours, boxes, arrows, diagram axes, PNGs.

Every unit draws its diagrams (task shapes, unrolled networks, the backward graph, encoder and
decoder) from these, so that they all look alike: the same colours, outlines, arrow heads and
fonts. A box is square-cornered by default, rounded with ``rounding``; an arrow runs exactly from
one point to the other and may carry a label beside its middle. Nothing here is a unit's figure.
"""

from io import BytesIO

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

INPUT_COLOR = "#f2a7a1"  # red: what the model reads
MODEL_COLOR = "#a9d8a4"  # green: the model at one step
OUTPUT_COLOR = "#9cc4ea"  # blue: what the model produces
OUTLINE_COLOR = "0.25"  # the edge of every box
ARROW_COLOR = "0.3"
LABEL_COLOR = "0.2"  # text beside an arrow

_SHOWN_AS = {" ": "␣", "\n": "↵", "\t": "⇥"}
_LABEL_PLACES = {  # side -> (offset from the arrow's middle, horizontal and vertical alignment)
    "right": ((0.07, 0.0), "left", "center"),
    "above": ((0.0, 0.1), "center", "bottom"),
}


def shown_char(char: str) -> str:
    """A character as it is drawn in a box: space as ␣, newline as ↵, tab as ⇥."""
    return _SHOWN_AS.get(char, char)


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax`` itself, or the axes of a new pyplot figure of ``figsize`` when ``ax`` is None."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def box(ax: Axes, x: float, y: float, color: str, text: str = "", *, width: float = 0.7,
        height: float = 0.5, rounding: float | None = None, fontsize: float | None = None,
        zorder: float | None = None, **text_kw) -> None:
    """A filled, outlined box centred on (x, y), with ``text`` centred in it.

    rounding: None for square corners, else the size of the rounded corners.
    fontsize: the text's size (None: matplotlib's default). zorder: the box's; its text lies
    one above. ``text_kw`` go to ``ax.text`` (for example ``family="monospace"``).
    """
    corner = (x - width / 2, y - height / 2)
    outline = {"facecolor": color, "edgecolor": OUTLINE_COLOR, "lw": 1}
    if zorder is not None:
        outline["zorder"] = zorder
        text_kw.setdefault("zorder", zorder + 1)
    if rounding is None:
        ax.add_patch(Rectangle(corner, width, height, **outline))
    else:
        ax.add_patch(FancyBboxPatch(corner, width, height, **outline,
                                    boxstyle=f"round,pad=0.02,rounding_size={rounding}"))
    if fontsize is not None:
        text_kw["fontsize"] = fontsize
    if text:
        ax.text(x, y, text, ha="center", va="center", **text_kw)


def arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "", *,
          side: str = "right", mutation_scale: float = 10, color: str = ARROW_COLOR,
          lw: float = 1.2, **style) -> None:
    """An arrow from ``start`` to ``end`` (touching both), with ``label`` beside its middle.

    side: where the label goes, ``"right"`` of the middle or ``"above"`` it.
    mutation_scale: the size of the head. ``style`` goes to ``FancyArrowPatch`` (``zorder``,
    ``arrowstyle``: a filled head ``"-|>"`` unless told).
    """
    style.setdefault("arrowstyle", "-|>")
    ax.add_patch(FancyArrowPatch(start, end, shrinkA=0, shrinkB=0, mutation_scale=mutation_scale,
                                 color=color, lw=lw, **style))
    if label:
        (dx, dy), ha, va = _LABEL_PLACES[side]
        middle_x, middle_y = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        ax.text(middle_x + dx, middle_y + dy, label, fontsize=9, color=LABEL_COLOR, ha=ha, va=va)


def diagram_axes(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    """Axes for a diagram: these limits, equal scales (a box stays a box), no frame or ticks."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


def figure_to_png(fig: Figure, dpi: int = 100) -> bytes:
    """The PNG bytes of a figure (used by the widgets, which show images, not live figures)."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
