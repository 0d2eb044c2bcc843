"""Warm kernels: students' kernels forked from a process that has already imported the heavy modules.

A kernel that imports TensorFlow pays about 4-5 CPU seconds before a student's first line runs.
The worker keeps one fork server (``python -m grader.submission.forkserver``): a process that has
imported ``WARM_MODULES`` and the modules the labs it has served import in their locked set-up
cells (``warm``: TensorFlow and Keras for most units, nothing more for unit 01, so a unit that does
not use TensorFlow never pays for it), and has run nothing else, neither a student's code nor a
test. For each submission it forks a child that enters a fresh sandbox
(``grader.submission.sandbox.enter``: limits, cgroup, namespaces, its own user id), reseeds the
random generators it inherited, and becomes an ipykernel. Every kernel is new and serves one
submission; the fork server never runs student code, and no kernel is ever reused.

The protocol, one JSON line per request on the server's stdin and one line back on its stdout:
``{"warm": [MODULE, ...]}`` (modules named by the course's own released lab) is answered ``warm``
once they are imported; ``{"spec": SANDBOX_JSON, "connection_file": PATH}`` is answered with the
forked kernel's pid.
"""

import inspect
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

# Imported by every fork server (about 0.4 CPU s); the last three are what IPython loads to format
# a kernel's first traceback. `seqlab` first: it quiets TensorFlow before anything imports it.
WARM_MODULES = ("seqlab", "numpy", "ipykernel.kernelapp", "stack_data", "pure_eval",
                "pygments.formatters.terminal256")


class ForkServerGone(RuntimeError):
    """The fork server died or did not answer."""


class ForkServer:
    """The worker's side: a fork server started with the kernels' environment ``env``."""

    def __init__(self, env: dict[str, str], start_timeout: float = 120):
        self.env = env
        self._warm: set[str] = set(WARM_MODULES)
        self._home = tempfile.TemporaryDirectory(prefix="seqlab-forkserver-")  # Keras writes its config
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.submission.forkserver"],
            env={**env, "HOME": self._home.name, "KERAS_HOME": self._home.name + "/.keras"},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/", start_new_session=True)
        if self._read_line(start_timeout) != "ready":
            self.close()
            raise ForkServerGone("the fork server did not start")

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def _read_line(self, timeout: float) -> str:
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        return self._proc.stdout.readline().decode().strip() if ready else ""

    def _ask(self, request: dict, timeout: float) -> str:
        try:
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
        except OSError as error:
            raise ForkServerGone(f"the fork server is gone ({error})") from None
        return self._read_line(timeout)

    def warm(self, modules: tuple[str, ...], timeout: float = 120) -> None:
        """Have the server import ``modules`` (a lab's set-up imports) before it forks kernels; a
        module imported already costs nothing, one that fails to import is left to the kernel."""
        missing = tuple(m for m in modules if m not in self._warm)
        if missing:
            if self._ask({"warm": list(missing)}, timeout) != "warm":
                raise ForkServerGone("the fork server did not answer")
            self._warm.update(missing)

    def fork_kernel(self, spec_file: Path, connection_file: Path, timeout: float = 30) -> int:
        """Fork a kernel that enters the sandbox of ``spec_file`` and serves ``connection_file``;
        its pid."""
        answer = self._ask({"spec": str(spec_file), "connection_file": str(connection_file)}, timeout)
        if not answer.isdigit():
            raise ForkServerGone("the fork server did not answer")
        return int(answer)

    def close(self) -> None:
        self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._home.cleanup()


def _become_kernel(spec_file: str, connection_file: str) -> None:
    """In the forked child: the sandbox, fresh random state, then the kernel. Never returns."""
    status = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server's auto-reaping is not the kernel's
        os.setsid()  # its own session and process group: an interrupt reaches it and its children
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(2, 1)  # never the server's reply pipe
        os.close(devnull)
        from grader.submission import sandbox
        from grader.submission.job import SandboxSpec

        sandbox.enter(SandboxSpec.from_json(Path(spec_file).read_text()))
        _fresh_process_state()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=["-f", connection_file])
        status = 0
    except BaseException:  # the kernel's start failed: the grader sees it die
        import traceback

        traceback.print_exc()
    finally:
        os._exit(status)


def _fresh_process_state() -> None:
    """What a forked child shares with its siblings and would not share as a new process: the
    random generators' states and the temporary folder Python has cached."""
    import random

    import numpy as np

    random.seed()
    np.random.seed()
    tempfile.tempdir = None


def _import(modules: list[str]) -> None:
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  the kernel meets the same error in the lab's own cell
            pass
    # A kernel's first traceback asks inspect.getmodule, which maps the file of every loaded module
    # (about 3,400 with TensorFlow): 0.2-0.4 CPU seconds charged to the first cell that raises or is
    # interrupted. Brought up to date here (a code object of no module's file makes it look at every
    # module loaded since), the map is inherited by every kernel.
    inspect.getmodule(compile("", "<fork server: map the loaded modules>", "exec"))


def serve() -> None:
    _import(list(WARM_MODULES))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they end
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "warm" in request:
            _import([str(name) for name in request["warm"]])
            print("warm", flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            _become_kernel(request["spec"], request["connection_file"])
        print(pid, flush=True)


if __name__ == "__main__":
    serve()
