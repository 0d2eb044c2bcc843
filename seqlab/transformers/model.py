"""A decoder-only character transformer for the walkthrough, as a subclassed Keras model.

``MusicTransformer(config)`` maps character ids ``(N, T)`` to next-character logits ``(N, T, V)``
for any ``T <= config.context``:

    token embedding + learned position embedding
    -> num_layers x [ x + attention(norm(x)),  x + feed-forward(norm(x)) ]   (pre-norm, causal)
    -> final layer norm -> Dense logits

``TransformerConfig(norm="post")`` builds the original transformer's arrangement instead for the
warm-up experiment (``python -m benchmarks.transformer norms``): each block normalises *after* its
residual sums, ``norm(x + attention(x))`` then ``norm(a + feed-forward(a))``, and there is no
final layer norm (the last block's output is already normalised).

Its attention projects queries, keys and values with **one** fused ``(d, 3d)`` matrix (no biases),
splits the result into heads, and has a second path for writing: ``prime`` reads a window once and
returns every layer's keys and values, and ``decode_step`` adds one character, computing only that
character's query, key and value and attending over the stored ones (``seqlab.transformers.generation``
uses both). ``parameter_count`` gives the number of weights by formula. This is the walkthrough's own
model; the lab builds its transformer differently, from unit 06's separate ``Wq, Wk, Wv, Wo``.
Keras and TensorFlow are imported with this module (the package imports it only on first use).
"""

from dataclasses import asdict, dataclass

import keras
import tensorflow as tf

NEG_INF = -1e9  # the score of a masked (future) key: its softmax weight is exactly 0 in float32


@dataclass(frozen=True)
class TransformerConfig:
    """The sizes of a ``MusicTransformer``."""

    vocab_size: int
    context: int = 100  # longest input it reads: the learned position table has this many rows
    d_model: int = 96
    num_heads: int = 4
    num_layers: int = 3
    d_ff: int = 384  # width of each block's feed-forward hidden layer
    epsilon: float = 1e-5  # the layer norms' epsilon
    norm: str = "pre"  # "pre": a norm inside each branch; "post": after each residual sum

    def __post_init__(self):
        if self.norm not in ("pre", "post"):
            raise ValueError(f"norm must be 'pre' or 'post', not {self.norm!r}")

    @property
    def head_dim(self) -> int:
        return self.d_model // self.num_heads

    def to_dict(self) -> dict:
        return asdict(self)


def parameter_count(config: TransformerConfig) -> int:
    """The number of weights of ``MusicTransformer(config)``, counted by hand.

    embeddings V*d + C*d; per block: fused QKV 3d^2 and output d^2 (no biases), two layer norms
    2 * 2d, feed-forward d*f + f + f*d + d; final norm 2d (pre-norm only); read-out d*V + V.
    """
    V, C, d, f, L = config.vocab_size, config.context, config.d_model, config.d_ff, config.num_layers
    block = 3 * d * d + d * d + 2 * (2 * d) + (d * f + f) + (f * d + d)
    final_norm = 2 * d if config.norm == "pre" else 0
    return V * d + C * d + L * block + final_norm + (d * V + V)


class FusedCausalAttention(keras.layers.Layer):
    """Causal multi-head self-attention with one fused QKV projection and no biases."""

    def __init__(self, d_model: int, num_heads: int, **kwargs):
        super().__init__(**kwargs)
        if d_model % num_heads:
            raise ValueError(f"d_model {d_model} is not a multiple of num_heads {num_heads}")
        self.d_model, self.num_heads, self.head_dim = d_model, num_heads, d_model // num_heads
        self.qkv = keras.layers.Dense(3 * d_model, use_bias=False, name="qkv")  # (d, 3d)
        self.out = keras.layers.Dense(d_model, use_bias=False, name="out")  # (d, d)

    def build(self, input_shape):
        self.qkv.build(input_shape)
        self.out.build(input_shape[:-1] + (self.d_model,))

    def heads(self, x):
        """(N, T, 3d) -> q, k, v, each (N, h, T, d / h)."""
        n, t = tf.shape(x)[0], tf.shape(x)[1]
        x = tf.reshape(x, (n, t, 3, self.num_heads, self.head_dim))  # (N, T, 3, h, dh)
        q, k, v = tf.unstack(tf.transpose(x, (2, 0, 3, 1, 4)))  # each (N, h, T, dh)
        return q, k, v

    def merge(self, y):
        """(N, h, T, dh) -> (N, T, d) through the output projection."""
        n, t = tf.shape(y)[0], tf.shape(y)[2]
        return self.out(tf.reshape(tf.transpose(y, (0, 2, 1, 3)), (n, t, self.d_model)))

    def attend(self, q, k, v, allowed):
        """Scaled dot products, masked softmax, mix.  q (N, h, Tq, dh), k, v (N, h, Tk, dh),
        allowed: bool broadcastable to (N, h, Tq, Tk).  Returns (mixed (N, h, Tq, dh), weights)."""
        scores = tf.matmul(q, k, transpose_b=True) / tf.sqrt(float(self.head_dim))  # (N, h, Tq, Tk)
        weights = tf.nn.softmax(tf.where(allowed, scores, NEG_INF), axis=-1)
        return tf.matmul(weights, v), weights

    def call(self, x):
        """x (N, T, d) -> (output (N, T, d), weights (N, h, T, T), keys, values (N, h, T, dh))."""
        q, k, v = self.heads(self.qkv(x))
        t = tf.shape(x)[1]
        lower = tf.range(t)[:, None] >= tf.range(t)[None, :]  # (T, T): key j <= query i
        mixed, weights = self.attend(q, k, v, lower)
        return self.merge(mixed), weights, k, v

    def step(self, x_t, keys, values, position):
        """One new position.  x_t (N, 1, d); keys, values (N, h, C, dh) with positions < position
        filled; returns (output (N, 1, d), keys, values) with ``position`` written in."""
        q, k, v = self.heads(self.qkv(x_t))  # each (N, h, 1, dh): only the new character's
        slot = tf.one_hot(position, tf.shape(keys)[2])[None, None, :, None]  # (1, 1, C, 1)
        keys = keys * (1.0 - slot) + k * slot
        values = values * (1.0 - slot) + v * slot
        seen = tf.range(tf.shape(keys)[2]) <= position  # (C,)
        mixed, _ = self.attend(q, keys, values, seen[None, None, None, :])
        return self.merge(mixed), keys, values


class PreNormBlock(keras.layers.Layer):
    """``a = x + attention(norm1(x))``, ``y = a + W2 relu(W1 norm2(a) + b1) + b2``."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.norm1 = keras.layers.LayerNormalization(epsilon=epsilon, name="norm1")
        self.attention = FusedCausalAttention(d_model, num_heads, name="attention")
        self.norm2 = keras.layers.LayerNormalization(epsilon=epsilon, name="norm2")
        self.expand = keras.layers.Dense(d_ff, activation="relu", name="expand")  # (d, f)
        self.project = keras.layers.Dense(d_model, name="project")  # (f, d)

    def build(self, input_shape):
        for layer in (self.norm1, self.attention, self.norm2, self.expand):
            layer.build(input_shape)
        self.project.build(input_shape[:-1] + (self.expand.units,))

    def call(self, x):
        """x (N, T, d) -> (y (N, T, d), weights (N, h, T, T), keys, values (N, h, T, dh))."""
        attended, weights, k, v = self.attention(self.norm1(x))
        a = x + attended
        return a + self.project(self.expand(self.norm2(a))), weights, k, v

    def step(self, x_t, keys, values, position):
        attended, keys, values = self.attention.step(self.norm1(x_t), keys, values, position)
        a = x_t + attended
        return a + self.project(self.expand(self.norm2(a))), keys, values


class PostNormBlock(PreNormBlock):
    """The original arrangement: ``a = norm1(x + attention(x))``, ``y = norm2(a + W2 relu(W1 a + b1) + b2)``."""

    def call(self, x):
        attended, weights, k, v = self.attention(x)
        a = self.norm1(x + attended)
        return self.norm2(a + self.project(self.expand(a))), weights, k, v

    def step(self, x_t, keys, values, position):
        attended, keys, values = self.attention.step(x_t, keys, values, position)
        a = self.norm1(x_t + attended)
        return self.norm2(a + self.project(self.expand(a))), keys, values


class MusicTransformer(keras.Model):
    """Decoder-only transformer: ids (N, T) -> logits (N, T, V), T <= ``config.context``."""

    def __init__(self, config: TransformerConfig, **kwargs):
        super().__init__(name=kwargs.pop("name", "music_transformer"), **kwargs)
        self.config = config
        c = config
        self.tokens = keras.layers.Embedding(c.vocab_size, c.d_model, name="tokens")
        self.positions = keras.layers.Embedding(c.context, c.d_model, name="positions")
        block = PreNormBlock if c.norm == "pre" else PostNormBlock
        self.blocks = [block(c.d_model, c.num_heads, c.d_ff, c.epsilon, name=f"block{i}")
                       for i in range(c.num_layers)]
        self.final_norm = (keras.layers.LayerNormalization(epsilon=c.epsilon, name="final_norm")
                           if c.norm == "pre" else keras.layers.Identity(name="final_norm"))
        self.logits = keras.layers.Dense(c.vocab_size, name="logits")
        self(tf.zeros((1, 1), tf.int32))  # create every weight now, in a fixed order

    def embed(self, ids, first_position=0):
        """ids (N, T) -> token + position embeddings (N, T, d), positions from ``first_position``."""
        t = tf.shape(ids)[1]
        return self.tokens(ids) + self.positions(first_position + tf.range(t))[None]

    def run(self, ids):
        """ids (N, T) -> (logits (N, T, V), per layer: weights (N, h, T, T), keys, values)."""
        x = self.embed(ids)  # (N, T, d)
        per_layer = []
        for block in self.blocks:
            x, weights, k, v = block(x)
            per_layer.append((weights, k, v))
        return self.logits(self.final_norm(x)), per_layer

    def call(self, ids, training=False):
        return self.run(ids)[0]

    def attention_maps(self, ids):
        """ids (N, T) -> numpy weights (L, N, h, T, T): row t is where position t looked."""
        return tf.stack([w for w, _, _ in self.run(tf.constant(ids))[1]]).numpy()

    def prime(self, ids):
        """Read a window ids (N, C) once: (logits (N, C, V), keys, values (L, N, h, C, dh)).
        Only positions up to the last real character matter; later ones are overwritten."""
        logits, per_layer = self.run(ids)
        return logits, tf.stack([k for _, k, _ in per_layer]), tf.stack([v for _, _, v in per_layer])

    def decode_step(self, ids_t, keys, values, position):
        """One character at ``position``: ids_t (N,) -> (logits (N, V), keys, values) updated."""
        x = self.embed(ids_t[:, None], position)  # (N, 1, d)
        new_keys, new_values = [], []
        for i, block in enumerate(self.blocks):
            x, k, v = block.step(x, keys[i], values[i], position)
            new_keys.append(k)
            new_values.append(v)
        return self.logits(self.final_norm(x))[:, 0], tf.stack(new_keys), tf.stack(new_values)
