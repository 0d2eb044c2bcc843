"""The grader's wire protocol: the only values that cross between a student's kernel and the grader.

Three parts, used on both sides of the sandbox:

- **Plain data.** ``encode`` turns numbers, strings, numpy arrays (numeric, bool or string dtype),
  lists, tuples and dicts of these — and TensorFlow tensors, as numpy arrays — into a text token;
  ``decode`` turns a token back, strictly: anything else is refused, arrays load without pickle,
  sizes and depth are bounded. A value decoded here cannot run code or pretend to be equal to
  something it is not. Random generators (``numpy.random.Generator`` on PCG64) cross as their state.
- **The kernel side.** ``call`` and ``probe`` run inside the student's kernel (the grader sends
  ``import grader.submission.protocol`` and calls them there). Everything they do is under the
  student's control and trusted for nothing: a reply is a plain-data token ``{"ok": ...,
  "value" | "error" + "message", "rngs": [states]}``, which the grader decodes strictly and judges
  in its own process.
- **What tests call.** ``run_in_kernel(code, **inputs)`` runs ``code`` with the notebook's names and
  ``inputs`` bound and returns its ``result`` as plain data. In a student's notebook it runs right
  there; while the grader's judge decides a test (``judging``), the same call is sent to the
  student's sandboxed kernel, and only the plain-data reply comes back. ``cpu_seconds_in_kernel``
  runs code the same way and returns the CPU seconds it took, counted by the grader from outside
  the sandbox (a speed test then means the same on a quiet and on a busy machine, and the
  student's code cannot report its own time).
"""

import base64
import contextlib
import io
import json
import math
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

import numpy as np

MAX_BYTES = 256 * 1024 * 1024  # a token, and an array in it, may not exceed this
MAX_DEPTH = 32
ARRAY_KINDS = set("biufcUS")  # bool, int, uint, float, complex, str, bytes
MAX_MESSAGE = 500  # characters of a student's exception message that cross back


class PlainDataError(TypeError):
    """A value is not plain data, or a token is malformed."""


# ----------------------------------------------------------------------------- plain data: encode

def _tensor_to_numpy(value):
    module = type(value).__module__
    if module.startswith(("tensorflow", "keras")) and callable(getattr(value, "numpy", None)):
        return np.asarray(value.numpy())
    return None


def _rng_tree(value: np.random.Generator, rngs: list) -> dict:
    if not isinstance(value.bit_generator, np.random.PCG64):
        raise PlainDataError("only PCG64 generators (numpy.random.default_rng) can cross")
    rngs.append(value)
    state = value.bit_generator.state  # 128-bit integers: carried as decimal strings
    return {"__rng__": len(rngs) - 1, "state": {
        "state": str(state["state"]["state"]), "inc": str(state["state"]["inc"]),
        "has_uint32": int(state["has_uint32"]), "uinteger": int(state["uinteger"])}}


def _to_tree(value, depth: int, rngs: list):
    if depth > MAX_DEPTH:
        raise PlainDataError("value nested too deeply")
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            raise PlainDataError("integer too large")
        return value
    if isinstance(value, np.generic):
        return {"__nd__": _array_token(np.asarray(value)), "scalar": True}
    if isinstance(value, np.ndarray):
        return {"__nd__": _array_token(value)}
    if isinstance(value, np.random.Generator):
        return _rng_tree(value, rngs)
    if isinstance(value, list):
        return [_to_tree(v, depth + 1, rngs) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [_to_tree(v, depth + 1, rngs) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": [[_to_tree(k, depth + 1, rngs), _to_tree(v, depth + 1, rngs)]
                             for k, v in value.items()]}
    array = _tensor_to_numpy(value)
    if array is not None:
        return {"__nd__": _array_token(array)}
    raise PlainDataError(f"{type(value).__module__}.{type(value).__name__} is not plain data")


def _array_token(array: np.ndarray) -> str:
    if array.dtype.kind not in ARRAY_KINDS or array.dtype.fields is not None:
        raise PlainDataError(f"arrays of dtype {array.dtype} cannot cross")
    if array.nbytes > MAX_BYTES:
        raise PlainDataError(f"an array of {array.nbytes:,} bytes is too large to cross")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def encode(value) -> str:
    """A text token for ``value``; raises ``PlainDataError`` for anything that is not plain data."""
    return encode_with_rngs(value)[0]


def encode_with_rngs(value) -> tuple[str, list[np.random.Generator]]:
    """Like ``encode``, also returning the generators found, in token order."""
    rngs: list = []
    return json.dumps(_to_tree(value, 0, rngs), separators=(",", ":")), rngs


# ----------------------------------------------------------------------------- plain data: decode

def _rng_from(fields: dict) -> np.random.Generator:
    rng = np.random.Generator(np.random.PCG64())
    try:
        rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int(fields["state"]), "inc": int(fields["inc"])},
            "has_uint32": int(fields["has_uint32"]), "uinteger": int(fields["uinteger"]),
        }
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise PlainDataError(f"bad generator state: {error}") from error
    return rng


def _from_tree(node, depth: int, rngs: list):
    if depth > MAX_DEPTH:
        raise PlainDataError("token nested too deeply")
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, list):
        return [_from_tree(v, depth + 1, rngs) for v in node]
    if not isinstance(node, dict):
        raise PlainDataError("malformed token")
    if set(node) <= {"__nd__", "scalar"} and isinstance(node.get("__nd__"), str):
        array = _load_array(node["__nd__"])
        return array[()] if node.get("scalar") else array
    if set(node) == {"__tuple__"} and isinstance(node["__tuple__"], list):
        return tuple(_from_tree(v, depth + 1, rngs) for v in node["__tuple__"])
    if set(node) == {"__dict__"} and isinstance(node["__dict__"], list):
        out = {}
        for pair in node["__dict__"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise PlainDataError("malformed dict entry")
            key = _from_tree(pair[0], depth + 1, rngs)
            if not isinstance(key, str | int | float | bool | tuple) and key is not None:
                raise PlainDataError("dict keys must be plain scalars")
            out[key] = _from_tree(pair[1], depth + 1, rngs)
        return out
    if set(node) == {"__rng__", "state"} and isinstance(node["state"], dict):
        rng = _rng_from(node["state"])
        rngs.append(rng)
        return rng
    raise PlainDataError("malformed token")


def _load_array(token: str) -> np.ndarray:
    """An array from its ``np.save`` bytes, after checking its header: no pickle, a plain dtype,
    and no more elements than the bytes that follow hold (so a forged shape allocates nothing)."""
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
        buffer = io.BytesIO(raw)
        version = np.lib.format.read_magic(buffer)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"array format version {version} is not accepted")
        shape, _, dtype = read_header(buffer, max_header_size=10_000)
    except (ValueError, TypeError, SyntaxError, UnicodeError) as error:
        raise PlainDataError(f"bad array: {error}"[:300]) from error
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.hasobject:
        raise PlainDataError(f"arrays of dtype {dtype} cannot cross")
    if math.prod(shape) * dtype.itemsize > min(len(raw) - buffer.tell(), MAX_BYTES):
        raise PlainDataError("bad array: its header promises more data than the token holds")
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except ValueError as error:
        raise PlainDataError(f"bad array: {error}") from error
    if type(array) is not np.ndarray or array.dtype.kind not in ARRAY_KINDS or array.dtype.fields:
        raise PlainDataError("bad array")
    return array


def decode(token: str):
    """The value of a token made by ``encode``; refuses anything else."""
    return decode_with_rngs(token)[0]


def decode_with_rngs(token: str):
    """``decode``, also returning the generators rebuilt from the token, in token order."""
    if not isinstance(token, str) or len(token) > MAX_BYTES * 4 // 3 + 1024:
        raise PlainDataError("token too large or not text")
    try:
        tree = json.loads(token)
    except (ValueError, RecursionError) as error:
        raise PlainDataError(f"malformed token: {type(error).__name__}") from error
    rngs: list = []
    return _from_tree(tree, 0, rngs), rngs


def to_plain(value):
    """``value`` as the grader would receive it: encoded and decoded (tensors become arrays)."""
    return decode(encode(value))


# ----------------------------------------------------------------------------- the kernel side

def _namespace() -> dict:
    """The notebook's names: IPython's user namespace, or ``__main__``'s outside IPython."""
    try:
        return get_ipython().user_ns  # noqa: F821  (defined inside IPython)
    except NameError:
        import __main__

        return vars(__main__)


def _probe(code: str, inputs: dict):
    """Run ``code`` in a copy of the notebook's namespace with ``inputs`` bound; its ``result``."""
    scope = dict(_namespace())
    scope.update(inputs)
    exec(code, scope)
    return scope["result"]


def _reply(run: Callable[[list, dict], object], payload: str) -> str:
    try:
        (args, kwargs), rngs = decode_with_rngs(payload)
        value = run(args, kwargs)
        return encode({"ok": True, "value": value, "rngs": rngs})
    except BaseException as error:  # the student's exception, KeyboardInterrupt included
        return encode({"ok": False, "error": type(error).__name__, "message": str(error)[:MAX_MESSAGE]})


def call(name: str, payload: str) -> str:
    """In the kernel: the student's ``name(*args, **kwargs)``; the reply carries its return value."""
    return _reply(lambda args, kwargs: _namespace()[name](*args, **kwargs), payload)


def probe(code: str, payload: str) -> str:
    """In the kernel: ``code`` run with the payload's keyword arguments bound; the reply carries
    its ``result``."""
    return _reply(lambda args, kwargs: _probe(code, kwargs), payload)


# ----------------------------------------------------------------------------- what tests call

# Set by the grader's judge while it decides one submission's tests (see ``judging``).
_kernel_runner: ContextVar[Callable[[str, dict], object] | None] = ContextVar("kernel_runner", default=None)
_kernel_cpu_meter: ContextVar[Callable[[str, dict], float] | None] = ContextVar("kernel_cpu_meter", default=None)


def run_in_kernel(code: str, **inputs):
    """Run ``code`` with ``inputs`` bound, in the notebook's namespace; return its ``result``.

    ``result`` comes back as plain data (tensors become numpy arrays), exactly as the grader
    receives it. Tests use this to run a student's layers and models: when a lab is graded, the
    code runs inside the student's sandboxed kernel while the expected values stay in the
    grader's own process.
    """
    runner = _kernel_runner.get()
    if runner is not None:
        return runner(code, inputs)
    return to_plain(_probe(code, inputs))


def cpu_seconds_in_kernel(code: str, **inputs) -> float:
    """Run ``code`` as ``run_in_kernel`` does (it need not set ``result``); the CPU seconds it took.

    When a lab is graded, the grader counts them from outside the sandbox: the CPU time of the
    kernel's process tree, which does not depend on how busy the machine is and which the
    student's code cannot fake. In a notebook, ``time.process_time()`` around the code.
    """
    meter = _kernel_cpu_meter.get()
    if meter is not None:
        return meter(code, inputs)
    started = time.process_time()
    _probe(code + "\nresult = None", inputs)
    return time.process_time() - started


@contextlib.contextmanager
def judging(runner: Callable[[str, dict], object],
            cpu_meter: Callable[[str, dict], float] | None = None) -> Iterator[None]:
    """While inside, ``run_in_kernel(code, **inputs)`` calls ``runner(code, inputs)`` (the judge's
    way into the student's kernel) instead of running here, and ``cpu_seconds_in_kernel`` calls
    ``cpu_meter``. Local to this thread and context."""
    tokens = _kernel_runner.set(runner), _kernel_cpu_meter.set(cpu_meter)
    try:
        yield
    finally:
        _kernel_runner.reset(tokens[0])
        _kernel_cpu_meter.reset(tokens[1])
