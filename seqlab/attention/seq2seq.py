"""Encoder–decoder translators for the date task, with and without attention, from Keras layers.

Both models read the characters of a human-written date with the same bidirectional GRU
**encoder**, whose final states make one summary vector ``c``, and write the ten ISO characters
with a GRU **decoder** that starts from ``c``, reads ``c`` and the previous character at every
step (Cho et al., 2014), and is trained by teacher forcing (its input at step t is the correct
character t - 1; see ``seqlab.attention.dates.decoder_inputs``). The read-out of step t sees the decoder's
state and a *context* vector, and that is the one difference:

- *without attention* the context is ``c`` at every step: the input reaches the decoder only
  through one fixed-size vector (the bottleneck);
- *with attention* the context of step t is a weighted average of all encoder states, the
  decoder's state t being the query of Keras' dot-product ``keras.layers.Attention``
  (Luong et al., 2015).

Nothing here is a lab answer: attention is Keras' own layer. TensorFlow is imported when a model
is built, not when this module is imported. The widget that shows both models side by side is
``seqlab.attention.translator_widget``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from seqlab.attention import dates


@dataclass
class Translator:
    """A character-level date translator.

    model: Keras model ``[human ids (N, Tx), decoder ids (N, Ty)] -> logits (N, Ty, V)``.
    inspector: same inputs -> ``[logits, attention weights (N, Ty, Tx)]``; None without attention.
    history: per-epoch metrics of ``fit_translator`` (Keras' ``History.history``).
    """

    name: str
    model: object
    inspector: object | None = None
    history: dict = field(default_factory=dict)

    @property
    def has_attention(self) -> bool:
        return self.inspector is not None


def build_translator(attention: bool, embed_dim: int = 32, units: int = 64, seed: int = 0,
                     max_input_len: int = dates.MAX_INPUT_LEN) -> Translator:
    """A compiled encoder–decoder; ``units`` per encoder direction, ``2 * units`` in the decoder.

    The same ``seed`` gives the same initial weights (``keras.utils.set_random_seed``).
    """
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    human = keras.Input((max_input_len,), dtype="int32", name="human")  # (N, Tx)
    so_far = keras.Input((dates.ISO_LEN,), dtype="int32", name="iso_so_far")  # (N, Ty)

    x = layers.Embedding(dates.INPUT_VOCAB_SIZE, embed_dim, mask_zero=True, name="char_embedding")(human)
    encoder = layers.Bidirectional(layers.GRU(units, return_sequences=True, return_state=True),
                                   name="encoder")
    states, forward_last, backward_last = encoder(x)  # (N, Tx, 2U), (N, U), (N, U)
    summary = layers.Concatenate(name="bottleneck")([forward_last, backward_last])  # (N, 2U)

    repeated = layers.RepeatVector(dates.ISO_LEN, name="same_c_every_step")(summary)  # (N, Ty, 2U)
    y = layers.Embedding(dates.OUTPUT_VOCAB_SIZE, embed_dim, name="iso_embedding")(so_far)
    y = layers.Concatenate(name="previous_char_and_c")([y, repeated])  # (N, Ty, E + 2U)
    decoded = layers.GRU(2 * units, return_sequences=True, name="decoder")(
        y, initial_state=summary)  # (N, Ty, 2U)
    weights = None
    if attention:  # the context of step t: a mixture of all encoder states, chosen by step t
        not_padding = keras.ops.not_equal(human, dates.PAD)  # (N, Tx) keys that may be attended
        context, weights = layers.Attention(name="attention")(
            [decoded, states], mask=[None, not_padding], return_attention_scores=True
        )  # (N, Ty, 2U), (N, Ty, Tx)
    else:  # the context of every step: the same summary vector c
        context = repeated  # (N, Ty, 2U)
    decoded = layers.Concatenate(name="state_and_context")([decoded, context])  # (N, Ty, 4U)
    hidden = layers.Dense(2 * units, activation="tanh", name="readout")(decoded)
    logits = layers.Dense(dates.OUTPUT_VOCAB_SIZE, name="logits")(hidden)  # (N, Ty, V)

    name = "with attention" if attention else "without attention"
    model = keras.Model([human, so_far], logits, name=name.replace(" ", "_"))
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    inspector = keras.Model([human, so_far], [logits, weights]) if attention else None
    return Translator(name, model, inspector)


def training_arrays(human, iso, max_input_len: int = dates.MAX_INPUT_LEN):
    """Model inputs and targets from strings: ``([ids (N, Tx), decoder ids (N, Ty)], targets)``."""
    targets = dates.encode_targets(iso)  # (N, Ty)
    return [dates.encode_inputs(human, max_input_len), dates.decoder_inputs(targets)], targets


def fit_translator(translator: Translator, data: "dates.DateData", epochs: int,
                   batch_size: int = 64, verbose: int = 2) -> dict:
    """Train on ``data``'s training set with teacher forcing; validate on its held-out set.

    Progress: one line per epoch on stdout (``verbose=2``). Returns and stores the history
    (loss and per-character accuracy, teacher-forced, for both sets).
    """
    max_len = translator.model.inputs[0].shape[1]
    x, y = training_arrays(data.train_human, data.train_iso, max_len)
    x_val, y_val = training_arrays(data.test_human, data.test_iso, max_len)
    history = translator.model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs,
                                   batch_size=batch_size, shuffle=True, verbose=verbose)
    translator.history = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return translator.history


def _predict(model, inputs, batch_size: int):
    """``model``'s outputs on ``inputs`` in chunks (``predict_on_batch``: no per-call set-up)."""
    n = len(inputs[0])
    chunks = [model.predict_on_batch([x[i:i + batch_size] for x in inputs])
              for i in range(0, max(n, 1), batch_size)]
    if isinstance(chunks[0], list | tuple):  # several outputs
        return [np.concatenate([np.asarray(c[k]) for c in chunks]) for k in range(len(chunks[0]))]
    return np.concatenate([np.asarray(c) for c in chunks])


def translate(translator: Translator, texts, batch_size: int = 2048):
    """Greedy decoding: each step feeds the model's own previous character back in.

    texts: N strings. Returns ``(isos, weights)``: N predicted strings and the attention
    weights ``(N, Ty, Tx)`` of the steps that produced them (None without attention).
    """
    model = translator.model
    ids = dates.encode_inputs(list(texts), model.inputs[0].shape[1])  # (N, Tx)
    so_far = np.full((len(ids), dates.ISO_LEN), dates.START, dtype=np.int32)  # (N, Ty)
    predicted = np.zeros_like(so_far)  # (N, Ty)
    for t in range(dates.ISO_LEN):  # the decoder is causal: steps after t do not matter yet
        logits = _predict(model, [ids, so_far], batch_size)  # (N, Ty, V)
        predicted[:, t] = logits[:, t, :dates.START].argmax(axis=-1)  # never START
        if t + 1 < dates.ISO_LEN:
            so_far[:, t + 1] = predicted[:, t]
    weights = None
    if translator.has_attention:
        weights = _predict(translator.inspector, [ids, so_far], batch_size)[1]  # (N, Ty, Tx)
    return dates.decode_targets(predicted), weights


def exact_match(predicted, truth) -> np.ndarray:
    """Bool ``(N,)``: whether each predicted string equals its true string exactly."""
    return np.array([p == t for p, t in zip(predicted, truth, strict=True)], dtype=bool)


def accuracy_by_length(lengths, correct, edges):
    """Exact-match accuracy in bins of input length.

    lengths: (N,) input lengths    correct: (N,) bool    edges: (B + 1,) increasing bin edges,
    bin b holding ``edges[b] <= length < edges[b + 1]``.
    Returns ``(centres (B,), accuracy (B,), counts (B,))``; empty bins have accuracy NaN.
    """
    lengths, correct, edges = np.asarray(lengths), np.asarray(correct, float), np.asarray(edges)
    which = np.digitize(lengths, edges) - 1  # (N,) bin index, -1 or B when outside
    inside = (which >= 0) & (which < len(edges) - 1)
    counts = np.bincount(which[inside], minlength=len(edges) - 1)  # (B,)
    hits = np.bincount(which[inside], weights=correct[inside], minlength=len(edges) - 1)  # (B,)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)
    return (edges[:-1] + edges[1:]) / 2, accuracy, counts


def accuracy_by_format(formats, correct) -> dict[str, float]:
    """Exact-match accuracy of each input format name, in ``dates.FORMATS`` order."""
    formats, correct = np.asarray(formats), np.asarray(correct, bool)
    return {name: float(correct[formats == name].mean())
            for name in dates.FORMATS if (formats == name).any()}


# text -> (predicted ISO string, attention weights (Ty, Tx) or None)
TranslateFn = Callable[[str], tuple[str, "np.ndarray | None"]]


def one_at_a_time(translator: Translator) -> TranslateFn:
    """``translate`` for a single text: ``text -> (iso, weights (Ty, Tx) or None)``."""
    def translate_one(text: str):
        isos, weights = translate(translator, [text])
        return isos[0], None if weights is None else weights[0]
    return translate_one
