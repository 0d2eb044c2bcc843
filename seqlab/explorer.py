"""The skeleton every walkthrough widget shares: controls that redraw, a box, pictures as PNGs.

An explorer builds its controls and output widgets, ``watch``-es the controls, arranges them in
``self.box`` and draws once with ``show``. Its ``update`` (an ``observe`` callback) reads the
controls, calls the model-side function it was given and fills the outputs; ``show_figure`` puts
a matplotlib figure into an ``Image``. Displaying the explorer in a notebook displays its box.
The update logic is plain Python, so tests drive an explorer without a browser: set a control's
``.value`` and read the output widgets' ``.value``.
"""

from collections.abc import Callable

import ipywidgets as widgets
from matplotlib.figure import Figure

from seqlab.drawing import figure_to_png


def text_box(value: str, description: str, **options) -> widgets.Text:
    """A wide text box that reports its value when the user presses Enter or leaves it."""
    return widgets.Text(value=value, description=description, continuous_update=False,
                        layout={"width": "95%"}, **options)


def png_image() -> widgets.Image:
    """An empty PNG image widget, for ``Explorer.show_figure`` to fill."""
    return widgets.Image(format="png")


class Explorer:
    """Base of the walkthroughs' widgets. Subclasses build their widgets, then call ``watch``
    and ``show``, and override ``update``."""

    box: widgets.Box

    def watch(self, *controls: widgets.ValueWidget, callback: Callable | None = None) -> None:
        """Call ``callback`` (default: ``self.update``) whenever one of ``controls`` changes value."""
        for control in controls:
            control.observe(callback or self.update, names="value")

    def show(self, box: widgets.Box) -> None:
        """Make ``box`` what this explorer displays, and draw it for the controls' start values."""
        self.box = box
        self.update()

    def update(self, change=None) -> None:
        """Redraw the outputs from the current control values (an ``observe`` callback)."""
        raise NotImplementedError(f"{type(self).__name__} must say how it updates")

    @staticmethod
    def show_figure(image: widgets.Image, fig: Figure) -> None:
        """Draw ``fig`` into ``image`` as a PNG."""
        image.value = figure_to_png(fig)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)
