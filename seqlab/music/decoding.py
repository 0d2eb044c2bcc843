"""Decoding a character model three ways -- sampling, greedy, beam search -- and measuring the text.

Every decoder drives a *stepper*, ``step(ids, state) -> (log_probs, state)``: ``ids`` (B,) int are
the newest characters, ``state`` is what the previous call returned (``None`` at the start: zero),
a tuple of arrays with the batch first; ``log_probs`` (B, V) are the next character's log
probabilities. ``keras_stepper`` makes one from a Keras Embedding -> LSTM -> Dense model (the lab's
``build_model``, the walkthrough's, ``seqlab.music.stateful``'s); tests pass tiny fake ones.

- ``sample``       -- draw each character from softmax(log p / temperature); 0 is greedy
- ``beam_search``  -- keep the ``width`` most likely prefixes at every step: an approximation of
  the most likely sequence of a given length (width 1 is greedy)
- ``score``        -- the log-probability of a given text (e.g. a real tune) under the model
- ``Decoded``      -- a decoded text's ids and its log-probability under the model (temperature 1)
- ``distinct_ngram_share``, ``longest_repeat`` -- how repetitive a text is
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Stepper = Callable[[np.ndarray, tuple | None], tuple[np.ndarray, tuple]]


@dataclass
class Decoded:
    """One decoded continuation: its ids and its log-probability under the model (temperature 1)."""

    ids: np.ndarray  # (L,) int
    logprob: float  # sum of log p(x_t | x_<t) over the L new characters, in nats

    @property
    def logprob_per_char(self) -> float:
        return self.logprob / max(1, len(self.ids))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def keras_stepper(model) -> Stepper:
    """A stepper for a Keras model made of an Embedding, an LSTM (or ``RNN(LSTMCell)``) and a
    Dense layer; one compiled call per character, the state carried as (h, c) arrays (B, H)."""
    import keras
    import tensorflow as tf

    embedding = next(layer for layer in model.layers if isinstance(layer, keras.layers.Embedding))
    rnn = next(layer for layer in model.layers if isinstance(layer, keras.layers.RNN))
    dense = next(layer for layer in model.layers if isinstance(layer, keras.layers.Dense))
    units = rnn.cell.units

    @tf.function(reduce_retracing=True)
    def cell_step(ids, h, c):  # ids (B,), h and c (B, H)
        out, (h, c) = rnn.cell(embedding(ids), [h, c])  # (B, H)
        return tf.nn.log_softmax(dense(out)), h, c  # (B, V)

    def step(ids: np.ndarray, state: tuple | None):
        ids = np.asarray(ids, np.int32)
        if state is None:
            state = (np.zeros((len(ids), units), np.float32),) * 2
        logp, h, c = cell_step(tf.constant(ids), tf.constant(state[0]), tf.constant(state[1]))
        return logp.numpy().astype(np.float64), (h.numpy(), c.numpy())

    return step


def read_start(step: Stepper, start: np.ndarray, copies: int = 1) -> tuple[np.ndarray, tuple]:
    """Feed ``start`` (S,) to ``copies`` rows; the log probabilities after it (copies, V) and the state."""
    state, logp = None, None
    for i in np.asarray(start):
        logp, state = step(np.full(copies, i), state)
    return logp, state


def sample(step: Stepper, start: np.ndarray, length: int, temperature: float, rng: np.random.Generator,
           n: int = 1) -> list[Decoded]:
    """``n`` continuations of ``length`` characters after ``start``, each character drawn from
    softmax(log p / temperature) (0: argmax, greedy), with their log-probabilities at temperature 1."""
    logp, state = read_start(step, start, n)
    ids = np.zeros((n, length), np.int64)  # (n, L)
    total = np.zeros(n)
    for t in range(length):
        if temperature == 0:
            nxt = logp.argmax(axis=-1)  # (n,)
        else:
            nxt = (logp / temperature + rng.gumbel(size=logp.shape)).argmax(axis=-1)  # (n,)
        total += logp[np.arange(n), nxt]
        ids[:, t] = nxt
        if t < length - 1:
            logp, state = step(nxt, state)
    return [Decoded(ids[i], float(total[i])) for i in range(n)]


def beam_search(step: Stepper, start: np.ndarray, length: int, width: int) -> Decoded:
    """The most likely continuation of ``length`` characters that a beam of ``width`` finds.

    At every step each kept prefix is extended by every character, and the ``width`` extensions with
    the highest total log-probability are kept (ties go to the lower prefix, then character index);
    the state of each kept prefix is its parent's, advanced by its new character. Width 1 is greedy.
    """
    logp, state = read_start(step, start, 1)  # (1, V)
    scores = np.zeros(1)  # (B,) total log-probability of each kept prefix
    history = np.zeros((1, 0), np.int64)  # (B, t)
    vocab = logp.shape[-1]
    for t in range(length):
        candidates = (scores[:, None] + logp).ravel()  # (B * V,)
        best = np.argsort(-candidates, kind="stable")[:width]  # (B',)
        parents, chars = best // vocab, best % vocab
        scores = candidates[best]
        history = np.concatenate([history[parents], chars[:, None]], axis=1)  # (B', t + 1)
        if t < length - 1:
            state = tuple(np.asarray(s)[parents] for s in state)
            logp, state = step(chars, state)
    return Decoded(history[0], float(scores[0]))


def score(step: Stepper, start: np.ndarray, ids: np.ndarray) -> Decoded:
    """``ids`` (L,) read after ``start`` (S,), with their log-probability under the model."""
    logp, state = read_start(step, start, 1)
    total = 0.0
    for t, i in enumerate(np.asarray(ids)):
        total += logp[0, i]
        if t < len(ids) - 1:
            logp, state = step(np.array([i]), state)
    return Decoded(np.asarray(ids), float(total))


def distinct_ngram_share(text: str, n: int = 8) -> float:
    """Distinct n-grams over all n-grams of ``text``: 1.0 never repeats, near 0 loops."""
    grams = [text[i: i + n] for i in range(len(text) - n + 1)]
    return len(set(grams)) / len(grams) if grams else float("nan")


def longest_repeat(text: str) -> str:
    """The longest piece of ``text`` that occurs in it at least twice (the two may overlap)."""
    suffixes = sorted(range(len(text)), key=lambda i: text[i:])
    best = ""
    for a, b in zip(suffixes, suffixes[1:]):
        k = 0
        while a + k < len(text) and b + k < len(text) and text[a + k] == text[b + k]:
            k += 1
        if k > len(best):
            best = text[a: a + k]
    return best
