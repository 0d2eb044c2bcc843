"""The grader's results, typed: a row's status, one test's result, one submission's outcome.

When several things go wrong with one submission (a locked cell edited *and* a cell past its
limit, say), ``final_status`` decides the row's one status, always the same way.
"""

from dataclasses import dataclass, field
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

    grade_id: str
    points: float
    max_points: float
    hidden: bool
    passed: bool
    error: str  # exception name of a failure ("" when passed); never a message or traceback
    timed_out: bool
    kernel_died: bool = False  # the student's kernel died while this test ran


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
    seconds: float = 0.0
    executed: nbformat.NotebookNode | None = None  # the notebook as the kernel ran it, for feedback

    def row(self) -> list[str]:
        return [self.student, self.unit, f"{self.score:g}", f"{self.max_score:g}", str(self.status)]
