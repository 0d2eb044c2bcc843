import numpy as np
import pytest

from seqlab.checks import (
    CheckFailed,
    check,
    check_array,
    check_close,
    collecting_failures,
    numerical_gradient,
    numerical_gradient_of_output,
    rel_error,
)


def test_rel_error_is_zero_for_equal_and_one_for_opposite():
    x = np.array([1.0, -2.0, 3.0])
    assert rel_error(x, x) == 0.0
    assert rel_error(x, -x) == pytest.approx(1.0)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.zeros((0, 2)), np.zeros((0, 2))) == 0.0


def test_rel_error_refuses_shape_mismatch():
    with pytest.raises(CheckFailed, match="shapes differ"):
        rel_error(np.zeros(3), np.zeros(4))


def test_numerical_gradient_matches_analytic_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    grad = numerical_gradient(lambda z: float(np.sum(np.sin(z) * z)), x)
    assert rel_error(grad, np.cos(x) * x + np.sin(x)) < 1e-8
    assert x.dtype == np.float64  # restored in place, unchanged type


def test_numerical_gradient_restores_input_and_needs_float64():
    x = np.arange(4.0)
    before = x.copy()
    numerical_gradient(lambda z: float(np.sum(z**2)), x)
    assert (x == before).all()
    with pytest.raises(TypeError):
        numerical_gradient(lambda z: 0.0, np.zeros(2, dtype=np.float32))


def test_numerical_gradient_of_output_is_a_vector_jacobian_product():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 2))
    x = rng.normal(size=(4, 3))
    upstream = rng.normal(size=(4, 2))
    grad = numerical_gradient_of_output(lambda z: z @ w, x, upstream)
    assert rel_error(grad, upstream @ w.T) < 1e-8


def test_check_prints_pass_on_stdout_and_fail_on_stderr_and_goes_on(capsys):
    assert check("fine", True, "never shown") is True
    assert capsys.readouterr().out == "PASS  fine\n"
    assert check("broken", False, "because") is False  # no exception: the next checks still run
    assert check("after", True) is True
    seen = capsys.readouterr()
    assert seen.err == "FAIL  broken: because\n" and seen.out == "PASS  after\n"


def test_every_failed_check_is_collected():
    with collecting_failures() as failures:
        check("one", False, "first")
        check("two", True)
        check("three", False)
    assert failures == ["one: first", "three"]
    check("outside", False)  # no collector: printed only
    assert failures == ["one: first", "three"]


def test_check_close_reports_the_error_figure(capsys):
    err = check_close("same", np.ones(3), np.ones(3) * (1 + 1e-9))
    assert err < 1e-8
    assert "relative error" in capsys.readouterr().out
    with collecting_failures() as failures:
        check_close("far", np.ones(3), np.zeros(3))
        assert check_close("shape", np.ones(3), np.ones(4)) == float("inf")  # fails, does not raise
    assert len(failures) == 2 and "above the tolerance" in failures[0] and "got (3,)" in failures[1]


def test_check_array_checks_type_shape_and_dtype():
    with collecting_failures() as failures:
        assert check_array("a", np.zeros((2, 3), np.int32), (2, 3), np.int32)
    assert failures == []
    for value, shape, dtype, says in [([[0, 0]], (1, 2), None, "numpy array"),
                                      (np.zeros((3, 2)), (2, 3), None, "shape"),
                                      (np.zeros((2, 3)), (2, 3), np.float32, "dtype")]:
        with collecting_failures() as failures:
            assert check_array("a", value, shape, dtype) is False
        assert len(failures) == 1 and says in failures[0]  # stops at the first failure
