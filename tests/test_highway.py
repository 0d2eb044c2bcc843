"""seqlab.lstm: the cell diagram (``cell_diagram``), and the gradient norms of RNN and LSTM and the
forget-bias explorer (``highway``), without a browser (controls are set through ``.value``)."""

from functools import partial

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from seqlab.lstm import (
    KINDS,
    HighwayExplorer,
    forget_guide,
    highway,  # the module: its cache is private
    highway_curves,
    input_gradient_norms,
    plot_highway,
    plot_lstm_cell,
    verdict_html,
)

matplotlib.use("Agg")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
small = partial(input_gradient_norms, units=4, features=3, batch=3)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_cell_diagram_names_the_four_operations_and_the_gates():
    ax = plot_lstm_cell()
    texts = " ".join(t.get_text() for t in ax.texts)
    for words in ("forget: what to drop", "store: what is new", "update the cell state",
                  "output:", "what to expose", "conveyor belt", "i, f, g, o"):
        assert words in texts, words
    for gate in ("$f$", "$i$", "$g$", "$o$"):
        assert gate in [t.get_text() for t in ax.texts], gate


def test_input_gradient_norms_are_normalised_and_reproducible():
    for kind in KINDS:
        norms = small(kind=kind, steps=12, seed=0)
        assert norms.shape == (12,) and norms[0] == pytest.approx(1.0)
        assert np.isfinite(norms).all() and (norms > 0).all()
        np.testing.assert_array_equal(norms, small(kind=kind, steps=12, seed=0))  # same seed, same numbers
        assert not np.allclose(norms, small(kind=kind, steps=12, seed=1))
    with pytest.raises(ValueError, match="kind"):
        small(kind="gru")


def test_a_larger_forget_bias_keeps_more_gradient_and_the_rnn_ignores_it():
    reached = [small(kind="lstm", steps=30, forget_bias=bias)[-1] for bias in (-2.0, 1.0, 4.0)]
    assert reached[0] < reached[1] < reached[2]
    assert reached[2] > 1e3 * reached[0]
    np.testing.assert_array_equal(small(kind="rnn", steps=20, forget_bias=-2.0),
                                  small(kind="rnn", steps=20, forget_bias=5.0))


def test_one_path_variants_are_the_same_lstm_with_the_other_path_stopped():
    """One step has no recurrence to stop: all three LSTMs agree. Over many steps each path alone
    carries less than all paths together, and the h/U path alone far less than the belt."""
    one = [small(kind=kind, steps=1, forget_bias=2.0, seed=3) for kind in ("lstm", "lstm-cell", "lstm-hidden")]
    np.testing.assert_allclose(one[1], one[0])
    np.testing.assert_allclose(one[2], one[0])
    full, cell, hidden = (input_gradient_norms(kind=kind, steps=30, forget_bias=3.0, seed=0)
                          for kind in ("lstm", "lstm-cell", "lstm-hidden"))
    assert full[-1] > 3 * cell[-1] > 0 and cell[-1] > 1e10 * hidden[-1]
    assert 0.1 < cell[-1] / forget_guide(3.0, 30)[-1] < 10  # the belt alone: about sigma(b_f)^k


def test_cached_norms_are_the_same_numbers_and_cannot_be_spoiled():
    first = highway.cached_gradient_norms(kind="lstm", steps=10, forget_bias=2, seed=0)
    np.testing.assert_array_equal(first, input_gradient_norms(kind="lstm", steps=10, forget_bias=2.0))
    first[:] = 0  # changing a returned array does not change the cache
    hits = highway._cached_norms.cache_info().hits
    again = highway.cached_gradient_norms(kind="lstm", steps=10, forget_bias=2.0, seed=0)
    assert highway._cached_norms.cache_info().hits == hits + 1 and again[0] == 1.0
    rnn = highway.cached_gradient_norms(kind="rnn", steps=10, forget_bias=-1.0)
    np.testing.assert_array_equal(rnn, highway.cached_gradient_norms(kind="rnn", steps=10, forget_bias=4.0))
    assert highway._cached_norms.cache_info().hits == hits + 2, "the RNN ignores the forget bias"


def test_forget_guide_is_a_power_of_the_sigmoid():
    np.testing.assert_allclose(forget_guide(0.0, 4), [1, 0.5, 0.25, 0.125])
    assert forget_guide(3.0, 3)[1] == pytest.approx(1 / (1 + np.exp(-3.0)))


def _fake_norms(calls, kind, steps, forget_bias, seed):
    """Stand-in for input_gradient_norms: geometric curves, the LSTM's rate set by the bias."""
    calls.append((kind, steps, forget_bias, seed))
    rate = 0.5 if kind == "rnn" else 1 / (1 + np.exp(-forget_bias))
    rate = rate ** 1.5 if kind == "lstm-cell" else rate
    return rate ** np.arange(steps) * (1 + 0.01 * seed)


def test_highway_curves_and_plot():
    calls = []
    curves = highway_curves(2.0, 15, seeds=(0, 1), norms_fn=partial(_fake_norms, calls))
    assert set(curves) == {"rnn", "lstm", "lstm-cell"} and all(len(runs) == 2 for runs in curves.values())
    assert len(calls) == 6
    again = highway_curves(3.0, 15, seeds=(0, 1), norms_fn=partial(_fake_norms, calls), rnn=curves["rnn"])
    assert len(calls) == 10 and again["rnn"] is curves["rnn"], "given RNN curves are not recomputed"
    fig = Figure()
    ax = plot_highway(fig.add_subplot(), curves, 2.0)
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("SimpleRNN" in label for label in labels)
    assert any("LSTM, forget bias b_f = 2" in label for label in labels)
    assert any(label.startswith("σ(b_f)^k") for label in labels)
    cell_path = next(line for line in ax.get_lines() if line.get_label() == "LSTM, cell path only")
    assert cell_path.get_linestyle() == "-."
    assert len(ax.get_lines()) == 4 + 3  # three curves and the guide, and one more seed of each
    assert "x_t" in ax.get_ylabel()


def test_verdict_uses_unit_03s_words():
    text = verdict_html({"rnn": [0.5 ** np.arange(40)], "lstm": [np.ones(40)]})
    assert "SimpleRNN (tanh)" in text and "vanishing" in text
    assert "LSTM" in text and "stable" in text


def test_explorer_redraws_when_the_bias_or_the_length_changes():
    calls = []
    explorer = HighwayExplorer(partial(_fake_norms, calls), forget_bias=1.0, steps=20, seeds=(0, 1))
    first = bytes(explorer.chart.value)
    assert first.startswith(PNG_MAGIC)
    assert sorted(k for k, *_ in calls) == ["lstm", "lstm", "lstm-cell", "lstm-cell", "rnn", "rnn"]
    assert "vanishing" in explorer.verdict.value and "cell path only" in explorer.verdict.value
    calls.clear()
    explorer.forget_bias.value = 5.0
    assert [k for k, *_ in calls] == ["lstm", "lstm", "lstm-cell", "lstm-cell"], "the RNN's curves are cached"
    assert bytes(explorer.chart.value) != first
    np.testing.assert_allclose(explorer.curves["lstm"][0], forget_guide(5.0, 20))
    assert "stable" in explorer.verdict.value
    calls.clear()
    explorer.steps.value = 40
    assert sorted(k for k, *_ in calls) == ["lstm", "lstm", "lstm-cell", "lstm-cell", "rnn", "rnn"]
    assert explorer.curves["rnn"][0].shape == (40,)
    calls.clear()
    explorer.steps.value = 20  # back to a length seen before: the RNN comes from the cache
    assert [k for k, *_ in calls] == ["lstm", "lstm", "lstm-cell", "lstm-cell"]


def test_same_seeds_same_figure():
    def png():
        explorer = HighwayExplorer(small, forget_bias=2.0, steps=10, seeds=(0, 1))
        return bytes(explorer.chart.value), explorer.curves

    (png_a, curves_a), (png_b, curves_b) = png(), png()
    for kind in ("rnn", "lstm", "lstm-cell"):
        assert len(curves_a[kind]) == len(curves_b[kind]) == 2  # one curve per seed
        for a, b in zip(curves_a[kind], curves_b[kind], strict=True):
            np.testing.assert_array_equal(a, b)
    assert png_a == png_b
    assert isinstance(highway.highway_figure(1.0, 10, seeds=(0,), norms_fn=small), Figure)
