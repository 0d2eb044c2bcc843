"""Every walkthrough and reference notebook runs top to bottom (fast mode), cleanly stored.

A cell fails the run if it raises or writes to stderr: a student would see that noise, and in a
graded notebook nbgrader would count it against them.
"""

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
EXECUTED = sorted(REPO.glob("notebooks/*.ipynb")) + sorted(REPO.glob("solutions/*/*.ipynb"))
ALL = EXECUTED + sorted(REPO.glob("labs/*/*.ipynb"))


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
    monkeypatch.setenv("SEQLAB_FAST", os.environ.get("SEQLAB_FAST", "1"))  # the kernel inherits it
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    problems = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"cell {i}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                problems.append(f"cell {i} wrote to stderr: {output.text[:300]}")
    assert not problems, "\n".join(problems)
