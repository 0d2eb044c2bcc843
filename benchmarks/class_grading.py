"""Grading a class: N synthetic students × every unit, ``--jobs 2``, against plain nbgrader.

``python -m benchmarks class`` (``SEQLAB_BENCH_STUDENTS=N``, default 6; ``SEQLAB_BENCH_NBGRADER=0``
skips the nbgrader comparison; ``SEQLAB_BENCH_UNITS=01_sequences,02_rnn_unrolling`` grades only
those units)

The class mixes full, half and empty answers (student i gets kind i mod 3); a student whose
answers are all ``pass`` measures the overhead floor. Prints, per unit, the seconds of one
submission (wall clock of the class divided by its submissions, ``--jobs 2``) and the CPU seconds
the submission's kernel used; the class total and what 100 students would take; and the ratio
against plain ``nbgrader autograde`` on the same submissions (serial, as nbgrader runs, unsandboxed:
only the course's own reference answers run there). Figures only: it never fails on them.

Issue 21's target: 100 students × 7 units in at most 30 minutes on 2 cores.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import nbformat

from grader.autograde import grade_class
from grader.cells import is_code_answer
from grader.manifest import available_units, notebook_path
from grader.nbgrader_runner import nbgrader, scratch_course
from grader.submission.job import Limits
from tests.submissions import build

KINDS = ("full", "half", "empty")
TARGET_CLASS, TARGET_MINUTES, TARGET_UNITS = 100, 30, 7


def submission(kind: str, unit: str) -> nbformat.NotebookNode:
    """A lab with the reference answers (``full``), the first half of them (``half``), none
    (``empty``: as released) or ``pass`` in every answer cell (``floor``)."""
    answers = build.reference_answers(unit)
    if kind == "half":
        answers = dict(list(answers.items())[: len(answers) // 2])
    elif kind == "empty":
        answers = {}
    elif kind == "floor":
        nb = build.lab(unit)
        for cell in nb.cells:
            if is_code_answer(cell):
                cell.source = "pass"
        return nb
    return build.answered(answers, unit)


def make_class(folder: Path, students: int, units: list[str], floor: bool = True) -> dict[str, str]:
    """Write the class into ``folder``; return student -> kind."""
    kinds = {f"s{i:03d}": KINDS[i % len(KINDS)] for i in range(students)}
    if floor:
        kinds["zz_floor"] = "floor"
    for student, kind in kinds.items():
        for unit in units:
            path = notebook_path(folder / student, unit)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(submission(kind, unit), str(path))
    return kinds


def nbgrader_seconds(folder: Path, units: list[str], students: list[str]) -> dict[str, float]:
    """Seconds plain ``nbgrader autograde`` takes for each unit's submissions (serial)."""
    seconds = {}
    for unit in units:
        course = scratch_course(unit, prefix="seqlab-bench-nbgrader-")
        try:
            done = nbgrader(["generate_assignment", unit, "--force"], course)
            if done.returncode != 0:
                print(f"nbgrader generate_assignment {unit} failed; skipped", file=sys.stderr)
                continue
            for student in students:
                shutil.copytree(folder / student / unit, course / "submitted" / student / unit)
            started = time.perf_counter()
            nbgrader(["autograde", unit, "--create", "--force"], course, timeout=7200)
            seconds[unit] = time.perf_counter() - started
        finally:
            shutil.rmtree(course, ignore_errors=True)
    return seconds


STAGES = ("worker_start", "kernel_start", "setup_cells", "student_cells", "judge_setup", "tests")


def print_where_the_time_goes(by_unit: dict[str, list], units: list[str]) -> None:
    """Per unit, the median wall-clock seconds of each stage of a submission (``--jobs 2``, so two
    submissions share the two cores), and the slowest test."""
    print("\nWhere the time goes (median seconds per submission; setup cells = the lab's locked "
          "imports in the kernel, judge set-up = the tests' imports in the worker):")
    print(f"{'unit':<22}" + "".join(f"{s:>14}" for s in STAGES) + f"{'other':>8}{'total':>8}  slowest test")
    for unit in units:
        rows = [o for o in by_unit[unit] if o.timings]
        if not rows:
            continue
        stage = {s: statistics.median(o.timings.get(s, 0.0) for o in rows) for s in STAGES}
        total = statistics.median(o.seconds for o in rows)
        other = statistics.median(o.seconds - sum(o.timings.get(s, 0.0) for s in STAGES) for o in rows)
        tests = [t for o in rows for t in o.tests]
        slowest = max(tests, key=lambda t: t.seconds, default=None)
        print(f"{unit:<22}" + "".join(f"{stage[s]:>14.2f}" for s in STAGES)
              + f"{other:>8.2f}{total:>8.2f}  "
              + (f"{slowest.grade_id} {slowest.seconds:.1f} s" if slowest else ""))


def print_cpu_projection(by_unit: dict[str, list], units: list[str], students: int) -> None:
    """CPU seconds per submission, the student's kernel and the grader's worker, and the class time
    they add up to on 2 cores: a figure that a busy machine does not change (wall-clock seconds do).
    Not counted: starting a worker and its fork server (once per job slot, a few seconds) and the
    grader's main process (printed after)."""
    print("\nCPU seconds per submission (median; start = the kernel's fork, sandbox and ipykernel; "
          "kernel = the student's notebook and the tests' calls; worker = the judge, its references "
          "and the notebooks it reads and writes):")
    print(f"{'unit':<22}{'start':>9}{'kernel':>9}{'worker':>9}{'total':>9}")
    total = 0.0
    for unit in units:
        cost = [(o.timings.get("kernel_start_cpu", 0.0), o.cpu_seconds, o.timings.get("worker_cpu", 0.0))
                for o in by_unit[unit]]
        start, kernel, worker = (statistics.median(c[i] for c in cost) for i in range(3))
        total += sum(sum(c) for c in cost)
        print(f"{unit:<22}{start:>9.2f}{kernel:>9.2f}{worker:>9.2f}{start + kernel + worker:>9.2f}")
    per_student = total / students
    minutes = per_student * TARGET_CLASS * TARGET_UNITS / len(units) / 2 / 60
    print(f"CPU: {per_student:.1f} s per student of {len(units)} units; {TARGET_CLASS} students x "
          f"{TARGET_UNITS} units on 2 cores: about {minutes:.0f} min of CPU (target {TARGET_MINUTES})")


def main() -> None:
    students = int(os.environ.get("SEQLAB_BENCH_STUDENTS", "6"))
    compare = os.environ.get("SEQLAB_BENCH_NBGRADER", "1") != "0"
    units = [u for u in available_units() if u in os.environ.get("SEQLAB_BENCH_UNITS", u).split(",")]
    folder = Path(tempfile.mkdtemp(prefix="seqlab-bench-class-"))
    try:
        kinds = make_class(folder, students, units)
        by_unit: dict[str, list] = defaultdict(list)
        started, grader_cpu = time.perf_counter(), time.process_time()
        outcomes = grade_class(folder, jobs=2, limits=Limits())
        wall, grader_cpu = time.perf_counter() - started, time.process_time() - grader_cpu
        for o in outcomes:
            by_unit[o.unit].append(o)
        ours_by_unit = {u: sum(o.seconds for o in by_unit[u]) / 2 for u in units}  # 2 jobs
        plain = nbgrader_seconds(folder, units, sorted(kinds)) if compare else {}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    n = len(kinds)
    print(f"\nGrading a class: {n} students ({students} full/half/empty + 1 all-pass) x {len(units)} "
          f"units, --jobs 2, {os.cpu_count()} cores, sandbox {'on' if os.geteuid() == 0 else 'off (not root)'}")
    print(f"{'unit':<22}{'s/submission':>13}{'floor s':>9}{'median kernel CPU s':>21}"
          f"{'nbgrader s/sub':>16}{'ratio':>7}")
    for unit in units:
        rows = by_unit[unit]
        floor = next(o.seconds for o in rows if o.student == "zz_floor")
        per_submission = ours_by_unit[unit] / len(rows)
        cpu = statistics.median(o.cpu_seconds for o in rows)
        theirs = plain.get(unit)
        ratio = f"{theirs / len(rows) / per_submission:>6.2f}x" if theirs else "     -"
        theirs_text = f"{theirs / len(rows):>16.1f}" if theirs else f"{'-':>16}"
        print(f"{unit:<22}{per_submission:>13.1f}{floor:>9.1f}{cpu:>21.1f}{theirs_text}{ratio}")
    print_where_the_time_goes(by_unit, units)
    per_student = wall / n
    projected = per_student * TARGET_CLASS * TARGET_UNITS / len(units) / 60
    print_cpu_projection(by_unit, units, n)
    print(f"the grader's main process: {grader_cpu:.1f} CPU s for the class "
          f"({grader_cpu / len(outcomes):.2f} s per submission)")
    wrong = [o for o in outcomes if kinds[o.student] == "full" and o.score != sum(
        t.max_points for t in o.tests)]
    print(f"class: {wall:.0f} s wall for {len(outcomes)} submissions ({per_student:.1f} s per student "
          f"of {len(units)} units); {TARGET_CLASS} students x {TARGET_UNITS} units would take about "
          f"{projected:.0f} min (target {TARGET_MINUTES})")
    if plain:
        print(f"plain nbgrader autograde (serial, unsandboxed): {sum(plain.values()):.0f} s for the same "
              f"class; ratio {sum(plain.values()) / wall:.2f}x")
    print(f"full-answer submissions not at full test marks: {len(wrong)}\n")
