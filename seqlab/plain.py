"""Plain data: the only values that cross between a student's kernel and the grader.

``encode`` turns numbers, strings, numpy arrays (of numeric, bool or string dtype), lists, tuples
and dicts of these — and TensorFlow tensors, as numpy arrays — into a text token; ``decode`` turns a
token back, strictly: anything else is refused, arrays load without pickle, sizes are bounded.
A value decoded here cannot run code or pretend to be equal to something it is not.
Random generators (``numpy.random.Generator`` on PCG64) cross as their state.
"""

import base64
import io
import json

import numpy as np

MAX_BYTES = 256 * 1024 * 1024  # a decoded token may not exceed this
MAX_DEPTH = 32
ARRAY_KINDS = set("biufcUS")  # bool, int, uint, float, complex, str, bytes


class PlainDataError(TypeError):
    """A value is not plain data, or a token is malformed."""


def _tensor_to_numpy(value):
    module = type(value).__module__
    if module.startswith(("tensorflow", "keras")) and callable(getattr(value, "numpy", None)):
        return np.asarray(value.numpy())
    return None


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
        if not isinstance(value.bit_generator, np.random.PCG64):
            raise PlainDataError("only PCG64 generators (numpy.random.default_rng) can cross")
        rngs.append(value)
        state = value.bit_generator.state  # 128-bit integers: carried as decimal strings
        return {"__rng__": len(rngs) - 1, "state": {
            "state": str(state["state"]["state"]), "inc": str(state["state"]["inc"]),
            "has_uint32": int(state["has_uint32"]), "uinteger": int(state["uinteger"])}}
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
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def encode(value) -> str:
    """A text token for ``value``; raises ``PlainDataError`` for anything that is not plain data."""
    return json.dumps(_to_tree(value, 0, []), separators=(",", ":"))


def encode_with_rngs(value) -> tuple[str, list[np.random.Generator]]:
    """Like ``encode``, also returning the generators found, in token order."""
    rngs: list = []
    return json.dumps(_to_tree(value, 0, rngs), separators=(",", ":")), rngs


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
        rng = np.random.Generator(np.random.PCG64())
        fields = node["state"]
        try:
            rng.bit_generator.state = {
                "bit_generator": "PCG64",
                "state": {"state": int(fields["state"]), "inc": int(fields["inc"])},
                "has_uint32": int(fields["has_uint32"]), "uinteger": int(fields["uinteger"]),
            }
        except (TypeError, ValueError, KeyError, OverflowError) as error:
            raise PlainDataError(f"bad generator state: {error}") from error
        rngs.append(rng)
        return rng
    raise PlainDataError("malformed token")


def _load_array(token: str) -> np.ndarray:
    raw = base64.b64decode(token.encode("ascii"), validate=True)
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
    except ValueError as error:
        raise PlainDataError(f"malformed token: {error}") from error
    rngs: list = []
    return _from_tree(tree, 0, rngs), rngs


def to_plain(value):
    """``value`` as the grader would receive it: encoded and decoded (tensors become arrays)."""
    return decode(encode(value))
