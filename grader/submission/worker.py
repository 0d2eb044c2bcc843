"""Grade one submission: ``python -m grader.submission.worker JOB.json`` (run by ``grader.autograde``).

The submission's cells run in a sandboxed kernel, with locked cells restored from the released
lab; then the unit's tests are decided in this process (``grader.submission.judge``). Writes
``result.json`` (a ``WorkerResult``) and ``executed.ipynb`` (the notebook as the student's kernel
ran it, for feedback) into the job's folder, which only the grader can read.
"""

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import psutil

from grader.cells import is_setup_cell, read_notebook, restore_locked_cells, tampered_cells
from grader.records import Problem, Status, TestResult, final_status
from grader.submission.job import Job
from grader.submission.judge import Judge
from grader.submission.kernel import KernelGone, RunState, SandboxedKernel


@dataclass
class WorkerResult:
    """What the worker reports to ``autograde`` (as ``result.json``)."""

    status: Status
    note: str
    tests: list[TestResult] = field(default_factory=list)
    tampered: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the notebook's and the tests' CPU time in the kernel
    # Wall-clock seconds of each stage: worker start (interpreter and imports), kernel start
    # (sandbox and ipykernel), the lab's locked set-up cells in the kernel (its imports), the
    # student's cells, the judge's set-up (the tests' imports, here), the tests.
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "WorkerResult":
        record = json.loads(text)
        record["status"] = Status(record["status"])
        record["tests"] = [TestResult(**t) for t in record["tests"]]
        return cls(**record)


def _ran_out_of_memory(notebook: nbformat.NotebookNode, tests: list[TestResult]) -> bool:
    in_cells = any(o.get("ename") == "MemoryError" for c in notebook.cells for o in c.get("outputs", []))
    return in_cells or any(t.error == "MemoryError" for t in tests)


def grade(job: Job) -> WorkerResult:
    source, released = read_notebook(job.source), read_notebook(job.released)
    submitted = read_notebook(job.submission)
    tampered = tampered_cells(submitted, released)
    notebook = restore_locked_cells(submitted, released)
    kernel_dir = job.job_dir / "kernel"  # the kernel's scratch folder: a copy of the submission alone
    kernel_dir.mkdir(mode=0o700)
    nbformat.write(notebook, str(kernel_dir / job.submission.name))
    kernel = SandboxedKernel(job.job_dir, job.limits, job.env, hide=job.hide, isolate=job.isolate)
    limit = f"the limit of {job.limits.cell_cpu:g} CPU seconds"
    problems, tests = [], []
    timings = {"setup_cells": 0.0, "student_cells": 0.0}
    if tampered:
        problems.append(Problem(Status.TAMPERED, "locked cells restored: " + ", ".join(tampered)))
    try:
        started = time.monotonic()
        kernel.start()
        timings["kernel_start"] = time.monotonic() - started
        count, cell_timed_out = 0, False
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            count += 1
            started = time.monotonic()
            done = kernel.execute(cell.source, job.limits.cell_cpu)
            timings["setup_cells" if is_setup_cell(cell) else "student_cells"] += time.monotonic() - started
            cell.outputs, cell.execution_count = done.outputs, count
            cell_timed_out |= done.state == RunState.TIMEOUT
            if kernel.dead:
                break
        if kernel.dead and cell_timed_out:
            problems.append(Problem(Status.TIMEOUT, f"a cell ran past {limit} and ignored the interrupt"))
        elif kernel.dead:
            problems.append(Problem(Status.CRASHED, "the kernel died while running the notebook"))
        else:
            judge, started = Judge(kernel, source, job.limits.cell_cpu), time.monotonic()
            tests = judge.run()
            timings["judge_setup"] = judge.setup_seconds
            timings["tests"] = time.monotonic() - started - judge.setup_seconds
            if any(t.kernel_died for t in tests):
                problems.append(Problem(Status.CRASHED, "the kernel died while the tests ran"))
            if cell_timed_out or any(t.timed_out for t in tests):
                problems.append(Problem(Status.TIMEOUT, f"code ran past {limit}"))
        if _ran_out_of_memory(notebook, tests):
            problems.insert(0, Problem(Status.CRASHED, f"ran out of memory (limit {job.limits.memory_gb:g} GiB)"))
    except KernelGone as error:
        problems.append(Problem(Status.CRASHED, str(error)))
    finally:
        cpu = kernel.cpu_seconds() if not kernel.dead else 0.0
        kernel.stop()
    nbformat.write(notebook, str(job.executed_file))
    verdict = final_status(problems)
    return WorkerResult(verdict.status, verdict.note, tests, tampered, round(cpu, 2),
                        {k: round(v, 3) for k, v in timings.items()})


def main(argv: list[str]) -> int:
    job = Job.from_json(Path(argv[0]).read_text())
    worker_start = time.time() - psutil.Process().create_time()  # interpreter start and imports
    result = grade(job)
    result.timings["worker_start"] = round(worker_start, 3)
    job.result_file.write_text(result.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
