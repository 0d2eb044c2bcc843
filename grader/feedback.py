"""``python -m grader feedback SUBMITTED --out DIR``: one HTML page per student and unit.

A page shows the student's notebook as graded, a table of every test with its points, and the
visible tests' output. Hidden tests appear by name, points and pass/fail (with the exception's
name) only: their source, messages and tracebacks are never shown, and any output that quotes a
line of hidden-test code is withheld.
"""

import copy
import html
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from grader.autograde import add_class_arguments, grade_from_args
from grader.cells import grade_id, has_hidden_tests, is_test_cell, read_notebook, strip_hidden_tests
from grader.manifest import SOLUTIONS, notebook_path
from grader.records import Outcome

WITHHELD = "[output withheld: it quoted hidden test code]\n"


def _hidden_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Lines of hidden-test code long enough to recognise when an output quotes them."""
    lines = set()
    for cell in nb.cells:
        if has_hidden_tests(cell):
            visible = set(strip_hidden_tests(cell.source).splitlines())
            lines |= {ln.strip() for ln in cell.source.splitlines() if ln not in visible}
    return {ln for ln in lines if len(ln) >= 12 and not ln.startswith("###")}


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join([output.get("evalue", ""), *output.get("traceback", [])])
    data = output.get("data", {})
    return "\n".join(str(v) for k, v in data.items() if k.startswith("text/"))


def _scrub_outputs(outputs: list, hidden: set[str]) -> list:
    kept = []
    for output in outputs:
        text = _output_text(output)
        if any(line in text for line in hidden):
            kept.append(nbformat.v4.new_output("stream", name="stdout", text=WITHHELD))
        else:
            kept.append(output)
    return kept


def summary_markdown(outcome: Outcome) -> str:
    rows = [
        f"| `{t.grade_id}` | {'hidden' if t.hidden else 'visible'} | {t.points:g} / {t.max_points:g} "
        f"| {'passed' if t.passed else 'failed (' + t.error + ')'} |"
        for t in outcome.tests
    ]
    note = f"\n\n_{html.escape(outcome.note)}_" if outcome.note else ""
    return (
        f"# Feedback: {outcome.unit}\n\nStudent **{html.escape(outcome.student)}** — score "
        f"**{outcome.score:g} / {outcome.max_score:g}**, status `{outcome.status}`.{note}\n\n"
        "| test | kind | points | result |\n|---|---|---|---|\n" + "\n".join(rows)
    )


def feedback_notebook(outcome: Outcome) -> nbformat.NotebookNode:
    """The student's graded notebook, safe to show them, with the score table on top.

    Test verdicts come from the grader (the table and a line under each test cell); the outputs
    shown are those of the student's own kernel. Hidden test cells show their verdict only.
    """
    nb = copy.deepcopy(outcome.executed) if outcome.executed else nbformat.v4.new_notebook()
    source = read_notebook(notebook_path(SOLUTIONS, outcome.unit))
    hidden = _hidden_lines(source)
    by_id = {t.grade_id: t for t in outcome.tests}
    for cell in nb.cells:
        test = by_id.get(grade_id(cell)) if is_test_cell(cell) else None
        cell.source = strip_hidden_tests(cell.source)
        if test is not None:
            verdict = "passed" if test.passed else f"failed ({test.error})"
            line = f"[grader] {test.grade_id}: {verdict}, {test.points:g} / {test.max_points:g} points\n"
            if test.hidden:
                cell.source = f"# Hidden tests `{test.grade_id}`"
                cell.outputs = []
            cell.outputs = [*_scrub_outputs(cell.outputs, hidden),
                            nbformat.v4.new_output("stream", name="stdout", text=line)]
        elif cell.cell_type == "code":
            cell.outputs = _scrub_outputs(cell.outputs, hidden)
        cell.metadata = {}
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(summary_markdown(outcome)))
    return nb


def write_feedback(outcomes: list[Outcome], out: Path) -> list[Path]:
    """Write ``out/<student>/<unit>/<unit>.html`` for every outcome; return the paths."""
    exporter = HTMLExporter(template_name="lab")
    pages = []
    for outcome in outcomes:
        page = out / outcome.student / outcome.unit / f"{outcome.unit}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        body, _ = exporter.from_notebook_node(feedback_notebook(outcome))
        page.write_text(body, encoding="utf-8")
        pages.append(page)
    return pages


def run(args) -> int:
    out = Path(args.out)
    outcomes = grade_from_args(args, out)
    if outcomes is None:
        return 2
    pages = write_feedback(outcomes, out)
    print(f"{len(pages)} feedback pages written under {args.out}")
    return 0


def add_arguments(commands) -> None:
    parser = commands.add_parser("feedback", help="grade SUBMITTED and write feedback pages")
    add_class_arguments(parser)
    parser.add_argument("--out", required=True, help="folder for the HTML pages")
    parser.set_defaults(run=run)
