"""``python -m grader course DIR [--exchange PATH]``: an nbgrader course folder for this repository.

``DIR/nbgrader_config.py`` loads the course's own settings (``grader/nbgrader_config.py``) and
points nbgrader at this repository: ``source`` is ``solutions/``, ``release`` is ``labs/``; the
folders that hold a class's work — ``submitted/``, ``autograded/``, ``feedback/`` — and the
gradebook (``gradebook.db``) are in ``DIR``, and the exchange is ``--exchange`` (default
``DIR/exchange``; on JupyterHub, the hub's, e.g. ``/srv/nbgrader/exchange``). Every unit is put in
the gradebook as ``nbgrader generate_assignment`` puts it (it runs in a scratch folder, so
``labs/`` is not rewritten). nbgrader's own ``autograde`` is turned off in the folder
(``grader.nbgrader_guard``): ``python -m grader autograde DIR/submitted --course DIR`` grades.
Running the command again on the same folder updates the units and keeps every grade.
"""

import shutil
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grader.manifest import LABS, REPO, SOLUTIONS, available_units
from grader.nbgrader_runner import CONFIG, generate_assignments

COURSE_ID = "seqlab"  # grader/nbgrader_config.py's CourseDirectory.course_id
CONFIG_TEMPLATE = '''\
# nbgrader course folder of the seqlab course in {repo}, made by `python -m grader course`.
# Grade with `python -m grader autograde {root}/submitted --course {root}` (from the repository);
# formgrader, `nbgrader export` and `nbgrader generate_feedback` work here as usual.
c = get_config()  # noqa: F821
load_subconfig({config!r})  # noqa: F821  (the course's own settings)

c.CourseDirectory.root = {root!r}
c.CourseDirectory.source_directory = {solutions!r}
c.CourseDirectory.release_directory = {labs!r}
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
# nbgrader's autograder would run students' code unsandboxed: refuse it, naming the command to use.
c.Autograde.exporter_class = "grader.nbgrader_guard.RefuseUnsandboxedAutograde"
'''


class CourseError(Exception):
    """The folder is not a usable course folder; the message says what to do."""


@dataclass(frozen=True)
class CourseFolder:
    """An nbgrader course folder made by ``python -m grader course``: where its parts are."""

    root: Path
    config: Path = field(init=False)  # nbgrader_config.py
    gradebook: Path = field(init=False)  # gradebook.db
    submitted: Path = field(init=False)
    autograded: Path = field(init=False)
    feedback: Path = field(init=False)

    def __post_init__(self):
        parts = {"config": "nbgrader_config.py", "gradebook": "gradebook.db", "submitted": "submitted",
                 "autograded": "autograded", "feedback": "feedback"}
        for name, relative in parts.items():
            object.__setattr__(self, name, self.root / relative)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"


def create_course(root: Path, exchange: Path | None = None, units: list[str] | None = None) -> CourseFolder:
    """Write the course folder's config and put every unit (or only ``units``) in its gradebook."""
    root = root.resolve()
    exchange = (exchange or root / "exchange").resolve()
    for folder in (root, root / "submitted", root / "autograded", root / "feedback", exchange):
        folder.mkdir(parents=True, exist_ok=True)
    course = CourseFolder(root)
    course.config.write_text(CONFIG_TEMPLATE.format(
        repo=REPO, root=str(root), config=str(CONFIG), solutions=str(SOLUTIONS), labs=str(LABS),
        db_url=course.db_url, exchange=str(exchange)))
    shutil.rmtree(generate_assignments(units or available_units(), db_url=course.db_url), ignore_errors=True)
    return course


def _configured(root: Path) -> dict:
    """The CourseDirectory settings of ``root/nbgrader_config.py``, as nbgrader would load them."""
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    except Exception as error:  # the instructor's own file: report, do not guess
        raise CourseError(f"{root}/nbgrader_config.py cannot be read ({type(error).__name__}: "
                          f"{error}); make the folder again with `python -m grader course {root}`") from error
    return dict(config.get("CourseDirectory", {}))


def locked_message(path: Path) -> str:
    """What to tell the instructor when another program holds the gradebook ``path`` locked."""
    return (f"the gradebook {path} is locked by another program (formgrader saving a grade, or an "
            f"nbgrader command); wait for it or close it, then run this again (manual grades are kept)")


def _gradebook_courses(path: Path) -> set[str]:
    """The course ids recorded in an existing gradebook; raises ``CourseError`` when it is locked."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "course" not in tables:
                return set()
            return {row[0] for row in db.execute("SELECT id FROM course")}
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            raise CourseError(locked_message(path)) from None
        raise CourseError(f"{path} is not an nbgrader gradebook ({error})") from None
    except sqlite3.DatabaseError as error:
        raise CourseError(f"{path} is not an nbgrader gradebook ({error})") from None


def open_course(root: Path) -> CourseFolder:
    """The course folder at ``root``, checked: made for this repository, gradebook usable."""
    root = root.resolve()
    course = CourseFolder(root)
    if not course.config.is_file():
        raise CourseError(f"{root} is not a course folder (no nbgrader_config.py); make one with "
                          f"`python -m grader course {root}`")
    settings = _configured(root)
    source = Path(root, settings.get("source_directory", "source")).resolve()
    if source != SOLUTIONS.resolve():
        raise CourseError(f"{root} is a course folder of another course (its source is {source}, "
                          f"not {SOLUTIONS}); make one with `python -m grader course DIR`")
    if course.gradebook.is_file():
        courses = _gradebook_courses(course.gradebook)
        if courses and COURSE_ID not in courses:
            raise CourseError(f"{course.gradebook} belongs to course {', '.join(sorted(courses))}, "
                              f"not {COURSE_ID}; use a new folder: `python -m grader course DIR`")
    else:
        raise CourseError(f"{root} has no gradebook.db; run `python -m grader course {root}` again")
    return course


def run(args) -> int:
    try:
        course = create_course(Path(args.dir), Path(args.exchange) if args.exchange else None)
    except (OSError, RuntimeError) as error:
        print(f"could not make the course folder: {error}", file=sys.stderr)
        return 2
    print(f"course folder ready: {course.root}\n"
          f"  put submissions in {course.submitted}/<student>/<unit>/<unit>.ipynb, then grade with\n"
          f"  python -m grader autograde {course.submitted} --course {course.root}\n"
          f"  and open formgrader in JupyterLab started in {course.root}")
    return 0


def add_arguments(commands) -> None:
    parser = commands.add_parser("course", help="make an nbgrader course folder for this repository")
    parser.add_argument("dir", help="the course folder to make (or update)")
    parser.add_argument("--exchange", help="nbgrader's exchange folder (default DIR/exchange)")
    parser.set_defaults(run=run)
