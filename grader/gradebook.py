"""Grades recorded where nbgrader's own tools look: the course folder's gradebook and autograded/.

``record`` does for one graded submission what ``nbgrader autograde`` does (its ``SaveAutoGrades``
preprocessor and ``Autograde.init_assignment``), through nbgrader's API (``nbgrader.api.Gradebook``),
so that formgrader lists it, ``nbgrader export`` exports it and ``nbgrader generate_feedback``
renders it:

- the student (made if new) and the submission, with the time in the student's ``timestamp.txt``
  when there is one (nbgrader's lateness comes from it);
- a grade per grade cell: a test cell's ``auto_score`` is the points the grader gave it; a written
  answer has no ``auto_score`` and needs manual grading; as in nbgrader, a cell that already has a
  manual score is flagged for review and keeps it (re-grading never overwrites a manual grade);
- a comment per answer cell: "No response." when the student left it as released;
- the notebook as the grader ran it, made safe to open (``grader.sanitize``), in
  ``autograded/<student>/<unit>/<unit>.ipynb`` with the nbgrader metadata formgrader needs, and
  the student's ``timestamp.txt`` beside it.

Everything happens in the grader's own process after the sandboxed worker has finished: no
student code runs here, and the kernels cannot see the course folder. The grades of a submission
are one commit (nbgrader's API commits the student and the submission rows before it).
"""

import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import compute_checksum, parse_utc
from sqlalchemy.exc import DatabaseError, OperationalError, SAWarning

from grader.cells import grade_id, is_solution_cell, nbgrader_meta, read_notebook
from grader.course import COURSE_ID, CourseFolder, locked_message
from grader.manifest import notebook_path
from grader.records import Outcome, Status

NO_RESPONSE = "No response."


class GradebookError(Exception):
    """The gradebook cannot take these grades (a unit it does not know, a lock, a broken file);
    the message says why and what to do."""


@contextmanager
def _opened(course: CourseFolder) -> Iterator[Gradebook]:
    """The course's gradebook; sqlite's errors (another program holding it locked past sqlite's
    busy timeout, a file that is not a gradebook) become one ``GradebookError``. The grades of a
    submission are committed together, but nbgrader's ``update_or_create_student`` and
    ``update_or_create_submission`` commit as they go: a lock that comes between them leaves the
    student or an ungraded submission behind, which recording the submission again completes."""
    try:
        with Gradebook(course.db_url, course_id=COURSE_ID) as gb:
            yield gb
    except (OperationalError, DatabaseError) as error:
        if "locked" in str(error):
            raise GradebookError(locked_message(course.gradebook)) from None
        raise GradebookError(f"cannot write the gradebook {course.gradebook}: sqlite says: "
                             f"{str(getattr(error, 'orig', error)).strip()}; close formgrader and any "
                             f"nbgrader command using it, then run autograde again (it keeps manual "
                             f"grades)") from None


@dataclass(frozen=True)
class Recorded:
    """What the gradebook holds for a submission once recorded: its score so far, manual
    grades included, and how many of its cells still wait for a manual grade."""

    score: float
    max_score: float
    needs_manual_grade: int


def timestamp_of(folder: Path):
    """The time in ``folder/timestamp.txt`` (nbgrader's format), or None."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    try:
        return parse_utc(text) if text else None
    except ValueError:
        return None


def _unanswered(cell) -> bool:
    """True when an answer cell is as released (nbgrader's checksum of it still matches)."""
    checksum = nbgrader_meta(cell).get("checksum")
    return checksum is not None and checksum == compute_checksum(cell)


def check_units(course: CourseFolder, units: list[str]) -> None:
    """Raise ``GradebookError`` unless every unit is in the course's gradebook (checked before
    anything is recorded, so that no class is recorded in part)."""
    with _opened(course) as gb:
        known = {a.name for a in gb.assignments}
    unknown = [u for u in units if u not in known]
    if unknown:
        raise GradebookError(f"the gradebook has no unit {', '.join(unknown)}: run `python -m grader "
                             f"course {course.root}` again to add it; nothing was recorded")


def record(course: CourseFolder, outcome: Outcome, submitted: Path, graded_notebook) -> Recorded | None:
    """Record one graded submission in the course (module docstring); None for a missing one.

    graded_notebook: the notebook to store in autograded/ (already made safe to show).
    """
    if outcome.status == Status.MISSING:
        return None
    unit, student = outcome.unit, outcome.student
    submission_folder = submitted / student / unit
    handed_in = _handed_in_cells(notebook_path(submitted / student, unit))
    auto_scores = {t.grade_id: t.points for t in outcome.tests}
    with warnings.catch_warnings(), _opened(course) as gb:
        # nbgrader's own update_or_create_submission makes SQLAlchemy warn about autoflush
        # (nbgrader autograde prints the same); it is harmless and not the instructor's business.
        warnings.simplefilter("ignore", SAWarning)
        try:
            gb.find_assignment(unit)
        except MissingEntry:
            raise GradebookError(f"the gradebook has no unit {unit}: run `python -m grader course "
                                 f"{course.root}` again to add it") from None
        gb.update_or_create_student(student)
        timestamp = timestamp_of(submission_folder)
        gb.update_or_create_submission(unit, student, **({"timestamp": timestamp} if timestamp else {}))
        notebook = gb.find_submission_notebook(unit, unit, student)
        for grade in notebook.grades:
            if grade.cell.cell_type == "code":  # a test cell
                grade.auto_score = auto_scores.get(grade.name, 0.0)  # a test not run earned nothing
            else:
                grade.auto_score = None  # a written answer: graded by hand
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        for comment in notebook.comments:
            cell = handed_in.get(comment.name)
            comment.auto_comment = NO_RESPONSE if cell is None or _unanswered(cell) else None
        gb.db.commit()
        recorded = Recorded(float(notebook.score), float(notebook.max_score),
                            sum(bool(g.needs_manual_grade) for g in notebook.grades))
    _store_autograded(course, outcome, submission_folder, graded_notebook)
    return recorded


def _handed_in_cells(path: Path) -> dict:
    try:
        return {grade_id(c): c for c in read_notebook(path).cells if is_solution_cell(c)}
    except (OSError, ValueError):
        return {}


def _store_autograded(course: CourseFolder, outcome: Outcome, submission_folder: Path, nb) -> None:
    folder = course.autograded / outcome.student / outcome.unit
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / f"{outcome.unit}.ipynb"))
    stamp = submission_folder / "timestamp.txt"
    if stamp.is_file():
        shutil.copy(stamp, folder / "timestamp.txt")
