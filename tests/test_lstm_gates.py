"""seqlab.lstm.gates: the flag task, reading gates out of Keras' LSTMCell, the heatmaps and the
gate explorer, without a browser (controls are set through ``.value``)."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from seqlab import lstm
from seqlab.lstm import (
    GateExplorer,
    answers,
    encode,
    flag_task,
    gate_activations,
    gate_figure,
    memory_unit,
)

matplotlib.use("Agg")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def model():
    """An untrained flag model with fixed weights (training is not needed to test the plumbing)."""
    return lstm.build_flag_model(units=5, seed=3)


def test_encode_is_one_hot_over_a_b_query_and_anything_else():
    x = encode("AB?xa ")
    assert x.shape == (6, 4) and x.dtype == np.float32
    np.testing.assert_array_equal(x.argmax(axis=1), [0, 1, 2, 3, 3, 3])
    np.testing.assert_array_equal(x.sum(axis=1), 1)
    assert encode("").shape == (0, 4)


@pytest.mark.parametrize("text, expected", [
    ("A..?B?", [0, 0, 0, 1, 0, 2]),
    ("?A?", [0, 0, 1]),  # a question before any flag has no answer
    ("BA??", [0, 0, 1, 1]),
    ("abc?", [0, 0, 0, 0]),  # lower case is filler
])
def test_answers_are_the_last_flag_at_each_question(text, expected):
    out = answers(text)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_flag_task_shapes_and_consistency():
    x, y, texts = flag_task(20, 15, np.random.default_rng(0))
    assert x.shape == (20, 15, 4) and x.dtype == np.float32
    assert y.shape == (20, 15) and y.dtype == np.int32
    assert all(text[0] in "AB" and len(text) == 15 for text in texts)
    for row_x, row_y, text in zip(x, y, texts):
        np.testing.assert_array_equal(row_x, encode(text))
        np.testing.assert_array_equal(row_y, answers(text))
    again = flag_task(20, 15, np.random.default_rng(0))
    np.testing.assert_array_equal(again[0], x)  # same generator state, same data
    assert (y > 0).any(), "some questions are asked"


def test_gate_activations_are_what_keras_computes(model):
    import keras
    import tensorflow as tf

    text = "A..?B.?x"
    acts = gate_activations(model, text)
    T, H = len(text), 5
    for key in "ifgoch":
        assert acts[key].shape == (T, H), key
    for key in "ifo":
        assert ((acts[key] > 0) & (acts[key] < 1)).all(), key
    assert (np.abs(acts["g"]) < 1).all()
    # the states match Keras' LSTM layer run on the whole text
    layer = model.get_layer("lstm")
    reference = keras.layers.LSTM(H, return_sequences=True, return_state=True)
    reference.build((None, None, 4))
    reference.set_weights(layer.get_weights())
    h_all, _, c_last = reference(encode(text)[None])
    np.testing.assert_allclose(acts["h"], h_all.numpy()[0], atol=1e-6)
    np.testing.assert_allclose(acts["c"][-1], c_last.numpy()[0], atol=1e-6)
    np.testing.assert_array_equal(acts["answer"], model(encode(text)[None]).numpy()[0].argmax(-1))
    # the recorded values are the gates in the right roles: the LSTM's equations hold...
    c_prev = np.vstack([np.zeros((1, H)), acts["c"][:-1]])  # (T, H) c_{t-1}
    np.testing.assert_allclose(acts["c"], acts["f"] * c_prev + acts["i"] * acts["g"], atol=1e-6)
    np.testing.assert_allclose(acts["h"], acts["o"] * np.tanh(acts["c"]), atol=1e-6)
    # ...and the forget gate is the Jacobian of the cell state's path, d c_t / d c_{t-1}
    h_prev = np.vstack([np.zeros((1, H)), acts["h"][:-1]]).astype(np.float32)
    x = encode(text)
    for t in (0, 3, 5):
        c_in = tf.constant(c_prev[t:t + 1], tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(c_in)
            _, (_, c_out) = layer.cell(x[t:t + 1], [h_prev[t:t + 1], c_in])
        jacobian = tape.jacobian(c_out, c_in).numpy().reshape(H, H)
        np.testing.assert_allclose(np.diag(jacobian), acts["f"][t], atol=1e-6)
        np.testing.assert_allclose(jacobian - np.diag(np.diag(jacobian)), 0, atol=1e-7)


def test_memory_unit_finds_the_unit_that_follows_the_flag():
    text = "A...B...A..?"
    flag = np.array([1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1], dtype=float)
    rng = np.random.default_rng(0)
    cells = rng.normal(scale=0.3, size=(len(text), 4))
    cells[:, 2] = 2 * flag + rng.normal(scale=0.1, size=len(text))
    assert memory_unit(cells, text) == 2
    assert memory_unit(cells, "A" * len(text)) is None  # one flag only: nothing to follow
    assert memory_unit(cells, "." * len(text)) is None


def _fake_acts(text):
    """Stand-in for gate_activations: values depend on the text; the model answers 'A' always."""
    H = 3
    codes = np.cumsum([ord(c) for c in text])[:, None] * np.arange(1, H + 1)  # (T, H)
    gates = 0.5 + 0.5 * np.sin(codes)
    return {"i": gates, "f": 1 - gates, "g": np.cos(codes), "o": gates ** 2,
            "c": 3 * np.sin(codes / 7), "h": np.tanh(np.sin(codes)),
            "answer": np.array([1 if c == "?" else 0 for c in text])}


def test_gate_figure_draws_the_gates_and_the_cell_state_over_the_text():
    text = "A..?B.?"
    acts = _fake_acts(text)
    fig = gate_figure(acts, text, pyplot=False)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 4
    for ax, key in zip(panels, "ifoc"):
        np.testing.assert_allclose(ax.images[0].get_array(), acts[key].T)
    assert [t.get_text() for t in panels[-1].get_xticklabels()] == list(text)
    top_texts = [t.get_text() for t in fig.axes[0].texts]
    assert top_texts.count("A") == 2 + 1 and "B" in top_texts  # expected A, B; model says A, A
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    assert len(labels) == 3


def test_a_question_before_any_flag_is_drawn_grey_not_wrong():
    text = "?A?"
    fig = gate_figure(_fake_acts(text), text, pyplot=False)  # the fake model says A at each '?'
    said = [t for t in fig.axes[0].texts if t.get_position()[1] < 0.5]  # the "LSTM says" row
    colors = {int(t.get_position()[0]): matplotlib.colors.to_hex(t.get_color()) for t in said}
    assert colors == {0: matplotlib.colors.to_hex("0.55"), 2: "#2e7d32"}


def test_gate_explorer_redraws_when_the_text_changes():
    calls = []

    def acts_fn(text):
        calls.append(text)
        return _fake_acts(text)

    explorer = GateExplorer(acts_fn, text="A..?", max_chars=10)
    first = bytes(explorer.chart.value)
    assert first.startswith(PNG_MAGIC) and calls == ["A..?"]
    assert "1 of 1" in explorer.summary.value
    explorer.text.value = "B....?..?"
    assert calls[-1] == "B....?..?" and bytes(explorer.chart.value) != first
    assert "0 of 2" in explorer.summary.value  # the fake model always says A
    assert explorer.acts["c"].shape == (9, 3)
    explorer.text.value = "?B.?"  # a '?' before any flag has no right answer: not counted
    assert "0 of 1" in explorer.summary.value and "1 '?' before any flag" in explorer.summary.value
    explorer.text.value = "??"
    assert "set a flag" in explorer.summary.value
    explorer.text.value = "A" * 25  # truncated to max_chars
    assert calls[-1] == "A" * 10
    assert "type a '?'" in explorer.summary.value
    explorer.text.value = ""
    assert bytes(explorer.chart.value) == b"" and explorer.acts == {}


def test_a_short_training_run_gives_a_model_and_its_history():
    model, history = lstm.train_flag_model(units=3, examples=64, steps=10, epochs=1, seed=1)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(encode("A.?")[None], verbose=0).shape == (1, 3, 3)
