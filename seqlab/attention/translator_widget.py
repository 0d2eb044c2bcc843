"""Unit 06's explorer: type a date, see what each translator writes and where attention looked.

The translators are passed in as functions ``text -> (iso, weights or None)`` (in the walkthrough,
``seqlab.attention.seq2seq.one_at_a_time`` of each trained model), so the widget only arranges,
updates and draws what they return.
"""

import datetime as dt
import html
from collections.abc import Mapping

import ipywidgets as widgets
from matplotlib.figure import Figure

from seqlab.attention import dates
from seqlab.attention.figures import plot_attention
from seqlab.attention.seq2seq import TranslateFn
from seqlab.explorer import Explorer, png_image, text_box


def is_real_date(iso: str) -> bool:
    """Whether ``iso`` is a valid calendar date (a model can write ``"1997-02-30"``)."""
    try:
        dt.date.fromisoformat(iso)
    except ValueError:
        return False
    return True


class DateTranslatorWidget(Explorer):
    """Type a date; see what each model writes, and where the attention model looked.

    Controls: ``text`` (Text). Outputs: ``answers`` (HTML table: one row per model) and ``map``
    (Image: PNG attention map of the first model that has attention). ``results`` holds the
    latest ``name -> (iso, weights)``. Display the object itself in a notebook.
    """

    def __init__(self, translators: Mapping[str, TranslateFn], text: str):
        self.translators = dict(translators)
        self.text = text_box(text, "date", placeholder="type a date, e.g. 3rd of May 1997")
        self.answers = widgets.HTML()
        self.map = png_image()
        self.results: dict = {}
        self.watch(self.text)
        self.show(widgets.VBox([self.text, self.answers, self.map]))

    def update(self, change=None) -> None:
        """Translate the current text with every model and redraw (an ``observe`` callback)."""
        text = self.text.value.strip()
        if not text:
            self.results, self.answers.value, self.map.value = {}, "<i>type a date</i>", b""
            return
        self.results = {name: fn(text) for name, fn in self.translators.items()}
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td style='font-family:monospace; font-size:120%'>"
            f"<b>{html.escape(iso)}</b></td><td>{'' if is_real_date(iso) else '(not a real date)'}"
            "</td></tr>" for name, (iso, _) in self.results.items())
        self.answers.value = f"<table>{rows}</table>"
        shown = text.lower()[:dates.MAX_INPUT_LEN]
        for name, (iso, weights) in self.results.items():
            if weights is not None:
                fig = Figure(figsize=(max(4.0, 0.22 * len(shown) + 1.5), 3.0))
                plot_attention(weights[:, :len(shown)], iso, shown, ax=fig.add_subplot(),
                               annotate=False, title=f"where the model {name} looked")
                fig.axes[0].set_xlabel("input character")
                fig.axes[0].set_ylabel("output character")
                self.show_figure(self.map, fig)
                break
        else:
            self.map.value = b""
