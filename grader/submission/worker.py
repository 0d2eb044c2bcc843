"""Grade submissions: ``python -m grader.submission.worker JOB.json``, or ``--serve`` (run by
``grader.submission.pool`` for ``grader.autograde``).

Each submission's cells run in a sandboxed kernel of its own, with locked cells restored from
the released lab; then the unit's tests are decided in this process (``grader.submission.judge``).
Writes ``result.json`` (a ``WorkerResult``) and ``executed.ipynb`` (the notebook as the student's
kernel ran it, for feedback) into the job's folder, which only the grader can read.

With ``--serve`` the worker grades one job after another: it reads a ``job.json`` path per line on
stdin and answers ``done`` on stdout when that job's result is written. Only the worker is kept
between jobs (its imports: TensorFlow, the tests' references, the corpus it has cleaned), never a
kernel: every submission still gets a fresh kernel in a fresh sandbox, and the judge's namespace
is made anew for each (``Judge.namespace``).
"""

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import nbformat
import psutil

from grader.cells import (
    is_setup_cell,
    read_notebook,
    restore_locked_cells,
    setup_imports,
    tampered_cells,
)
from grader.processes import kill_tagged
from grader.records import Problem, Status, TestResult, final_status
from grader.submission.forkserver import ForkServer
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
    # Wall-clock seconds of each stage: worker start (interpreter, imports, fork server, and the
    # imports the fork server adds for this lab, such as TensorFlow; about 0 for a worker that was
    # running already), kernel start (fork, sandbox and ipykernel), the lab's locked set-up cells
    # in the kernel (its imports), the student's cells, the judge's set-up (the tests' imports,
    # here; seconds only the first time in a worker), the tests. And CPU seconds: the kernel's
    # start (kernel_start_cpu) and this worker's own work for the job (worker_cpu).
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


def grade(job: Job, forkserver: ForkServer) -> WorkerResult:
    source, released = read_notebook(job.source), read_notebook(job.released)
    submitted = read_notebook(job.submission)
    tampered = tampered_cells(submitted, released)
    notebook = restore_locked_cells(submitted, released)
    kernel_dir = job.job_dir / "kernel"  # the kernel's scratch folder: a copy of the submission alone
    kernel_dir.mkdir(mode=0o700)
    nbformat.write(notebook, str(kernel_dir / job.submission.name))
    kernel = SandboxedKernel(job.job_dir, job.limits, job.env, forkserver, hide=job.hide, isolate=job.isolate)
    limit = f"the limit of {job.limits.cell_cpu:g} CPU seconds"
    problems, tests = [], []
    timings = {"setup_cells": 0.0, "student_cells": 0.0}
    if tampered:
        problems.append(Problem(Status.TAMPERED, "locked cells restored: " + ", ".join(tampered)))
    try:
        started = time.monotonic()
        kernel.start()
        timings["kernel_start"] = time.monotonic() - started
        timings["kernel_start_cpu"] = kernel.start_cpu_seconds
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


class Worker:
    """Grades jobs in turn with one fork server, started for the first job (and again if it dies
    or a job's kernels need another environment). Processes a job's kernel left behind are
    killed after the job (they carry the worker's tag, ``SEQLAB_GRADER_RUN``)."""

    def __init__(self):
        self.tag = os.environ.get("SEQLAB_GRADER_RUN")
        self.forkserver: ForkServer | None = None

    def _forkserver_for(self, env: dict[str, str]) -> ForkServer:
        if self.forkserver is None or not self.forkserver.alive or self.forkserver.env != env:
            if self.forkserver is not None:
                self.forkserver.close()
            self.forkserver = ForkServer(env)
        return self.forkserver

    def grade_file(self, job_file: Path, worker_start: float) -> None:
        """Grade the job in ``job_file`` and write its result; ``worker_start`` is the seconds this
        job waited for the worker to start (0 for a worker that was already running)."""
        job = Job.from_json(job_file.read_text())
        if self.tag:  # the kernels carry the worker's tag: whoever kills the worker kills them
            job = replace(job, env={**job.env, "SEQLAB_GRADER_RUN": self.tag})
        started = time.monotonic()
        forkserver = self._forkserver_for(job.env)
        forkserver.warm(setup_imports(read_notebook(job.released)))  # TensorFlow, once per server
        forkserver_start = time.monotonic() - started
        cpu_before = time.process_time()
        result = grade(job, forkserver)
        result.timings["worker_start"] = round(worker_start + forkserver_start, 3)
        # CPU seconds of this process for the job (the judge, its references, reading and writing
        # notebooks): with the kernel's cpu_seconds, what the submission cost whatever the load
        result.timings["worker_cpu"] = round(time.process_time() - cpu_before, 3)
        job.result_file.write_text(result.to_json())
        if self.tag:
            kill_tagged(self.tag, spare={os.getpid(), forkserver.pid})

    def close(self) -> None:
        if self.forkserver is not None:
            self.forkserver.close()


def serve() -> int:
    """Grade the jobs named on stdin, one per line, answering ``done`` for each on stdout. Anything
    else written to stdout (by this process or a kernel it starts) goes to stderr instead."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")  # not inherited by kernels
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    worker_start = time.time() - psutil.Process().create_time()  # interpreter start and imports
    worker = Worker()
    try:
        for line in sys.stdin:
            worker.grade_file(Path(line.strip()), worker_start)
            worker_start = 0.0
            replies.write("done\n")
            replies.flush()
    finally:
        worker.close()
    return 0


def main(argv: list[str]) -> int:
    if argv == ["--serve"]:
        return serve()
    worker = Worker()
    try:
        worker.grade_file(Path(argv[0]), time.time() - psutil.Process().create_time())
    finally:
        worker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
