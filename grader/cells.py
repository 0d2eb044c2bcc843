"""What the grader needs to know about a notebook's nbgrader cells: one place that reads their
metadata (for the grader, the fixture builder, the tests and the benchmarks)."""

import ast
import copy

import nbformat
from nbformat import NotebookNode

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_solution_cell(cell: NotebookNode) -> bool:
    """A cell the student writes: a graded function's code, or a written answer."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_code_answer(cell: NotebookNode) -> bool:
    """A solution cell holding code: a graded function (or class) the tests call."""
    return cell.cell_type == "code" and is_solution_cell(cell)


def is_written_answer(cell: NotebookNode) -> bool:
    """A markdown answer cell with points: a written answer, graded by hand in formgrader."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


def is_grade_cell(cell: NotebookNode) -> bool:
    """A cell with points: a test cell, or a written answer."""
    return bool(nbgrader_meta(cell).get("grade"))


def is_test_cell(cell: NotebookNode) -> bool:
    """A graded code cell that is not a solution: an autograder test cell."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_setup_cell(cell: NotebookNode) -> bool:
    """A locked code cell that is not graded: the lab's set-up (imports, data), run before tests."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("locked")) and not meta.get("grade")


def setup_imports(nb: NotebookNode) -> tuple[str, ...]:
    """The modules a lab's locked set-up cells import, in order (``import keras``, ``from seqlab.checks
    import check``: ``keras``, ``seqlab.checks``); what a kernel for that lab will need first."""
    found: list[str] = []
    for cell in nb.cells:
        if not is_setup_cell(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return tuple(dict.fromkeys(found))


def points(cell: NotebookNode) -> float:
    return float(nbgrader_meta(cell).get("points", 0) or 0)


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


def solution_ids(nb: NotebookNode) -> list[str]:
    """Grade ids of the notebook's code answer cells, in order (the lab's graded names)."""
    return [grade_id(c) for c in nb.cells if is_code_answer(c)]


def written_answer_ids(nb: NotebookNode) -> list[str]:
    """Grade ids of the notebook's written answers, in order."""
    return [grade_id(c) for c in nb.cells if is_written_answer(c)]


def max_points(nb: NotebookNode) -> float:
    """Every point of the notebook: its tests' and its written answers'."""
    return sum(points(c) for c in nb.cells if is_grade_cell(c))


def reference_answers(nb: NotebookNode) -> dict[str, str]:
    """Code answer cells of a reference notebook as a student would paste them: grade id ->
    source without the ``### BEGIN/END SOLUTION`` markers."""
    return {
        grade_id(c): "\n".join(line for line in c.source.splitlines() if line.strip() not in SOLUTION_MARKERS)
        for c in nb.cells if is_code_answer(c)
    }


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
    mine = {grade_id(c): c for c in submitted.cells}
    changed = []
    for cell_id, cell in locked_cells(released).items():
        theirs = mine.get(cell_id)
        if theirs is None or theirs.cell_type != cell.cell_type or theirs.source.strip() != cell.source.strip():
            changed.append(cell_id)
    changed += [grade_id(c) for c in released.cells if is_solution_cell(c) and grade_id(c) not in mine]
    return changed


def restore_locked_cells(submitted: NotebookNode, released: NotebookNode) -> NotebookNode:
    """The student's notebook with every locked cell as released (edited ones overwritten,
    deleted ones put back in place); the student's own cells and answers are kept."""
    locked = locked_cells(released)
    solutions = {grade_id(c): c for c in released.cells if is_solution_cell(c)}
    cells, present = [], set()
    for cell in submitted.cells:
        cell_id = grade_id(cell)
        if cell_id in locked:
            cells.append(copy.deepcopy(locked[cell_id]))
        elif cell_id in solutions and cell.cell_type == solutions[cell_id].cell_type:
            cell = copy.deepcopy(cell)
            cell.metadata["nbgrader"] = copy.deepcopy(nbgrader_meta(solutions[cell_id]))
            cells.append(cell)
        elif cell_id in solutions:
            continue  # an answer cell of the other kind (code turned markdown): treat as deleted
        else:
            cells.append(copy.deepcopy(cell))
        present.add(cell_id)
    order = [grade_id(c) for c in released.cells]
    for index, cell_id in enumerate(order):
        if cell_id and cell_id not in present and (cell_id in locked or cell_id in solutions):
            anchors = [g for g in order[:index] if g in present]
            at = 0
            if anchors:
                at = 1 + max(i for i, c in enumerate(cells) if grade_id(c) == anchors[-1])
            cells.insert(at, copy.deepcopy(released.cells[index]))
            present.add(cell_id)
    restored = copy.deepcopy(released)
    restored.cells = cells
    return restored


def read_notebook(path) -> NotebookNode:
    """Read a notebook as nbformat 4; raises ``ValueError`` for anything that is not one."""
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as error:  # invalid JSON, wrong schema, binary junk
        raise ValueError(f"not a readable notebook: {type(error).__name__}") from error
