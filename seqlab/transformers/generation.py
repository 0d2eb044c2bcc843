"""Writing with a ``MusicTransformer``: sampling with and without a key/value cache.

A transformer reads at most ``context`` characters. Both samplers fill a window of ``context``
positions one character at a time; when it is full they keep its last ``context // 2`` characters
and go on (a block-sliding window), so they see exactly the same characters at every step and,
given the same seed, write the same text:

- **without a cache** every new character re-runs the whole model on the whole window
  (work per character grows with the window);
- **with a cache** the window is read once (``MusicTransformer.prime``), and each new character
  adds its own key and value to every layer's store (``MusicTransformer.decode_step``).

Each window's loop runs inside one ``tf.function``. ``temperature`` 0 means greedy (argmax);
the random draws are stateless, seeded by ``(seed, character index)``.
"""

import time
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from seqlab.transformers.model import MusicTransformer


def draw(z, temperature, seed, index):
    """One character per row from logits z (N, V) at ``temperature`` (about 0: greedy)."""
    z = z / tf.maximum(temperature, 1e-4)
    return tf.random.stateless_categorical(z, 1, seed=tf.stack([seed, index]), dtype=tf.int32)[:, 0]


class WindowWriter:
    """Compiled window loops for one model: ``uncached`` and ``cached`` (same signature).

    Each takes a window buffer ids (N, C) whose first ``filled`` positions are real, writes
    ``steps`` characters into positions ``filled ..`` and returns them (N, steps).
    """

    def __init__(self, model: MusicTransformer):
        self.model = model
        self.uncached = tf.function(self._uncached)
        self.cached = tf.function(self._cached)

    def _uncached(self, window, filled, steps, temperature, seed, first_index):
        out = tf.TensorArray(tf.int32, size=steps)
        for i in tf.range(steps):
            z = self.model(window)[:, filled + i - 1]  # (N, V): the whole window, again
            nxt = draw(z, temperature, seed, first_index + i)  # (N,)
            slot = tf.one_hot(filled + i, tf.shape(window)[1], dtype=tf.int32)[None]  # (1, C)
            window = window * (1 - slot) + nxt[:, None] * slot
            out = out.write(i, nxt)
        return tf.transpose(out.stack())

    def _cached(self, window, filled, steps, temperature, seed, first_index):
        logits, keys, values = self.model.prime(window)  # read once: (N, C, V), (L, N, h, C, dh)
        z = tf.gather(logits, filled - 1, axis=1)  # (N, V)
        out = tf.TensorArray(tf.int32, size=steps)
        for i in tf.range(steps):
            nxt = draw(z, temperature, seed, first_index + i)
            out = out.write(i, nxt)
            z, keys, values = self.model.decode_step(nxt, keys, values, filled + i)
        return tf.transpose(out.stack())


_WRITERS: dict[int, WindowWriter] = {}


def window_writer(model: MusicTransformer) -> WindowWriter:
    """The model's ``WindowWriter``, made (and traced) once per model."""
    key = id(model)
    if key not in _WRITERS or _WRITERS[key].model is not model:
        _WRITERS[key] = WindowWriter(model)
    return _WRITERS[key]


def sample_ids(model: MusicTransformer, start: np.ndarray, length: int, temperature: float = 0.8,
               seed: int = 0, cache: bool = True) -> np.ndarray:
    """``length`` characters after ``start`` (N, S) int ids -> int32 (N, length).

    ``cache`` picks the sampler; both give the same characters (see the module's docstring).
    """
    context = model.config.context
    run = window_writer(model).cached if cache else window_writer(model).uncached
    text = np.asarray(start, dtype=np.int32)  # (N, S)
    if text.ndim != 2 or text.shape[1] == 0:
        raise ValueError("start must be (N, S) ids with S >= 1")
    written = []
    done = 0
    window = text[:, -context:]  # (N, <= C)
    while done < length:
        if window.shape[1] == context:  # full: keep the last half and go on
            window = window[:, context - context // 2:]
        filled = window.shape[1]
        steps = min(context - filled, length - done)
        buffer = np.zeros((len(text), context), np.int32)  # (N, C)
        buffer[:, :filled] = window
        new = run(tf.constant(buffer), tf.constant(filled), tf.constant(steps),
                  tf.constant(float(temperature)), tf.constant(int(seed)), tf.constant(done)).numpy()
        written.append(new)
        window = np.concatenate([window, new], axis=1)
        done += steps
    return np.concatenate(written, axis=1)


@dataclass
class WritingSpeed:
    """Characters per second of both samplers on the same model, batch and length."""

    batch: int
    length: int
    cached: float
    uncached: float

    def __str__(self) -> str:
        return (f"{self.batch} × {self.length} characters: with a cache {self.cached:,.0f} characters/s, "
                f"without {self.uncached:,.0f} characters/s ({self.cached / self.uncached:.1f}×)")


def writing_speed(model: MusicTransformer, start: np.ndarray, length: int, seed: int = 0) -> WritingSpeed:
    """Time both samplers writing ``length`` characters after ``start`` (N, S) (traced first)."""
    speeds = {}
    for cache in (True, False):
        sample_ids(model, start, model.config.context, seed=seed, cache=cache)  # trace
        t0 = time.perf_counter()
        sample_ids(model, start, length, seed=seed, cache=cache)
        speeds[cache] = len(start) * length / (time.perf_counter() - t0)
    return WritingSpeed(len(start), length, speeds[True], speeds[False])
