"""nbgrader's own commands, run in scratch course folders with a time limit.

Every command runs in a fresh temporary folder that holds only what it needs (the course's
``nbgrader_config.py`` and ``source/<unit>``), in a subprocess with a wall-clock limit
(``grader.processes``).
"""

import shutil
import sys
import tempfile
from pathlib import Path

from grader.environment import course_environment
from grader.manifest import SOLUTIONS
from grader.processes import Completed, run_limited

CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


def scratch_course(units: str | list[str], prefix: str = "seqlab-grader-", db_url: str | None = None) -> Path:
    """A new temporary nbgrader course folder holding the config and ``source/<unit>`` of each unit.

    db_url: the gradebook nbgrader should use (default: ``gradebook.db`` in the scratch folder).
    """
    root = Path(tempfile.mkdtemp(prefix=prefix))
    config = CONFIG.read_text(encoding="utf-8")
    if db_url is not None:
        config += f"\nc.CourseDirectory.db_url = {db_url!r}\n"
    (root / "nbgrader_config.py").write_text(config, encoding="utf-8")
    for unit in [units] if isinstance(units, str) else units:
        shutil.copytree(SOLUTIONS / unit, root / "source" / unit)
    return root


def nbgrader(args: list[str], cwd: Path, timeout: float = 600) -> Completed:
    """Run ``python -m nbgrader *args`` in the course folder ``cwd``, with a home of its own there."""
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    env = course_environment(home=home, PYTHONWARNINGS="ignore", MPLBACKEND="Agg")
    return run_limited([sys.executable, "-m", "nbgrader", *args], cwd, env, timeout)


def generate_assignments(units: list[str], db_url: str | None = None) -> Path:
    """Run nbgrader's generate_assignment for ``units`` in a scratch course; return its folder.

    The folder then holds ``release/<unit>/`` (the student version) of each unit; the units and
    their grade cells are in the gradebook ``db_url`` (default: ``gradebook.db`` in that folder).
    One nbgrader process does them all (its assignment id ``*`` matches every unit in
    ``source/``): nbgrader's start-up and the gradebook's set-up cost more than a unit's conversion.
    """
    root = scratch_course(units, db_url=db_url)
    done = nbgrader(["generate_assignment", "*", "--force"], root)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"nbgrader generate_assignment ({', '.join(units)}) failed:\n{done.stderr[-3000:]}")
    return root
