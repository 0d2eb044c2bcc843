"""End-to-end fixtures: a scratch course, JupyterLab serving it, and a headless Chromium.

    make e2e                          # installs Chromium if it can, then runs these tests
    .venv/bin/python -m pytest e2e    # the tests alone

``labserver`` builds the course folder and starts JupyterLab (isolated, on 127.0.0.1);
``chromium`` finds the system's browser. ``graded_course`` is an nbgrader course folder (``python
-m grader course``) with two students graded by ``python -m grader autograde --course``, and
``course_server`` a second JupyterLab started in it, as an instructor would, for the formgrader test
(``course_page`` is a tab on it; only that test starts it). Without a browser or Playwright every test is skipped
with a message saying why. Screenshots go to ``build/e2e/``; a failing test leaves
``build/e2e/FAILED-<test>.png``, and each server's log is copied there at the end.
"""

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager

import nbformat
import pytest
from chromium import find_browser
from labserver import ARTEFACTS, REPO, isolated_env, make_course, start_jupyterlab

from grader.cells import is_written_answer, read_notebook
from grader.course import CourseFolder, create_course
from grader.manifest import notebook_path
from tests.notebook_checks import BROWSER_RUNS_WALKTHROUGHS

# Headless, as root, on a machine whose only network is loopback: no sandbox (root), no GPU,
# and none of Chromium's background traffic (updates, sync, field trials).
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 60_000  # a page of TensorFlow outputs can take a while on 2 busy cores
GRADED_UNIT = "01_sequences"
GRADED_STUDENTS = ("full", "half")  # tests/submissions/<student>/: all answers, and half of them
GRADING_TIMEOUT_S = 900  # two submissions; about 50 s on an idle machine
# half's answer to the unit's first written question (the fixture class leaves them as released),
# with a script and an event handler that must not run where the instructor reads it.
WRITTEN_ANSWER = """A bag of words keeps only how often each word occurs: both reviews have the same
counts, so the order of the words, which is what tells them apart, is gone.

<script>console.error("a script in a written answer ran")</script>
<img src="x" onerror="console.error('an event handler in a written answer ran')">
"""


def _expected_length(item) -> tuple[int, int]:
    """Sort key, longest first: the walkthroughs (a later unit trains more), the formgrader test
    (it grades a course first), the labs, then the short checks."""
    name = item.name
    unit = next((int(p[:2]) for p in name.replace("[", " ").split() if p[:2].isdigit()), 0)
    if name.startswith("test_walkthrough_"):
        return 0, -unit
    if name.startswith("test_formgrader_shows"):
        return 1, 0
    if name.startswith("test_lab_"):
        return 2, -unit
    return 3, 0


def pytest_collection_modifyitems(items):
    """Longest tests first, so that the two workers of ``make e2e`` (``--dist load`` hands out
    tests in this order) finish together instead of one waiting alone on a long test at the end."""
    items.sort(key=_expected_length)


@pytest.fixture(scope="session")
def home(tmp_path_factory):
    """HOME of the server, its kernels and the browser: their caches and configs go here."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def course(tmp_path_factory, home):
    """``notebooks/``, ``labs/``, ``solutions/`` and nbgrader's config, in a scratch folder."""
    return make_course(tmp_path_factory.mktemp("course"), exchange=home / "exchange")


def _keep_log(server, name: str) -> None:
    if ARTEFACTS.is_dir():
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one server per xdist worker
        shutil.copy(server.log, ARTEFACTS / f"{name}{'-' + worker if worker else ''}.log")


@pytest.fixture(scope="session")
def server(course, home):
    """JupyterLab on 127.0.0.1 serving the scratch course, with nbgrader's server extensions."""
    server = start_jupyterlab(course, home / "jupyter")
    yield server
    server.stop()
    _keep_log(server, "jupyterlab")


@pytest.fixture(scope="session")
def course_home(tmp_path_factory):
    """HOME of the instructor's JupyterLab (``course_server``) and the course's exchange."""
    return tmp_path_factory.mktemp("course-home")


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory, course_home) -> CourseFolder:
    """An nbgrader course folder with unit 01 graded for two students, as grader/README.md says:
    ``python -m grader course``, the class's work in ``submitted/``, then ``python -m grader
    autograde submitted --course DIR --out grades.csv`` (from the repository). The students are
    the fixture class's ``full`` and ``half``; half also answers the first written question
    (``WRITTEN_ANSWER``)."""
    root = tmp_path_factory.mktemp("graded-course")
    course = create_course(root, exchange=course_home / "exchange", units=[GRADED_UNIT])
    for student in GRADED_STUDENTS:
        shutil.copytree(REPO / "tests" / "submissions" / student / GRADED_UNIT,
                        course.submitted / student / GRADED_UNIT)
    half = notebook_path(course.submitted / "half", GRADED_UNIT)
    nb = read_notebook(half)
    next(cell for cell in nb.cells if is_written_answer(cell)).source = WRITTEN_ANSWER
    nbformat.write(nb, str(half))
    command = [sys.executable, "-m", "grader", "autograde", str(course.submitted),
               "--course", str(course.root), "--jobs", "2", "--out", str(course.root / "grades.csv")]
    done = subprocess.run(command, cwd=REPO, env=isolated_env(course_home), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=GRADING_TIMEOUT_S)
    assert done.returncode == 0, (f"{' '.join(command)} exited with {done.returncode}:\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return course


@pytest.fixture(scope="session")
def course_server(graded_course, course_home):
    """JupyterLab started in the graded course folder (its own home), as an instructor starts it."""
    server = start_jupyterlab(graded_course.root, course_home / "jupyter")
    yield server
    server.stop()
    _keep_log(server, "jupyterlab-course")


@pytest.fixture(scope="session")
def browser(home):
    """Headless Chromium under Playwright, or a skip that says what is missing."""
    path, reason = find_browser()
    if path is None and os.environ.get(BROWSER_RUNS_WALKTHROUGHS) == "1":
        pytest.fail(f"no browser ({reason}), and the walkthroughs were left to the browser tests "
                    f"({BROWSER_RUNS_WALKTHROUGHS}=1): they would not run at all")
    if path is None:
        pytest.skip(f"browser tests skipped: {reason}. `make e2e` installs Debian's `chromium` "
                    "when it runs as root with apt-get (as in CI); otherwise install Chromium "
                    "(sudo apt-get install chromium) or set SEQLAB_CHROMIUM to a Chromium binary")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: the Python package `playwright` is missing; run "
                    "`make setup` (it is one of the course's dependencies in pyproject.toml)")
    expect.set_options(timeout=TIMEOUT_MS)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home)}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True,
                                              args=BROWSER_ARGS, env=env)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed


class BrowserLog:
    """What the page said in its console and what it threw, kept for assertions."""

    def __init__(self):
        self.errors: list[str] = []

    def console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text[:500]}")

    def page_error(self, error) -> None:
        self.errors.append(f"uncaught: {str(error)[:500]}")


@contextmanager
def _tab(browser, server, request):
    """A fresh browser tab (own cookies and clipboard) that records console errors.

    At the end the tab is closed and the server's kernels are shut down; a failing test leaves a
    screenshot of the tab as it was in ``build/e2e/FAILED-<test>.png``.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.browser_log = BrowserLog()
    tab.on("console", tab.browser_log.console)
    tab.on("pageerror", tab.browser_log.page_error)
    yield tab
    if getattr(request.node, "failed_call", False):
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        try:
            tab.screenshot(path=ARTEFACTS / f"FAILED-{name}.png")
        except Exception as error:  # a failed screenshot must not hide the failure
            print(f"could not take the failure screenshot: {error}")
    context.close()
    server.shutdown_kernels(wait=False)  # the next test need not wait for this one's kernel


@pytest.fixture
def page(browser, server, request):
    """A tab on ``server`` (``_tab``)."""
    with _tab(browser, server, request) as tab:
        yield tab


@pytest.fixture
def course_page(browser, course_server, request):
    """A tab on ``course_server``, the instructor's JupyterLab in the graded course (``_tab``)."""
    with _tab(browser, course_server, request) as tab:
        yield tab
