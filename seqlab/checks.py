"""Honest checks for students: relative errors, numerical gradients and pass/fail lines.

Every graded function in a lab is followed by a visible test built from these. ``check`` prints
one clear line and raises ``AssertionError`` on failure, so nbgrader sees the failure too.
Running a student's code for the hidden tests is the grader's job
(``grader.submission.protocol.run_in_kernel``), not this module's.
"""

from collections.abc import Callable

import numpy as np


class CheckFailed(AssertionError):
    """A visible check did not pass; the message says what was expected."""


def rel_error(actual, expected, eps: float = 1e-12) -> float:
    """Largest elementwise relative error ``|a - e| / max(eps, |a| + |e|)`` (CS231n's figure).

    Shapes must agree; about 1e-7 or less means "equal" for float64, 1e-5 for float32.
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise CheckFailed(f"shapes differ: got {a.shape}, expected {e.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - e) / np.maximum(eps, np.abs(a) + np.abs(e))))


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``, in float64.

    ``x`` is changed in place while probing and restored; it must be a float64 array.
    Returns an array shaped like ``x``.
    """
    if x.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs a float64 array, got {x.dtype}")
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)  # views
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + h
        f_plus = float(f(x))
        flat_x[i] = old - h
        f_minus = float(f(x))
        flat_x[i] = old
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_of_output(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, upstream: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Numerical gradient of ``sum(f(x) * upstream)`` with respect to ``x`` (float64).

    This is the gradient a backward pass returns when ``upstream`` flows into ``f``'s output.
    """
    return numerical_gradient(lambda z: float(np.sum(f(z) * upstream)), x, h)


def check(name: str, passed: bool, detail: str = "") -> None:
    """Print ``PASS name``, or ``FAIL name: detail`` and raise ``CheckFailed``."""
    if passed:
        print(f"PASS  {name}")
        return
    print(f"FAIL  {name}" + (f": {detail}" if detail else ""))
    raise CheckFailed(f"{name}: {detail}" if detail else name)


def check_close(name: str, actual, expected, tol: float = 1e-6) -> float:
    """Check that ``actual`` matches ``expected`` to relative error ``tol``; print and return it."""
    err = rel_error(actual, expected)
    check(f"{name}: relative error {err:.1e}", err <= tol, f"above the tolerance {tol:.0e}")
    return err


def check_array(name: str, value, shape: tuple, dtype=None) -> None:
    """Check that ``value`` is a numpy array of ``shape`` (and ``dtype`` when given)."""
    check(f"{name} is a numpy array", isinstance(value, np.ndarray), f"got {type(value).__name__}")
    check(f"{name} has shape {shape}", value.shape == tuple(shape), f"got {value.shape}")
    if dtype is not None:
        want = np.dtype(dtype)
        check(f"{name} has dtype {want}", value.dtype == want, f"got {value.dtype}")

