"""Truncated backpropagation through time with the LSTM's state carried from window to window.

The usual way (``seqlab.train.batches``) cuts the text into windows of T characters, shuffles them
and reads every window from a zero state: a character far from its tune's header never sees the
header. Stateful training reads the text as ``N`` parallel streams instead, one per batch row:

    text  ->  N streams, one after another     batch k = the k-th window of T of every stream

The final state ``(h, c)`` after batch k is the initial state of batch k + 1 (gradients stop at the
window's edge: *truncated* BPTT), and the state is reset to zero only where the streams begin (each
epoch, after the tunes are shuffled). What was read in an earlier window, such as the ``M:`` line,
stays in the state.

- ``StreamBatch`` / ``stream_batches`` -- consecutive windows of parallel streams, with a reset flag
- ``StatefulLSTM`` / ``build_stateful_lstm`` -- Embedding -> LSTM -> Dense (the lab's model and
  weight order) with a twin that takes and returns the state, sharing its weights
- ``CarriedStateStep`` -- ``step(x, y, reset=True) -> loss``: one clipped Adam step that starts from
  the state the previous call left (or zero)
- ``carried_state_loss`` -- a validation loss with the state carried through the whole text

``seqlab.train.fit(step, net.model, ..., data=stream_batches(...))`` trains statefully; the same
step given ``fit``'s usual batches (no reset flag) trains the usual way.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class StreamBatch(NamedTuple):
    """One training batch of parallel streams; unpacks as ``step(*batch)``."""

    x: np.ndarray  # (N, T) int32
    y: np.ndarray  # (N, T) int32: x one character ahead
    reset: bool  # True where the streams begin: read x from a zero state


def stream_batches(pieces: list[np.ndarray] | np.ndarray, seq_length: int, batch_size: int,
                   seed: int) -> Iterator[StreamBatch]:
    """Endless ``StreamBatch``es: each epoch, the pieces (e.g. encoded tunes, each with its separator)
    are shuffled and joined (an array is one fixed piece), cut into ``batch_size`` streams of equal
    length, and read window after window; row n of batch k + 1 continues row n of batch k.
    """
    rng = np.random.default_rng(seed)
    fixed = isinstance(pieces, np.ndarray)
    n, t = batch_size, seq_length
    while True:
        if fixed:
            text = pieces
        else:
            text = np.concatenate([pieces[i] for i in rng.permutation(len(pieces))])
        per_stream = (len(text) - 1) // n  # characters read per stream; +1 for the last target
        windows = per_stream // t
        if windows == 0:
            raise ValueError(f"the text has {len(text)} characters; {n} streams need {n * t + 1}")
        starts = np.arange(n) * per_stream  # (N,)
        for k in range(windows):
            cols = starts[:, None] + k * t + np.arange(t + 1)  # (N, T + 1)
            chunk = text[cols]
            yield StreamBatch(chunk[:, :-1].astype(np.int32), chunk[:, 1:].astype(np.int32), k == 0)


@dataclass
class StatefulLSTM:
    """Two Keras models on the same layers (so the same weights).

    model:      ids (N, T) -> logits (N, T, V), from a zero state; ``get_weights()`` in the lab's
                ``build_model`` order (embeddings, kernel, recurrent_kernel, bias, dense kernel, bias)
    with_state: [ids (N, T), h (N, H), c (N, H)] -> [logits (N, T, V), h (N, H), c (N, H)]
    """

    model: object
    with_state: object
    units: int


def build_stateful_lstm(vocab_size: int, embedding_dim: int, rnn_units: int, dropout: float = 0.0) -> StatefulLSTM:
    """Embedding(V, E) -> LSTM(H, all steps) -> Dense(V), built twice on shared layers.

    dropout > 0 drops that share of the LSTM's inputs and outputs while training (Dropout layers
    hold no weights: the weight order, and generation, are the same).
    """
    import keras

    embedding = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
    lstm = keras.layers.LSTM(rnn_units, return_sequences=True, return_state=True, name="lstm")
    dense = keras.layers.Dense(vocab_size, name="logits")
    drop_in = keras.layers.Dropout(dropout, name="dropout_in") if dropout else (lambda x: x)
    drop_out = keras.layers.Dropout(dropout, name="dropout_out") if dropout else (lambda x: x)
    ids = keras.Input((None,), dtype="int32")  # (N, T)
    states, _, _ = lstm(drop_in(embedding(ids)))  # (N, T, H)
    model = keras.Model(ids, dense(drop_out(states)), name="char_lstm")
    h_in, c_in = keras.Input((rnn_units,)), keras.Input((rnn_units,))  # (N, H) each
    states, h, c = lstm(drop_in(embedding(ids)), initial_state=[h_in, c_in])
    with_state = keras.Model([ids, h_in, c_in], [dense(drop_out(states)), h, c], name="char_lstm_with_state")
    return StatefulLSTM(model, with_state, rnn_units)


class CarriedStateStep:
    """``step(x, y, reset=True) -> loss``: one optimisation step (mean cross-entropy from logits,
    gradients clipped to global norm ``max_norm``) starting from the state the previous call ended
    in, or from zero when ``reset`` is true or the batch size changed. Called as ``step(x, y)`` it
    resets every time: the usual zero-state training. The state is carried as values, so no
    gradient crosses a window's edge.
    """

    def __init__(self, net: StatefulLSTM, optimizer, max_norm: float = 5.0):
        import tensorflow as tf

        self.net, self.optimizer, self.max_norm = net, optimizer, max_norm
        self.state = None  # (h, c), each (N, H), after the last call
        variables = net.with_state.trainable_variables

        @tf.function(reduce_retracing=True)
        def train(x, y, h, c):
            with tf.GradientTape() as tape:
                logits, h, c = net.with_state([x, h, c], training=True)  # (N, T, V), (N, H), (N, H)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            grads = tape.gradient(loss, variables)
            grads, _ = tf.clip_by_global_norm(grads, max_norm)
            optimizer.apply_gradients(zip(grads, variables))
            return loss, h, c

        self._train = train

    def __call__(self, x: np.ndarray, y: np.ndarray, reset: bool = True):
        n = len(x)
        if reset or self.state is None or self.state[0].shape[0] != n:
            zeros = np.zeros((n, self.net.units), np.float32)
            self.state = (zeros, zeros)
        loss, h, c = self._train(x, y, *self.state)
        self.state = (h, c)
        return loss


def carried_state_loss(net: StatefulLSTM, ids: np.ndarray, streams: int = 64, seq_length: int = 100,
                       max_chars: int | None = None) -> float:
    """Mean cross-entropy (nats/char) of the text ``ids`` (L,) read as ``streams`` parallel streams
    with the state carried from window to window: the loss of the model as generation uses it."""
    import tensorflow as tf

    ids = np.asarray(ids)[:max_chars]
    per_stream = (len(ids) - 1) // streams
    if per_stream < 1:
        raise ValueError(f"the text has {len(ids)} characters, too few for {streams} streams")
    starts = np.arange(streams) * per_stream  # (S,)
    h = c = tf.zeros((streams, net.units))
    total, count = 0.0, 0
    for k in range(0, per_stream, seq_length):
        t = min(seq_length, per_stream - k)
        cols = starts[:, None] + k + np.arange(t + 1)  # (S, t + 1)
        chunk = ids[cols]
        logits, h, c = _forward(net)(tf.constant(chunk[:, :-1], tf.int32), h, c)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=chunk[:, 1:], logits=logits)
        total += float(tf.reduce_sum(losses))
        count += chunk[:, 1:].size
    return total / count


_FORWARD: dict[int, tuple] = {}


def _forward(net: StatefulLSTM):
    """``net.with_state`` in a tf.function, made once per model."""
    import tensorflow as tf

    key = id(net.with_state)
    if key not in _FORWARD or _FORWARD[key][0] is not net.with_state:
        model = net.with_state
        _FORWARD[key] = (model, tf.function(lambda x, h, c: model([x, h, c], training=False),
                                            reduce_retracing=True))
    return _FORWARD[key][1]
