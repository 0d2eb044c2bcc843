"""Grading inside nbgrader: a course folder, grades in its gradebook and autograded/, nbgrader's
export and generate_feedback agreeing with the grader, manual grades kept, nbgrader's own
unsandboxed autograder refused, feedback from stored results."""

import csv
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader.cells import grade_id, is_test_cell, nbgrader_meta, read_notebook, written_answer_ids
from grader.course import COURSE_ID, CourseError, create_course, open_course
from grader.environment import course_environment
from grader.manifest import REPO, SOLUTIONS, notebook_path

pytestmark = [pytest.mark.grader, pytest.mark.xdist_group("nbgrader_course")]
UNIT = "01_sequences"
SUBMISSIONS = REPO / "tests" / "submissions"
STUDENTS = ("full", "half", "not_json")
TIMESTAMP = "2026-11-30 17:05:00.000000 UTC"


def _grader(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = course_environment(home=course / "home")
    (course / "home").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with unit 01, three students handed in (one with a timestamp), graded."""
    root = tmp_path_factory.mktemp("course")
    folder = create_course(root, units=[UNIT])
    for student in STUDENTS:
        shutil.copytree(SUBMISSIONS / student / UNIT, folder.submitted / student / UNIT)
    (folder.submitted / "full" / UNIT / "timestamp.txt").write_text(TIMESTAMP)
    (folder.submitted / "absent").mkdir()  # a student who handed nothing in
    done = _grader("autograde", str(folder.submitted), "--course", str(root), "--jobs", "2",
                   "--out", str(root / "grades.csv"))
    assert done.returncode == 0, done.stderr
    return folder


def test_the_command_line_gives_everyone_a_row_and_keeps_the_graded_notebooks(course):
    """The command line as an instructor runs it (the fixture above): a row for every student,
    the one who handed nothing in included, and the graded notebooks beside the CSV."""
    rows = {r["student"]: (r["unit"], r["status"]) for r in _rows(course.root / "grades.csv")}
    assert rows == {"absent": (UNIT, "missing"), "full": (UNIT, "graded"), "half": (UNIT, "graded"),
                    "not_json": (UNIT, "crashed")}
    assert (course.root / "grades.notebooks" / "full" / UNIT / f"{UNIT}.ipynb").is_file()


def test_the_course_folder_points_nbgrader_at_this_repository(course):
    config = course.config.read_text()
    assert repr(str(SOLUTIONS)) in config and repr(str(REPO / "labs")) in config
    with Gradebook(course.db_url, course_id=COURSE_ID) as gb:
        notebook = gb.find_notebook(UNIT, UNIT)
        source = read_notebook(notebook_path(SOLUTIONS, UNIT))
        graded = {grade_id(c) for c in source.cells if nbgrader_meta(c).get("grade")}
        assert {cell.name for cell in notebook.grade_cells} == graded


def test_every_graded_cell_is_in_the_gradebook_with_the_graders_score(course):
    rows = {r["student"]: r for r in _rows(course.root / "grades.csv")}
    source = read_notebook(notebook_path(SOLUTIONS, UNIT))
    written = written_answer_ids(source)
    assert written, "the lab has written answers"
    tests = [grade_id(c) for c in source.cells if is_test_cell(c)]
    with Gradebook(course.db_url, course_id=COURSE_ID) as gb:
        full = gb.find_submission(UNIT, "full")
        assert full.timestamp is not None and full.timestamp.year == 2026
        notebook = gb.find_submission_notebook(UNIT, UNIT, "full")
        grades = {g.name: g for g in notebook.grades}
        assert all(grades[t].auto_score == grades[t].max_score and not grades[t].needs_manual_grade
                   for t in tests)
        assert all(grades[w].auto_score is None and grades[w].needs_manual_grade for w in written)
        for student in STUDENTS:
            recorded = gb.find_submission_notebook(UNIT, UNIT, student)
            assert float(rows[student]["score"]) == recorded.score
            assert float(rows[student]["max_score"]) == recorded.max_score
    assert rows["not_json"]["status"] == "crashed" and float(rows["half"]["score"]) > 0


def test_autograded_notebooks_are_where_formgrader_looks_and_safe(course):
    path = course.autograded / "full" / UNIT / f"{UNIT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    ids = {grade_id(c) for c in nb.cells}
    assert set(written_answer_ids(read_notebook(notebook_path(SOLUTIONS, UNIT)))) <= ids
    assert (course.autograded / "full" / UNIT / "timestamp.txt").read_text() == TIMESTAMP
    assert "BEGIN HIDDEN TESTS" not in path.read_text()


def test_nbgrader_export_lists_the_graders_scores(course, tmp_path):
    done = _nbgrader(course.root, "export", "--to", str(tmp_path / "export.csv"))
    assert done.returncode == 0, done.stderr
    exported = {r["student_id"]: r for r in _rows(tmp_path / "export.csv") if r["assignment"] == UNIT}
    ours = {r["student"]: r for r in _rows(course.root / "grades.csv")}
    for student in STUDENTS:
        assert float(exported[student]["raw_score"]) == float(ours[student]["score"])
        assert float(exported[student]["max_score"]) == float(ours[student]["max_score"])
    assert exported["full"]["timestamp"].startswith("2026-11-30")


def test_regrading_keeps_a_manual_grade_and_counts_it(course, tmp_path):
    written = written_answer_ids(read_notebook(notebook_path(SOLUTIONS, UNIT)))[0]
    with Gradebook(course.db_url, course_id=COURSE_ID) as gb:
        grade = gb.find_grade(written, UNIT, UNIT, "half")
        grade.manual_score = 1.0
        grade.needs_manual_grade = False
        gb.db.commit()
        before = gb.find_submission_notebook(UNIT, UNIT, "half").score
    out = tmp_path / "again.csv"
    done = _grader("autograde", str(course.submitted), "--course", str(course.root), "--out", str(out))
    assert done.returncode == 0, done.stderr
    with Gradebook(course.db_url, course_id=COURSE_ID) as gb:
        grade = gb.find_grade(written, UNIT, UNIT, "half")
        assert grade.manual_score == 1.0 and grade.needs_manual_grade  # kept, flagged for review
        assert gb.find_submission_notebook(UNIT, UNIT, "half").score == before
    half = next(r for r in _rows(out) if r["student"] == "half")
    first = next(r for r in _rows(course.root / "grades.csv") if r["student"] == "half")
    assert float(half["score"]) == float(first["score"]) + 1.0


def test_nbgrader_generate_feedback_works_in_the_course_folder(course):
    done = _nbgrader(course.root, "generate_feedback", UNIT, "--student", "full", "--force")
    assert done.returncode == 0, done.stderr
    page = (course.feedback / "full" / UNIT / f"{UNIT}.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in page and "[grader]" in page


def test_nbgraders_own_autograde_is_refused_with_the_command_to_use(course):
    done = _nbgrader(course.root, "autograde", UNIT, "--student", "full", "--force")
    assert done.returncode != 0
    assert f"python -m grader autograde {course.root}/submitted --course {course.root}" in done.stdout + done.stderr


def test_feedback_reads_the_stored_results_without_grading_again(course, tmp_path):
    done = _grader("feedback", str(course.submitted), "--out", str(tmp_path / "fb"),
                   "--grades", str(course.root / "grades.csv"))
    assert done.returncode == 0, done.stderr
    assert "rows" not in done.stdout and "[1/" not in done.stdout  # nothing was graded
    half = (tmp_path / "fb" / "half" / UNIT / f"{UNIT}.html").read_text()
    assert "failed (NotImplementedError)" in half and "graded by hand" in half
    assert (tmp_path / "fb" / "full" / UNIT / f"{UNIT}.html").is_file()
    assert "crashed" in (tmp_path / "fb" / "not_json" / UNIT / f"{UNIT}.html").read_text()
    missing = _grader("feedback", str(course.submitted), "--out", str(tmp_path / "fb2"),
                      "--grades", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "grade first" in missing.stderr


@contextmanager
def _locked(gradebook: Path) -> Iterator[None]:
    """``gradebook`` held as formgrader, or another nbgrader command, holds it while writing."""
    lock = sqlite3.connect(gradebook, timeout=0)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        lock.rollback()
        lock.close()


def _students(course) -> set[str]:
    with Gradebook(course.db_url, course_id=COURSE_ID) as gb:
        return {s.id for s in gb.students}


def test_a_gradebook_locked_from_the_start_is_named_in_one_line_before_any_grading(course, tmp_path):
    submitted = tmp_path / "submitted"
    shutil.copytree(SUBMISSIONS / "full" / UNIT, submitted / "early" / UNIT)
    with _locked(course.gradebook):
        done = _grader("autograde", str(submitted), "--course", str(course.root), "--out",
                       str(tmp_path / "grades.csv"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "locked" in done.stderr and "run this again" in done.stderr
    assert not (tmp_path / "grades.csv").exists()  # refused before grading: nothing to lose
    assert "early" not in _students(course)


def test_a_gradebook_locked_while_grading_keeps_the_csv_and_records_nothing_partial(
        course, tmp_path, monkeypatch, capsys):
    from grader import __main__ as grader_cli
    from grader import autograde

    submitted = tmp_path / "submitted"
    shutil.copytree(SUBMISSIONS / "full" / UNIT, submitted / "late" / UNIT)
    grade_class = autograde.grade_class
    with ExitStack() as stack:
        def grade_then_lock(*args, **kwargs):  # formgrader starts saving a grade meanwhile
            outcomes = grade_class(*args, **kwargs)
            stack.enter_context(_locked(course.gradebook))
            return outcomes

        monkeypatch.setattr(autograde, "grade_class", grade_then_lock)
        status = grader_cli.main(["autograde", str(submitted), "--course", str(course.root),
                                  "--out", str(tmp_path / "grades.csv")])
        err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    message = [line for line in err.splitlines() if "gradebook" in line]
    assert len(message) == 1 and "locked" in message[0] and "again" in message[0], err
    assert [(r["student"], r["status"]) for r in _rows(tmp_path / "grades.csv")] == [("late", "graded")]
    assert "late" not in _students(course)


def test_a_folder_that_is_not_a_course_is_refused(tmp_path):
    with pytest.raises(CourseError):
        open_course(tmp_path)
    done = _grader("autograde", str(SUBMISSIONS / "absent"), "--course", str(tmp_path),
                   "--out", str(tmp_path / "g.csv"))
    assert done.returncode == 2 and "python -m grader course" in done.stderr


def test_bad_class_folders_are_named_and_what_can_be_graded_is_in_the_csv(course, tmp_path):
    submitted = tmp_path / "submitted"
    shutil.copytree(SUBMISSIONS / "full" / UNIT, submitted / "ok" / UNIT)
    shutil.copytree(SUBMISSIONS / "empty" / "02_rnn_unrolling", submitted / "ok" / "02_rnn_unrolling")
    shutil.copytree(SUBMISSIONS / "full" / UNIT, submitted / "bad id" / UNIT)  # nbgrader refuses it
    (submitted / "ok" / "99_nonsense").mkdir()
    done = _grader("autograde", str(submitted), "--course", str(course.root), "--out",
                   str(tmp_path / "grades.csv"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert any("not student ids" in line and "'bad id'" in line for line in lines), done.stderr
    assert any("not unit ids" in line and "99_nonsense" in line for line in lines), done.stderr
    refused = [line for line in lines if "gradebook" in line]  # this course's gradebook has unit 01 only
    assert len(refused) == 1 and "02_rnn_unrolling" in refused[0] and "python -m grader course" in refused[0]
    rows = {(r["student"], r["unit"]): r["status"] for r in _rows(tmp_path / "grades.csv")}
    assert rows == {("ok", UNIT): "graded", ("ok", "02_rnn_unrolling"): "graded"}
    assert "ok" not in _students(course)  # checked before anything was recorded: no class in part


def test_a_gradebook_of_another_course_is_refused(course, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(course.config, other / "nbgrader_config.py")
    with sqlite3.connect(other / "gradebook.db") as db:
        db.execute("CREATE TABLE course (id VARCHAR(128) PRIMARY KEY)")
        db.execute("INSERT INTO course VALUES ('ml101')")
    with pytest.raises(CourseError, match="belongs to course ml101"):
        open_course(other)
    done = _grader("autograde", str(SUBMISSIONS / "absent"), "--course", str(other),
                   "--out", str(tmp_path / "g.csv"))
    assert done.returncode == 2 and "ml101" in done.stderr and done.stderr.strip().count("\n") == 0
