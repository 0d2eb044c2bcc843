"""The notebook a grade is shown with: the student's notebook as it ran, with the grader's
verdicts, and nothing in it that is secret or live.

One function makes it, for every place a graded notebook is opened: the feedback pages
(``python -m grader feedback``), the course folder's ``autograded/`` (formgrader,
``nbgrader generate_feedback``) and the notebooks stored beside ``grades.csv``.

- Each test cell ends with the grader's verdict line; a hidden test cell shows only its name and
  verdict — never its source — and a failure's message is the one written for students in the
  test (``assert ..., "T = 1"``), never its inputs or values.
- Any output that quotes a line of hidden-test code is withheld.
- The student's content is made safe to open (``grader.sanitize``): no live script, event
  handler or active HTML. nbgrader's cell metadata stays, so formgrader can grade the cells.
"""

import copy
import functools

import nbformat
from nbformat import NotebookNode

from grader.cells import grade_id, has_hidden_tests, is_test_cell, read_notebook, strip_hidden_tests
from grader.manifest import SOLUTIONS, notebook_path
from grader.records import Outcome, TestResult
from grader.sanitize import sanitize_notebook

WITHHELD = "[output withheld: it quoted hidden test code]\n"


@functools.cache
def hidden_lines(unit: str) -> frozenset[str]:
    """Lines of the unit's hidden-test code long enough to recognise when an output quotes them
    (read once per process: every submission of the unit needs them)."""
    lines = set()
    for cell in read_notebook(notebook_path(SOLUTIONS, unit)).cells:
        if has_hidden_tests(cell):
            visible = set(strip_hidden_tests(cell.source).splitlines())
            lines |= {ln.strip() for ln in cell.source.splitlines() if ln not in visible}
    return frozenset(ln for ln in lines if len(ln) >= 12 and not ln.startswith("###"))


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join([output.get("evalue", ""), *output.get("traceback", [])])
    data = output.get("data", {})
    return "\n".join(str(v) for k, v in data.items() if k.startswith("text/"))


def scrub_outputs(outputs: list, hidden: frozenset[str]) -> list:
    """``outputs`` with every output that quotes a hidden line replaced by a notice."""
    kept = []
    for output in outputs:
        if any(line in _output_text(output) for line in hidden):
            kept.append(nbformat.v4.new_output("stream", name="stdout", text=WITHHELD))
        else:
            kept.append(output)
    return kept


def verdict(test: TestResult) -> str:
    """``passed``, or ``failed: <message for students> (<exception name>)``."""
    if test.passed:
        return "passed"
    if test.timed_out:
        return "failed: ran past the time limit"
    return f"failed: {test.message} ({test.error})" if test.message else f"failed ({test.error})"


def verdict_line(test: TestResult) -> str:
    return f"[grader] {test.grade_id}: {verdict(test)}, {test.points:g} / {test.max_points:g} points\n"


def graded_notebook(outcome: Outcome) -> NotebookNode:
    """The student's notebook as graded, with verdicts, safe to show (module docstring)."""
    nb = copy.deepcopy(outcome.executed) if outcome.executed else nbformat.v4.new_notebook()
    hidden = hidden_lines(outcome.unit)
    by_id = {t.grade_id: t for t in outcome.tests}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = strip_hidden_tests(cell.source)
        test = by_id.get(grade_id(cell)) if is_test_cell(cell) else None
        outputs = scrub_outputs(cell.get("outputs", []), hidden)
        if test is not None:
            if test.hidden:
                cell.source = f"# Hidden tests `{test.grade_id}`"
                outputs = []
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=verdict_line(test)))
        cell.outputs = outputs
    return sanitize_notebook(nb)
