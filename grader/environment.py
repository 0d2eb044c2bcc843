"""The environment of the processes the course starts: kernels, nbgrader, JupyterLab.

One recipe, used by the grader's sandboxed kernels, its nbgrader runs and the browser tests'
JupyterLab: the venv's ``bin/`` first on PATH (nbgrader calls ``alembic`` by name, and a kernel
must be the course's Python), TensorFlow quiet, none of the caller's Jupyter or pytest settings.
"""

import os
import sys
from collections.abc import Mapping
from pathlib import Path

# Settings that keep noise off a kernel's stderr (../shared/NOTES.md): TensorFlow's C++ log, its
# oneDNN banner (printed whatever the log level) and debugpy's frozen-modules note.
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
# What a caller's environment must not pass on: its own Jupyter, IPython, pytest and coverage set-up.
NOT_PASSED_ON = ("JUPYTER", "IPYTHON", "PYTEST_", "COV_", "MPLBACKEND", "XDG_")
# The only variables a sandboxed student kernel inherits from the grader.
KERNEL_INHERITS = ("PATH", "LANG", "LC_ALL", "SEQLAB_GRADER_RUN", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# A graded kernel computes on one thread: `--jobs N` runs N kernels on N cores without
# oversubscription, and a test's CPU time (its limit) does not depend on thread scheduling.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def venv_bin() -> str:
    """The folder of the running Python (the venv's ``bin/``)."""
    return str(Path(sys.executable).parent)


def course_environment(base: Mapping[str, str] | None = None, home: Path | None = None,
                       **extra: str) -> dict[str, str]:
    """``base`` (default: this process's environment) without the caller's Jupyter/pytest set-up,
    with the venv first on PATH, TensorFlow quiet, ``HOME`` set when given, and ``extra``."""
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items() if not k.startswith(NOT_PASSED_ON)}
    env["PATH"] = venv_bin() + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    if home is not None:
        env["HOME"] = str(home)
    env.update(QUIET)
    env.update(extra)
    return env


def graded_kernel_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """What a student's sandboxed kernel gets: a few inherited variables, the course's settings,
    one compute thread, and fast mode. Submissions always run in fast mode: a lab's training cells
    shrink to seconds (unit 05's full run takes minutes); tests judge the functions, never a model
    the notebook trained."""
    base = os.environ if base is None else base
    inherited = {k: base[k] for k in KERNEL_INHERITS if k in base}
    return course_environment(inherited, **ONE_THREAD, SEQLAB_FAST="1")
