"""Honest checks for students: relative errors, numerical gradients and pass/fail lines.

Every graded function in a lab is followed by a visible test built from these. ``check`` prints
one clear line, ``PASS`` on standard output or ``FAIL`` on standard error, and does not stop the
cell: every check of a visible test reports, not only the first that fails. A ``FAIL`` line on
standard error is what makes nbgrader (its *Validate* button, its autograder) count the test cell
as failed; the course's grader collects the failures itself (``collecting_failures``).
Running a student's code for the hidden tests is the grader's job
(``grader.submission.protocol.run_in_kernel``), not this module's.
"""

import contextlib
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar

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


_failures: ContextVar[list[str] | None] = ContextVar("seqlab_check_failures", default=None)


@contextlib.contextmanager
def collecting_failures() -> Iterator[list[str]]:
    """Collect what every ``check`` that fails inside the block says (the grader's judge uses it
    to decide a visible test without relying on output)."""
    failures: list[str] = []
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


def check(name: str, passed: bool, detail: str = "") -> bool:
    """Print ``PASS  name``, or ``FAIL  name: detail`` on standard error; return ``passed``.

    A failure does not raise, so the checks after it still run and report.
    """
    if passed:
        print(f"PASS  {name}")
        return True
    line = f"{name}: {detail}" if detail else name
    sys.stdout.flush()  # keep PASS and FAIL lines in the order they happened
    print(f"FAIL  {line}", file=sys.stderr, flush=True)
    failures = _failures.get()
    if failures is not None:
        failures.append(line)
    return False


def check_close(name: str, actual, expected, tol: float = 1e-6) -> float:
    """Check that ``actual`` matches ``expected`` to relative error ``tol``; print and return it.

    Returns infinity (and fails) when the shapes differ.
    """
    a, e = np.shape(actual), np.shape(expected)
    if a != e:
        check(f"{name}: shape {e}", False, f"got {a}")
        return float("inf")
    err = rel_error(actual, expected)
    check(f"{name}: relative error {err:.1e}", err <= tol, f"above the tolerance {tol:.0e}")
    return err


def check_array(name: str, value, shape: tuple, dtype=None) -> bool:
    """Check that ``value`` is a numpy array of ``shape`` (and ``dtype`` when given).

    Stops at the first of these that fails (the later ones would say nothing more).
    """
    if not check(f"{name} is a numpy array", isinstance(value, np.ndarray), f"got {type(value).__name__}"):
        return False
    if not check(f"{name} has shape {shape}", value.shape == tuple(shape), f"got {value.shape}"):
        return False
    if dtype is not None:
        want = np.dtype(dtype)
        return check(f"{name} has dtype {want}", value.dtype == want, f"got {value.dtype}")
    return True
