"""Every walkthrough runs top to bottom (fast mode); every notebook is stored clean.

A cell fails the run if it raises or writes to stderr: a student would see that noise, and in a
graded notebook nbgrader would count it against them. The reference answers of every lab run top
to bottom too, once, where they are graded: the fixture class's ``full`` student is each lab with
the reference answers pasted in, and ``tests/test_grader.py`` checks that its notebooks ran with
no error and no stderr and that every test, hidden ones included, passed (running
``solutions/`` here as well ran the same cells a second time in every CI run).
"""

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.notebook_checks import BROWSER_RUNS_WALKTHROUGHS, run_problems

REPO = Path(__file__).resolve().parent.parent
EXECUTED = sorted(REPO.glob("notebooks/*.ipynb"))
ALL = EXECUTED + sorted(REPO.glob("solutions/*/*.ipynb")) + sorted(REPO.glob("labs/*/*.ipynb"))


def _ids(paths):
    return [str(p.relative_to(REPO)) for p in paths]


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, cell["source"][:80]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_notebook_has_no_shell_calls_or_absolute_paths(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            assert not re.match(r"\s*[!%]", line), f"shell or magic call: {line}"
            assert not re.search(r"""["'](/home|/root|/work|/tmp|/Users|[A-Z]:\\)""", line), line
            assert "os.system" not in line and "subprocess" not in line, line


@pytest.mark.notebook
@pytest.mark.parametrize("path", EXECUTED, ids=_ids(EXECUTED))
def test_notebook_runs_top_to_bottom_without_errors_or_stderr(path, monkeypatch):
    if os.environ.get(BROWSER_RUNS_WALKTHROUGHS) == "1":
        pytest.skip("run top to bottom by the browser tests that follow (make e2e, as in CI)")
    monkeypatch.setenv("SEQLAB_FAST", os.environ.get("SEQLAB_FAST", "1"))  # the kernel inherits it
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    problems = run_problems(nb)
    assert not problems, "\n".join(problems)
