"""Decide every test in the grader's own process; the student's code runs only in its kernel.

A unit's test cells (visible and hidden, from ``solutions/``) run here, in a namespace made by the
unit's locked set-up cells. Each graded name is bound to a ``KernelFunction``: calling it runs the
student's function in the sandboxed kernel and brings back plain data, so expected values and
reference code never enter the kernel, and nothing the student returns can fake a comparison.
Tests that need the student's objects (a Keras layer, a model) call
``grader.submission.protocol.run_in_kernel(code, **inputs)``, which the judge routes into the
kernel while it runs the tests (``protocol.judging``); nothing global is patched.
"""

import builtins
import contextlib
import io
import time

import nbformat

from grader.cells import (
    grade_id,
    has_hidden_tests,
    is_code_answer,
    is_setup_cell,
    is_test_cell,
    points,
)
from grader.records import TestResult
from grader.submission import protocol
from grader.submission.kernel import CallTimeout, KernelGone, SandboxedKernel
from seqlab.checks import collecting_failures


class StudentError(Exception):
    """The student's code raised an exception that has no builtin twin here."""


def _raise_like(reply: dict, name: str):
    """Re-raise the student's exception here, as a builtin exception class when there is one."""
    error, message = str(reply.get("error", "Error")), str(reply.get("message", ""))[:protocol.MAX_MESSAGE]
    cls = getattr(builtins, error, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
        exc = cls(f"{name}: {message}")
    else:
        exc = StudentError(f"{name} raised {error}: {message}")
    exc.from_student = True  # its message is the student's: never shown as the test's own words
    raise exc


class KernelFunction:
    """A stand-in for the student's function ``name``; calls run in the student's kernel."""

    def __init__(self, judge: "Judge", name: str):
        self._judge, self._name = judge, name

    def __call__(self, *args, **kwargs):
        return self._judge.call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<student's {self._name}>"


class Judge:
    """Runs one submission's tests against its kernel. ``call_cpu`` is the CPU budget of one call."""

    def __init__(self, kernel: SandboxedKernel, source: nbformat.NotebookNode, call_cpu: float):
        self.kernel, self.source, self.call_cpu = kernel, source, call_cpu
        self.timed_out: set[str] = set()  # functions that ran past the limit once: not called again
        self.setup_seconds = 0.0

    def call(self, name: str, args: tuple, kwargs: dict):
        if name in self.timed_out:
            raise CallTimeout(f"{name} ran past the time limit earlier")
        try:
            reply = self.kernel.call(name, args, kwargs, self.call_cpu)
        except CallTimeout:
            self.timed_out.add(name)
            raise
        if not reply["ok"]:
            _raise_like(reply, name)
        return reply.get("value")

    def run_in_kernel(self, code: str, inputs: dict):
        reply = self.kernel.probe(code, inputs, self.call_cpu)
        if not reply["ok"]:
            _raise_like(reply, "run_in_kernel")
        return reply.get("value")

    def cpu_seconds_in_kernel(self, code: str, inputs: dict) -> float:
        reply, cpu_seconds = self.kernel.probe_cpu(code + "\nresult = None", inputs, self.call_cpu)
        if not reply["ok"]:
            _raise_like(reply, "cpu_seconds_in_kernel")
        return cpu_seconds

    def namespace(self) -> dict:
        """The tests' namespace: the set-up cells' names, with graded names bound to the kernel."""
        scope = {"__name__": "__seqlab_judge__"}
        for cell in self.source.cells:
            if is_setup_cell(cell):
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(cell.source, f"<set-up {grade_id(cell)}>", "exec"), scope)
        for cell in self.source.cells:
            if is_code_answer(cell):
                scope[grade_id(cell)] = KernelFunction(self, grade_id(cell))
        return scope

    def run(self) -> list[TestResult]:
        with protocol.judging(self.run_in_kernel, self.cpu_seconds_in_kernel):
            started = time.monotonic()
            scope = self.namespace()
            self.setup_seconds = time.monotonic() - started  # the set-up cells here: imports, data
            return [self._run_test(cell, scope) for cell in self.source.cells if is_test_cell(cell)]

    def _run_test(self, cell: nbformat.NotebookNode, scope: dict) -> TestResult:
        """Run one test cell here. It fails when it raises or when one of its ``check``s fails
        (they print and go on, so every check of a visible test reports)."""
        error, message, timed_out, died = "", "", False, False
        hidden = has_hidden_tests(cell)
        started = time.monotonic()
        try:
            with (collecting_failures() as failures, contextlib.redirect_stdout(io.StringIO()),
                  contextlib.redirect_stderr(io.StringIO())):
                exec(compile(cell.source, f"<test {grade_id(cell)}>", "exec"), scope)
        except CallTimeout:
            error, timed_out = "Timeout", True
        except KernelGone:
            error, died = "KernelDied", True
        except BaseException as exc:  # a failed assertion, or the student's error re-raised
            error = type(exc).__name__
            message = _message_for_students(exc, hidden)
        if failures and not error:
            error = "CheckFailed"
        if failures and not message and not hidden:  # a hidden cell's checks could quote its inputs
            message = "; ".join(failures)
        max_points = points(cell)
        return TestResult(grade_id=grade_id(cell), points=0.0 if error else max_points,
                          max_points=max_points, hidden=hidden, passed=not error,
                          error=error, timed_out=timed_out, kernel_died=died,
                          message=message[:MAX_MESSAGE], seconds=round(time.monotonic() - started, 3))


MAX_MESSAGE = 300  # characters of a failure's message kept for feedback


def _message_for_students(exc: BaseException, hidden: bool) -> str:
    """What a failure says to the student: a test's own assertion message (in a hidden test, the
    literal every hidden assert carries: tests/test_hidden_test_messages.py), a visible test's
    failed check; never the message of an exception the student's code raised, nor of one raised
    by the tests' helpers (a shape in it could give a hidden input away)."""
    if getattr(exc, "from_student", False):
        return ""
    if hidden:
        return str(exc) if type(exc) is AssertionError else ""
    return str(exc) if isinstance(exc, AssertionError) else ""
