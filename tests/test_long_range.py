"""Tests for seqlab.bptt.long_range: the first-symbol task, the model, the recorded training curves."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import seqlab  # noqa: F401  (quiet TensorFlow before it is imported)
from seqlab import bptt

matplotlib.use("Agg")
keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_first_symbol_task():
    x, y = bptt.first_symbol_task(200, 7, 3, np.random.default_rng(0))
    assert x.shape == (200, 7, 6) and x.dtype == np.float32
    assert y.shape == (200,) and y.dtype == np.int32
    assert (x.sum(axis=-1) == 1).all()  # one-hot at every step
    ids = x.argmax(axis=-1)  # (n, T)
    assert (ids[:, 0] == y).all() and (y < 3).all() and set(y) == {0, 1, 2}
    assert (ids[:, 1:] >= 3).all() and set(np.unique(ids[:, 1:])) == {3, 4, 5}
    again = bptt.first_symbol_task(200, 7, 3, np.random.default_rng(0))
    assert np.array_equal(again[0], x) and np.array_equal(again[1], y)
    x1, _ = bptt.first_symbol_task(4, 1, 2, np.random.default_rng(1))
    assert x1.shape == (4, 1, 4)


def test_rnn_classifier_initialisations():
    tanh = bptt.rnn_classifier(6, 8, 4, units=10, seed=1)
    assert tuple(tanh(np.zeros((3, 6, 8), np.float32)).shape) == (3, 4)
    Whh = tanh.layers[0].cell.recurrent_kernel.numpy()
    assert np.allclose(Whh @ Whh.T, np.eye(10), atol=1e-5)  # orthogonal
    irnn = bptt.rnn_classifier(6, 8, 4, units=10, activation="relu", identity_init=True, seed=1)
    cell = irnn.layers[0].cell
    assert np.array_equal(cell.recurrent_kernel.numpy(), np.eye(10))
    assert np.abs(cell.kernel.numpy()).max() < 0.01 and not cell.bias.numpy().any()
    same = bptt.rnn_classifier(6, 8, 4, units=10, seed=1)
    assert np.array_equal(same.layers[0].cell.kernel.numpy(), tanh.layers[0].cell.kernel.numpy())


class Bar:
    """A stand-in for a tqdm bar."""

    def __init__(self):
        self.n = 0

    def update(self, k):
        self.n += k


def _batches(T=5, symbols=2, n=16):
    return lambda rng: bptt.first_symbol_task(n, T, symbols, rng)


def test_train_with_curves_records_every_step_and_is_reproducible():
    def run(clipnorm=None, seed=0):
        model = bptt.rnn_classifier(5, 4, 2, units=8, seed=seed)
        optimizer = keras.optimizers.SGD(0.5, global_clipnorm=clipnorm)
        return bptt.train_with_curves(model, _batches(), 12, optimizer, seed=seed, norm_every=3)

    curves = run()
    for values in (curves.loss, curves.accuracy):
        assert values.shape == (12,) and np.isfinite(values).all()
    assert np.array_equal(curves.grad_norm_step, [0, 3, 6, 9]) and np.isfinite(curves.grad_norm).all()
    assert ((curves.accuracy >= 0) & (curves.accuracy <= 1)).all() and curves.seconds > 0
    again = run()
    assert np.array_equal(curves.loss, again.loss) and np.array_equal(curves.grad_norm, again.grad_norm)
    clipped = run(clipnorm=1e-3)
    assert clipped.grad_norm[0] == curves.grad_norm[0] > 1e-3  # measured before clipping
    assert clipped.loss[0] == curves.loss[0]  # the loss of a step is read before its update
    assert not np.allclose(clipped.loss[1:], curves.loss[1:])  # clipping changed the updates
    assert not np.array_equal(run(seed=1).loss, curves.loss)


def test_train_with_curves_reports_progress_and_learns_an_easy_case():
    bar = Bar()
    model = bptt.rnn_classifier(2, 4, 2, units=8, seed=0)
    curves = bptt.train_with_curves(model, _batches(T=2, n=32), 150, keras.optimizers.Adam(0.02),
                                  progress=bar)
    assert bar.n == 150
    assert curves.final_accuracy() > 0.95 and curves.loss[-10:].mean() < curves.loss[:10].mean()


def test_compare_runs_and_summaries():
    settings = {
        "tanh": {"activation": "tanh", "identity_init": False,
                 "optimizer": lambda: keras.optimizers.SGD(0.1), "units": 6},
        "irnn": {"activation": "relu", "identity_init": True, "units": 6,
                 "optimizer": lambda: keras.optimizers.Adam(1e-3, global_clipnorm=1.0)},
    }
    runs = bptt.compare_runs(settings, seeds=[3], steps=5,
                           task={"steps": 4, "symbols": 2, "batch": 8}, show_progress=False)
    assert list(runs) == ["tanh", "irnn"] and all(len(r) == 1 for r in runs.values())
    assert runs["irnn"][0].settings == {"label": "irnn", "seed": 3}
    assert runs["tanh"][0].loss.shape == (5,)
    table = bptt.summary_table(runs)
    assert table.count("\n") == 1 and "solved" in table
    assert set(bptt.solved_counts(runs)) == {"tanh", "irnn"}


def test_final_accuracy_solved_counts_and_smooth():
    good = bptt.Curves(np.zeros(10), np.r_[np.zeros(9), 1.0], np.ones(5), np.arange(0, 10, 2))
    bad = bptt.Curves(np.zeros(10), np.full(10, 0.25), np.ones(5), np.arange(0, 10, 2))
    assert good.final_accuracy() == 1.0 and good.final_accuracy(last=0.5) == pytest.approx(0.2)
    assert bptt.solved_counts({"a": [good, bad], "b": [bad]}) == {"a": 1, "b": 0}
    assert np.allclose(bptt.smooth([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    assert np.allclose(bptt.smooth([5, 1], 1), [5, 1])


def _curves(accuracy, norm, steps=20):
    return bptt.Curves(np.ones(steps), np.full(steps, accuracy), np.full(steps // 2, norm),
                     np.arange(0, steps, 2))


def test_plot_runs_draws_a_line_per_seed_and_a_mean():
    runs = {"a": [_curves(s / 4, 10.0 ** s) for s in range(3)], "b": [_curves(0.5, 1.0)] * 2}
    fig, ax = plt.subplots()
    bptt.plot_runs(ax, runs, "accuracy", window=5, hline=0.25, hline_label="chance")
    lines = ax.get_lines()
    assert len(lines) == 3 + 1 + 2 + 1 + 1
    assert np.allclose(lines[3].get_ydata(), 0.25)  # the mean of 0, 0.25, 0.5
    assert np.array_equal(lines[3].get_xdata(), np.arange(1, 21))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["a (mean of 3 seeds)", "b (mean of 2 seeds)", "chance"]
    fig, ax = plt.subplots()
    bptt.plot_runs(ax, runs, "grad_norm", log=True)
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "gradient norm before clipping"
    mean = ax.get_lines()[3]
    assert np.array_equal(mean.get_xdata(), np.arange(1, 21, 2))  # the measured steps
    assert np.allclose(mean.get_ydata(), 10.0)  # geometric mean of 1, 10, 100
    assert "geometric mean of 3 seeds" in ax.get_legend().get_texts()[0].get_text()


def test_model_gradient_norms_at_initialisation():
    x, y = bptt.first_symbol_task(64, 30, 4, np.random.default_rng(0))
    tanh = bptt.model_gradient_norms(bptt.rnn_classifier(30, 8, 4, seed=0), x, y)
    irnn = bptt.model_gradient_norms(
        bptt.rnn_classifier(30, 8, 4, activation="relu", identity_init=True, seed=0), x, y)
    assert tanh.shape == irnn.shape == (31,)
    assert tanh[0] == pytest.approx(1.0) and irnn[0] == pytest.approx(1.0)
    assert irnn[29] > 10 * tanh[29]  # the identity keeps far more of the gradient


def test_steps_to_solve_is_the_first_step_the_smoothed_accuracy_passes_the_bar():
    from seqlab.bptt.long_range import SOLVED_ABOVE, Curves, steps_to_solve

    accuracy = np.r_[np.full(40, 0.5), np.ones(60)]  # (100,) jumps to 1 at step 41
    curves = Curves(loss=np.zeros(100), accuracy=accuracy, grad_norm=np.zeros(0), grad_norm_step=np.zeros(0))
    step = steps_to_solve(curves, window=10)
    smoothed = [np.mean(accuracy[max(0, i - 9):i + 1]) for i in range(100)]
    assert step == next(i for i, a in enumerate(smoothed) if a > SOLVED_ABOVE) + 1 and step > 41
    never = Curves(loss=np.zeros(10), accuracy=np.full(10, 0.5), grad_norm=np.zeros(0), grad_norm_step=np.zeros(0))
    assert steps_to_solve(never) is None
