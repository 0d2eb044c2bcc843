"""Unit 03's explorer: sliders for an RNN's recurrent matrix and activation, and the gradient
norms they produce, redrawn on every change with the previous setting dotted for comparison.
"""

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from seqlab.bptt.figures import REGIME_TEXT_COLORS, plot_gradient_norms
from seqlab.bptt.gradient_norms import ACTIVATIONS, keras_gradient_norms, regime
from seqlab.explorer import Explorer, png_image

# (radius, steps, activation, identity_init, input_scale) -> norms (steps + 1,)
NormsFunction = Callable[..., np.ndarray]


def setting_label(radius: float, activation: str, identity_init: bool,
                  input_scale: float | None = None) -> str:
    """A short name for an explorer setting, e.g. ``tanh, Whh = 1.1·orthogonal, inputs 0.1``."""
    label = f"{activation}, Whh = {radius:g}·{'I' if identity_init else 'orthogonal'}"
    return label if input_scale is None else f"{label}, inputs {input_scale:g}"


class GradientFlowExplorer(Explorer):
    """Sliders for an RNN's recurrent matrix and activation; the gradient norms it produces.

    Controls: ``radius`` (spectral radius of Whh), ``steps`` (T), ``activation``
    (linear/tanh/relu), ``identity_init`` (Whh = radius·I instead of radius·orthogonal) and
    ``input_scale``. Outputs: ``chart`` (PNG of ``plot_gradient_norms``, the previous setting
    dotted grey for comparison) and ``verdict`` (HTML naming the regime). ``norms`` holds the latest
    result of ``norms_fn``. Display the object itself in a notebook.
    """

    def __init__(self, norms_fn: NormsFunction = keras_gradient_norms, radius: float = 1.0,
                 steps: int = 50, activation: str = "tanh", identity_init: bool = False,
                 input_scale: float = 0.1, max_steps: int = 100):
        self.norms_fn = norms_fn
        self.radius = widgets.FloatSlider(value=radius, min=0.5, max=1.5, step=0.05,
                                          description="radius ρ", continuous_update=False)
        self.steps = widgets.IntSlider(value=steps, min=5, max=max_steps, step=5,
                                       description="steps T", continuous_update=False)
        self.activation = widgets.ToggleButtons(options=list(ACTIVATIONS), value=activation,
                                                description="activation")
        self.identity_init = widgets.Checkbox(value=identity_init, description="Whh = ρ·I (identity)")
        self.input_scale = widgets.FloatSlider(value=input_scale, min=0.0, max=1.0, step=0.05,
                                               description="input size", continuous_update=False)
        self.verdict = widgets.HTML()
        self.chart = png_image()
        self.norms = np.ones(1)
        self.previous: tuple[str, np.ndarray] | None = None
        self.controls = (self.radius, self.steps, self.activation, self.identity_init,
                         self.input_scale)
        self.watch(*self.controls)
        self.show(widgets.VBox([
            widgets.HBox([widgets.VBox([self.radius, self.steps, self.input_scale]),
                          widgets.VBox([self.activation, self.identity_init])]),
            self.verdict, self.chart,
        ]))

    def update(self, change=None) -> None:
        """Recompute the norms for the current controls and redraw (an ``observe`` callback)."""
        radius, steps = float(self.radius.value), int(self.steps.value)
        label = setting_label(radius, self.activation.value, self.identity_init.value,
                              float(self.input_scale.value))
        norms = np.asarray(self.norms_fn(radius=radius, steps=steps,
                                         activation=self.activation.value,
                                         identity_init=self.identity_init.value,
                                         input_scale=float(self.input_scale.value)))
        curves = {label: norms}
        styles = {}
        if self.previous is not None and self.previous[0] != label:
            curves[f"before: {self.previous[0]}"] = self.previous[1]
            styles[f"before: {self.previous[0]}"] = {"color": "0.55", "lw": 1.2, "ls": ":"}
        fig = Figure(figsize=(7.5, 3.8))
        ax = fig.add_subplot()
        plot_gradient_norms(ax, curves, guides={"ρ^k (bound for every activation here)":
                                                radius ** np.arange(steps + 1)},
                            styles=styles, title=f"gradient reaching step t from step T = {steps}")
        fig.tight_layout()
        self.show_figure(self.chart, fig)
        name = regime(norms)
        self.verdict.value = (f"<b style='color:{REGIME_TEXT_COLORS[name]}; font-size:120%'>"
                              f"{name}</b>: after {steps} steps back the gradient's norm is "
                              f"{norms[-1]:.2g} (it started at {norms[0]:.2g})")
        self.norms, self.previous = norms, (label, norms)


def gradient_flow_explorer(norms_fn: NormsFunction = keras_gradient_norms,
                           **initial) -> GradientFlowExplorer:
    """The gradient-norm explorer; ``initial`` sets the controls (radius, steps, activation,
    identity_init, input_scale). ``norms_fn`` defaults to ``keras_gradient_norms``."""
    return GradientFlowExplorer(norms_fn, **initial)
