"""Tests for seqlab.sequences: the sentence explorer (``explorer``) and the figures (``figures``),
without a browser or a kernel.

The explorer is driven the way a user drives it, by setting its controls' ``.value``; the
tests then read the output widgets' values.
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from seqlab import sequences
from seqlab.data import words
from seqlab.drawing import figure_to_png
from seqlab.sequences.explorer import _SEEN, _TARGET, _UNSEEN  # window_view_html's styles

matplotlib.use("Agg")  # no display: draw into memory

FRANCE = "France is where I grew up, but I now live in Boston. I speak fluent French"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class LengthVectorizer:
    """A stand-in for the notebook's Keras bag-of-words function that records its calls.

    It returns two "features" per sentence, its characters and its spaces: enough to see
    that the explorer passes the current sentences in and shows what comes back.
    """

    def __init__(self):
        self.calls = []

    def __call__(self, sentences):
        self.calls.append(list(sentences))
        counts = [[len(s), s.count(" ")] for s in sentences]  # (S, 2)
        return ["chars", "spaces"], np.array(counts)


def _seen_and_unseen(html_text):
    return html_text.count(_SEEN), html_text.count(_UNSEEN)


# --- window_view_html ------------------------------------------------------------------------


def test_window_view_greys_out_words_before_the_window():
    tokens = words(FRANCE)  # 16 tokens: 15 of context, then "french"
    out = sequences.window_view_html(tokens, window=3)
    assert _seen_and_unseen(out) == (3, 12)
    assert out.count(_TARGET) == 1
    target_at = out.index(_TARGET)
    assert out.index(">french<") > target_at > out.index(">fluent<")  # the last word is the target
    assert f'{_UNSEEN}">france<' in out and f'{_SEEN}">speak<' in out
    assert "sees 3 of the 15 words" in out


@pytest.mark.parametrize("window, seen", [(None, 15), (15, 15), (40, 15), (1, 1), (0, 0)])
def test_window_view_counts(window, seen):
    out = sequences.window_view_html(words(FRANCE), window)
    assert _seen_and_unseen(out) == (seen, 15 - seen)


def test_window_view_edge_cases_and_escaping():
    assert "type a sentence" in sequences.window_view_html([], 3)
    one = sequences.window_view_html(["walk"], 3)
    assert _seen_and_unseen(one) == (0, 0) and ">walk<" in one
    out = sequences.window_view_html(["<b>", "x"], 1)
    assert "<b>" not in out and "&lt;b&gt;" in out


# --- SentenceExplorer ------------------------------------------------------------------------


def test_explorer_shows_both_views_at_start():
    vectorizer = LengthVectorizer()
    explorer = sequences.sentence_explorer(vectorizer, sentence="a b c d e", compare="e d c b a")
    assert vectorizer.calls == [["a b c d e", "e d c b a"]]
    assert explorer.vocab == ["chars", "spaces"]
    assert explorer.counts.tolist() == [[9, 4], [9, 4]]
    assert bytes(explorer.chart.value).startswith(PNG_MAGIC)
    assert "identical" in explorer.verdict.value
    assert _seen_and_unseen(explorer.view.value) == (3 + 3, 1 + 1)  # window 3, both sentences


def test_moving_the_slider_changes_the_window_view():
    explorer = sequences.sentence_explorer(LengthVectorizer(), sentence=FRANCE, compare="")
    assert _seen_and_unseen(explorer.view.value) == (3, 12)
    explorer.window.value = 15
    assert _seen_and_unseen(explorer.view.value) == (15, 0)
    explorer.window.value = 1
    assert _seen_and_unseen(explorer.view.value) == (1, 14)
    assert "sees 1 of the 15 words" in explorer.view.value


def test_typing_a_sentence_updates_counts_chart_and_verdict():
    vectorizer = LengthVectorizer()
    explorer = sequences.sentence_explorer(vectorizer, sentence="dog bites man", compare="man bites dog")
    chart_before = bytes(explorer.chart.value)
    assert "identical" in explorer.verdict.value
    explorer.compare.value = "a much longer sentence about a dog"
    assert vectorizer.calls[-1] == ["dog bites man", "a much longer sentence about a dog"]
    assert explorer.counts.tolist() == [[13, 2], [34, 6]]
    assert explorer.verdict.value == "different count vectors"
    assert bytes(explorer.chart.value).startswith(PNG_MAGIC) and bytes(explorer.chart.value) != chart_before
    assert ">dog<" in explorer.view.value and ">longer<" in explorer.view.value


def test_empty_sentences_are_skipped():
    vectorizer = LengthVectorizer()
    explorer = sequences.sentence_explorer(vectorizer, sentence="hello world", compare="")
    assert vectorizer.calls == [["hello world"]] and explorer.verdict.value == ""
    explorer.sentence.value = "  ,,, "
    assert len(vectorizer.calls) == 1  # no words: the vectorizer is not asked
    assert bytes(explorer.chart.value) == b"" and "type a sentence" in explorer.verdict.value
    assert explorer.counts.shape == (0, 0)


def test_explorer_displays_as_a_widget():
    explorer = sequences.sentence_explorer(LengthVectorizer())
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert explorer.sentence in explorer.box.children and explorer.chart in explorer.box.children


def test_explorer_with_keras_text_vectorization():
    """The notebook's real bag-of-words function: the two reviews cannot be told apart."""
    pytest.importorskip("tensorflow")
    import seqlab  # noqa: F401  (quiet TensorFlow before it is imported)

    keras = pytest.importorskip("keras")

    def count_vectors(sentences):
        vectorizer = keras.layers.TextVectorization(output_mode="count")
        vectorizer.adapt(sentences)
        return vectorizer.get_vocabulary()[1:], vectorizer(sentences).numpy()[:, 1:]

    explorer = sequences.sentence_explorer(count_vectors)
    assert sorted(explorer.vocab) == sorted(set(words(explorer.sentence.value)))
    assert "identical" in explorer.verdict.value
    explorer.compare.value = "The food was bad, bad at all"
    assert explorer.verdict.value == "different count vectors"
    assert explorer.counts[1, explorer.vocab.index("bad")] == 2


# --- plots -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_count_vectors_draws_one_bar_per_word_and_sentence():
    counts = np.array([[1, 0, 2], [0, 3, 1]])  # (S, V)
    ax = sequences.plot_count_vectors(["a", "b", "c"], counts, labels=["one", "two"])
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == [1, 0, 2, 0, 3, 1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["one", "two"]
    single = sequences.plot_count_vectors(["x", "y"], np.array([4, 5]))
    assert [p.get_height() for p in single.patches] == [4, 5]
    with pytest.raises(ValueError):
        sequences.plot_count_vectors(["a"], counts)


def test_plot_sequence_task_shapes_draws_every_shape():
    fig = sequences.plot_sequence_task_shapes()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [name for name, *_ in sequences.TASK_SHAPES]
    for ax, (_, _, steps, inputs, outputs) in zip(fig.axes, sequences.TASK_SHAPES, strict=True):
        boxes = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]
        assert len(boxes) == steps + len(inputs) + len(outputs)


def test_plot_input_target_and_one_hot():
    ax = sequences.plot_input_target("ab c", "b c\n")
    texts = [t.get_text() for t in ax.texts]
    assert texts[:2] == ["a", "b"] and "␣" in texts and "↵" in texts
    with pytest.raises(ValueError):
        sequences.plot_input_target("abc", "ab")
    one_hot = np.eye(4, dtype=np.float32)[[3, 0, 1]]  # (T=3, V=4): "c a"
    ax = sequences.plot_one_hot(one_hot, "c a", [" ", "a", "b", "c"])
    assert list(ax.get_xticks()) == [0, 1, 3]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["␣", "a", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "␣", "a"]


def test_weight_sharing_diagram_and_png():
    fig = sequences.plot_weight_sharing(steps=4)
    labels = [t.get_text() for t in fig.axes[0].texts] + [t.get_text() for t in fig.axes[1].texts]
    assert "$W_{4}$" in labels and labels.count("$W$") == 4
    assert figure_to_png(fig).startswith(PNG_MAGIC)
