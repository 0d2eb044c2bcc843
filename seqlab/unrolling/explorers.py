"""Unit 02's explorers: step an RNN through a sentence, and unroll it through a chosen length.

``StepThroughRNN`` takes the model as an argument (a function from text to hidden states, for
example a Keras ``SimpleRNN``) and only arranges, updates and draws; ``UnrolledExplorer`` redraws
``plot_unrolled_rnn`` for the number of steps on its slider. Nothing here computes a recurrent step.
"""

import html
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from seqlab.drawing import shown_char
from seqlab.explorer import Explorer, png_image, text_box
from seqlab.unrolling.figures import hidden_state_figure, plot_unrolled_rnn, unrolled_figsize

_READ = "background:#dff0d8; font-weight:bold"  # reading_html's styles
_NEWEST = "border:2px solid #333; border-radius:3px; padding:0 2px; font-weight:bold"
_UNREAD = "color:#b0b0b0"

# text -> hidden states (T, H), one row per character of the text (e.g. a Keras SimpleRNN)
StatesFn = Callable[[str], np.ndarray]


def reading_html(chars: str, step: int) -> str:
    """The text with the first ``step`` characters marked as read and the newest one boxed."""
    if not chars:
        return "<i>type a sentence</i>"
    styles = [_NEWEST if t == step - 1 else _READ if t < step else _UNREAD for t in range(len(chars))]
    spans = [f'<span style="{style}">{html.escape(shown_char(char))}</span>'
             for char, style in zip(chars, styles)]
    return f'<div style="font-family:monospace; font-size:120%">{"".join(spans)}</div>'


class StepThroughRNN(Explorer):
    """Step an RNN through a sentence one character at a time and watch its hidden state.

    Controls: ``sentence`` (Text), ``step`` (IntSlider 0..T, also driven by ``play`` and the
    ``back``/``forward`` buttons). Outputs: ``reading`` (HTML: the characters read so far),
    ``chart`` (Image: PNG of ``hidden_state_figure``) and ``numbers`` (HTML: h_t rounded).
    ``states`` (T, H) holds ``states_fn(sentence)``, recomputed only when the text changes; at
    most ``max_chars`` characters are read. ``step=None`` starts at the end. Display the object
    itself in a notebook.
    """

    def __init__(self, states_fn: StatesFn, sentence: str = "hello world", step: int | None = None,
                 max_chars: int = 40):
        self.states_fn, self.max_chars = states_fn, max_chars
        self.sentence = text_box(sentence, "sentence")
        self.step = widgets.IntSlider(value=0, min=0, max=1, description="step t")
        self.play = widgets.Play(interval=700, min=0, max=1, description="play")
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.back = widgets.Button(description="◀ back", layout={"width": "90px"})
        self.forward = widgets.Button(description="read next ▶", layout={"width": "110px"})
        self.back.on_click(lambda _: self._move(-1))
        self.forward.on_click(lambda _: self._move(+1))
        self.reading, self.numbers = widgets.HTML(), widgets.HTML()
        self.chart = png_image()
        self.chars, self.states = "", np.zeros((0, 0))  # (T, H)
        self.watch(self.sentence, callback=self.recompute)
        self.watch(self.step, callback=self.redraw)
        self.box = widgets.VBox([
            self.sentence, widgets.HBox([self.play, self.back, self.forward, self.step]),
            self.reading, self.chart, self.numbers])
        self.recompute(step=len(sentence) if step is None else step)

    def _move(self, delta: int) -> None:
        self.step.value = int(np.clip(self.step.value + delta, 0, self.step.max))

    def recompute(self, change=None, step: int | None = None) -> None:
        """Run ``states_fn`` on the (truncated) sentence, reset the slider's range, redraw once."""
        self.chars = self.sentence.value[: self.max_chars]
        self.states = np.asarray(self.states_fn(self.chars)) if self.chars else np.zeros((0, 0))
        steps = len(self.chars)
        if steps and self.states.shape[0] != steps:
            raise ValueError(f"states_fn gave {self.states.shape[0]} states for {steps} characters")
        self.step.unobserve(self.redraw, names="value")  # move the slider without redrawing twice
        self.step.max = self.play.max = max(steps, 1)
        self.step.value = min(self.step.value if step is None else step, steps)
        self.step.observe(self.redraw, names="value")
        self.redraw()

    def update(self, change=None) -> None:
        """Run the model on the sentence again and redraw (``recompute``)."""
        self.recompute(change)

    def redraw(self, change=None) -> None:
        """Draw the current step: the text read so far, the heatmap and the state's numbers."""
        step = min(self.step.value, len(self.chars))
        self.reading.value = reading_html(self.chars, step)
        if not self.chars:
            self.chart.value, self.numbers.value = b"", ""
            return
        self.show_figure(self.chart, hidden_state_figure(self.states, self.chars, step, pyplot=False))
        current = self.states[step - 1] if step else np.zeros(self.states.shape[1])  # (H,)
        values = ", ".join(f"{v:+.2f}" for v in current)
        self.numbers.value = f"<code>h_{step} = [{values}]</code>"


class UnrolledExplorer(Explorer):
    """The unrolled network drawn for a number of steps chosen with a slider.

    Controls: ``steps`` (IntSlider), ``losses`` (Checkbox: draw the per-step losses and their
    sum). Output: ``chart`` (Image: PNG of ``plot_unrolled_rnn``).
    """

    def __init__(self, steps: int = 4, max_steps: int = 10, show_losses: bool = True):
        self.steps = widgets.IntSlider(value=steps, min=1, max=max_steps, description="steps T")
        self.losses = widgets.Checkbox(value=show_losses, description="per-step losses")
        self.chart = png_image()
        self.watch(self.steps, self.losses)
        self.show(widgets.VBox([widgets.HBox([self.steps, self.losses]), self.chart]))

    def update(self, change=None) -> None:
        """Draw the network unrolled through the chosen number of steps."""
        steps, losses = self.steps.value, self.losses.value
        fig = Figure(figsize=unrolled_figsize(steps, show_losses=losses))
        plot_unrolled_rnn(steps, show_losses=losses, ax=fig.add_subplot())
        self.show_figure(self.chart, fig)
