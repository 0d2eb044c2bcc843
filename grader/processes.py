"""Subprocesses with a wall-clock limit that take everything they started with them.

A process started here runs in a session of its own, tagged through its environment
(``SEQLAB_GRADER_RUN``); on time-out, and again when it ends, every process carrying the tag is
killed, kernels included (they start sessions of their own, so a process group is not enough).
"""

import subprocess
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass
class Completed:
    """How a limited subprocess ended."""

    returncode: int | None  # None when it was killed for running out of time
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def kill_tagged(tag: str, spare: Collection[int] = ()) -> None:
    """Kill every process whose environment carries ``SEQLAB_GRADER_RUN=tag`` (kernels included),
    except the processes ``spare``."""
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.pid not in spare and proc.environ().get("SEQLAB_GRADER_RUN") == tag:
                proc.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue


def run_limited(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Completed:
    """Run ``args`` in ``cwd``; after ``timeout`` seconds kill it and everything it started."""
    tag = uuid.uuid4().hex
    env = {**env, "SEQLAB_GRADER_RUN": tag}
    proc = subprocess.Popen(
        args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        result = Completed(proc.returncode, out, err)
    except subprocess.TimeoutExpired:
        kill_tagged(tag)
        out, err = proc.communicate()
        result = Completed(None, out, err)
    kill_tagged(tag)  # a kernel left behind by a crashed child
    return result
