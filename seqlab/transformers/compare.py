"""The transformer beside unit 05's LSTM: same corpus, same windows, same judges.

- ``LstmWriter``: unit 05's character LSTM (Embedding -> LSTM -> Dense, weights in
  ``model.get_weights()`` order, e.g. the shipped ``music_lstm.npz``) rebuilt to carry its state,
  so it writes one character per step;
- ``write_tunes``: the first ``n`` finished tunes a sampler writes after ``"X:1\\n"``;
- ``TuneReport`` / ``report_tunes``: validity (``seqlab.music.check_tune``) and memorisation
  (the longest run each tune shares with the training text, unit 05's measure);
- ``COMPARISON`` / ``load_comparison``: the recorded full-size run (``python -m benchmarks transformer``);
- ``plot_loss_curves``: validation loss and perplexity against processor seconds of training.
"""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from seqlab.data import CHECKPOINTS

COMPARISON = CHECKPOINTS / "transformer_comparison.json"
START = "X:1\n"

# (start ids (N, S), length, temperature, seed) -> ids (N, length)
IdSampler = Callable[[np.ndarray, int, float, int], np.ndarray]


class LstmWriter:
    """Unit 05's LSTM with its state carried: ``writer(start (N, S), length, temperature, seed)``."""

    def __init__(self, weights: list[np.ndarray], vocab_size: int, embedding_dim: int, units: int):
        import keras
        import tensorflow as tf

        self.units = units
        ids, h_in, c_in = keras.Input((None,), dtype="int32"), keras.Input((units,)), keras.Input((units,))
        embedded = keras.layers.Embedding(vocab_size, embedding_dim)(ids)  # (N, S, E)
        states, h, c = keras.layers.LSTM(units, return_sequences=True, return_state=True)(
            embedded, initial_state=[h_in, c_in])  # (N, S, H), (N, H), (N, H)
        self.model = keras.Model([ids, h_in, c_in], [keras.layers.Dense(vocab_size)(states), h, c])
        self.model.set_weights(weights)
        self._loop = tf.function(self._write)

    def _write(self, start, length, temperature, seed):
        import tensorflow as tf

        from seqlab.transformers.generation import draw  # as the transformer's writers draw

        n = tf.shape(start)[0]
        logits, h, c = self.model([start, tf.zeros((n, self.units)), tf.zeros((n, self.units))])
        z = logits[:, -1]  # (N, V)
        out = tf.TensorArray(tf.int32, size=length)
        for i in tf.range(length):
            nxt = draw(z, temperature, seed, i)  # (N,)
            out = out.write(i, nxt)
            logits, h, c = self.model([nxt[:, None], h, c])  # one step, state carried
            z = logits[:, -1]
        return tf.transpose(out.stack())

    def __call__(self, start: np.ndarray, length: int, temperature: float = 0.8, seed: int = 0) -> np.ndarray:
        import tensorflow as tf

        return self._loop(tf.constant(np.asarray(start, np.int32)), tf.constant(length),
                          tf.constant(float(temperature)), tf.constant(int(seed))).numpy()


def write_tunes(sample: IdSampler, encode, idx2char, n: int, temperature: float, seed: int = 0,
                batch: int = 25, length: int = 1500, max_rounds: int = 8) -> list[str]:
    """The first ``n`` finished tunes of ``batch`` texts of ``length`` characters after ``"X:1\\n"``,
    round after round (new seeds) until there are ``n`` or ``max_rounds`` have run."""
    from seqlab.music import complete_tunes

    tunes: list[str] = []
    for round_ in range(max_rounds):
        start = np.tile(encode(START), (batch, 1))  # (B, S)
        ids = sample(start, length, temperature, seed + 1000 * round_)  # (B, length)
        for row in ids:
            tunes += complete_tunes(START + "".join(idx2char[row]))
        if len(tunes) >= n:
            break
    return tunes[:n]


@dataclass
class TuneReport:
    """A batch of tunes judged: how many, the share valid, and the longest runs shared with training."""

    tunes: int
    valid: float
    shared_runs: list[int]

    @property
    def median_run(self) -> float:
        return float(np.median(self.shared_runs)) if self.shared_runs else float("nan")

    def __str__(self) -> str:
        return (f"{self.tunes:3d} tunes, {self.valid:4.0%} valid, longest run shared with training: "
                f"median {self.median_run:.0f} characters")


def report_tunes(tunes: list[str], train_text: str) -> TuneReport:
    """Judge ``tunes`` with unit 05's ``judge_tunes`` (validity and memorisation)."""
    from seqlab.music import judge_tunes

    verdicts = judge_tunes(tunes, train_text)
    valid = float(np.mean([v.valid for v in verdicts])) if verdicts else 0.0
    return TuneReport(len(verdicts), valid, [len(v.shared) for v in verdicts])


def save_comparison(record: dict, path=COMPARISON) -> None:
    """Write the comparison's figures (``TuneReport``s become dicts) as JSON."""
    def plain(value):
        if isinstance(value, TuneReport):
            return asdict(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    path.write_text(json.dumps(plain(record), indent=1) + "\n")


def load_comparison(path=COMPARISON) -> dict:
    """The recorded comparison (``python -m benchmarks transformer``), as written."""
    return json.loads(path.read_text())


def plot_loss_curves(curves: dict, axes=None, colors=None):
    """Validation loss (left) and perplexity (right) against processor seconds of training.

    curves: label -> (processor seconds (K,), validation losses (K,)), e.g. from ``History``'s
    ``val_cpu_seconds`` and ``val_loss``.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
    colors = colors or {}
    for label, (seconds, losses) in curves.items():
        seconds, losses = np.asarray(seconds), np.asarray(losses)
        for ax, values in zip(axes, (losses, np.exp(losses))):
            ax.plot(seconds, values, "o-", ms=3, label=label, color=colors.get(label))
            best = int(np.argmin(values))
            ax.plot([seconds[best]], [values[best]], "*", ms=11, color=colors.get(label, "k"))
    axes[0].set(xlabel="processor seconds of training", ylabel="validation loss (nats/char)")
    axes[1].set(xlabel="processor seconds of training", ylabel="perplexity  e^loss")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return axes
