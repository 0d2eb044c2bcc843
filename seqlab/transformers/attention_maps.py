"""Looking inside a trained transformer: where each head attends in a real tune.

- ``head_focus``: for every layer and head, the mean attention that a character of the tune's
  body puts on the most recent bar line ``|``, on the meter and unit-length lines (``M:``, ``L:``),
  on itself and on the character just before it -- beside what a uniform look-back would give;
- ``plot_attention_window``: one head's weights over a window of a tune, characters on the axes;
- ``AttentionMapExplorer``: pick a tune, a layer and a head; see that head's map.

The maps are passed in (``maps_of(text) -> (L, h, T, T)``, e.g. ``MusicTransformer.attention_maps``
of the encoded text), so nothing here runs a model.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from seqlab.explorer import Explorer, png_image

MapsOf = Callable[[str], np.ndarray]  # text -> attention weights (L, h, T, T)


def body_start(text: str) -> int:
    """The index of the first character after the ``K:`` line (where the music starts), or 0."""
    at = text.find("\nK:")
    return 0 if at < 0 else text.find("\n", at + 1) + 1 or len(text)


def header_positions(text: str, fields=("M:", "L:")) -> np.ndarray:
    """Bool (T,): the characters of the lines that start with one of ``fields``."""
    inside = np.zeros(len(text), bool)
    start = 0
    for line in text.splitlines(keepends=True):
        if line.startswith(tuple(fields)):
            inside[start:start + len(line)] = True
        start += len(line)
    return inside


def last_bar_line(text: str) -> np.ndarray:
    """Int (T,): the position of the latest ``|`` at or before each character (-1: none yet)."""
    last, out = -1, np.empty(len(text), int)
    for i, ch in enumerate(text):
        last = i if ch == "|" else last
        out[i] = last
    return out


@dataclass
class HeadFocus:
    """Mean attention of body characters, per (layer, head): each array is (L, h)."""

    bar_line: np.ndarray  # on the most recent "|" (queries that have one, the "|" itself excluded)
    header: np.ndarray  # on the M: and L: lines together
    itself: np.ndarray
    previous: np.ndarray
    uniform_bar_line: float  # what spreading evenly over the past would give
    uniform_header: float
    queries: int  # body characters averaged over


def head_focus(maps_of: MapsOf, texts: list[str]) -> HeadFocus:
    """Average where each head looks, over the body characters of ``texts`` (one window each)."""
    sums = {k: 0.0 for k in ("bar_line", "header", "itself", "previous")}
    uniform_bar, uniform_header, count = 0.0, 0.0, 0
    for text in texts:
        maps = maps_of(text)  # (L, h, T, T)
        text = text[: maps.shape[-1]]
        t = np.arange(body_start(text), len(text))  # body queries
        bar = last_bar_line(text)[t]
        t, bar = t[(bar >= 0) & (bar < t)], bar[(bar >= 0) & (bar < t)]
        if len(t) == 0:
            continue
        header = header_positions(text)  # (T,)
        sums["bar_line"] += maps[..., t, bar].sum(-1)  # (L, h)
        sums["header"] += maps[..., t, :][..., header].sum(-1).sum(-1)
        sums["itself"] += maps[..., t, t].sum(-1)
        sums["previous"] += maps[..., t, t - 1].sum(-1)
        uniform_bar += float((1.0 / (t + 1)).sum())
        uniform_header += float((header.sum() / (t + 1)).sum())
        count += len(t)
    count = max(count, 1)
    return HeadFocus(*(np.asarray(sums[k]) / count for k in ("bar_line", "header", "itself", "previous")),
                     uniform_bar / count, uniform_header / count, count)


def plot_attention_window(weights: np.ndarray, text: str, ax, title: str = "") -> None:
    """One head's weights (T, T) over ``text`` (T characters): row = query, column = key."""
    from seqlab.attention.figures import WEIGHT_CMAP
    from seqlab.drawing import shown_char

    n = weights.shape[-1]
    ax.imshow(np.sqrt(weights), cmap=WEIGHT_CMAP, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    labels = [shown_char(c) for c in text[:n]]
    ax.set_xticks(range(n), labels, family="monospace", fontsize=6)
    ax.set_yticks(range(n), labels, family="monospace", fontsize=6)
    ax.tick_params(length=0)
    for i, ch in enumerate(text[:n]):  # mark bar lines and the header's M: / L: lines
        if ch == "|":
            ax.axvline(i, color="#d9534f", lw=0.4, alpha=0.5)
    header = np.flatnonzero(header_positions(text[:n]))
    if len(header):
        ax.axvspan(header.min() - 0.5, header.max() + 0.5, color="#5cb85c", alpha=0.12)
    ax.set_xlabel("key: the character looked at (red: bar lines; green: M: and L: lines)")
    ax.set_ylabel("query: the character being read")
    if title:
        ax.set_title(title, fontsize=10)


class AttentionMapExplorer(Explorer):
    """Controls: ``tune`` (Dropdown of titles), ``layer`` and ``head`` (IntSliders). Output:
    ``image`` (PNG of the chosen head's map over the tune's first window). Display the object."""

    def __init__(self, maps_of: MapsOf, tunes: Mapping[str, str], num_layers: int, num_heads: int,
                 layer: int = 0, head: int = 0):
        import ipywidgets as widgets

        self.maps_of, self.tunes = maps_of, dict(tunes)
        self.tune = widgets.Dropdown(options=list(self.tunes), description="tune")
        self.layer = widgets.IntSlider(value=layer, min=0, max=num_layers - 1, description="layer",
                                       continuous_update=False)
        self.head = widgets.IntSlider(value=head, min=0, max=num_heads - 1, description="head",
                                      continuous_update=False)
        self.image = png_image()
        self._maps: dict[str, np.ndarray] = {}
        self.watch(self.tune, self.layer, self.head)
        self.show(widgets.VBox([widgets.HBox([self.tune, self.layer, self.head]), self.image]))

    def maps(self, title: str) -> np.ndarray:
        """(L, h, T, T) for the tune ``title``, computed once."""
        if title not in self._maps:
            self._maps[title] = self.maps_of(self.tunes[title])
        return self._maps[title]

    def update(self, change=None) -> None:
        from matplotlib.figure import Figure

        maps = self.maps(self.tune.value)
        text = self.tunes[self.tune.value][: maps.shape[-1]]
        fig = Figure(figsize=(11, 8.5), layout="constrained")
        plot_attention_window(maps[self.layer.value, self.head.value], text, fig.add_subplot(),
                              title=f"{self.tune.value}: layer {self.layer.value}, head {self.head.value} "
                                    "(colour: square root of the weight)")
        self.show_figure(self.image, fig)
