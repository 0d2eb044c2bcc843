"""A student's kernel, started in the sandbox, driven cell by cell within CPU-time limits.

``execute`` runs code and collects its outputs as nbformat outputs; ``call`` and ``probe`` run the
student's code on test inputs and bring back only plain data (``grader.submission.protocol``).

Time is the CPU time of the kernel's whole process tree (its cgroup's counter; without a cgroup,
the tree's processes as psutil sees them), so a cell gets the same verdict on a quiet laptop and a
busy server. A cell is interrupted when it has used its CPU budget, or, as a backstop for code
that sleeps or blocks, when it has run ``wall_factor`` times that budget in wall-clock time; a
kernel that ignores the interrupt is killed. The whole notebook has a CPU budget of its own.
"""

import ast
import json
import os
import queue
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import nbformat
import numpy as np
import psutil
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from grader.submission import protocol, sandbox
from grader.submission.forkserver import ForkServer, ForkServerGone
from grader.submission.job import Limits, SandboxSpec

MAX_OUTPUT_CHARS = 200_000  # per cell; a student printing gigabytes cannot swamp the grader
INTERRUPT_GRACE = 10.0  # wall-clock seconds a kernel gets to answer an interrupt before it is killed
POLL = 0.2  # seconds between looks at the kernel's messages and CPU time
FILE_BYTES = 256 * 1024**2
MAX_PIDS = 1024
HIDDEN_ALWAYS = ("/root", "/home", "/tmp", "/var/tmp", "/dev/shm", "/mnt", "/media", "/srv", "/opt")


class KernelGone(BaseException):
    """The kernel died or was killed; nothing more can run in it."""


class CallTimeout(BaseException):
    """The student's code ran past its time limit (not an ``Exception``: tests cannot catch it)."""


class RunState(StrEnum):
    OK = "ok"
    ERROR = "error"  # the code raised
    TIMEOUT = "timeout"  # past its CPU budget or the wall-clock backstop; interrupted
    DEAD = "dead"  # the kernel died (or was killed after ignoring the interrupt)


@dataclass
class Execution:
    state: RunState
    outputs: list = field(default_factory=list)
    user_expressions: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0


def _keep_paths() -> list[str]:
    """What a kernel needs to see: the Python install, the venv, and the two course packages."""
    import grader
    import seqlab

    paths = {sys.base_prefix, sys.prefix, os.path.dirname(seqlab.__file__), os.path.dirname(grader.__file__)}
    return sorted(os.path.realpath(p) for p in paths)


def _tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid``, its live descendants and the children they have reaped."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            continue
    return total


class SandboxedKernel:
    """One student's kernel, forked warm by ``forkserver``; ``stop`` ends it and everything it started."""

    def __init__(self, job_dir: Path, limits: Limits, env: dict[str, str], forkserver: ForkServer,
                 hide: tuple[str, ...] = (), isolate: bool = True):
        self.job_dir, self.limits, self.env = job_dir, limits, env
        self.forkserver, self.hide, self.isolate = forkserver, hide, isolate
        self.tag = env.get("SEQLAB_GRADER_RUN") or secrets.token_hex(8)
        self.cgroup = f"seqlab-{self.tag}-{secrets.token_hex(4)}"  # one per kernel: a worker starts many
        self.kernel_dir = job_dir / "kernel"
        self.dead = False
        self.kc: BlockingKernelClient | None = None
        self._proc: psutil.Process | None = None
        self._cpu_at_start = 0.0  # the kernel's start-up (ipykernel's own) is not the student's

    def spec(self) -> SandboxSpec:
        hide = [*HIDDEN_ALWAYS, *self.hide]
        return SandboxSpec(
            kernel_dir=str(self.kernel_dir), uid=100000 + secrets.randbelow(800000),
            memory_bytes=self.limits.memory_bytes, file_bytes=FILE_BYTES,
            cpu_seconds=int(self.limits.notebook_cpu * 1.2) + 60, max_pids=MAX_PIDS,
            cgroup=self.cgroup, isolate=self.isolate,
            hide=sorted({os.path.realpath(p) for p in hide}), keep=_keep_paths())

    def start(self, ready_timeout: float = 120) -> None:
        self.kernel_dir.mkdir(mode=0o700, exist_ok=True)
        spec_file = self.job_dir / "sandbox.json"
        spec_file.write_text(self.spec().to_json())
        connection_file, _ = write_connection_file(
            str(self.kernel_dir / "connection.json"), transport="ipc", ip=str(self.kernel_dir / "ipc"),
            key=secrets.token_hex(32).encode())
        try:
            self._proc = psutil.Process(self.forkserver.fork_kernel(spec_file, Path(connection_file)))
        except (ForkServerGone, psutil.Error) as error:
            self.dead = True
            raise KernelGone(f"the kernel did not start: {error}") from error
        self.kc = BlockingKernelClient(connection_file=connection_file)
        self.kc.load_connection_file()
        self.kc.start_channels()
        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                self.kc.wait_for_ready(timeout=1)
                break
            except RuntimeError:
                if not self._alive() or time.monotonic() > deadline:
                    self.stop()
                    raise KernelGone("the kernel did not start") from None
        self._cpu_at_start = self._cpu_total()

    def _signal(self, signum: int) -> None:
        """``signum`` to the kernel's process group (the kernel and what it started)."""
        try:
            os.killpg(self._proc.pid, signum)
        except (ProcessLookupError, PermissionError, AttributeError):
            pass

    def stop(self) -> None:
        """End the kernel (at once, no shutdown request) and every process in its cgroup."""
        self.dead = True
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self._proc is not None:
            self._signal(signal.SIGKILL)
            try:
                for proc in [self._proc, *self._proc.children(recursive=True)]:
                    proc.kill()
            except psutil.Error:  # already gone
                pass
        sandbox.release_cgroup(self.cgroup)

    def _cpu_total(self) -> float:
        """CPU seconds the kernel's process tree has used since it was started."""
        counted = sandbox.cgroup_cpu_seconds(self.cgroup)
        if counted is not None:
            return counted
        return _tree_cpu_seconds(self._proc.pid) if self._proc else 0.0

    @property
    def start_cpu_seconds(self) -> float:
        """CPU seconds the kernel used to start (sandbox, ipykernel), before any cell ran."""
        return self._cpu_at_start

    def cpu_seconds(self) -> float:
        """CPU seconds used by the notebook and the tests so far (start-up excluded)."""
        return self._cpu_total() - self._cpu_at_start

    def _alive(self) -> bool:
        try:
            return (not self.dead and self._proc is not None and self._proc.is_running()
                    and self._proc.status() != psutil.STATUS_ZOMBIE)
        except psutil.Error:
            return False

    def execute(self, code: str, cpu_limit: float, user_expressions: dict | None = None,
                keep_outputs: bool = True) -> Execution:
        """Run ``code``; interrupt it once it has used ``cpu_limit`` CPU seconds (or the notebook
        its whole budget, or the wall-clock backstop has passed), and kill a kernel that ignores
        the interrupt."""
        if not self._alive():
            return Execution(RunState.DEAD)
        budget = min(cpu_limit, self.limits.notebook_cpu - self.cpu_seconds())
        cpu_start, wall_start = self._cpu_total(), time.monotonic()
        wall_deadline = wall_start + cpu_limit * self.limits.wall_factor
        msg_id = self.kc.execute(code, store_history=keep_outputs, allow_stdin=False,
                                 user_expressions=user_expressions or {})
        outputs, size, state = [], 0, RunState.OK
        interrupted_at = None
        while True:
            now = time.monotonic()
            used = self._cpu_total() - cpu_start
            if interrupted_at is None and (used > budget or now > wall_deadline):
                self._signal(signal.SIGINT)
                interrupted_at, state = now, RunState.TIMEOUT
            if interrupted_at is not None and now > interrupted_at + INTERRUPT_GRACE:
                self.stop()
                return Execution(RunState.TIMEOUT, outputs, cpu_seconds=used)
            try:
                msg = self.kc.get_iopub_msg(timeout=POLL)
            except queue.Empty:
                if not self._alive():
                    self.dead = True
                    return Execution(RunState.DEAD, outputs, cpu_seconds=used)
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                break
            if kind == "error" and state == RunState.OK:
                state = RunState.ERROR
            if keep_outputs and kind in {"stream", "display_data", "execute_result", "error"}:
                output = nbformat.v4.output_from_msg(msg)
                size += len(json.dumps(output))
                if size <= MAX_OUTPUT_CHARS:
                    outputs.append(output)
            elif keep_outputs and kind == "clear_output":
                outputs.clear()
        reply = self._shell_reply(msg_id)
        return Execution(state, outputs, reply.get("user_expressions", {}) if reply else {},
                         cpu_seconds=self._cpu_total() - cpu_start)

    def _shell_reply(self, msg_id: str) -> dict | None:
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                msg = self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]
        return None

    def _remote(self, entry: str, first: str, payload: str, cpu_limit: float) -> tuple[dict, float]:
        """The decoded reply of ``protocol.<entry>(first, payload)`` in the kernel, and the CPU
        seconds the kernel's process tree spent on it."""
        code = (f"import grader.submission.protocol as _seqlab_protocol\n"
                f"_seqlab_reply = _seqlab_protocol.{entry}({first!r}, {payload!r})")
        done = self.execute(code, cpu_limit, {"reply": "_seqlab_reply"}, keep_outputs=False)
        if done.state == RunState.TIMEOUT:
            raise CallTimeout(f"ran past the limit of {cpu_limit:g} CPU seconds")
        if done.state == RunState.DEAD or self.dead:
            raise KernelGone("the kernel died")
        try:
            text = done.user_expressions["reply"]["data"]["text/plain"]
            reply = protocol.decode(ast.literal_eval(text))
            assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool)
        except Exception as error:  # anything odd coming back is the student's failure
            raise protocol.PlainDataError(f"no valid reply from the kernel ({type(error).__name__})") from None
        return reply, done.cpu_seconds

    def call(self, name: str, args: tuple, kwargs: dict, cpu_limit: float):
        """``name(*args, **kwargs)`` in the kernel: the reply dict (``ok``, ``value`` or ``error``)."""
        payload, rngs = protocol.encode_with_rngs((list(args), dict(kwargs)))
        reply, _ = self._remote("call", name, payload, cpu_limit)
        _sync_generators(rngs, reply.get("rngs"))
        return reply

    def probe(self, code: str, inputs: dict, cpu_limit: float):
        """Run ``code`` in a copy of the kernel's namespace with ``inputs``; the reply dict."""
        return self.probe_cpu(code, inputs, cpu_limit)[0]

    def probe_cpu(self, code: str, inputs: dict, cpu_limit: float) -> tuple[dict, float]:
        """``probe``, and the CPU seconds it took as counted from outside the kernel."""
        payload, rngs = protocol.encode_with_rngs(([], dict(inputs)))
        reply, cpu_seconds = self._remote("probe", code, payload, cpu_limit)
        _sync_generators(rngs, reply.get("rngs"))
        return reply, cpu_seconds


def _sync_generators(rngs: list, advanced) -> None:
    """Advance the grader's generators as the kernel's copies advanced."""
    if not isinstance(advanced, list) or len(advanced) != len(rngs):
        return
    for rng, copy in zip(rngs, advanced, strict=True):
        if isinstance(copy, np.random.Generator):
            rng.bit_generator.state = copy.bit_generator.state
