"""A scratch course and the JupyterLab that serves it, isolated from the user's own set-up.

The course folder holds copies of ``notebooks/`` and ``labs/`` (what a student opens) and of
``solutions/`` with the course's ``nbgrader_config.py`` set up as grader/README.md tells an
instructor: ``source`` = ``solutions/``, ``release`` = ``labs/``. JupyterLab is the venv's, on
127.0.0.1 with a random token, with nbgrader's server extensions; its HOME and Jupyter's config,
data, runtime, settings and workspace folders are in a temporary folder, so neither the repository
nor the user's home is written to. Its kernels are the venv's Python (checked at start-up).
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

from grader.environment import course_environment
from grader.nbgrader_runner import CONFIG

REPO = Path(__file__).resolve().parent.parent
ARTEFACTS = REPO / "build" / "e2e"  # screenshots and server logs: CI keeps this folder

# nbgrader's config for the scratch course, after the course's own (grader/nbgrader_config.py).
INSTRUCTOR_LAYOUT = """
# The e2e tests' course folder, laid out as grader/README.md tells an instructor.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.Exchange.root = {exchange!r}
"""
NBGRADER_EXTENSIONS = {
    f"nbgrader.server_extensions.{name}": True
    for name in ("formgrader", "validate_assignment", "assignment_list", "course_list")
}
# JupyterLab settings for a test run: no "Would you like to get notified about news?" toast
# covering the screenshots, and no calls to the outside world.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}
START_TIMEOUT_S = 90


def make_course(root: Path, exchange: Path) -> Path:
    """Fill ``root`` with the walkthroughs, the labs and the nbgrader course; return it."""
    skip = shutil.ignore_patterns(".ipynb_checkpoints")
    for folder in ("notebooks", "labs", "solutions"):
        shutil.copytree(REPO / folder, root / folder, ignore=skip)
    exchange.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        CONFIG.read_text() + INSTRUCTOR_LAYOUT.format(exchange=str(exchange)))
    return root


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """What ``make lab`` gives the server and its kernels, quiet, with a home of its own."""
    return course_environment(home=home, SEQLAB_FAST=os.environ.get("SEQLAB_FAST", "1"), **extra)


def kill_tree(pid: int) -> None:
    """Terminate ``pid`` and its descendants (kernels included), then kill what is left."""
    try:
        parent = psutil.Process(pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for proc in family:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=10)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running JupyterLab: its address, token, course folder, log and process."""

    url: str  # http://127.0.0.1:PORT
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, path: str = "") -> str:
        """JupyterLab opening ``path``, in a fresh workspace (no tabs left by an earlier test)."""
        return f"{self.url}/lab{'/tree/' + path if path else ''}?reset&token={self.token}"

    def notebook(self, path: str) -> dict:
        """The notebook as saved on the server (with outputs, after a save)."""
        return self.api(f"contents/{path}?content=1")["content"]

    def shutdown_kernels(self, wait: bool = True) -> None:
        """Shut down the kernels running now; with ``wait=False`` in the background."""
        ids = [kernel["id"] for kernel in self.api("kernels")]

        def shutdown():
            for kernel_id in ids:
                try:
                    self.api(f"kernels/{kernel_id}", method="DELETE")
                except OSError:  # already gone
                    pass

        if wait:
            shutdown()
        else:
            threading.Thread(target=shutdown, daemon=True).start()

    def stop(self) -> None:
        try:
            self.shutdown_kernels()
        except OSError:
            pass
        kill_tree(self.process.pid)  # the server and any kernel it still has


def _jupyter_home(home: Path) -> dict[str, str]:
    """Jupyter's folders under ``home``, with nbgrader's extensions and quiet lab settings."""
    folders = {name: home / name for name in ("config", "data", "runtime", "ipython", "settings",
                                              "workspaces")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    (folders["config"] / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": NBGRADER_EXTENSIONS}}))
    for relative, values in LAB_SETTINGS.items():
        path = folders["settings"] / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return {name: str(folder) for name, folder in folders.items()}


def _check_kernels_are_the_venvs(server: Server, env: dict[str, str]) -> None:
    """Every kernel the course's notebooks ask for (their kernelspec) runs this venv's Python."""
    specs = server.api("kernelspecs")["kernelspecs"]
    wanted = {json.loads(path.read_text())["metadata"]["kernelspec"]["name"]
              for path in [*server.root.glob("notebooks/*.ipynb"), *server.root.glob("labs/*/*.ipynb")]}
    for name in sorted(wanted):
        if name not in specs:
            raise RuntimeError(f"JupyterLab has no kernel {name!r} (it has {sorted(specs)})")
        program = specs[name]["spec"]["argv"][0]
        found = shutil.which(program, path=env["PATH"])
        if not (found and os.path.samefile(os.path.dirname(found), os.path.dirname(sys.executable))):
            raise RuntimeError(f"kernel {name!r} runs {found or program}, "
                               f"not the course's Python {sys.executable}")


def start_jupyterlab(root: Path, home: Path) -> Server:
    """JupyterLab serving ``root``, answering on its REST API; everything it writes is in ``home``."""
    folders = _jupyter_home(home)
    env = isolated_env(home, JUPYTER_CONFIG_DIR=folders["config"], JUPYTER_DATA_DIR=folders["data"],
                       JUPYTER_RUNTIME_DIR=folders["runtime"], IPYTHONDIR=folders["ipython"])
    # Matplotlib's first import in a new home builds its font cache and says so on stderr; do it
    # now, so that a notebook's first figure is not blamed for it.
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port, token = _free_port(), secrets.token_hex(16)
    log = home / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={folders['settings']}",
             f"--LabApp.workspaces_dir={folders['workspaces']}"],
            cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", token, root, log, process)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n"
                                   f"{log.read_text()[-3000:]}")
            try:
                server.api("status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer in {START_TIMEOUT_S} s:\n"
                                       f"{log.read_text()[-3000:]}") from None
                time.sleep(0.5)
        _check_kernels_are_the_venvs(server, env)
    except BaseException:
        server.stop()
        raise
    return server
