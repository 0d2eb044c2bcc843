"""grader.submission.pool: a worker that dies or overruns is replaced, and takes everything it
started (its fork server and kernels) with it."""

import os
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from grader.environment import graded_kernel_environment
from grader.manifest import LABS, REPO, SOLUTIONS, notebook_path
from grader.submission.job import Job, Limits
from grader.submission.pool import worker_pool
from grader.submission.worker import WorkerResult

pytestmark = pytest.mark.grader
SUBMISSIONS = Path(__file__).parent / "submissions"
UNIT = "01_sequences"


def _job_file(student: str) -> Path:
    job_dir = Path(tempfile.mkdtemp(prefix="seqlab-pool-"))
    os.chmod(job_dir, 0o711)
    job = Job(student=student, unit=UNIT, job_dir=job_dir,
              submission=notebook_path(SUBMISSIONS / student, UNIT).resolve(),
              source=notebook_path(SOLUTIONS, UNIT), released=notebook_path(LABS, UNIT),
              limits=Limits(cell_cpu=20, notebook_cpu=300), hide=(str(REPO),),
              isolate=os.geteuid() == 0, env=graded_kernel_environment())
    (job_dir / "job.json").write_text(job.to_json())
    return job_dir / "job.json"


def _tagged(tag: str) -> list[int]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get("SEQLAB_GRADER_RUN") == tag:
                found.append(proc.pid)
        except psutil.Error:
            continue
    return found


def test_a_worker_grades_jobs_in_turn_and_a_broken_one_is_replaced(tmp_path):
    env = {**os.environ, "PATH": graded_kernel_environment()["PATH"]}
    with worker_pool(1, REPO, env) as pool:
        first = _job_file("full")
        assert pool.run(first, timeout=300).done
        worker = pool._all[0]
        assert WorkerResult.from_json((first.parent / "result.json").read_text()).tests
        assert pool.run(_job_file("half"), timeout=300).done and pool._all == [worker]  # the same worker

        end = pool.run(tmp_path / "no-such-job.json", timeout=300)
        assert not end.done and not end.timed_out and "FileNotFoundError" in end.last_error
        assert _tagged(worker.tag) == []  # the worker, its fork server: gone
        assert pool.run(_job_file("full"), timeout=300).done and len(pool._all) == 2


def test_a_worker_past_the_wall_clock_backstop_is_killed_with_everything_it_started():
    env = {**os.environ, "PATH": graded_kernel_environment()["PATH"]}
    with worker_pool(1, REPO, env) as pool:
        started = time.monotonic()
        end = pool.run(_job_file("loops"), timeout=8)  # a loop that ignores interrupts, 8 s of wall
        assert end.timed_out and not end.done and time.monotonic() - started < 30
        assert _tagged(pool._all[0].tag) == []
