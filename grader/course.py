"""The course's layout, and nbgrader run in a scratch course folder with limits.

Every nbgrader command runs in a fresh temporary folder that holds only what it needs, in a
subprocess with a wall-clock limit; on time-out the whole process tree (kernels included, which
run in sessions of their own) is killed.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
LABS = REPO / "labs"
CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"

# The contract's unit ids, in lecture order (../shared/COURSE.md).
UNIT_IDS = (
    "01_sequences",
    "02_rnn_unrolling",
    "03_bptt",
    "04_lstm",
    "05_music_generation",
    "06_attention",
)


def available_units() -> list[str]:
    """Unit ids that have a reference notebook in ``solutions/``, in lecture order."""
    return [u for u in UNIT_IDS if (SOLUTIONS / u / f"{u}.ipynb").is_file()]


def notebook_path(root: Path, unit: str) -> Path:
    """``root/<unit>/<unit>.ipynb``: where a unit's notebook lives in solutions/ and labs/."""
    return root / unit / f"{unit}.ipynb"


def scratch_course(unit: str, prefix: str = "seqlab-grader-") -> Path:
    """A new temporary nbgrader course folder holding the config and ``source/<unit>``."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    shutil.copytree(SOLUTIONS / unit, root / "source" / unit)
    return root


def grading_environment(home: Path) -> dict[str, str]:
    """Environment for nbgrader and its kernels: quiet TensorFlow, the venv first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER_", "IPYTHON", "PYTEST_", "COV_"))
    }
    bin_dir = str(Path(sys.executable).parent)  # nbgrader calls `alembic` by name
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["HOME"] = str(home)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["TF_ENABLE_ONEDNN_OPTS"] = "0"  # its banner goes to stderr whatever the log level
    env["PYTHONWARNINGS"] = "ignore"
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's frozen-modules note goes to stderr
    return env


@dataclass
class Completed:
    """How a limited subprocess ended."""

    returncode: int | None  # None when it was killed for running out of time
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def _kill_tagged(tag: str) -> None:
    """Kill every process whose environment carries ``SEQLAB_GRADER_RUN=tag`` (kernels included)."""
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get("SEQLAB_GRADER_RUN") == tag:
                proc.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue


def run_limited(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Completed:
    """Run ``args`` in ``cwd``; after ``timeout`` seconds kill it and everything it started."""
    tag = uuid.uuid4().hex
    env = {**env, "SEQLAB_GRADER_RUN": tag}
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        result = Completed(proc.returncode, out, err)
    except subprocess.TimeoutExpired:
        _kill_tagged(tag)
        out, err = proc.communicate()
        result = Completed(None, out, err)
    _kill_tagged(tag)  # a kernel left behind by a crashed nbgrader
    return result


def nbgrader(args: list[str], cwd: Path, timeout: float = 600) -> Completed:
    """Run ``python -m nbgrader *args`` in the course folder ``cwd``."""
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    env = grading_environment(home)
    return run_limited([sys.executable, "-m", "nbgrader", *args], cwd, env, timeout)


def generate_assignment(unit: str) -> Path:
    """Run nbgrader's generate_assignment for ``unit`` in a scratch course; return its folder.

    The folder then holds ``release/<unit>/`` (the student version) and ``gradebook.db`` (the
    unit's grade cells), which autograde needs.
    """
    root = scratch_course(unit)
    done = nbgrader(["generate_assignment", unit, "--force"], root)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"nbgrader generate_assignment {unit} failed:\n{done.stderr[-3000:]}")
    return root
