"""``python -m grader feedback SUBMITTED --out DIR [--grades grades.csv]``: one HTML page per
student and unit, from the stored results of ``python -m grader autograde`` (nothing is graded
again).

A page shows the student's notebook as graded (``grader.graded_notebook``: verdicts, nothing
secret, nothing live), with a table of every test on top: its points and, for a failure, what it
checks in words written for students. Hidden tests appear by name, points, verdict and that
message only: their source, inputs and values are never shown, and an output that quotes a line
of hidden-test code is withheld. Written answers are listed as graded by hand.
"""

import copy
import html
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from grader.autograde import read_grades
from grader.cells import read_notebook, written_answer_ids
from grader.graded_notebook import graded_notebook, verdict
from grader.manifest import SOLUTIONS, notebook_path
from grader.records import Outcome


def _cell(text: str) -> str:
    """Text for a markdown table cell: HTML-escaped, no pipes or line breaks."""
    return html.escape(text).replace("|", "&#124;").replace("\n", " ")


def summary_markdown(outcome: Outcome) -> str:
    rows = [
        f"| `{t.grade_id}` | {'hidden' if t.hidden else 'visible'} | {t.points:g} / {t.max_points:g} "
        f"| {_cell(verdict(t))} |"
        for t in outcome.tests
    ]
    written = written_answer_ids(read_notebook(notebook_path(SOLUTIONS, outcome.unit)))
    rows += [f"| `{w}` | written | — | graded by hand |" for w in written]
    note = f"\n\n_{_cell(outcome.note)}_" if outcome.note else ""
    return (
        f"# Feedback: {outcome.unit}\n\nStudent **{_cell(outcome.student)}** — score "
        f"**{outcome.score:g} / {outcome.max_score:g}**, status `{outcome.status}`.{note}\n\n"
        "| test | kind | points | result |\n|---|---|---|---|\n" + "\n".join(rows)
    )


def feedback_notebook(outcome: Outcome) -> nbformat.NotebookNode:
    """The graded notebook (as stored, or made now) with the score table on top, no metadata."""
    nb = copy.deepcopy(outcome.shown) if outcome.shown is not None else graded_notebook(outcome)
    for cell in nb.cells:
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
    grades = Path(args.grades)
    try:
        outcomes = read_grades(grades)
    except FileNotFoundError:
        print(f"no graded results at {grades.with_suffix('.json')}: grade first with "
              f"`python -m grader autograde {args.submitted} --out {grades}`", file=sys.stderr)
        return 2
    students = {p.name for p in Path(args.submitted).iterdir() if p.is_dir()} if Path(args.submitted).is_dir() else set()
    outcomes = [o for o in outcomes if o.student in students]
    pages = write_feedback(outcomes, Path(args.out))
    print(f"{len(pages)} feedback pages written under {args.out}")
    return 0


def add_arguments(commands) -> None:
    parser = commands.add_parser("feedback", help="write feedback pages from autograde's stored results")
    parser.add_argument("submitted", help="the class folder that was graded (its students get pages)")
    parser.add_argument("--out", required=True, help="folder for the HTML pages")
    parser.add_argument("--grades", default="grades.csv",
                        help="the CSV autograde wrote (default grades.csv); its .json breakdown and "
                             ".notebooks folder beside it are read")
    parser.set_defaults(run=run)
