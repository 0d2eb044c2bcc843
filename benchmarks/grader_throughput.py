"""Grading throughput: a class of 20 full unit-01 submissions, serial vs ``--jobs 2``.

Target (issue 8): ``--jobs 2`` grades at least 1.8x as many submissions per minute as serial
grading on 2 cores. Prints a table; exits normally whatever the figures.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from grader.autograde import grade_class
from grader.submission.job import Limits
from tests.submissions import build

UNIT = "01_sequences"
CLASS_SIZE = 20


def make_class(folder: Path, size: int) -> None:
    notebook = build.answered(build.reference_answers(UNIT), UNIT)
    for i in range(size):
        path = folder / f"student{i:02d}" / UNIT / f"{UNIT}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(notebook, str(path))


def timed_grading(folder: Path, jobs: int) -> tuple[float, list]:
    started = time.perf_counter()
    outcomes = grade_class(folder, jobs=jobs, limits=Limits())
    return time.perf_counter() - started, outcomes


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="seqlab-bench-class-"))
    try:
        make_class(folder, CLASS_SIZE)
        rows = []
        for jobs in (1, 2):
            seconds, outcomes = timed_grading(folder, jobs)
            full = sum(o.status == "graded" and o.score == o.max_score for o in outcomes)
            rows.append((jobs, seconds, CLASS_SIZE / seconds * 60, full))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    serial = rows[0][1]
    print(f"\nGrading throughput: {CLASS_SIZE} full submissions of unit {UNIT}, "
          f"{os.cpu_count()} cores, sandbox {'on' if os.geteuid() == 0 else 'off (not root)'}")
    print(f"{'jobs':>5} {'seconds':>9} {'per minute':>11} {'speed-up':>9} {'full marks':>11}")
    for jobs, seconds, per_minute, full in rows:
        print(f"{jobs:>5} {seconds:>9.1f} {per_minute:>11.1f} {serial / seconds:>8.2f}x {full:>8}/{CLASS_SIZE}")
    print("target: --jobs 2 at least 1.80x serial\n")
