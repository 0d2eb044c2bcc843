"""What the grader needs to know about a notebook's nbgrader cells."""

from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test_cell(cell: NotebookNode) -> bool:
    """A graded code cell that is not a solution: an autograder test cell."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def has_hidden_tests(cell: NotebookNode) -> bool:
    return HIDDEN_BEGIN in cell.source


def strip_hidden_tests(source: str) -> str:
    """``source`` without its hidden-test regions (markers included)."""
    kept, hidden = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            hidden = True
        elif line.strip() == HIDDEN_END:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


@dataclass
class TestResult:
    """One test cell's outcome, as the instructor's breakdown and the feedback page show it."""

    grade_id: str
    points: float
    max_points: float
    hidden: bool
    passed: bool
    error: str  # exception name of a failure ("" when passed); never a message or traceback
    timed_out: bool


def locked_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    """The cells a student may not change, by grade id."""
    return {
        meta["grade_id"]: cell
        for cell in nb.cells
        if (meta := nbgrader_meta(cell)).get("locked") and meta.get("grade_id")
    }


def tampered_cells(submitted: NotebookNode, released: NotebookNode) -> list[str]:
    """Grade ids of locked cells of the released lab that the submission changed or deleted.

    Changes of white space at the ends are forgiven; solution cells are the student's to edit,
    but deleting one counts too.
    """
    mine = {nbgrader_meta(c).get("grade_id"): c for c in submitted.cells}
    changed = []
    for grade_id, cell in locked_cells(released).items():
        theirs = mine.get(grade_id)
        if theirs is None or theirs.cell_type != cell.cell_type or theirs.source.strip() != cell.source.strip():
            changed.append(grade_id)
    for cell in released.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and meta.get("grade_id") not in mine:
            changed.append(meta["grade_id"])
    return changed


def read_notebook(path) -> NotebookNode:
    """Read a notebook as nbformat 4; raises ``ValueError`` for anything that is not one."""
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as error:  # invalid JSON, wrong schema, binary junk
        raise ValueError(f"not a readable notebook: {type(error).__name__}") from error
