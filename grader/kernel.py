"""A student's kernel, started in the sandbox, driven cell by cell with time limits.

``execute`` runs code and collects its outputs as nbformat outputs; ``call`` and ``probe`` run the
student's code on test inputs and bring back only plain data (``seqlab.plain``).
"""

import ast
import json
import os
import queue
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

from grader import sandbox
from seqlab import plain

MAX_OUTPUT_CHARS = 200_000  # per cell; a student printing gigabytes cannot swamp the grader
INTERRUPT_GRACE = 10.0  # seconds a kernel gets to answer an interrupt before it is killed


class KernelGone(BaseException):
    """The kernel died or was killed; nothing more can run in it."""


class CallTimeout(BaseException):
    """The student's code ran past its time limit (not an ``Exception``: tests cannot catch it)."""


@dataclass
class Execution:
    status: str  # "ok", "error", "timeout" or "dead"
    outputs: list = field(default_factory=list)
    user_expressions: dict = field(default_factory=dict)


@dataclass
class SandboxConfig:
    """What the sandbox hides and limits; see ``grader.sandbox``."""

    memory_bytes: int = 4 * 1024**3
    file_bytes: int = 256 * 1024**2
    max_pids: int = 1024
    hide: list[str] = field(default_factory=list)  # besides homes and temporary folders
    isolate: bool = True


def _keep_paths() -> list[str]:
    """What a kernel needs to see: the Python install, the venv, and the two course packages."""
    import grader
    import seqlab

    paths = {sys.base_prefix, sys.prefix, os.path.dirname(seqlab.__file__), os.path.dirname(grader.__file__)}
    return sorted(os.path.realpath(p) for p in paths)


def _ipc_kernel_manager(spec_dir: Path, kernel_dir: Path) -> KernelManager:
    km = KernelManager(kernel_name="seqlab-sandbox", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir)]))
    km.transport = "ipc"
    km.ip = str(kernel_dir / "ipc")
    km.connection_file = str(kernel_dir / "connection.json")
    return km


class SandboxedKernel:
    """One student's kernel. Use as a context manager; everything it started dies on exit."""

    def __init__(self, job_dir: Path, config: SandboxConfig, env: dict[str, str]):
        self.job_dir, self.config, self.env = job_dir, config, env
        self.tag = env.get("SEQLAB_GRADER_RUN") or secrets.token_hex(8)
        self.cgroup = f"seqlab-{self.tag}"
        self.kernel_dir = job_dir / "kernel"
        self.dead = False
        self.km: KernelManager | None = None
        self.kc = None

    def __enter__(self) -> "SandboxedKernel":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, ready_timeout: float = 120) -> None:
        self.kernel_dir.mkdir(mode=0o700, exist_ok=True)
        spec_dir = self.job_dir / "kernelspec" / "seqlab-sandbox"
        spec_dir.mkdir(parents=True, exist_ok=True)
        config_file = self.job_dir / "sandbox.json"
        hide = ["/root", "/home", "/tmp", "/var/tmp", "/dev/shm", "/mnt", "/media", "/srv", "/opt", *self.config.hide]
        config_file.write_text(json.dumps({
            "kernel_dir": str(self.kernel_dir), "uid": 100000 + secrets.randbelow(800000),
            "memory_bytes": self.config.memory_bytes, "file_bytes": self.config.file_bytes,
            "max_pids": self.config.max_pids, "cgroup": self.cgroup, "isolate": self.config.isolate,
            "hide": sorted({os.path.realpath(p) for p in hide}), "keep": _keep_paths(),
        }))
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "grader.sandbox", str(config_file), "--",
                     sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "seqlab sandbox", "language": "python", "interrupt_mode": "signal",
        }))
        self.km = _ipc_kernel_manager(spec_dir.parent, self.kernel_dir)
        self.km.start_kernel(env=self.env, cwd=str(self.job_dir))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=ready_timeout)
        except RuntimeError as error:
            self.dead = True
            raise KernelGone(f"the kernel did not start: {error}") from error

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
            self.km.cleanup_resources()
        sandbox.release_cgroup(self.cgroup)
        self.dead = True

    def _alive(self) -> bool:
        return not self.dead and self.km is not None and self.km.is_alive()

    def execute(self, code: str, timeout: float, user_expressions: dict | None = None,
                keep_outputs: bool = True) -> Execution:
        """Run ``code``; wait at most ``timeout`` seconds, then interrupt (and kill if deaf)."""
        if not self._alive():
            return Execution("dead")
        msg_id = self.kc.execute(code, store_history=keep_outputs, allow_stdin=False,
                                 user_expressions=user_expressions or {})
        outputs, size, state = [], 0, "ok"
        deadline = time.monotonic() + timeout
        interrupted_at = None
        while True:
            now = time.monotonic()
            if interrupted_at is None and now > deadline:
                self.km.interrupt_kernel()
                interrupted_at, state = now, "timeout"
            if interrupted_at is not None and now > interrupted_at + INTERRUPT_GRACE:
                self.kill()
                return Execution("timeout", outputs)
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                if not self.km.is_alive():
                    self.dead = True
                    return Execution("dead", outputs)
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                break
            if kind == "error" and state == "ok":
                state = "error"
            if keep_outputs and kind in {"stream", "display_data", "execute_result", "error"}:
                output = nbformat.v4.output_from_msg(msg)
                size += len(json.dumps(output))
                if size <= MAX_OUTPUT_CHARS:
                    outputs.append(output)
            elif keep_outputs and kind == "clear_output":
                outputs.clear()
        reply = self._shell_reply(msg_id)
        return Execution(state, outputs, reply.get("user_expressions", {}) if reply else {})

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

    def kill(self) -> None:
        self.dead = True
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass
        sandbox.release_cgroup(self.cgroup)

    def _remote(self, entry: str, first: str, payload: str, timeout: float):
        code = (f"import grader.kernel_side as _seqlab_ks\n"
                f"_seqlab_reply = _seqlab_ks.{entry}({first!r}, {payload!r})")
        done = self.execute(code, timeout, {"reply": "_seqlab_reply"}, keep_outputs=False)
        if done.status == "timeout":
            raise CallTimeout(f"ran past the limit of {timeout:g} s")
        if done.status == "dead" or self.dead:
            raise KernelGone("the kernel died")
        try:
            text = done.user_expressions["reply"]["data"]["text/plain"]
            reply = plain.decode(ast.literal_eval(text))
            assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool)
        except Exception as error:  # anything odd coming back is the student's failure
            raise plain.PlainDataError(f"no valid reply from the kernel ({type(error).__name__})") from None
        return reply

    def call(self, name: str, args: tuple, kwargs: dict, timeout: float):
        """``name(*args, **kwargs)`` in the kernel: the reply dict (``ok``, ``value`` or ``error``)."""
        payload, rngs = plain.encode_with_rngs((list(args), dict(kwargs)))
        reply = self._remote("call", name, payload, timeout)
        _sync_generators(rngs, reply.get("rngs"))
        return reply

    def probe(self, code: str, inputs: dict, timeout: float):
        """Run ``code`` in a copy of the kernel's namespace with ``inputs``; the reply dict."""
        payload, rngs = plain.encode_with_rngs(([], dict(inputs)))
        reply = self._remote("probe", code, payload, timeout)
        _sync_generators(rngs, reply.get("rngs"))
        return reply


def _sync_generators(rngs: list, advanced) -> None:
    """Advance the grader's generators as the kernel's copies advanced."""
    if not isinstance(advanced, list) or len(advanced) != len(rngs):
        return
    for rng, copy in zip(rngs, advanced):
        if isinstance(copy, np.random.Generator):
            rng.bit_generator.state = copy.bit_generator.state
