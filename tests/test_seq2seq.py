"""Tests for seqlab.attention: translators and their evaluation (``seq2seq``), the translator
widget (``translator_widget``), the figures (``figures``) and the diagrams (``diagrams``).

Models are tiny and untrained (or trained for one short epoch): these tests check wiring, shapes,
masks and decoding, not accuracy. The widget is driven by setting its text box's ``.value``.
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from seqlab import attention
from seqlab.attention import dates

matplotlib.use("Agg")  # no display: draw into memory

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TEXTS = ["3rd of May 1997", "5/3/97", "born on Saturday, May 3, 1997 at noon"]


@pytest.fixture(scope="module")
def tiny():
    """Small translators with and without attention, same seed."""
    return {att: attention.build_translator(att, embed_dim=4, units=8, seed=1) for att in (True, False)}


def _inputs(texts):
    (ids, so_far), _ = attention.training_arrays(texts, ["1997-05-03"] * len(texts))
    return ids, so_far


def test_models_map_characters_to_logits(tiny):
    ids, so_far = _inputs(TEXTS)
    for translator in tiny.values():
        logits = np.asarray(translator.model([ids, so_far]))
        assert logits.shape == (3, dates.ISO_LEN, dates.OUTPUT_VOCAB_SIZE)
    assert tiny[True].has_attention and not tiny[False].has_attention
    assert tiny[True].name == "with attention" and tiny[False].name == "without attention"


def test_attention_weights_skip_padding_and_sum_to_one(tiny):
    ids, so_far = _inputs(TEXTS)
    _, weights = tiny[True].inspector([ids, so_far])
    weights = np.asarray(weights)  # (N, Ty, Tx)
    assert weights.shape == (3, dates.ISO_LEN, dates.MAX_INPUT_LEN)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    padding = ids == dates.PAD  # (N, Tx)
    assert np.abs(weights * padding[:, None, :]).max() < 1e-6


def test_the_decoder_is_causal(tiny):
    """Changing the decoder's input at step 5 leaves the logits of steps 0-4 unchanged."""
    ids, so_far = _inputs(TEXTS)
    changed = so_far.copy()
    changed[:, 5:] = 3
    for translator in tiny.values():
        a = np.asarray(translator.model([ids, so_far]))
        b = np.asarray(translator.model([ids, changed]))
        np.testing.assert_allclose(a[:, :5], b[:, :5], atol=1e-6)
        assert not np.allclose(a[:, 5:], b[:, 5:])


def test_same_seed_same_weights():
    a = attention.build_translator(False, embed_dim=4, units=8, seed=5)
    b = attention.build_translator(False, embed_dim=4, units=8, seed=5)
    weights_a, weights_b = a.model.get_weights(), b.model.get_weights()
    assert weights_a and len(weights_a) == len(weights_b)
    for wa, wb in zip(weights_a, weights_b, strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_translate_is_greedy_and_consistent(tiny):
    for translator in tiny.values():
        isos, weights = attention.translate(translator, TEXTS)
        assert len(isos) == 3 and all(len(s) == dates.ISO_LEN for s in isos)
        assert all(set(s) <= set(dates.OUTPUT_ALPHABET) for s in isos)
        # feeding the prediction back as the decoder's input reproduces it (greedy decoding)
        ids = dates.encode_inputs(TEXTS)
        so_far = dates.decoder_inputs(dates.encode_targets(isos))
        logits = np.asarray(translator.model([ids, so_far]))
        assert dates.decode_targets(logits[..., :dates.START].argmax(-1)) == isos
        if translator.has_attention:
            assert weights.shape == (3, dates.ISO_LEN, dates.MAX_INPUT_LEN)
        else:
            assert weights is None


def test_fit_translator_records_history(capsys):
    data = dates.make_date_data(64, 32, seed=0)
    translator = attention.build_translator(True, embed_dim=4, units=8, seed=0)
    history = attention.fit_translator(translator, data, epochs=1, batch_size=32)
    assert set(history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history["loss"]) == 1 and translator.history is history
    assert "val_accuracy" in capsys.readouterr().out  # verbose=2: one line per epoch, on stdout


def test_exact_match_and_real_dates():
    assert attention.exact_match(["1997-05-03", "1997-05-04"], ["1997-05-03", "1997-05-03"]).tolist() == [
        True, False]
    with pytest.raises(ValueError):
        attention.exact_match(["a"], [])
    assert attention.is_real_date("2024-02-29") and not attention.is_real_date("2023-02-29")
    assert not attention.is_real_date("1997-13-01")


def test_accuracy_by_length():
    lengths = [5, 6, 14, 15, 30, 100]
    correct = [True, False, True, True, False, True]
    centres, accuracy, counts = attention.accuracy_by_length(lengths, correct, [0, 10, 20, 40])
    assert centres.tolist() == [5, 15, 30]
    assert counts.tolist() == [2, 2, 1]  # 100 lies outside the bins
    np.testing.assert_allclose(accuracy, [0.5, 1.0, 0.0])
    _, accuracy, counts = attention.accuracy_by_length([1], [True], [0, 2, 4])
    assert counts.tolist() == [1, 0] and np.isnan(accuracy[1])


def test_accuracy_by_format():
    out = attention.accuracy_by_format(["3.5.97", "5/3/97", "3.5.97"], [True, True, False])
    assert out == {"3.5.97": 0.5, "5/3/97": 1.0}
    assert list(out) == [f for f in dates.FORMATS if f in out]  # in FORMATS order


# --- the widget -------------------------------------------------------------------------------


class Recorder:
    """A stand-in translator: writes the text's length into the year; attention on the last char."""

    def __init__(self, with_weights: bool):
        self.with_weights, self.calls = with_weights, []

    def __call__(self, text):
        self.calls.append(text)
        weights = np.zeros((dates.ISO_LEN, dates.MAX_INPUT_LEN))
        weights[:, len(text) - 1] = 1.0
        return f"{len(text):04d}-01-01", weights if self.with_weights else None


def test_widget_translates_what_is_typed():
    att, plain = Recorder(True), Recorder(False)
    widget = attention.DateTranslatorWidget({"with attention": att, "without attention": plain},
                                          text="3 May 1997")
    assert att.calls == ["3 May 1997"] and plain.calls == ["3 May 1997"]
    assert "0010-01-01" in widget.answers.value and "without attention" in widget.answers.value
    assert bytes(widget.map.value).startswith(PNG_MAGIC)
    first_map = bytes(widget.map.value)
    widget.text.value = "the 3rd of May, 1997"
    assert att.calls[-1] == "the 3rd of May, 1997"
    assert "0020-01-01" in widget.answers.value and "0010-01-01" not in widget.answers.value
    assert bytes(widget.map.value) != bytes(first_map)
    assert widget.results["with attention"][0] == "0020-01-01"
    widget.text.value = "   "
    assert widget.results == {} and bytes(widget.map.value) == b"" and "type a date" in widget.answers.value


def test_widget_flags_impossible_dates_and_escapes_html():
    widget = attention.DateTranslatorWidget({"<b>model</b>": lambda text: ("1999-02-31", None)}, "x")
    assert "not a real date" in widget.answers.value
    assert "&lt;b&gt;model" in widget.answers.value
    assert bytes(widget.map.value) == b""  # no model with attention: no map


def test_widget_with_a_real_translator(tiny):
    widget = attention.DateTranslatorWidget({"with attention": attention.one_at_a_time(tiny[True])},
                                          "Saturday the 3rd of May 1997")
    iso, weights = widget.results["with attention"]
    assert len(iso) == dates.ISO_LEN and weights.shape == (dates.ISO_LEN, dates.MAX_INPUT_LEN)
    assert bytes(widget.map.value).startswith(PNG_MAGIC)


# --- figures ----------------------------------------------------------------------------------


def test_sinusoid_table_concatenated_layout():
    table = attention.sinusoid_table(5, 6)  # (5, 6): sines in columns 0-2, cosines in 3-5
    p = np.arange(5)[:, None]
    rates = 1 / 10000 ** (np.arange(0, 6, 2) / 6)
    np.testing.assert_allclose(table[:, :3], np.sin(p * rates))
    np.testing.assert_allclose(table[:, 3:], np.cos(p * rates))
    with pytest.raises(ValueError):
        attention.sinusoid_table(5, 7)


def _tick_texts(labels) -> list[str]:
    return [t.get_text() for t in labels]


def test_diagrams_draw_both_panels_and_the_block():
    fig = attention.plot_encoder_decoder()
    assert len(fig.axes) == 2
    without, with_attention = fig.axes
    assert without.get_title().startswith("without attention")
    assert with_attention.get_title().startswith("with attention")
    for ax in fig.axes:  # the source tokens and the target tokens are written in both panels
        texts = [t.get_text() for t in ax.texts]
        assert {"the", "3rd", "of", "May", "1997", "05", "03"} <= set(texts)
    assert "step 2 looks back\nat every input" in [t.get_text() for t in with_attention.texts]
    links = [p for p in with_attention.patches if p.get_edgecolor()[:3] == matplotlib.colors.to_rgb(
        attention.ATTENTION_COLOR)]
    assert len(links) == 5  # one attention link from each input to the focused step
    plt.close(fig)
    fig = attention.plot_transformer_block()
    assert len(fig.axes) == 1
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for words in ("multi-head self-attention", "add & layer norm", "feed-forward", "× L blocks"):
        assert words in texts, words
    plt.close(fig)


def test_plot_heads_shows_each_head_s_weights():
    weights = np.random.default_rng(0).dirichlet(np.ones(3), size=(2, 3))  # (H=2, T=3, T=3)
    fig = attention.plot_heads(weights, "abc", titles=["one", "two"], vmax=0.5)
    assert len(fig.axes) == 2
    for h, ax in enumerate(fig.axes):
        assert len(ax.images) == 1
        np.testing.assert_allclose(ax.images[0].get_array(), weights[h])
        assert ax.images[0].get_clim() == (0, 0.5)
        assert _tick_texts(ax.get_xticklabels()) == ["a", "b", "c"]
        assert _tick_texts(ax.get_yticklabels()) == ["a", "b", "c"]
        assert not ax.texts  # heads are not annotated
    assert [ax.get_title() for ax in fig.axes] == ["one", "two"]
    plt.close(fig)


def test_plot_attention_shows_the_weights_against_the_tokens():
    weights = np.array([[0.7, 0.2, 0.1], [0.0, 1.0, 0.0], [0.25, 0.25, 0.5]])
    ax = attention.plot_attention(weights, "abc", "a c", title="t", colorbar=True)
    assert len(ax.images) == 1
    np.testing.assert_allclose(ax.images[0].get_array(), weights)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "␣", "c"]
    assert _tick_texts(ax.get_yticklabels()) == ["a", "b", "c"]
    assert ax.get_title() == "t" and len(ax.figure.axes) == 2  # the map and its colour bar
    assert len(ax.texts) == 9  # small maps are annotated
    assert [t.get_text() for t in ax.texts][:3] == ["0.70", "0.20", "0.10"]
    plt.close(ax.figure)


def test_figures_draw():
    ax = attention.plot_mask(np.tril(np.ones((4, 4), bool)), labels="abcd")
    assert sum(t.get_text() == "×" for t in ax.texts) == 6  # the blocked upper triangle
    assert _tick_texts(ax.get_xticklabels()) == list("abcd")
    plt.close(ax.figure)
    curves = {"with attention": ([5, 15], [1.0, 1.0], [3, 4]),
              "without attention": ([5, 15], [0.5, np.nan], [3, 4])}
    ax = attention.plot_accuracy_by_length(curves)
    assert len(ax.lines) == 2
    for line, (centres, accuracy, _) in zip(ax.lines, curves.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), centres)
        np.testing.assert_array_equal(line.get_ydata(), accuracy)
    assert [line.get_label() for line in ax.lines] == list(curves)
    plt.close(ax.figure)
    ax = attention.plot_histories({"a": {"val_accuracy": [0.1, 0.5]}})
    assert ax.lines[0].get_ydata().tolist() == [0.1, 0.5]
    assert list(ax.lines[0].get_xdata()) == [1, 2] and ax.get_ylabel() == "val accuracy"
    plt.close(ax.figure)


def test_plot_position_table_shows_the_table():
    table = attention.sinusoid_table(8, 4)
    ax = attention.plot_position_table(table, title="positions")
    assert len(ax.images) == 1
    np.testing.assert_allclose(ax.images[0].get_array(), table)
    assert ax.images[0].get_clim() == (-1, 1)
    assert ax.get_xlabel() == "dimension" and ax.get_ylabel() == "position p"
    assert ax.get_title() == "positions" and len(ax.figure.axes) == 2  # the table and its colour bar
    plt.close("all")
