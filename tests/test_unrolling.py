"""seqlab.unrolling: the unrolled-network figures (``figures``) and the step-through widgets
(``explorers``), without a browser."""

import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from seqlab.unrolling import (
    StepThroughRNN,
    UnrolledExplorer,
    hidden_state_figure,
    plot_rolled_and_unrolled,
    plot_step_losses,
    plot_unrolled_rnn,
    reading_html,
)
from seqlab.unrolling.explorers import _NEWEST, _READ, _UNREAD  # reading_html's styles

H = 6


def fake_states(text: str) -> np.ndarray:
    """Stand-in for an RNN: (T, H) values in (-1, 1) that depend on the whole prefix."""
    codes = np.array([ord(c) for c in text], dtype=float)  # (T,)
    phases = np.cumsum(codes)[:, None] * np.arange(1, H + 1)  # (T, H)
    return np.tanh(np.sin(phases))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("steps", [1, 3, 7])
def test_unrolled_rnn_draws_one_cell_per_step_and_the_losses(steps):
    texts = _texts(plot_unrolled_rnn(steps, show_losses=True))
    assert "$h_0$" in texts and f"$h_{{{steps}}}$" in texts and f"$h_{{{steps + 1}}}$" not in texts
    assert sum(t.startswith("$x_") for t in texts) == steps
    assert texts.count("$W_{hh}$") == steps and texts.count("$W_{xh}$") == steps  # shared weights
    assert sum(t.startswith("$L_{") for t in texts) == steps
    assert any(r"\sum" in t for t in texts), "the total loss"


def test_unrolled_rnn_without_losses_or_outputs():
    texts = _texts(plot_unrolled_rnn(4, show_outputs=True, show_losses=False))
    assert not any(t.startswith("$L") for t in texts) and texts.count("$W_{hy}$") == 4
    texts = _texts(plot_unrolled_rnn(4, show_outputs=False, show_losses=False))
    assert "$W_{hy}$" not in texts and not any("hat y" in t for t in texts)
    with pytest.raises(ValueError, match="at least 1"):
        plot_unrolled_rnn(0)


def test_rolled_and_unrolled_side_by_side():
    fig = plot_rolled_and_unrolled(steps=3)
    rolled, _, unrolled = fig.axes
    assert "$W_{hh}$" in _texts(rolled) and "$h_t$" in _texts(rolled)
    assert "$h_{3}$" in _texts(unrolled) and "3 steps" in unrolled.get_title()


def test_hidden_state_figure_shows_only_the_states_read_so_far():
    chars = "hello world"
    states = fake_states(chars)  # (T, H)
    for step in (0, 4, len(chars)):
        fig = hidden_state_figure(states, chars, step)
        grid = fig.axes[0]
        shown = grid.images[0].get_array()  # (H, T), masked where not read yet
        assert shown.shape == (H, len(chars))
        read = ~np.ma.getmaskarray(np.ma.masked_invalid(shown))
        assert read[:, :step].all() and not read[:, step:].any()
        np.testing.assert_allclose(np.asarray(shown)[:, :step], states[:step].T)
        assert f"step {step}" in fig._suptitle.get_text()
    assert "'o'" in hidden_state_figure(states, chars, 5)._suptitle.get_text()
    assert "nothing read" in hidden_state_figure(states, chars, 0)._suptitle.get_text()


def test_hidden_state_figure_clamps_the_step_and_can_stay_out_of_pyplot():
    before = plt.get_fignums()
    fig = hidden_state_figure(fake_states("abc"), "abc", step=99, pyplot=False)
    assert isinstance(fig, Figure) and plt.get_fignums() == before
    assert "step 3" in fig._suptitle.get_text()


def test_reading_html_marks_read_and_newest_characters_and_escapes():
    out = reading_html("a<b c", 2)
    assert "&lt;" in out and "<b" not in out.replace("<b>", "")
    assert out.count(_READ) == 1 and out.count(_NEWEST) == 1
    assert out.count(_UNREAD) == 3
    assert "␣" in out  # the space is shown
    assert "type a sentence" in reading_html("", 0)


def test_step_losses_title_gives_the_sum():
    ax = plot_step_losses([1.0, 2.0, 0.5], chars="abc")
    assert "3.50" in ax.get_title() and len(ax.patches) == 3
    with pytest.raises(ValueError):
        plot_step_losses([1.0, 2.0], chars="abc")


def test_moving_the_step_slider_changes_the_output():
    widget = StepThroughRNN(fake_states, "hello world", step=2)
    chart, numbers, reading = widget.chart.value, widget.numbers.value, widget.reading.value
    assert chart[:4] == b"\x89PNG" and "h_2 = [" in numbers
    widget.step.value = 7
    assert widget.chart.value != chart and widget.reading.value != reading
    assert "h_7 = [" in widget.numbers.value
    expected = ", ".join(f"{v:+.2f}" for v in fake_states("hello world")[6])
    assert expected in widget.numbers.value
    widget.step.value = 0
    assert "h_0 = [" + ", ".join(["+0.00"] * H) in widget.numbers.value


def test_buttons_step_forward_and_back_within_the_sentence():
    widget = StepThroughRNN(fake_states, "abc", step=2)
    widget.forward.click()
    widget.forward.click()
    assert widget.step.value == 3
    for _ in range(5):
        widget.back.click()
    assert widget.step.value == 0


def test_typing_a_new_sentence_recomputes_the_states_and_the_range():
    calls = []

    def states_fn(text):
        calls.append(text)
        return fake_states(text)

    widget = StepThroughRNN(states_fn, "hello world")
    assert widget.step.value == widget.step.max == 11 and calls == ["hello world"]
    widget.step.value = 5  # moving the slider reuses the states
    assert calls == ["hello world"]
    widget.sentence.value = "abc"
    assert calls == ["hello world", "abc"] and widget.step.max == 3 and widget.step.value == 3
    np.testing.assert_allclose(widget.states, fake_states("abc"))
    widget.sentence.value = ""
    assert widget.chart.value == b"" and "type a sentence" in widget.reading.value


def test_long_sentences_are_cut_and_bad_state_functions_are_refused():
    widget = StepThroughRNN(fake_states, "x" * 100, max_chars=12)
    assert widget.chars == "x" * 12 and widget.states.shape == (12, H)
    with pytest.raises(ValueError, match="states"):
        StepThroughRNN(lambda text: fake_states(text)[:-1], "abcd")


def test_unrolled_explorer_redraws_when_its_controls_change():
    explorer = UnrolledExplorer(steps=2, max_steps=6)
    first = explorer.chart.value
    explorer.steps.value = 5
    wider = explorer.chart.value
    assert wider != first
    explorer.losses.value = False
    assert explorer.chart.value not in (first, wider)


def test_widgets_display_as_their_box():
    bundle = StepThroughRNN(fake_states, "ab")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "application/vnd.jupyter.widget-view+json" in UnrolledExplorer()._repr_mimebundle_()


def test_importing_the_modules_does_not_import_tensorflow():
    code = ("import sys, seqlab.unrolling.figures, seqlab.unrolling.explorers; "
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
