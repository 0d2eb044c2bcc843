"""The grader's results, typed: a row's status, one test's result, one submission's outcome.

When several things go wrong with one submission (a locked cell edited *and* a cell past its
limit, say), ``final_status`` decides the row's one status, always the same way.
"""

from dataclasses import asdict, dataclass, field
from enum import StrEnum

import nbformat


class Status(StrEnum):
    """The ``status`` column of ``grades.csv`` (../shared/COURSE.md)."""

    GRADED = "graded"  # every test was decided
    TIMEOUT = "timeout"  # a cell or a test ran past its limit
    CRASHED = "crashed"  # not a notebook, the kernel died, or it ran out of memory
    MISSING = "missing"  # nothing handed in for the unit
    TAMPERED = "tampered"  # a locked cell was edited or deleted; restored, scored from the original


# Which status a row gets when several apply: the first of these that applies.
PRECEDENCE = (Status.MISSING, Status.CRASHED, Status.TAMPERED, Status.TIMEOUT, Status.GRADED)


@dataclass(frozen=True)
class Problem:
    """Something that went wrong with a submission: the status it calls for, and why."""

    status: Status
    note: str


def final_status(problems: list[Problem]) -> Problem:
    """The row's status and note: the problem that comes first in ``PRECEDENCE`` (the first found
    of that status), or ``graded`` when there is none."""
    for status in PRECEDENCE:
        for problem in problems:
            if problem.status == status:
                return problem
    return Problem(Status.GRADED, "")


@dataclass
class TestResult:
    """One test cell's outcome, as the instructor's breakdown and the feedback page show it."""

    __test__ = False  # not a pytest test class

    grade_id: str
    points: float
    max_points: float
    hidden: bool
    passed: bool
    error: str  # exception name of a failure ("" when passed); never a traceback
    timed_out: bool
    kernel_died: bool = False  # the student's kernel died while this test ran
    # What failed, in words written for students: a visible test's failed checks, or a hidden
    # test's assertion message (a literal in the test's source, never its inputs or values);
    # never the message of an exception the student's code raised.
    message: str = ""
    seconds: float = 0.0  # wall clock of the test cell in the judge (its calls into the kernel included)


@dataclass
class Outcome:
    """The grade of one student's submission of one unit."""

    student: str
    unit: str
    score: float
    max_score: float
    status: Status
    tests: list[TestResult] = field(default_factory=list)
    tampered: list[str] = field(default_factory=list)  # grade ids of restored locked cells
    note: str = ""
    seconds: float = 0.0  # wall clock, worker start to end
    cpu_seconds: float = 0.0  # CPU time the student's kernel used (notebook and tests)
    timings: dict[str, float] = field(default_factory=dict)  # where the seconds went (worker stages)
    executed: nbformat.NotebookNode | None = None  # the notebook as the kernel ran it (untrusted)
    shown: nbformat.NotebookNode | None = None  # the graded notebook, safe to show, once stored

    def row(self) -> list[str]:
        return [self.student, self.unit, f"{self.score:g}", f"{self.max_score:g}", str(self.status)]

    def to_record(self) -> dict:
        """The outcome as ``grades.json`` stores it (everything but the executed notebook)."""
        return {
            "student": self.student, "unit": self.unit, "score": self.score,
            "max_score": self.max_score, "status": str(self.status), "note": self.note,
            "tampered_cells": self.tampered, "seconds": round(self.seconds, 2),
            "cpu_seconds": self.cpu_seconds, "timings": self.timings, "tests": [asdict(t) for t in self.tests],
        }

    @classmethod
    def from_record(cls, record: dict, shown: nbformat.NotebookNode | None = None) -> "Outcome":
        """The outcome ``to_record`` stored, with ``shown``, the graded notebook stored beside it."""
        return cls(record["student"], record["unit"], record["score"], record["max_score"],
                   Status(record["status"]), [TestResult(**t) for t in record["tests"]],
                   list(record["tampered_cells"]), record["note"], record["seconds"], record.get("cpu_seconds", 0.0), record.get("timings", {}), shown=shown)
