"""Grading inside nbgrader: a course folder, grades in its gradebook and autograded/, nbgrader's
export and generate_feedback agreeing with the grader, manual grades kept, nbgrader's own
unsandboxed autograder refused, feedback from stored results."""

import csv
import shutil
import subprocess
import sys
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
    done = _grader("autograde", str(folder.submitted), "--course", str(root), "--jobs", "2",
                   "--out", str(root / "grades.csv"))
    assert done.returncode == 0, done.stderr
    return folder


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
    assert (tmp_path / "fb" / "not_json" / UNIT / f"{UNIT}.html").is_file()
    missing = _grader("feedback", str(course.submitted), "--out", str(tmp_path / "fb2"),
                      "--grades", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "grade first" in missing.stderr


def test_a_folder_that_is_not_a_course_is_refused(tmp_path):
    with pytest.raises(CourseError):
        open_course(tmp_path)
    done = _grader("autograde", str(SUBMISSIONS / "absent"), "--course", str(tmp_path),
                   "--out", str(tmp_path / "g.csv"))
    assert done.returncode == 2 and "python -m grader course" in done.stderr
