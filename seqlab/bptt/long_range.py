"""A small long-range task, and a training loop that records what happens on the way.

The task (``first_symbol_task``): a sequence of T one-hot steps; the first step shows one of
``symbols`` signal symbols, the T - 1 steps after it show random distractors from a separate set
of ``symbols`` noise symbols, and the target, read after the last step, is the first symbol.
Solving it means carrying one fact across T steps, so the gradient that teaches the first step
has to travel back through all of them.

``train_with_curves`` trains a Keras model on fresh batches (``train_on_batch``; clipping is the
optimizer's ``global_clipnorm``) and records the loss and accuracy of every step and the global
norm of the gradient *before* clipping. ``compare_runs`` repeats that over settings and seeds;
``plot_runs`` draws one thin line per seed and a thick line for their mean.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes

from seqlab.bptt.figures import CURVE_COLORS

SOLVED_ABOVE = 0.95  # final accuracy above which a run counts as having solved the task


def first_symbol_task(n: int, steps: int, symbols: int, rng: np.random.Generator):
    """n sequences of the first-symbol task, one-hot.

    Returns x float32 (n, steps, 2 * symbols) and y int32 (n,): x[:, 0] is one of the signal
    symbols 0 .. symbols - 1 (that index is y), x[:, 1:] are noise symbols symbols .. 2*symbols - 1.
    Chance accuracy is 1 / symbols.
    """
    ids = rng.integers(0, symbols, size=(n, steps))  # (n, T)
    y = ids[:, 0].astype(np.int32)  # (n,)
    ids[:, 1:] += symbols  # the distractors come from the second half of the vocabulary
    x = np.eye(2 * symbols, dtype=np.float32)[ids]  # (n, T, 2 * symbols)
    return x, y


def rnn_classifier(steps: int, features: int, classes: int, units: int = 32,
                   activation: str = "tanh", identity_init: bool = False, seed: int = 0):
    """Keras SimpleRNN (last state) -> Dense logits (N, classes), for inputs (N, steps, features).

    ``identity_init=False``: Keras' defaults (Glorot ``kernel``, orthogonal ``recurrent_kernel``).
    ``identity_init=True``: the IRNN of Le, Jaitly & Hinton (2015), ``recurrent_kernel = I``,
    ``kernel`` ~ N(0, 0.001^2), zero bias (use it with ``activation="relu"``).
    """
    import keras

    keras.utils.set_random_seed(seed)
    if identity_init:
        recurrent = keras.initializers.Identity()
        kernel = keras.initializers.RandomNormal(stddev=0.001, seed=seed)
    else:
        recurrent = keras.initializers.Orthogonal(seed=seed)
        kernel = keras.initializers.GlorotUniform(seed=seed)
    return keras.Sequential([
        keras.Input((steps, features)),
        keras.layers.SimpleRNN(units, activation=activation, kernel_initializer=kernel,
                               recurrent_initializer=recurrent),  # (N, H), the last state
        keras.layers.Dense(classes, kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1)),
    ])


def model_gradient_norms(model, x, y) -> np.ndarray:
    """How much of the loss's gradient reaches each hidden state of an ``rnn_classifier`` model.

    The model's own ``SimpleRNNCell`` and ``Dense`` layer are stepped in a Python loop over
    x (N, T, features), so ``tf.GradientTape`` returns dL/dh_t for every t (L: mean
    cross-entropy against y (N,)). Returns (T + 1,): entry k is the mean over the batch of
    ||dL/dh_{T-k}||, divided by the same at k = 0, so the curve starts at 1 like the explorer's.
    """
    import keras
    import tensorflow as tf

    rnn, dense = model.layers[0], model.layers[-1]
    x = tf.constant(x)
    h = tf.zeros((x.shape[0], rnn.cell.units))  # (N, H)
    states = [h]
    with tf.GradientTape() as tape:
        tape.watch(h)
        for t in range(x.shape[1]):
            h, _ = rnn.cell(x[:, t], [h])  # (N, H)
            states.append(h)
        loss = keras.losses.sparse_categorical_crossentropy(y, dense(h), from_logits=True)
        loss = tf.reduce_mean(loss)
    grads = tape.gradient(loss, states)  # dL/dh_0 .. dL/dh_T, each (N, H)
    norms = np.array([np.linalg.norm(g.numpy(), axis=1).mean() for g in grads])[::-1]
    return norms / norms[0]


@dataclass
class Curves:
    """What one training run recorded: the loss and the accuracy of every step's batch, and the
    global gradient norm (before any clipping) at the steps ``grad_norm_step``.
    ``seconds`` is the run's wall-clock time."""

    loss: np.ndarray  # (steps,)
    accuracy: np.ndarray  # (steps,)
    grad_norm: np.ndarray  # (measured,)
    grad_norm_step: np.ndarray  # (measured,) 0-based step indices
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)

    def final_accuracy(self, last: float = 0.1) -> float:
        """Mean accuracy over the last ``last`` fraction of the steps."""
        n = max(1, int(round(last * len(self.accuracy))))
        return float(np.mean(self.accuracy[-n:]))


def train_with_curves(model, make_batch: Callable[[np.random.Generator], tuple], steps: int,
                      optimizer, seed: int = 0, norm_every: int = 2, progress=None) -> Curves:
    """Train ``model`` with Keras for ``steps`` steps on fresh batches ``make_batch(rng) -> (x, y)``.

    The model is compiled with ``optimizer`` (clipping, if any, is the optimizer's own, e.g.
    ``keras.optimizers.SGD(0.3, global_clipnorm=1.0)``) and sparse categorical cross-entropy
    from logits, and trained with ``model.train_on_batch``. Every ``norm_every`` steps, just
    before the update, the global norm of the gradient is measured with ``tf.GradientTape``: the
    norm the optimizer sees before it clips. ``progress``: has ``update(n)`` (a tqdm bar).
    """
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=optimizer, loss=loss_fn, metrics=["accuracy"])

    @tf.function
    def gradient_norm(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        return tf.linalg.global_norm(tape.gradient(loss, model.trainable_variables))

    record = np.zeros((steps, 2))  # loss, accuracy
    norms, norm_steps = [], []
    start = time.perf_counter()
    for step in range(steps):
        x, y = make_batch(rng)
        if step % norm_every == 0:
            norms.append(float(gradient_norm(tf.constant(x), tf.constant(y))))
            norm_steps.append(step)
        logs = model.train_on_batch(x, y, return_dict=True)
        record[step] = logs["loss"], logs["accuracy"]
        if progress is not None:
            progress.update(1)
    return Curves(record[:, 0].copy(), record[:, 1].copy(), np.array(norms), np.array(norm_steps),
                  seconds=time.perf_counter() - start)


def compare_runs(settings: Mapping[str, dict], seeds, steps: int, task: dict,
                 show_progress: bool = True) -> dict[str, list[Curves]]:
    """Train one model per setting and seed on the first-symbol task; one progress bar in all.

    settings: label -> dict with ``activation``, ``identity_init``, ``optimizer`` (a callable
    returning a fresh Keras optimizer, with ``global_clipnorm`` to clip) and optional ``units``.
    task: ``steps`` T, ``symbols`` and ``batch`` of ``first_symbol_task``.
    Returns label -> [Curves for each seed]. The bar is ``tqdm.auto`` (a widget in Jupyter).
    """
    T, symbols, batch = task["steps"], task["symbols"], task["batch"]
    bar = None
    if show_progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(settings) * len(seeds) * steps, desc="training", unit="step")
    runs: dict[str, list[Curves]] = {}
    for label, setting in settings.items():
        runs[label] = []
        for seed in seeds:
            model = rnn_classifier(T, 2 * symbols, symbols, units=setting.get("units", 32),
                                   activation=setting["activation"],
                                   identity_init=setting["identity_init"], seed=seed)
            curves = train_with_curves(
                model, lambda rng: first_symbol_task(batch, T, symbols, rng), steps,
                setting["optimizer"](), seed=seed, progress=bar)
            curves.settings = {"label": label, "seed": seed}
            runs[label].append(curves)
    if bar is not None:
        bar.close()
    return runs


def smooth(values, window: int) -> np.ndarray:
    """Trailing moving average over ``window`` steps (shorter at the start); same length."""
    values = np.asarray(values, dtype=np.float64)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    return (sums[idx] - sums[np.maximum(0, idx - window)]) / np.minimum(idx, window)


def plot_runs(ax: Axes, runs: Mapping[str, list[Curves]], metric: str = "accuracy",
              window: int = 25, log: bool = False, hline: float | None = None,
              hline_label: str = "") -> Axes:
    """One thin line per seed and a thick line for the mean over seeds, for each setting.

    metric: ``"loss"``, ``"accuracy"`` or ``"grad_norm"`` (drawn at the steps where it was
    measured); curves are smoothed over ``window`` points. With ``log=True`` the thick line is
    the geometric mean, which a single spike does not dominate. ``hline``: a horizontal
    reference (chance accuracy, a clipping threshold).
    """
    for i, (label, curves) in enumerate(runs.items()):
        color = CURVE_COLORS[i % len(CURVE_COLORS)]
        lines = np.array([smooth(getattr(c, metric), window) for c in curves])  # (seeds, points)
        if metric == "grad_norm":
            steps = curves[0].grad_norm_step + 1
        else:
            steps = np.arange(1, lines.shape[1] + 1)
        for line in lines:
            ax.plot(steps, line, color=color, lw=0.8, alpha=0.45)
        mean = np.exp(np.log(lines).mean(axis=0)) if log else lines.mean(axis=0)
        ax.plot(steps, mean, color=color, lw=2.2,
                label=f"{label} ({'geometric ' if log else ''}mean of {len(curves)} seeds)")
    if hline is not None:
        ax.axhline(hline, color="0.4", ls="--", lw=1, label=hline_label or None)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel({"grad_norm": "gradient norm before clipping"}.get(metric, metric))
    ax.legend(fontsize=8, framealpha=0.9)
    return ax


def summary_table(runs: Mapping[str, list[Curves]]) -> str:
    """A text table: final accuracy per seed, how many seeds solved the task, the step at which
    each seed's smoothed accuracy first passed ``SOLVED_ABOVE`` (``-`` for never), seconds per run."""
    lines = []
    for label, curves in runs.items():
        finals = [c.final_accuracy() for c in curves]
        solved = sum(a > SOLVED_ABOVE for a in finals)
        per_seed = "  ".join(f"{a:.2f}" for a in finals)
        first = " ".join(str(steps_to_solve(c) or "-") for c in curves)
        seconds = np.mean([c.seconds for c in curves])
        lines.append(f"{label:>34}: final accuracy per seed {per_seed}  | solved {solved}/"
                     f"{len(curves)} | first above {SOLVED_ABOVE} at step {first} | "
                     f"{seconds:.1f} s per run")
    return "\n".join(lines)


def steps_to_solve(curves: Curves, window: int = 25) -> int | None:
    """The first step (1-based) at which the accuracy, smoothed over ``window`` steps, is above
    ``SOLVED_ABOVE``; None when it never is."""
    above = np.flatnonzero(smooth(curves.accuracy, window) > SOLVED_ABOVE)
    return int(above[0]) + 1 if len(above) else None


def solved_counts(runs: Mapping[str, list[Curves]]) -> dict[str, int]:
    """label -> number of seeds whose final accuracy is above ``SOLVED_ABOVE``."""
    return {label: sum(c.final_accuracy() > SOLVED_ABOVE for c in curves)
            for label, curves in runs.items()}
