"""How far a gradient travels back through time, measured: unit 03's numbers.

The loss at the last step T sends a gradient back to every earlier hidden state. Each step back
multiplies it by one Jacobian, ``diag(f'(a_t)) Whh^T`` in the course's row-vector convention, so
its norm shrinks or grows roughly geometrically: it **vanishes**, stays **stable**, or
**explodes** (``regime``). ``keras_gradient_norms`` measures those norms with ``tf.GradientTape``
through Keras' ``SimpleRNNCell``, for a recurrent matrix of a chosen spectral radius
(``recurrent_matrix``). It computes norms of gradients; it does not implement backpropagation
itself. TensorFlow is imported when a norm is measured, not with this module.
"""

import numpy as np

ACTIVATIONS = ("linear", "tanh", "relu")
VANISHING_BELOW = 1e-2  # a gradient that has shrunk 100-fold no longer teaches the early steps
EXPLODING_ABOVE = 1e2  # one that has grown 100-fold swamps everything else in an update


def recurrent_matrix(units: int, radius: float, identity: bool = False, seed: int = 0) -> np.ndarray:
    """A recurrent weight matrix ``Whh`` (H, H) whose singular values all equal ``radius``.

    ``identity=False``: ``radius`` times a random orthogonal matrix (QR of a Gaussian matrix,
    drawn from ``seed``); ``identity=True``: ``radius * I``. Either way its spectral radius and
    its spectral norm are both ``radius``, and ``||Whh^k|| = radius^k``.
    """
    if identity:
        return radius * np.eye(units)
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(units, units)))  # q: (H, H) orthogonal
    return radius * q * np.sign(np.diag(r))  # sign fix: uniformly distributed rotations


def keras_gradient_norms(radius: float = 1.0, steps: int = 50, activation: str = "tanh",
                         identity_init: bool = False, input_scale: float = 0.1, units: int = 32,
                         features: int = 8, batch: int = 16, seed: int = 0,
                         recurrent: np.ndarray | None = None) -> np.ndarray:
    """Norms of the gradient that the loss at step T sends back to each earlier hidden state.

    A Keras ``SimpleRNNCell`` (float64, ``units`` H, zero bias) with ``Whh = recurrent_matrix(...)``
    (or ``recurrent`` (H, H) itself when it is given: then ``radius``, ``identity_init`` and
    ``units`` are not used) reads random inputs x (N, T, D) of size ``input_scale`` from h_0 = 0. The loss is
    L = sum_n <h_T[n], v_n> for fixed random unit vectors v_n, so dL/dh_T has norm 1 per sequence.
    The cell is stepped in a Python loop so that ``tf.GradientTape`` can return dL/dh_t for every t.

    Returns norms (T + 1,): ``norms[k]`` is the mean over the batch of ||dL/dh_{T-k}||,
    for k = 0 (the last step, always 1) .. T (the initial state).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    import keras
    import tensorflow as tf

    if recurrent is not None:
        units = len(recurrent)
    rng = np.random.default_rng(seed)
    cell = keras.layers.SimpleRNNCell(units, activation=activation, dtype="float64")
    cell.build((None, features))
    cell.kernel.assign(rng.normal(scale=1 / np.sqrt(features), size=(features, units)))  # (D, H)
    cell.recurrent_kernel.assign(recurrent_matrix(units, radius, identity_init, seed)
                                 if recurrent is None else recurrent)  # (H, H)
    cell.bias.assign(np.zeros(units))
    x = tf.constant(input_scale * rng.normal(size=(batch, steps, features)))  # (N, T, D)
    v = rng.normal(size=(batch, units))
    v = tf.constant(v / np.linalg.norm(v, axis=1, keepdims=True))  # (N, H), unit rows
    h = tf.zeros((batch, units), dtype=tf.float64)  # (N, H)
    states = [h]
    with tf.GradientTape() as tape:
        tape.watch(h)
        for t in range(steps):
            h, _ = cell(x[:, t], [h])  # (N, H)
            states.append(h)
        loss = tf.reduce_sum(h * v)
    grads = tape.gradient(loss, states)  # T + 1 tensors (N, H): dL/dh_0 .. dL/dh_T
    norms = np.array([np.linalg.norm(g.numpy(), axis=1).mean() for g in grads])  # (T + 1,)
    return norms[::-1].copy()  # index k = T - t


def regime(norms) -> str:
    """``"vanishing"``, ``"stable"`` or ``"exploding"``: where the gradient ends up after T steps.

    Judged by the last entry relative to the first (norms[k] for k = T vs k = 0), against
    ``VANISHING_BELOW`` and ``EXPLODING_ABOVE``. NaN or infinite counts as exploding.
    """
    norms = np.asarray(norms, dtype=np.float64)
    ratio = norms[-1] / norms[0]
    if not np.isfinite(ratio) or ratio > EXPLODING_ABOVE:
        return "exploding"
    return "vanishing" if ratio < VANISHING_BELOW else "stable"
