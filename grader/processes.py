"""Subprocesses with a wall-clock limit that take everything they started with them.

A process started here runs in a session of its own, tagged through its environment
(``SEQLAB_GRADER_RUN``); on time-out, and again when it ends, every process carrying the tag is
killed, kernels included (they start sessions of their own, so a process group is not enough).
"""

import subprocess
import time
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


def kill_tagged(tag: str, spare: Collection[int] = (), settle: float = 5.0) -> None:
    """Kill every process whose environment carries ``SEQLAB_GRADER_RUN=tag`` (kernels included),
    except the processes ``spare``, and return once they are gone.

    SIGKILL is delivered asynchronously, and a fork server may fork a kernel while the process
    table is read; so the table is read again after each round of kills, until a round finds
    nothing alive (a zombie waiting for its parent counts as gone) or ``settle`` seconds pass.
    """
    deadline = time.monotonic() + settle
    while True:
        alive = [proc for proc in _tagged(tag) if proc.pid not in spare]
        if not alive or time.monotonic() > deadline:
            return
        for proc in alive:
            try:
                proc.kill()
            except psutil.Error:
                continue
        while any(_running(proc) for proc in alive) and time.monotonic() < deadline:
            time.sleep(0.01)


def _tagged(tag: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get("SEQLAB_GRADER_RUN") == tag:
                found.append(proc)
        except psutil.Error:  # gone, a zombie, or not ours to read
            continue
    return found


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


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
