"""``python -m grader autograde SUBMITTED [--jobs N] [--out grades.csv]``.

``SUBMITTED`` is nbgrader's layout ``SUBMITTED/<student>/<unit>/<unit>.ipynb``. Each submission is
graded by nbgrader in a scratch course folder of its own (a copy of the notebook alone, its own
gradebook), in a subprocess with a per-cell and a per-notebook time limit, so a broken submission
(not JSON, a dead kernel, an endless loop) gets a row with its status and the batch goes on.

Writes one CSV row per student and unit, ``student,unit,score,max_score,status``, and beside it a
JSON file with the per-test breakdown. Exits 0 when every submission got a row.
"""

import csv
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from grader.cells import TestResult, read_notebook, score_tests, tampered_cells
from grader.course import UNIT_IDS, available_units, generate_assignment, nbgrader, notebook_path

STATUSES = ("graded", "timeout", "crashed", "missing", "tampered")


@dataclass
class Limits:
    cell_timeout: int = 60  # seconds per cell
    notebook_timeout: int = 600  # seconds of wall clock per submission


@dataclass
class Outcome:
    """The grade of one student's submission of one unit."""

    student: str
    unit: str
    score: float
    max_score: float
    status: str
    tests: list[TestResult] = field(default_factory=list)
    tampered: list[str] = field(default_factory=list)  # grade ids of restored locked cells
    note: str = ""
    seconds: float = 0.0
    autograded: nbformat.NotebookNode | None = None  # the executed notebook, for feedback

    def row(self) -> list[str]:
        return [self.student, self.unit, f"{self.score:g}", f"{self.max_score:g}", self.status]


@dataclass
class UnitTemplate:
    """What grading a unit needs, made once per batch by nbgrader's generate_assignment."""

    unit: str
    course: Path  # scratch course with source/<unit>/ and gradebook.db
    source: nbformat.NotebookNode  # the reference notebook (with hidden tests)
    released: nbformat.NotebookNode  # the student version, for spotting edited locked cells

    @classmethod
    def build(cls, unit: str) -> "UnitTemplate":
        course = generate_assignment(unit)
        return cls(
            unit=unit,
            course=course,
            source=read_notebook(notebook_path(course / "source", unit)),
            released=read_notebook(notebook_path(course / "release", unit)),
        )

    @property
    def max_score(self) -> float:
        return sum(t.max_points for t in score_tests(self.source, self.source))


def find_submissions(submitted: Path) -> list[tuple[str, str]]:
    """Every (student, unit) pair to grade: each student folder times each unit seen in the batch."""
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir() and not p.name.startswith("."))
    seen = {u.name for s in students for u in (submitted / s).iterdir() if u.is_dir()}
    units = [u for u in available_units() if u in seen]
    unknown = sorted(seen - set(UNIT_IDS))
    if unknown:
        print(f"ignoring folders that are not unit ids: {', '.join(unknown)}", file=sys.stderr)
    return [(s, u) for s in students for u in units]


def grade_submission(submitted: Path, student: str, template: UnitTemplate, limits: Limits) -> Outcome:
    """Grade one notebook in a scratch course folder; never raises for a bad submission."""
    unit, started = template.unit, time.monotonic()
    outcome = Outcome(student, unit, 0.0, template.max_score, "missing")
    path = notebook_path(submitted / student, unit)
    if not path.is_file():
        outcome.note = f"no {unit}/{unit}.ipynb in the student's folder"
        return outcome
    try:
        notebook = read_notebook(path)
    except ValueError as error:
        outcome.status, outcome.note = "crashed", str(error)
        return outcome
    outcome.tampered = tampered_cells(notebook, template.released)

    work = Path(tempfile.mkdtemp(prefix=f"seqlab-grade-{unit}-"))
    try:
        shutil.copy(template.course / "nbgrader_config.py", work)
        shutil.copy(template.course / "gradebook.db", work)
        shutil.copytree(template.course / "source", work / "source")
        target = notebook_path(work / "submitted" / student, unit)
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
        done = nbgrader(
            ["autograde", unit, "--student", student, "--force",
             f"--Execute.timeout={limits.cell_timeout}"],
            work,
            timeout=limits.notebook_timeout,
        )
        result = notebook_path(work / "autograded" / student, unit)
        if done.timed_out:
            outcome.status = "timeout"
            outcome.note = f"stopped after the notebook limit of {limits.notebook_timeout} s"
        elif done.returncode != 0 or not result.is_file():
            outcome.status = "crashed"
            outcome.note = _last_error_line(done.stdout + done.stderr)
        else:
            outcome.autograded = read_notebook(result)
            outcome.tests = score_tests(outcome.autograded, template.source)
            outcome.score = sum(t.points for t in outcome.tests)
            if outcome.tampered:
                outcome.status = "tampered"
                outcome.note = "locked cells restored: " + ", ".join(outcome.tampered)
            elif any(t.timed_out for t in outcome.tests):
                outcome.status = "timeout"
                outcome.note = f"a cell ran past the cell limit of {limits.cell_timeout} s"
            else:
                outcome.status = "graded"
    finally:
        shutil.rmtree(work, ignore_errors=True)
        outcome.seconds = time.monotonic() - started
    return outcome


def _last_error_line(log: str) -> str:
    """A one-line reason for a failed nbgrader run, for the instructor's breakdown."""
    if "DeadKernelError" in log or "Kernel died" in log:
        return "the kernel died while running the notebook"
    lines = [ln.strip() for ln in log.splitlines() if "Error" in ln and "see the the above" not in ln]
    return (lines[-1] if lines else "nbgrader failed")[:300]


def grade_class(submitted: Path, jobs: int = 1, limits: Limits | None = None) -> list[Outcome]:
    """Grade every submission under ``submitted``, ``jobs`` at a time; rows in a fixed order."""
    limits = limits or Limits()
    pairs = find_submissions(submitted)
    templates = {unit: UnitTemplate.build(unit) for unit in dict.fromkeys(u for _, u in pairs)}
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [
                pool.submit(grade_submission, submitted, student, templates[unit], limits)
                for student, unit in pairs
            ]
            outcomes = []
            for i, future in enumerate(futures, 1):
                o = future.result()
                print(f"[{i}/{len(futures)}] {o.student} {o.unit}: {o.score:g}/{o.max_score:g} "
                      f"{o.status} ({o.seconds:.1f} s){'  ' + o.note if o.note else ''}", flush=True)
                outcomes.append(o)
    finally:
        for template in templates.values():
            shutil.rmtree(template.course, ignore_errors=True)
    return outcomes


def write_grades(outcomes: list[Outcome], out: Path) -> Path:
    """Write the CSV to ``out`` and the per-test breakdown to ``out`` with suffix ``.json``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "unit", "score", "max_score", "status"])
        writer.writerows(o.row() for o in outcomes)
    breakdown = out.with_suffix(".json")
    records = [
        {
            "student": o.student, "unit": o.unit, "score": o.score, "max_score": o.max_score,
            "status": o.status, "note": o.note, "tampered_cells": o.tampered,
            "seconds": round(o.seconds, 2), "tests": [asdict(t) for t in o.tests],
        }
        for o in outcomes
    ]
    breakdown.write_text(json.dumps(records, indent=1) + "\n")
    return breakdown


def add_limit_arguments(parser) -> None:
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    parser.add_argument("--cell-timeout", type=int, default=Limits.cell_timeout,
                        help="seconds a cell may run (default %(default)s)")
    parser.add_argument("--timeout", type=int, default=Limits.notebook_timeout,
                        help="seconds a whole submission may run (default %(default)s)")


def run(args) -> int:
    submitted = Path(args.submitted)
    if not submitted.is_dir():
        print(f"no such folder: {submitted}", file=sys.stderr)
        return 2
    outcomes = grade_class(submitted, args.jobs, Limits(args.cell_timeout, args.timeout))
    breakdown = write_grades(outcomes, Path(args.out))
    print(f"{len(outcomes)} rows written to {args.out}; per-test breakdown in {breakdown}")
    return 0


def add_arguments(commands) -> None:
    parser = commands.add_parser("autograde", help="grade every submission in SUBMITTED")
    parser.add_argument("submitted", help="folder laid out as SUBMITTED/<student>/<unit>/<unit>.ipynb")
    parser.add_argument("--out", default="grades.csv", help="CSV to write (default grades.csv)")
    add_limit_arguments(parser)
    parser.set_defaults(run=run)
