"""Decide every test in the grader's own process; the student's code runs only in its kernel.

A unit's test cells (visible and hidden, from ``solutions/``) run here, in a namespace made by the
unit's locked set-up cells. Each graded name is bound to a ``KernelFunction``: calling it runs the
student's function in the sandboxed kernel and brings back plain data, so expected values and
reference code never enter the kernel, and nothing the student returns can fake a comparison.
Tests that need the student's objects (a Keras layer, a model) use ``run_in_kernel(code, **inputs)``.
"""

import builtins
import contextlib
import io

import nbformat

import seqlab.checks
from grader.cells import TestResult, has_hidden_tests, is_test_cell, nbgrader_meta
from grader.kernel import CallTimeout, KernelGone, SandboxedKernel


class StudentError(Exception):
    """The student's code raised an exception that has no builtin twin here."""


def _raise_like(reply: dict, name: str):
    """Re-raise the student's exception here, as a builtin exception class when there is one."""
    error, message = str(reply.get("error", "Error")), str(reply.get("message", ""))[:500]
    cls = getattr(builtins, error, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
        raise cls(f"{name}: {message}")
    raise StudentError(f"{name} raised {error}: {message}")


class KernelFunction:
    """A stand-in for the student's function ``name``; calls run in the student's kernel."""

    def __init__(self, judge: "Judge", name: str):
        self._judge, self._name = judge, name

    def __call__(self, *args, **kwargs):
        return self._judge.call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<student's {self._name}>"


class Judge:
    def __init__(self, kernel: SandboxedKernel, source: nbformat.NotebookNode, call_timeout: float):
        self.kernel, self.source, self.call_timeout = kernel, source, call_timeout
        self.timed_out: set[str] = set()  # functions that ran past the limit once: not called again

    def call(self, name: str, args: tuple, kwargs: dict):
        if name in self.timed_out:
            raise CallTimeout(f"{name} ran past the time limit earlier")
        try:
            reply = self.kernel.call(name, args, kwargs, self.call_timeout)
        except CallTimeout:
            self.timed_out.add(name)
            raise
        if not reply["ok"]:
            _raise_like(reply, name)
        return reply.get("value")

    def run_in_kernel(self, code: str, **inputs):
        reply = self.kernel.probe(code, inputs, self.call_timeout)
        if not reply["ok"]:
            _raise_like(reply, "run_in_kernel")
        return reply.get("value")

    def namespace(self) -> dict:
        """The tests' namespace: the set-up cells' names, with graded names bound to the kernel."""
        seqlab.checks.run_in_kernel = self.run_in_kernel  # this process grades one submission
        scope = {"__name__": "__seqlab_judge__"}
        for cell in self.source.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade"):
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(cell.source, f"<set-up {meta.get('grade_id')}>", "exec"), scope)
        for cell in self.source.cells:
            meta = nbgrader_meta(cell)
            if meta.get("solution"):
                scope[meta["grade_id"]] = KernelFunction(self, meta["grade_id"])
        scope["run_in_kernel"] = self.run_in_kernel
        return scope

    def run(self) -> list[TestResult]:
        scope = self.namespace()
        results = []
        for cell in self.source.cells:
            if not is_test_cell(cell):
                continue
            meta = nbgrader_meta(cell)
            error, timed_out = "", False
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(cell.source, f"<test {meta['grade_id']}>", "exec"), scope)
            except CallTimeout:
                error, timed_out = "Timeout", True
            except KernelGone:
                error = "KernelDied"
            except BaseException as exc:  # a failed assertion, or the student's error re-raised
                error = type(exc).__name__
            max_points = float(meta.get("points", 0))
            results.append(TestResult(
                grade_id=meta["grade_id"], points=0.0 if error else max_points, max_points=max_points,
                hidden=has_hidden_tests(cell), passed=not error, error=error, timed_out=timed_out,
            ))
        return results
