"""Tests for seqlab.bptt's gradient norms (``gradient_norms``), their plots (``figures``) and the
explorer widget (``explorer``).

The explorer is driven the way a user drives it, by setting its controls' ``.value``; the tests
read the output widgets' values. Regimes are checked with the real Keras computation.
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import seqlab  # noqa: F401  (quiet TensorFlow before it is imported)
from seqlab import bptt

matplotlib.use("Agg")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
pytest.importorskip("tensorflow")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- the matrix and the norms ----------------------------------------------------------------


@pytest.mark.parametrize("identity", [False, True])
def test_recurrent_matrix_has_all_singular_values_equal_to_the_radius(identity):
    W = bptt.recurrent_matrix(12, 0.8, identity=identity, seed=3)
    assert W.shape == (12, 12)
    assert np.allclose(np.linalg.svd(W, compute_uv=False), 0.8)
    assert np.allclose(np.abs(np.linalg.eigvals(W)), 0.8)
    assert np.array_equal(W, bptt.recurrent_matrix(12, 0.8, identity=identity, seed=3))
    if identity:
        assert np.array_equal(W, 0.8 * np.eye(12))
    else:
        assert not np.allclose(W, bptt.recurrent_matrix(12, 0.8, seed=4))


def test_linear_norms_follow_the_radius_exactly():
    """A linear RNN with Whh = rho * Q multiplies every gradient by rho per step back."""
    for radius in (0.5, 1.0, 1.5):
        norms = bptt.keras_gradient_norms(radius, 30, "linear")
        assert norms.shape == (31,)
        assert norms[0] == pytest.approx(1.0)
        assert np.allclose(norms, radius ** np.arange(31), rtol=1e-9)
    assert bptt.regime(bptt.keras_gradient_norms(0.5, 30, "linear")) == "vanishing"
    assert bptt.regime(bptt.keras_gradient_norms(1.0, 30, "linear")) == "stable"
    assert bptt.regime(bptt.keras_gradient_norms(1.5, 30, "linear")) == "exploding"


def test_activations_only_shrink_the_gradient():
    bound = 1.2 ** np.arange(41)
    for activation in ("tanh", "relu"):
        for identity in (False, True):
            norms = bptt.keras_gradient_norms(1.2, 40, activation, identity_init=identity)
            assert np.all(norms <= bound * (1 + 1e-9)), (activation, identity)


def test_tanh_saturation_and_relu_identity():
    # with no input tanh stays at 0 where tanh' = 1: exactly the linear curve
    assert np.allclose(bptt.keras_gradient_norms(1.0, 40, "tanh", input_scale=0.0), 1.0)
    small = bptt.keras_gradient_norms(1.0, 40, "tanh", input_scale=0.1)
    large = bptt.keras_gradient_norms(1.0, 40, "tanh", input_scale=1.0)
    assert large[-1] < small[-1] < 1.0  # saturation: larger inputs, faster vanishing
    assert bptt.regime(bptt.keras_gradient_norms(1.0, 100, "relu", identity_init=False)) == "vanishing"
    assert bptt.regime(bptt.keras_gradient_norms(1.0, 100, "relu", identity_init=True)) == "stable"


def test_norms_are_reproducible_and_check_the_activation():
    a = bptt.keras_gradient_norms(1.1, 20, "tanh", seed=5)
    assert np.array_equal(a, bptt.keras_gradient_norms(1.1, 20, "tanh", seed=5))
    assert not np.array_equal(a, bptt.keras_gradient_norms(1.1, 20, "tanh", seed=6))
    with pytest.raises(ValueError):
        bptt.keras_gradient_norms(1.0, 5, "sigmoid")


@pytest.mark.parametrize("norms, expected", [
    ([1.0, 0.5, 0.001], "vanishing"), ([1.0, 1.0, 0.5], "stable"), ([1.0, 20.0, 500.0], "exploding"),
    ([1.0, 0.0], "vanishing"), ([1.0, np.inf], "exploding"), ([1.0, np.nan], "exploding"),
    ([2.0, 0.03], "stable"),  # judged relative to the first entry
])
def test_regime(norms, expected):
    assert bptt.regime(norms) == expected


# --- plots -----------------------------------------------------------------------------------


def test_plot_gradient_norms_draws_curves_guides_and_three_bands():
    fig, ax = plt.subplots()
    curves = {"falls": 0.5 ** np.arange(11), "dies": np.array([1.0, 0.5, 0.0, 0.0])}
    bptt.plot_gradient_norms(ax, curves, guides={"bound": np.ones(11)}, title="t")
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["bound", "falls", "dies"]
    assert ax.get_lines()[0].get_linestyle() == "--"
    dies = ax.get_lines()[2].get_ydata()
    assert np.isnan(dies[2:]).all() and dies[1] == 0.5  # zeros cannot be drawn on a log axis
    band_texts = [t.get_text() for t in ax.texts]
    assert band_texts == ["vanishing", "stable", "exploding"]
    bottom, top = ax.get_ylim()
    assert bottom <= 0.5 ** 10 and top >= bptt.EXPLODING_ABOVE
    assert ax.get_xlim() == (0, 10)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == labels


def test_plot_gradient_norms_handles_huge_ranges():
    fig, ax = plt.subplots()
    bptt.plot_gradient_norms(ax, {"up": 1.5 ** np.arange(101), "down": 0.5 ** np.arange(101)})
    assert ax.get_ylim() == (bptt.SMALLEST_SHOWN, 1 / bptt.SMALLEST_SHOWN)  # the bands stay readable


def test_other_plots():
    fig, ax = plt.subplots()
    bptt.plot_clipping(ax, [3.0, 4.0], [1.5, 2.0], 2.5)
    assert len(ax.texts) == 2  # two arrows (annotations)
    assert any("2.5" in t.get_text() for t in ax.get_legend().get_texts())
    fig, ax = plt.subplots()
    bptt.plot_eigenvalues(ax, {"rotation": bptt.recurrent_matrix(6, 1.0), "half": 0.5 * np.eye(6)})
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "max |λ| = 1.00" in texts[1] and "max |λ| = 0.50" in texts[2]
    fig = bptt.plot_backward_graph(steps=3)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "$h_{0}$" in labels and "$h_T$" in labels and "$L_{T}$" in labels


# --- the explorer ----------------------------------------------------------------------------


class RecordingNorms:
    """A stand-in for keras_gradient_norms: rho ** k, recording how it was called."""

    def __init__(self):
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return kwargs["radius"] ** np.arange(kwargs["steps"] + 1)


def test_explorer_draws_at_start_and_each_control_changes_the_output():
    norms_fn = RecordingNorms()
    explorer = bptt.gradient_flow_explorer(norms_fn, radius=1.0, steps=20, activation="linear")
    assert norms_fn.calls == [{"radius": 1.0, "steps": 20, "activation": "linear",
                               "identity_init": False, "input_scale": 0.1}]
    assert bytes(explorer.chart.value).startswith(PNG_MAGIC)
    assert "stable" in explorer.verdict.value
    changes = [(explorer.radius, 0.5), (explorer.steps, 40), (explorer.activation, "relu"),
               (explorer.identity_init, True), (explorer.input_scale, 0.5)]
    for control, value in changes:
        chart, verdict = bytes(explorer.chart.value), explorer.verdict.value
        control.value = value
        assert bytes(explorer.chart.value) != chart or explorer.verdict.value != verdict, control
    assert norms_fn.calls[-1] == {"radius": 0.5, "steps": 40, "activation": "relu",
                                  "identity_init": True, "input_scale": 0.5}
    assert explorer.norms.shape == (41,)


def test_explorer_names_the_regime_and_keeps_the_previous_curve():
    explorer = bptt.gradient_flow_explorer(RecordingNorms(), radius=1.0, steps=50)
    explorer.radius.value = 1.5
    assert "exploding" in explorer.verdict.value
    assert explorer.previous[0] == bptt.setting_label(1.5, "tanh", False, 0.1)
    assert bptt.setting_label(1.5, "tanh", False) == "tanh, Whh = 1.5·orthogonal"
    explorer.input_scale.value = 0.5  # a change of input size alone also keeps the curve before
    assert explorer.previous[0] == "tanh, Whh = 1.5·orthogonal, inputs 0.5"
    explorer.radius.value = 0.5
    assert "vanishing" in explorer.verdict.value


def test_explorer_displays_as_a_widget():
    explorer = bptt.gradient_flow_explorer(RecordingNorms())
    assert "application/vnd.jupyter.widget-view+json" in explorer._repr_mimebundle_()
    assert explorer.chart in explorer.box.children


def test_explorer_with_keras_regimes():
    """The real computation behind the sliders: the regimes come out right."""
    explorer = bptt.gradient_flow_explorer(radius=1.0, steps=40, activation="linear")
    assert "stable" in explorer.verdict.value  # orthogonal, linear
    assert np.allclose(explorer.norms, 1.0)
    explorer.radius.value = 0.5
    assert "vanishing" in explorer.verdict.value and np.all(np.diff(explorer.norms) < 0)
    explorer.radius.value = 1.5
    assert "exploding" in explorer.verdict.value and np.all(np.diff(explorer.norms) > 0)
    explorer.activation.value = "tanh"  # tanh' < 1 pulls it below the linear curve
    assert explorer.norms[-1] < 1.5 ** 40
    explorer.radius.value = 1.0
    explorer.activation.value = "relu"
    explorer.identity_init.value = True
    assert "stable" in explorer.verdict.value


def test_a_given_recurrent_matrix_is_used_and_a_non_normal_one_outgrows_its_radius():
    W = bptt.recurrent_matrix(32, 0.9, False, 0)
    np.testing.assert_array_equal(bptt.keras_gradient_norms(0.9, 20, "linear"),
                                  bptt.keras_gradient_norms(steps=20, activation="linear", recurrent=W))
    chain = 0.9 * np.eye(8) + 0.5 * np.eye(8, k=1)  # eigenvalues all 0.9, not normal
    norms = bptt.keras_gradient_norms(steps=40, activation="linear", recurrent=chain)
    assert norms.shape == (41,) and norms[40] > 100 * 0.9 ** 40
