"""The worker processes ``autograde`` keeps: one per job slot, each grading one job after another.

A worker (``python -m grader.submission.worker --serve``) pays for its start-up once: the
interpreter, the grader's imports, TensorFlow and the tests' references. Each job still gets a
kernel of its own in a fresh sandbox; only the worker, which never runs a student's code, is kept.
A worker that runs past a job's wall-clock backstop, or dies, is killed with everything it started
(its tag, ``grader.processes``) and the next job gets a new one; so does every
``JOBS_PER_WORKER``-th job, to bound what a long-lived worker could accumulate.
"""

import os
import queue
import select
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader.processes import kill_tagged

JOBS_PER_WORKER = 50  # a worker is replaced after this many jobs
LOG_TAIL = 4096  # bytes of a dead worker's stderr read for its last line


@dataclass
class JobEnd:
    """How a job ended in a worker: done (its result file is written), out of time, or the worker died."""

    done: bool
    timed_out: bool = False
    last_error: str = ""  # the last line the worker wrote on stderr, when it died


class WorkerProcess:
    """One ``--serve`` worker, started in a session of its own and tagged (``SEQLAB_GRADER_RUN``)."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.tag = uuid.uuid4().hex
        self.jobs = 0
        self._log = tempfile.TemporaryFile()  # the worker's stderr (and its kernels'): read on a death
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.submission.worker", "--serve"], cwd=cwd,
            env={**env, "SEQLAB_GRADER_RUN": self.tag}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, start_new_session=True)

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def run(self, job_file: Path, timeout: float) -> JobEnd:
        """Give the worker ``job_file``; wait at most ``timeout`` wall-clock seconds for ``done``."""
        self.jobs += 1
        self._log.seek(0)
        self._log.truncate()
        try:
            self._proc.stdin.write(f"{job_file}\n".encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._died()
        deadline = time.monotonic() + timeout
        reply = self._proc.stdout.fileno()
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([reply], [], [], left)
            if ready:
                line = self._proc.stdout.readline()
                return JobEnd(done=True) if line == b"done\n" else self._died()
        self.kill()
        return JobEnd(done=False, timed_out=True)

    def _died(self) -> JobEnd:
        self._end_processes()
        self._log.seek(max(0, self._log.seek(0, os.SEEK_END) - LOG_TAIL))
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        self.kill()
        return JobEnd(done=False, last_error=(lines or ["?"])[-1][:300])

    def _end_processes(self) -> None:
        kill_tagged(self.tag)
        self._proc.kill()
        self._proc.wait()

    def kill(self) -> None:
        """End the worker and every process it started."""
        self._end_processes()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:  # a write to a dead worker may still be buffered
                pass
        self._log.close()

    def close(self) -> None:
        """Let the worker finish (stdin closed), then end it and what it started."""
        if self.alive:
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()


class WorkerPool:
    """Up to ``size`` workers, started when first needed; ``run`` takes an idle one for a job."""

    def __init__(self, size: int, cwd: Path, env: dict[str, str]):
        self.cwd, self.env = cwd, env
        self._idle: queue.LifoQueue[WorkerProcess | None] = queue.LifoQueue()
        for _ in range(max(1, size)):
            self._idle.put(None)  # a slot whose worker is not started yet
        self._all: list[WorkerProcess] = []

    def run(self, job_file: Path, timeout: float) -> JobEnd:
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive or worker.jobs >= JOBS_PER_WORKER:
                if worker is not None:
                    worker.close()
                worker = WorkerProcess(self.cwd, self.env)
                self._all.append(worker)
            end = worker.run(job_file, timeout)
            if not end.done:
                worker = None  # killed: the slot starts a new worker for its next job
            return end
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in self._all:
            worker.close()


@contextmanager
def worker_pool(size: int, cwd: Path, env: dict[str, str]) -> Iterator[WorkerPool]:
    pool = WorkerPool(size, cwd, env)
    try:
        yield pool
    finally:
        pool.close()
