"""seqlab.lstm.gru: the numpy GRU step matches Keras' GRUCell (both reset conventions), and the
GRU's gradient reach is measured like the LSTM's: reproducible, normalised, raised by the update
gate's bias."""

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from seqlab.checks import rel_error
from seqlab.lstm import forget_guide, gru_gradient_norms, gru_step, plot_reach

matplotlib.use("Agg")


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_step_matches_keras_gru_cell(reset_after):
    rng = np.random.default_rng(0)
    cell = keras.layers.GRUCell(5, reset_after=reset_after, dtype="float64",
                                bias_initializer=keras.initializers.RandomNormal(seed=1))
    cell.build((None, 3))
    x, h = rng.normal(size=(4, 3)), rng.normal(size=(4, 5))  # (N, D), (N, H)
    expected, _ = cell(x, [h])
    W, U, b = (w.numpy() for w in cell.weights)
    step = gru_step(x, h, W, U, b, reset_after=reset_after)
    assert rel_error(step.h, expected.numpy()) < 1e-10
    assert step.z.shape == step.r.shape == step.candidate.shape == (4, 5)
    assert np.allclose(step.h, step.z * h + (1 - step.z) * step.candidate)


def test_the_two_reset_conventions_differ():
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    W, U = rng.normal(size=(3, 12)), rng.normal(size=(4, 12))
    after = gru_step(x, h, W, U, np.zeros((2, 12)), reset_after=True).h
    before = gru_step(x, h, W, U, np.zeros(12), reset_after=False).h
    assert not np.allclose(after, before)


def test_gru_gradient_norms_are_normalised_reproducible_and_kept_by_the_update_bias():
    small = dict(units=4, features=3, batch=3)
    norms = gru_gradient_norms(12, seed=0, **small)
    assert norms.shape == (12,) and norms[0] == 1
    np.testing.assert_array_equal(norms, gru_gradient_norms(12, seed=0, **small))
    assert not np.allclose(norms, gru_gradient_norms(12, seed=1, **small))
    reached = [gru_gradient_norms(30, update_bias=b, seed=0, **small)[-1] for b in (-2.0, 0.0, 4.0)]
    assert reached[0] < reached[1] < reached[2]


def test_plot_reach_draws_every_seed_and_the_guide():
    fig, ax = plt.subplots()
    curves = {"a": [np.geomspace(1, 1e-3, 10), np.geomspace(1, 1e-4, 10)], "b": [np.ones(10)]}
    plot_reach(ax, curves, guides={"σ(1)^k": forget_guide(1.0, 10)})
    assert len(ax.lines) == 4  # the guide, two first-seed curves, one further seed
    plt.close(fig)
