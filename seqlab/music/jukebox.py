"""A jukebox for the music walkthrough: sample tunes at a temperature and top-k, judge, listen.

The sampler is passed in (``sample(temperature, top_k, seed) -> text``, for example a Keras model
sampled by the notebook), so nothing here knows how a model generates. Each change of a control
regenerates: the tunes are judged (validity, longest run shared with the training text), the first
valid one is rendered to an ``IPython.display.Audio`` player with the WAV embedded, and its piano
roll is drawn. The update logic is plain Python: set a control's ``.value`` and read ``.text``,
``.table``, ``.player.outputs`` and ``.roll``.
"""

import html
from collections.abc import Callable

import ipywidgets as widgets
from matplotlib.figure import Figure

from seqlab.explorer import Explorer, png_image
from seqlab.music import abc_text, audio
from seqlab.music.judging import Verdict, judge_tunes, judgement_table

Sampler = Callable[[float, int, int], str]  # (temperature, top_k, seed) -> generated ABC text


class Jukebox(Explorer):
    """Controls ``temperature`` (FloatSlider), ``top_k`` (IntSlider, 0 = off), ``seed`` (IntText)
    and a ``regenerate`` button (next seed). Outputs: ``text`` (HTML, the tunes), ``table`` (HTML,
    validity and memorisation per tune), ``player`` (Output holding an Audio element) and ``roll``
    (Image, PNG). ``tunes`` and ``verdicts`` hold the latest batch. Display the object itself.
    """

    def __init__(self, sample: Sampler, train_text: str, train_validity: float | None = None,
                 temperature: float = 0.8, top_k: int = 0, seed: int = 0, max_top_k: int = 30):
        self.sample, self.train_text, self.train_validity = sample, train_text, train_validity
        self.temperature = widgets.FloatSlider(value=temperature, min=0.0, max=1.5, step=0.05,
                                               description="temperature", continuous_update=False,
                                               style={"description_width": "initial"})
        self.top_k = widgets.IntSlider(value=top_k, min=0, max=max_top_k, description="top-k (0: off)",
                                       continuous_update=False, style={"description_width": "initial"})
        self.seed = widgets.IntText(value=seed, description="seed", layout={"width": "160px"})
        self.regenerate = widgets.Button(description="new tunes", icon="refresh")
        self.text = widgets.HTML()
        self.table = widgets.HTML()
        self.player = widgets.Output()
        self.roll = png_image()
        self.tunes: list[str] = []
        self.verdicts: list[Verdict] = []
        self.watch(self.temperature, self.top_k, self.seed)
        self.regenerate.on_click(lambda _: setattr(self.seed, "value", self.seed.value + 1))
        self.show(widgets.VBox([
            widgets.HBox([self.temperature, self.top_k]), widgets.HBox([self.seed, self.regenerate]),
            self.table, self.player, self.roll, self.text,
        ]))

    def update(self, change=None) -> None:
        """Sample a new batch for the current controls, judge it, replay and redraw."""
        text = self.sample(float(self.temperature.value), int(self.top_k.value), int(self.seed.value))
        self.tunes = abc_text.complete_tunes(text) or abc_text.split_generated(text)
        self.verdicts = judge_tunes(self.tunes, self.train_text)
        self.table.value = "<pre>" + html.escape(judgement_table(self.verdicts, self.train_validity)) + "</pre>"
        self.text.value = ("<details><summary>the generated ABC</summary><pre>" + html.escape(text)
                           + "</pre></details>")
        chosen = next((t for t, v in zip(self.tunes, self.verdicts) if v.valid), self.tunes[0] if self.tunes else "")
        self.player.outputs = ()
        self.player.append_display_data(audio.play(chosen) if chosen else audio.play("no tune"))
        fig = Figure(figsize=(9, 2.6), layout="constrained")
        audio.piano_roll(chosen or "no tune", ax=fig.add_subplot(), title=f"piano roll: {abc_text.title_of(chosen)}")
        self.show_figure(self.roll, fig)
