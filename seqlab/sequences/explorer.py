"""Unit 01's explorer: two naive sequence models side by side, on sentences the user types.

A fixed-window model sees only the last few words (``window_view_html`` shows which); a
bag-of-words model sees counts, not order (``SentenceExplorer`` draws them). The bag-of-words
function is passed in (in the walkthrough, built on Keras' ``TextVectorization``); the explorer
only arranges, updates and draws what it returns.
"""

import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from seqlab.data import words
from seqlab.explorer import Explorer, png_image, text_box
from seqlab.sequences.figures import plot_count_vectors

# sentences (S strings) -> (vocab: V words, counts: (S, V)), e.g. keras TextVectorization "count"
CountVectorizer = Callable[[list[str]], tuple[Sequence[str], np.ndarray]]

_SEEN = "background:#dff0d8; border-radius:3px; padding:1px 3px; font-weight:bold"
_UNSEEN = "color:#b0b0b0"
_TARGET = "border:2px dashed #d9534f; border-radius:3px; padding:0 3px; color:#d9534f"


def window_view_html(tokens: Sequence[str], window: int | None) -> str:
    """What a fixed-window model sees when it predicts the last token, as HTML.

    tokens: the words of a sentence; the last one is the word to predict.
    window: how many words before it the model sees (None: all of them).
    Words inside the window are highlighted, earlier words greyed out, the target boxed.
    """
    if not tokens:
        return "<i>type a sentence</i>"
    *context, target = (html.escape(token) for token in tokens)
    n_seen = len(context) if window is None else max(0, min(window, len(context)))
    first_seen = len(context) - n_seen
    spans = [f'<span style="{_UNSEEN if t < first_seen else _SEEN}">{word}</span>'
             for t, word in enumerate(context)]
    spans.append(f'<span style="{_TARGET}" title="the word to predict">{target}</span>')
    note = f"sees {n_seen} of the {len(context)} words before the target"
    return (f'<div style="font-family:monospace; line-height:1.9">{" ".join(spans)}'
            f'<span style="color:#777; font-size:85%"> &nbsp;({note})</span></div>')


class SentenceExplorer(Explorer):
    """Two naive sequence models side by side, on sentences the user types.

    Controls: ``sentence`` and ``compare`` (Text), ``window`` (IntSlider).
    Outputs: ``view`` (HTML: each sentence as a fixed window of ``window`` words sees it),
    ``chart`` (Image: PNG bar chart of the sentences' bag-of-words counts) and ``verdict``
    (HTML: whether the two count vectors are identical). ``vocab`` and ``counts`` (S, V) hold
    the latest result of ``count_vectorizer``. Display the object itself in a notebook.
    """

    def __init__(self, count_vectorizer: CountVectorizer, sentence: str, compare: str = "",
                 window: int = 3, max_window: int = 15):
        self.count_vectorizer = count_vectorizer
        self.sentence = text_box(sentence, "sentence")
        self.compare = text_box(compare, "compare")
        self.window = widgets.IntSlider(value=window, min=1, max=max_window,
                                        description="window k")
        self.view = widgets.HTML()
        self.verdict = widgets.HTML()
        self.chart = png_image()
        self.vocab: list[str] = []
        self.counts = np.zeros((0, 0), dtype=np.int64)  # (S, V)
        self.watch(self.sentence, self.compare, self.window)
        self.show(widgets.VBox([
            self.sentence, self.compare, self.window,
            widgets.HTML("<b>A fixed-window model</b> predicting the last word "
                         "(<span style='color:#b0b0b0'>grey</span>: outside its window)"),
            self.view,
            widgets.HTML("<b>A bag-of-words model</b>: word counts, order ignored"),
            self.verdict, self.chart,
        ]))

    def texts(self) -> list[str]:
        """The non-empty sentences in the text boxes, in order."""
        return [s for s in (self.sentence.value, self.compare.value) if words(s)]

    def update(self, change=None) -> None:
        """Recompute both views from the current control values (an ``observe`` callback)."""
        texts = self.texts()
        self.view.value = "".join(window_view_html(words(s), self.window.value) for s in texts)
        if not texts:
            self.vocab, self.counts = [], np.zeros((0, 0), dtype=np.int64)
            self.verdict.value, self.chart.value = "<i>type a sentence</i>", b""
            return
        vocab, counts = self.count_vectorizer(texts)
        self.vocab, self.counts = [str(w) for w in vocab], np.asarray(counts)  # (S, V)
        if len(texts) == 2:
            same = np.array_equal(self.counts[0], self.counts[1])
            self.verdict.value = ("<span style='color:#d9534f'>identical count vectors: the bag "
                                  "of words cannot tell these sentences apart</span>" if same else
                                  "different count vectors")
        else:
            self.verdict.value = ""
        fig = Figure(figsize=(max(5.0, 0.5 * len(self.vocab) + 1.5), 2.6))
        plot_count_vectors(self.vocab, self.counts, labels=["sentence", "compare"][:len(texts)],
                           ax=fig.add_subplot())
        self.show_figure(self.chart, fig)


def sentence_explorer(count_vectorizer: CountVectorizer,
                      sentence: str = "The food was good, not bad at all",
                      compare: str = "The food was bad, not good at all",
                      window: int = 3) -> SentenceExplorer:
    """Type sentences; see a fixed-window model's view and their bag-of-words counts.

    count_vectorizer(sentences) -> (vocab, counts (S, V)): the bag-of-words function to show,
    for example one built on ``keras.layers.TextVectorization(output_mode="count")``.
    """
    return SentenceExplorer(count_vectorizer, sentence, compare, window)
