"""Unit 06's date task translated by a small encoder-decoder transformer from Keras' layers.

The encoder reads the human-written date with self-attention (padding masked); the decoder reads
the ISO characters written so far with *causal* self-attention, then looks at the encoder's
states with *cross-attention* (queries from the decoder, keys and values from the encoder), every
sub-layer pre-norm with a residual connection. Attention is Keras' ``MultiHeadAttention``. The
result is a ``seqlab.attention.seq2seq.Translator``, so unit 06's ``fit_translator``, ``translate``
and ``exact_match`` work on it unchanged; its ``inspector`` returns the last decoder layer's
cross-attention averaged over heads, ``(N, Ty, Tx)``.
"""

import keras

from seqlab.attention import dates
from seqlab.attention.seq2seq import Translator


class AddPositions(keras.layers.Layer):
    """x (N, T, d) + a learned position table (T, d)."""

    def build(self, input_shape):
        self.table = self.add_weight(shape=(input_shape[1], input_shape[2]), initializer="random_normal",
                                     name="table")

    def call(self, x):
        return x + self.table[None]


def _position_wise(x, d_model: int, d_ff: int, name: str):
    h = keras.layers.LayerNormalization(epsilon=1e-5, name=f"{name}_norm")(x)
    h = keras.layers.Dense(d_ff, activation="relu", name=f"{name}_expand")(h)
    return x + keras.layers.Dense(d_model, name=f"{name}_project")(h)


def date_transformer(d_model: int = 64, num_heads: int = 4, d_ff: int = 128, num_layers: int = 1,
                     seed: int = 0, learning_rate: float = 2e-3,
                     max_input_len: int = dates.MAX_INPUT_LEN) -> Translator:
    """A compiled encoder-decoder transformer ``[human (N, Tx), iso so far (N, Ty)] -> logits``.

    ``num_layers`` encoder layers and as many decoder layers (one of each by default: unit 07 trains
    it for unit 06's three epochs inside its 5-minute full-mode run)."""
    from keras import layers, ops

    keras.utils.set_random_seed(seed)
    human = keras.Input((max_input_len,), dtype="int32", name="human")  # (N, Tx)
    so_far = keras.Input((dates.ISO_LEN,), dtype="int32", name="iso_so_far")  # (N, Ty)
    keys_ok = ops.not_equal(human, dates.PAD)  # (N, Tx): padding is never attended
    self_mask = ops.logical_and(keys_ok[:, None, :], keys_ok[:, :, None])  # (N, Tx, Tx)
    cross_mask = ops.repeat(keys_ok[:, None, :], dates.ISO_LEN, axis=1)  # (N, Ty, Tx)
    key_dim = d_model // num_heads

    x = AddPositions(name="human_positions")(layers.Embedding(dates.INPUT_VOCAB_SIZE, d_model)(human))
    for i in range(num_layers):  # encoder: self-attention over the whole input
        h = layers.LayerNormalization(epsilon=1e-5, name=f"enc{i}_norm")(x)
        x = x + layers.MultiHeadAttention(num_heads, key_dim, name=f"enc{i}_self")(h, h, attention_mask=self_mask)
        x = _position_wise(x, d_model, d_ff, f"enc{i}_ff")
    memory = layers.LayerNormalization(epsilon=1e-5, name="enc_final_norm")(x)  # (N, Tx, d)

    y = AddPositions(name="iso_positions")(layers.Embedding(dates.OUTPUT_VOCAB_SIZE, d_model)(so_far))
    weights = None
    for i in range(num_layers):  # decoder: causal self-attention, then cross-attention
        h = layers.LayerNormalization(epsilon=1e-5, name=f"dec{i}_norm1")(y)
        y = y + layers.MultiHeadAttention(num_heads, key_dim, name=f"dec{i}_self")(h, h, use_causal_mask=True)
        h = layers.LayerNormalization(epsilon=1e-5, name=f"dec{i}_norm2")(y)
        looked, weights = layers.MultiHeadAttention(num_heads, key_dim, name=f"dec{i}_cross")(
            h, memory, attention_mask=cross_mask, return_attention_scores=True)  # (N, Ty, d), (N, h, Ty, Tx)
        y = _position_wise(y + looked, d_model, d_ff, f"dec{i}_ff")
    logits = layers.Dense(dates.OUTPUT_VOCAB_SIZE, name="logits")(
        layers.LayerNormalization(epsilon=1e-5, name="dec_final_norm")(y))  # (N, Ty, V)

    model = keras.Model([human, so_far], logits, name="transformer")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    inspector = keras.Model([human, so_far], [logits, ops.mean(weights, axis=1)])  # (N, Ty, Tx)
    return Translator("transformer", model, inspector)
