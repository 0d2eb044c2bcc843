"""The grader's wire protocol (grader.submission.protocol), without a kernel: what crosses, what is
refused, and where ``run_in_kernel`` runs. Everything a student's kernel sends is hostile here."""

import base64
import io
import json
import pickle

import numpy as np
import pytest

from grader.submission import protocol
from grader.submission.protocol import PlainDataError, decode, encode, to_plain


def _array_node(raw: bytes) -> str:
    return json.dumps({"__nd__": base64.b64encode(raw).decode("ascii")})


def _saved(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


@pytest.mark.parametrize("value", [
    None, True, 3, -2**62, 1.5, float("inf"), "text", [1, [2, "x"]], (1, (2.0, None)),
    {"a": 1, 2: [3], (1, 2): "tuple key"}, np.float32(2.5), np.int64(7),
    np.arange(6, dtype=np.int32).reshape(2, 3), np.array(["ab", "c"]), np.zeros((0, 4)),
    np.array([True, False]), np.array([1 + 2j]),
])
def test_plain_values_cross_unchanged(value):
    back = to_plain(value)
    if isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and back.dtype == value.dtype and back.shape == value.shape
        np.testing.assert_array_equal(back, value)
    elif isinstance(value, np.generic):
        assert type(back) is type(value) and back == value
    else:
        assert back == value and type(back) is type(value)


def test_a_generator_crosses_as_its_state_and_stays_in_step():
    rng = np.random.default_rng(3)
    copy = to_plain(rng)
    assert copy is not rng and copy.integers(1000, size=5).tolist() == rng.integers(1000, size=5).tolist()
    with pytest.raises(PlainDataError, match="PCG64"):
        encode(np.random.Generator(np.random.MT19937(1)))


class Sneaky:
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


@pytest.mark.parametrize("value, reason", [
    (Sneaky(), "is not plain data"),
    (np.array([Sneaky()], dtype=object), "cannot cross"),
    (np.zeros(2, dtype=[("a", "i4")]), "cannot cross"),
    ({Sneaky(): 1}, "is not plain data"),
    (2**64, "integer too large"),
    (print, "is not plain data"),
    ({1, 2}, "is not plain data"),
])
def test_objects_are_refused_on_the_way_out(value, reason):
    with pytest.raises(PlainDataError, match=reason):
        encode(value)


def test_deep_nesting_is_refused_both_ways():
    deep = []
    for _ in range(protocol.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(PlainDataError, match="deeply"):
        encode(deep)
    with pytest.raises(PlainDataError, match="deeply"):
        decode("[" * (protocol.MAX_DEPTH + 5) + "]" * (protocol.MAX_DEPTH + 5))
    with pytest.raises(PlainDataError, match="malformed"):
        decode("[" * 100_000 + "]" * 100_000)  # past json's own recursion limit


def test_a_pickled_array_is_refused():
    raw = _saved(np.array([Sneaky()], dtype=object), allow_pickle=True)
    with pytest.raises(PlainDataError):
        decode(_array_node(raw))
    with pytest.raises(PlainDataError):
        decode(_array_node(pickle.dumps(np.arange(3))))


def test_an_array_header_that_promises_more_than_the_token_holds_is_refused():
    raw = _saved(np.zeros(4))
    # the same header with a shape of 10^13 elements, padded to the same length (npy format 1.0)
    header = raw[10:raw.index(b"\n", 10) + 1]
    big = header.replace(b"(4,)", b"(10000000000000,)").replace(b" " * 13, b"", 1)
    assert len(big) == len(header)
    forged = raw.replace(header, big)
    with pytest.raises(PlainDataError, match="promises more data"):
        decode(_array_node(forged))


def test_huge_tokens_and_arrays_are_refused(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_BYTES", 1000)
    with pytest.raises(PlainDataError, match="too large"):
        encode(np.zeros(1000))
    with pytest.raises(PlainDataError, match="too large"):
        decode(" " * 5000)
    small = encode(np.zeros(10))
    assert decode(small).shape == (10,)


@pytest.mark.parametrize("token", [
    b"not text", "not json", '{"__nd__": "!!!"}', '{"__nd__": 3}', '{"__tuple__": 1}',
    '{"__dict__": [[1]]}', '{"__dict__": [[[1], 2]]}', '{"other": 1}',
    '{"__rng__": 0, "state": {"state": "x"}}', json.dumps({"__nd__": base64.b64encode(b"junk").decode()}),
])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(PlainDataError):
        decode(token)


def test_tensors_cross_as_numpy_arrays():
    tf = pytest.importorskip("tensorflow")
    back = to_plain({"t": tf.constant([[1.0, 2.0]])})
    assert type(back["t"]) is np.ndarray and back["t"].tolist() == [[1.0, 2.0]]


def test_the_kernel_side_replies_with_plain_data_or_the_error_name(monkeypatch):
    namespace = {"double": lambda x: 2 * x, "boom": lambda: 1 / 0, "obj": lambda: Sneaky()}
    monkeypatch.setattr(protocol, "_namespace", lambda: namespace)
    payload = encode(([np.arange(3)], {}))
    assert decode(protocol.call("double", payload))["value"].tolist() == [0, 2, 4]
    assert decode(protocol.call("boom", encode(([], {})))) == {
        "ok": False, "error": "ZeroDivisionError", "message": "division by zero"}
    assert decode(protocol.call("obj", encode(([], {}))))["error"] == "PlainDataError"
    reply = decode(protocol.probe("result = x + y", encode(([], {"x": 1, "y": 2}))))
    assert reply["ok"] and reply["value"] == 3


def test_run_in_kernel_runs_here_unless_a_judge_is_deciding(monkeypatch):
    monkeypatch.setattr(protocol, "_namespace", lambda: {"np": np, "offset": 10})
    assert protocol.run_in_kernel("result = np.arange(3) + offset + k", k=1).tolist() == [11, 12, 13]
    seen = []
    with protocol.judging(lambda code, inputs: seen.append((code, inputs)) or "from the kernel"):
        assert protocol.run_in_kernel("result = 1", k=2) == "from the kernel"
    assert seen == [("result = 1", {"k": 2})]
    assert protocol.run_in_kernel("result = offset") == 10  # the judge's runner is gone again
