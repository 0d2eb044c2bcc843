"""``python -m grader autograde SUBMITTED [--jobs N] [--shard K/N] [--out grades.csv] [--course DIR]``.

``SUBMITTED`` is nbgrader's layout ``SUBMITTED/<student>/<unit>/<unit>.ipynb``. Submissions are
graded by worker processes, one per job slot, each grading one submission after another
(``grader.submission.pool``, ``grader.submission.worker``): the student's code runs in a fresh
sandboxed kernel (``grader.submission.sandbox``) within CPU-time, wall-clock and memory limits, and
every test is decided in the worker, outside the kernel (``grader.submission.judge``). A broken or
hostile submission gets a row with its status and the batch goes on; ``--jobs N`` grades N at once.

Writes one CSV row per student and unit, ``student,unit,score,max_score,status``; beside it a
JSON file with the per-test breakdown (``grades.json``) and every graded notebook, made safe to
show (``grades.notebooks/<student>/<unit>/<unit>.ipynb``), from which ``python -m grader feedback``
writes its pages without grading again. With ``--course DIR`` every row is also recorded in the
nbgrader course folder DIR (``grader.gradebook``): its gradebook and ``autograded/``, for
formgrader, ``nbgrader export`` and ``nbgrader generate_feedback``; the CSV's ``score`` then
includes the manual grades already given there. Exits 0 when every submission got a row.
"""

import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from grader import gradebook
from grader.cells import max_points, read_notebook
from grader.course import CourseError, CourseFolder, open_course
from grader.environment import graded_kernel_environment
from grader.graded_notebook import graded_notebook
from grader.manifest import LABS, REPO, SOLUTIONS, UNIT_IDS, available_units, notebook_path
from grader.records import Outcome, Status
from grader.submission.job import Job, Limits
from grader.submission.pool import WorkerPool, worker_pool
from grader.submission.worker import WorkerResult


def max_score(unit: str) -> float:
    """Every point of the unit: its tests' and its written answers' (graded by hand)."""
    return max_points(read_notebook(notebook_path(SOLUTIONS, unit)))


STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}")  # nbgrader ids: folder and db key


def find_students(submitted: Path) -> list[str]:
    """The students' folders; a folder whose name cannot be a student id is reported and skipped."""
    names = sorted(p.name for p in submitted.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    bad = [n for n in names if not STUDENT_ID.fullmatch(n)]
    if bad:
        print(f"ignoring folders that are not student ids: {', '.join(map(repr, bad))}", file=sys.stderr)
    return [n for n in names if n not in bad]


def find_units(submitted: Path, students: list[str]) -> list[str]:
    """Units handed in by anyone in the class, in lecture order (the same for every shard)."""
    seen = {u.name for s in students for u in (submitted / s).iterdir() if u.is_dir()}
    unknown = sorted(seen - set(UNIT_IDS))
    if unknown:
        print(f"ignoring folders that are not unit ids: {', '.join(unknown)}", file=sys.stderr)
    return [u for u in available_units() if u in seen]


def shard_of(students: list[str], shard: tuple[int, int] | None) -> list[str]:
    """Students of shard ``K`` of ``N`` (0-based K): every N-th student of the sorted class."""
    if shard is None:
        return students
    k, n = shard
    return [s for i, s in enumerate(students) if i % n == k]


def _run_worker(job: Job, workers: WorkerPool) -> tuple[Status, str, WorkerResult | None]:
    """Have a worker grade ``job``; wait at most the notebook's wall-clock backstop."""
    job_file = job.job_dir / "job.json"
    job_file.write_text(job.to_json())
    end = workers.run(job_file, timeout=job.limits.notebook_wall)
    if end.timed_out:
        return Status.TIMEOUT, f"stopped after the notebook's wall-clock limit of {job.limits.notebook_wall:g} s", None
    if not end.done or not job.result_file.is_file():
        return Status.CRASHED, "the grader's worker failed: " + end.last_error, None
    result = WorkerResult.from_json(job.result_file.read_text())
    return result.status, result.note, result


def grade_submission(submitted: Path, student: str, unit: str, limits: Limits, hide: list[str],
                     workers: WorkerPool) -> Outcome:
    """Grade one notebook in one of ``workers``; never raises for a bad submission."""
    started = time.monotonic()
    outcome = Outcome(student, unit, 0.0, max_score(unit), Status.MISSING)
    path = notebook_path(submitted / student, unit)
    if not path.is_file():
        outcome.note = f"no {unit}/{unit}.ipynb in the student's folder"
        return outcome
    try:
        read_notebook(path)
    except ValueError as error:
        outcome.status, outcome.note = Status.CRASHED, str(error)
        return outcome

    job_dir = Path(tempfile.mkdtemp(prefix="seqlab-grade-"))
    os.chmod(job_dir, 0o711)  # the kernel's own folder inside is the only thing it may reach
    try:
        job = Job(student=student, unit=unit, job_dir=job_dir, submission=path.resolve(),
                  source=notebook_path(SOLUTIONS, unit), released=notebook_path(LABS, unit),
                  limits=limits, hide=tuple(hide), isolate=os.geteuid() == 0,
                  env=graded_kernel_environment())
        outcome.status, outcome.note, result = _run_worker(job, workers)
        if result is not None:
            outcome.tests, outcome.tampered = result.tests, result.tampered
            outcome.cpu_seconds, outcome.timings = result.cpu_seconds, result.timings
            outcome.score = sum(t.points for t in result.tests)
        if job.executed_file.is_file():
            outcome.executed = read_notebook(job.executed_file)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
        outcome.seconds = time.monotonic() - started
    return outcome


def grade_class(submitted: Path, jobs: int = 1, limits: Limits | None = None,
                shard: tuple[int, int] | None = None, hide: list[str] = ()) -> list[Outcome]:
    """Grade every submission under ``submitted``, ``jobs`` at a time; rows in a fixed order."""
    limits = limits or Limits()
    students = find_students(submitted)
    units = find_units(submitted, students)
    pairs = [(s, u) for s in shard_of(students, shard) for u in units]
    hidden = sorted({str(REPO), str(submitted.resolve()), *map(str, hide)})
    if os.geteuid() != 0:
        print("note: not running as root, so student kernels run as you, with time and memory "
              "limits but without the sandbox's isolation (see grader/README.md)", file=sys.stderr)
    worker_env = {**os.environ, "PATH": graded_kernel_environment()["PATH"]}
    with worker_pool(jobs, REPO, worker_env) as workers, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_submission, submitted, s, u, limits, hidden, workers) for s, u in pairs]
        outcomes = []
        for i, future in enumerate(futures, 1):
            o = future.result()
            print(f"[{i}/{len(futures)}] {o.student} {o.unit}: {o.score:g}/{o.max_score:g} "
                  f"{o.status} ({o.seconds:.1f} s){'  ' + o.note if o.note else ''}", flush=True)
            outcomes.append(o)
    return outcomes


def notebooks_folder(out: Path) -> Path:
    """Where the graded notebooks of ``out`` (``grades.csv``) are stored: ``grades.notebooks/``."""
    return out.with_suffix(".notebooks")


def write_grades(outcomes: list[Outcome], out: Path) -> Path:
    """Write the CSV to ``out``, the per-test breakdown to ``out`` with suffix ``.json`` and the
    graded notebooks, safe to show, to ``notebooks_folder(out)``; return the breakdown's path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "unit", "score", "max_score", "status"])
        writer.writerows(o.row() for o in outcomes)
    breakdown = out.with_suffix(".json")
    breakdown.write_text(json.dumps([o.to_record() for o in outcomes], indent=1) + "\n")
    folder = notebooks_folder(out)
    shutil.rmtree(folder, ignore_errors=True)
    for outcome in outcomes:
        if outcome.executed is not None or outcome.shown is not None:  # a notebook ran, or was stored
            path = notebook_path(folder / outcome.student, outcome.unit)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(outcome.shown or graded_notebook(outcome), str(path))
    return breakdown


def read_grades(out: Path) -> list[Outcome]:
    """The outcomes ``write_grades`` stored at ``out``, with their graded notebooks.

    Raises ``FileNotFoundError`` when ``out``'s breakdown is not there.
    """
    outcomes = []
    for record in json.loads(out.with_suffix(".json").read_text()):
        path = notebook_path(notebooks_folder(out) / record["student"], record["unit"])
        outcomes.append(Outcome.from_record(record, read_notebook(path) if path.is_file() else None))
    return outcomes


def record_in_course(outcomes: list[Outcome], submitted: Path, course: CourseFolder) -> int:
    """Record every outcome in the course's gradebook and ``autograded/``; each row's score
    becomes the gradebook's (manual grades included). Returns how many cells wait for a manual
    grade."""
    waiting, done = 0, 0
    for outcome in outcomes:
        try:
            recorded = gradebook.record(course, outcome, submitted, outcome.shown or graded_notebook(outcome))
        except gradebook.GradebookError as error:
            raise gradebook.GradebookError(f"{error}. {done} submissions were recorded before this; "
                                           "running autograde again records the rest") from None
        if recorded is not None:
            outcome.score, waiting, done = recorded.score, waiting + recorded.needs_manual_grade, done + 1
    return waiting


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 0 <= int(k) < int(n)):
        raise ValueError(f"--shard takes K/N with 0 <= K < N, got {text!r}")
    return int(k), int(n)


def add_class_arguments(parser) -> None:
    """The arguments ``autograde`` and ``feedback`` share: the class folder and the limits."""
    parser.add_argument("submitted", help="folder laid out as SUBMITTED/<student>/<unit>/<unit>.ipynb")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    parser.add_argument("--shard", metavar="K/N", help="grade only shard K (0-based) of N: every N-th student")
    parser.add_argument("--cell-cpu", type=float, default=Limits.cell_cpu,
                        help="CPU seconds a cell, or one call of a student's function by a test, may "
                             "use (default %(default)s)")
    parser.add_argument("--notebook-cpu", type=float, default=Limits.notebook_cpu,
                        help="CPU seconds a whole submission may use (default %(default)s)")
    parser.add_argument("--wall-factor", type=float, default=Limits.wall_factor,
                        help="wall-clock backstop, as a multiple of a CPU limit, for code that sleeps "
                             "or blocks (default %(default)s)")
    parser.add_argument("--memory-gb", type=float, default=Limits.memory_gb,
                        help="memory a student's kernel may use, in GiB (default %(default)s)")
    parser.add_argument("--course", metavar="DIR",
                        help="also record the grades in this nbgrader course folder (made by "
                             "`python -m grader course DIR`): gradebook.db and autograded/")


def grade_from_args(args, output: Path) -> list[Outcome] | None:
    """Grade the class named on the command line (``output`` and the course folder are hidden
    from the kernels); None, after a message, when a folder is not usable."""
    submitted = Path(args.submitted)
    if not submitted.is_dir():
        print(f"no such folder: {submitted}", file=sys.stderr)
        return None
    hide = [output.resolve()]
    if args.course:
        try:
            hide.append(open_course(Path(args.course)).root.resolve())
        except CourseError as error:
            print(error, file=sys.stderr)
            return None
    limits = Limits(args.cell_cpu, args.notebook_cpu, args.wall_factor, args.memory_gb)
    return grade_class(submitted, args.jobs, limits, parse_shard(args.shard), hide=hide)


def run(args) -> int:
    out = Path(args.out)
    outcomes = grade_from_args(args, out.parent)
    if outcomes is None:
        return 2
    for outcome in outcomes:  # made once: the gradebook's autograded/ and grades.notebooks/ share it
        if outcome.executed is not None:
            outcome.shown = graded_notebook(outcome)
    status = 0
    if args.course:
        try:  # checked again: formgrader may have locked the gradebook while the class was graded
            course = open_course(Path(args.course))
            gradebook.check_units(course, sorted({o.unit for o in outcomes if o.status != Status.MISSING}))
            waiting = record_in_course(outcomes, Path(args.submitted), course)
            print(f"recorded in {course.gradebook}: {sum(o.status != Status.MISSING for o in outcomes)} "
                  f"submissions; {waiting} written answers wait for a manual grade in formgrader")
        except (CourseError, gradebook.GradebookError) as error:  # the CSV is still written
            print(error, file=sys.stderr)
            status = 2
    breakdown = write_grades(outcomes, out)
    print(f"{len(outcomes)} rows written to {out}; per-test breakdown in {breakdown}; graded "
          f"notebooks in {notebooks_folder(out)}")
    return status


def add_arguments(commands) -> None:
    parser = commands.add_parser("autograde", help="grade every submission in SUBMITTED")
    add_class_arguments(parser)
    parser.add_argument("--out", default="grades.csv", help="CSV to write (default grades.csv)")
    parser.set_defaults(run=run)
