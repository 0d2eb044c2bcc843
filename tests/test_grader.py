"""The grader on a fixed class of submissions whose scores are written down (tests/submissions)."""

import contextlib
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
from grader.autograde import grade_class, write_grades
from grader.cells import strip_hidden_tests, tampered_cells
from grader.feedback import write_feedback
from grader.manifest import BY_ID, available_units
from grader.submission.job import Limits
from tests.notebook_checks import run_problems
from tests.submissions import build as fixture_builder

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "tests" / "submissions"
# CPU seconds: the same verdicts on a busy machine. The heaviest honest cell of the fixture class is
# unit 05's training in fast mode, about 5 CPU s; a cell limit twice that keeps each endless loop short.
LIMITS = Limits(cell_cpu=10, notebook_cpu=300)
# The tests that share `graded` run on one worker (make test: --dist loadgroup), which grades the
# fixture class once; the others are free to run beside them.
sharing_the_grades = pytest.mark.xdist_group("grader")


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
    assert _notebooks(tmp_path) == _notebooks(SUBMISSIONS), "run: python -m tests.submissions.build"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the fixture class once, two at a time, with short limits."""
    return grade_class(SUBMISSIONS, jobs=2, limits=LIMITS)


@pytest.mark.grader
@sharing_the_grades
def test_every_submission_gets_its_expected_row(graded, tmp_path):
    out = tmp_path / "grades.csv"
    write_grades(graded, out)
    assert _read_csv(out) == fixture_builder.expected_rows()


@pytest.mark.grader
@sharing_the_grades
def test_every_lab_runs_cleanly_with_the_reference_answers_and_passes_every_test(graded):
    """The reference answers of every lab, run top to bottom where they are graded (the ``full``
    student): no error and no stderr in any cell, every test (visible and hidden) passed. This is
    the run of each lab's solution that CI makes (tests/test_notebooks.py runs the walkthroughs)."""
    full = {o.unit: o for o in graded if o.student == "full"}
    assert sorted(full) == available_units()
    for unit, outcome in full.items():
        assert outcome.executed is not None, unit
        problems = run_problems(outcome.executed)
        assert not problems, f"{unit}: " + "\n".join(problems)
        assert outcome.tests and all(t.passed for t in outcome.tests), (
            unit, [t.grade_id for t in outcome.tests if not t.passed])
        ran = [c for c in outcome.executed.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in ran), f"{unit}: not every cell ran"


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
    assert loops["test_bag_of_words_hidden"]["timed_out"] and loops["test_bag_of_words_visible"]["passed"]
    assert loops["test_build_vocab_hidden"]["passed"]
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
    assert f"6 / {BY_ID['01_sequences'].points:g}" in half  # written answers count in max_score
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


@pytest.mark.grader
def test_labs_are_what_release_generates_and_a_hand_edit_is_spotted(tmp_path):
    """One generation of every lab: the committed labs/ match it, except the two hand edits."""
    labs = tmp_path / "labs"
    shutil.copytree(REPO / "labs", labs)
    path = labs / "01_sequences" / "01_sequences.ipynb"
    path.write_text(path.read_text().replace("YOUR CODE HERE", "your code here", 1))
    (labs / "01_sequences" / "notes.txt").write_text("extra")
    assert release.release(check=True, labs=labs) == [
        "01_sequences/notes.txt (not generated)", "01_sequences/01_sequences.ipynb (differs)",
    ], "labs/ is out of date with solutions/: run python -m grader release"


@contextlib.contextmanager
def busy_processes(n: int):
    """``n`` processes spinning on the CPU beside the grader, as on a busy grading server."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.grader
@sharing_the_grades
def test_regrading_on_a_busy_machine_gives_the_same_rows(graded, tmp_path):
    """Limits are CPU seconds, so three spinning processes beside the grader (two jobs on two
    cores) change no score and no status: not the full unit 05 (the heaviest, once re-graded as a
    timeout under wall-clock limits), nor the half marks, nor the endless loop's timeout."""
    again_pairs = {("full", "05_music_generation"), ("half", "01_sequences"), ("loops", "01_sequences")}
    for student, unit in again_pairs:
        shutil.copytree(SUBMISSIONS / student / unit, tmp_path / student / unit)
    with busy_processes(3):
        again = {(o.student, o.unit): o.row() for o in grade_class(tmp_path, jobs=2, limits=LIMITS)
                 if (o.student, o.unit) in again_pairs}
    first = {(o.student, o.unit): o.row() for o in graded if (o.student, o.unit) in again_pairs}
    assert len(first) == 3 and again == first


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
    from grader.environment import graded_kernel_environment

    for outside in (None, "0"):
        if outside is None:
            monkeypatch.delenv("SEQLAB_FAST", raising=False)
        else:
            monkeypatch.setenv("SEQLAB_FAST", outside)
        assert graded_kernel_environment()["SEQLAB_FAST"] == "1"
