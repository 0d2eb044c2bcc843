"""The grader on a fixed class of submissions whose scores are written down (tests/submissions)."""

import copy
import csv
import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader import release
from grader.autograde import Limits, grade_class, write_grades
from grader.cells import strip_hidden_tests, tampered_cells
from grader.feedback import write_feedback

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "tests" / "submissions"
EXPECTED = SUBMISSIONS / "expected.csv"
LIMITS = Limits(cell_timeout=20, notebook_timeout=300)  # generous: CI machines can be busy
# The tests that share `graded` run on one worker (make test: --dist loadgroup), which grades the
# fixture class once; the others are free to run beside them.
sharing_the_grades = pytest.mark.xdist_group("grader")
sys.path.insert(0, str(SUBMISSIONS))
import build as fixture_builder  # noqa: E402


def _read_csv(path: Path) -> list[dict]:
    with path.open() as f:
        return list(csv.DictReader(f))


def _notebooks(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text()
        for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in {".ipynb", ".keep"}
    }


def test_fixture_class_is_what_the_builder_makes_from_the_current_lab(tmp_path):
    fixture_builder.build(tmp_path)
    assert _notebooks(tmp_path) == _notebooks(SUBMISSIONS), "run: python tests/submissions/build.py"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the fixture class once, two at a time, with short limits."""
    return grade_class(SUBMISSIONS, jobs=2, limits=LIMITS)


@pytest.mark.grader
@sharing_the_grades
def test_every_submission_gets_its_expected_row(graded, tmp_path):
    out = tmp_path / "grades.csv"
    write_grades(graded, out)
    assert _read_csv(out) == _read_csv(EXPECTED)


@pytest.mark.grader
@sharing_the_grades
def test_breakdown_lists_every_test_with_points(graded, tmp_path):
    out = tmp_path / "grades.csv"
    records = json.loads(write_grades(graded, out).read_text())
    by_student = {r["student"]: r for r in records if r["unit"] == "01_sequences"}
    full = by_student["full"]
    assert len(full["tests"]) == 10 and all(t["passed"] for t in full["tests"])
    assert sum(t["points"] for t in full["tests"]) == full["score"] == 15
    half = {t["grade_id"]: t for t in by_student["half"]["tests"]}
    assert half["test_vectorize_hidden"]["passed"] and not half["test_get_batch_hidden"]["passed"]
    assert half["test_get_batch_hidden"]["error"] == "NotImplementedError"
    loops = {t["grade_id"]: t for t in by_student["loops"]["tests"]}
    assert loops["test_one_hot_visible"]["timed_out"] and loops["test_build_vocab_hidden"]["passed"]
    assert "kernel died" in by_student["dies"]["note"]
    assert by_student["edits_tests_right"]["tampered_cells"]


@pytest.mark.grader
@sharing_the_grades
def test_feedback_shows_results_but_never_hidden_test_source(graded, tmp_path):
    pages = write_feedback(graded, tmp_path)
    assert len(pages) == len(graded)
    source = nbformat.read(REPO / "solutions" / "01_sequences" / "01_sequences.ipynb", as_version=4)
    hidden_lines = {
        line.strip()
        for cell in source.cells if "### BEGIN HIDDEN TESTS" in cell.source
        for line in cell.source.splitlines()
        if line.strip() and line not in strip_hidden_tests(cell.source).splitlines()
        and not line.startswith("###")
    }
    assert len(hidden_lines) > 20
    for page in pages:
        text = page.read_text()
        leaked = [line for line in hidden_lines if line in text]
        assert not leaked, f"{page}: {leaked[:3]}"
        assert "BEGIN HIDDEN TESTS" not in text
    half = (tmp_path / "half" / "01_sequences" / "01_sequences.html").read_text()
    assert "test_get_batch_hidden" in half and "failed (NotImplementedError)" in half
    assert "[grader] test_vectorize_hidden: passed, 2 / 2 points" in half
    assert "6 / 15" in half
    assert "PASS  vectorize('hello') has shape (5,)" in half  # visible test output


@pytest.mark.grader
@sharing_the_grades
def test_feedback_withholds_outputs_that_quote_hidden_tests(graded, tmp_path):
    full = next(o for o in graded if o.student == "full" and o.unit == "01_sequences")
    source = nbformat.read(REPO / "solutions" / "01_sequences" / "01_sequences.ipynb", as_version=4)
    hidden_cell = next(c for c in source.cells if "### BEGIN HIDDEN TESTS" in c.source)
    quoted = next(ln for ln in hidden_cell.source.splitlines() if ln.startswith("assert"))
    spy = nbformat.v4.new_code_cell("print(In)")
    spy.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"['', {quoted!r}]")]
    spied = copy.deepcopy(full.executed)
    spied.cells.append(spy)
    (page,) = write_feedback([dataclasses.replace(full, executed=spied)], tmp_path)
    assert quoted not in page.read_text() and "output withheld" in page.read_text()


def test_tampered_cells_names_edited_and_deleted_locked_cells():
    lab = nbformat.read(REPO / "labs" / "01_sequences" / "01_sequences.ipynb", as_version=4)
    assert tampered_cells(lab, lab) == []
    edited = nbformat.read(REPO / "labs" / "01_sequences" / "01_sequences.ipynb", as_version=4)
    edited.cells[1].source += "\nprint('mine')"  # the locked set-up cell
    del edited.cells[4]  # test_build_vocab_visible
    assert tampered_cells(edited, lab) == ["setup", "test_build_vocab_visible"]


def test_release_check_spots_a_hand_edited_lab(tmp_path):
    labs = tmp_path / "labs"
    shutil.copytree(REPO / "labs", labs)
    assert release.release(check=True, labs=labs) == []
    path = labs / "01_sequences" / "01_sequences.ipynb"
    path.write_text(path.read_text().replace("YOUR CODE HERE", "your code here", 1))
    (labs / "01_sequences" / "notes.txt").write_text("extra")
    diffs = release.release(check=True, labs=labs)
    assert "01_sequences/01_sequences.ipynb (differs)" in diffs
    assert "01_sequences/notes.txt (not generated)" in diffs


@pytest.mark.grader
def test_command_line_autograde_and_feedback(tmp_path):
    submitted = tmp_path / "submitted"
    for student in ("full", "not_json", "absent"):
        shutil.copytree(SUBMISSIONS / student, submitted / student)
    run = [sys.executable, "-m", "grader"]
    done = subprocess.run([*run, "autograde", str(submitted), "--jobs", "2", "--out", str(tmp_path / "g.csv")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = {(r["student"], r["unit"]): r["status"] for r in _read_csv(tmp_path / "g.csv")}
    assert [rows[s, "01_sequences"] for s in ("absent", "full", "not_json")] == ["missing", "graded", "crashed"]
    done = subprocess.run([*run, "feedback", str(submitted), "--out", str(tmp_path / "fb")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fb" / "full" / "01_sequences" / "01_sequences.html").is_file()
    assert "crashed" in (tmp_path / "fb" / "not_json" / "01_sequences" / "01_sequences.html").read_text()


@pytest.mark.grader
@sharing_the_grades
def test_regrading_gives_the_same_rows(graded, tmp_path):
    for student in ("full", "half", "loops"):
        shutil.copytree(SUBMISSIONS / student, tmp_path / student)
    again = {(o.student, o.unit): o.row() for o in grade_class(tmp_path, jobs=2, limits=LIMITS)}
    first = {(o.student, o.unit): o.row() for o in graded if o.student in {"full", "half", "loops"}}
    assert again == first


def test_shards_cover_the_class_exactly_once():
    from grader.autograde import parse_shard, shard_of

    students = [f"s{i:02d}" for i in range(11)]
    shards = [shard_of(students, parse_shard(f"{k}/3")) for k in range(3)]
    assert sorted(sum(shards, [])) == students
    assert shards[1] == ["s01", "s04", "s07", "s10"]
    for bad in ("3/3", "-1/2", "a/b", "1"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_submissions_run_in_fast_mode_whatever_the_graders_environment(monkeypatch):
    """Unit 05's full training would pass the cell limit; tests never judge a trained model."""
    from grader.autograde import _kernel_env

    for outside in (None, "0"):
        if outside is None:
            monkeypatch.delenv("SEQLAB_FAST", raising=False)
        else:
            monkeypatch.setenv("SEQLAB_FAST", outside)
        assert _kernel_env()["SEQLAB_FAST"] == "1"
