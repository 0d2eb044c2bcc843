"""What lab 07 gives beside the students' own code: writing text with a fixed-window model.

A decoder-only transformer reads at most ``context`` positions (its position table has that many
rows), so it writes by re-reading a *window*: the last ``context`` characters, at every step.
``generate_with_window`` does that with any Keras model that maps ids ``(1, T)`` to logits
``(1, T, V)`` for ``T <= context`` — the lab's ``build_transformer`` model — and samples each new
character from ``softmax(logits / temperature)`` with a seeded generator. It recomputes the whole
window at every step (the lab's ``attention_step`` is the cure: a key/value cache); at the lab's
sizes that is a few milliseconds a character. TensorFlow is imported on first use.
"""

import numpy as np


def window_sampler(model):
    """``model``'s last logits as a compiled function: ids (1, T) int32 -> logits (V,) of the last
    position, traced once for every length T (a ``tf.function`` with a ``(1, None)`` signature)."""
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((1, None), tf.int32)])
    def last_logits(ids):  # (1, T)
        return model(ids, training=False)[0, -1]  # (V,)

    return last_logits


def generate_with_window(model, prompt_ids, length: int, context: int, temperature: float,
                         seed: int) -> np.ndarray:
    """``length`` new ids after ``prompt_ids``, each read from the last ``context`` ids.

    prompt_ids: non-empty int sequence    temperature: >= 0 (0: the most likely id)
    Returns int32 (length,), without the prompt; the same seed gives the same ids.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    ids = [int(i) for i in prompt_ids]
    if not ids:
        raise ValueError("the prompt needs at least one id")
    last_logits = window_sampler(model)
    rng = np.random.default_rng(seed)
    new = np.zeros(length, dtype=np.int32)
    for i in range(length):
        window = np.asarray(ids[-context:], dtype=np.int32)[None]  # (1, T <= context)
        logits = np.asarray(last_logits(window), dtype=np.float64)  # (V,)
        if temperature == 0:
            new[i] = int(np.argmax(logits))
        else:  # Gumbel-max: an exact draw from softmax(logits / temperature)
            new[i] = int(np.argmax(logits / temperature + rng.gumbel(size=logits.shape)))
        ids.append(int(new[i]))
    return new
