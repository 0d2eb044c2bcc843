"""Hidden tests tell a student what failed without giving the test away.

The feedback shows a failed hidden test's assertion message, never its source. So every ``assert``
between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` carries a plain string literal that
says, in the student's terms, what it checks: no f-string and no expression, which could show the
test's inputs or the values it computed. Helpers such as ``np.testing.assert_allclose`` are not
used there: their messages print the arrays they compare.
"""

import ast

import pytest

from grader.cells import HIDDEN_BEGIN, HIDDEN_END, grade_id, is_test_cell, read_notebook
from grader.manifest import SOLUTIONS, available_units, notebook_path


def _hidden_lines(source: str) -> set[int]:
    """Line numbers (1-based) strictly inside the source's hidden-test regions."""
    lines, hidden, inside = set(), False, False
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == HIDDEN_BEGIN:
            hidden, inside = True, True
        elif line.strip() == HIDDEN_END:
            hidden = False
        elif hidden:
            lines.add(number)
    assert inside and not hidden, "hidden regions open and close"
    return lines


def _hidden_nodes(source: str):
    """The statements and calls of a test cell that lie in one of its hidden regions. The whole cell
    is parsed (its markers are comments), so a region indented inside a block is handled too."""
    hidden = _hidden_lines(source)
    nodes = [n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.stmt, ast.Call))]
    return sorted((n for n in nodes if n.lineno in hidden), key=lambda n: (n.lineno, n.col_offset))


def _hidden_cells(unit: str):
    nb = read_notebook(notebook_path(SOLUTIONS, unit))
    return [c for c in nb.cells if is_test_cell(c) and HIDDEN_BEGIN in c.source]


def _is_assert_helper(call: ast.Call) -> bool:
    """``np.testing.assert_allclose(...)``, ``assert_array_equal(...)``, ``tf.debugging.assert_equal(...)``."""
    return ast.unparse(call.func).split(".")[-1].startswith("assert_")


@pytest.mark.parametrize("unit", available_units())
def test_every_hidden_assert_has_a_literal_message(unit):
    cells = _hidden_cells(unit)
    assert cells, f"{unit} has hidden tests"
    missing = []
    for cell in cells:
        for node in _hidden_nodes(cell.source):
            if isinstance(node, ast.Assert) and not (
                    isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str) and node.msg.value.strip()):
                missing.append(f"{grade_id(cell)}, line {node.lineno}: {ast.unparse(node)[:80]}")
    assert not missing, "hidden asserts need a plain string message:\n" + "\n".join(missing)


@pytest.mark.parametrize("unit", available_units())
def test_hidden_tests_use_no_assert_helpers(unit):
    found = [f"{grade_id(cell)}, line {node.lineno}: {ast.unparse(node.func)}"
             for cell in _hidden_cells(unit) for node in _hidden_nodes(cell.source)
             if isinstance(node, ast.Call) and _is_assert_helper(node)]
    assert not found, "use assert <condition>, \"message\" instead:\n" + "\n".join(found)


def test_the_checks_see_asserts_in_indented_regions():
    source = (
        "def helper():\n"
        "    return 1\n"
        "for i in range(2):\n"
        f"    {HIDDEN_BEGIN}\n"
        "    assert helper() == 1, f'i = {i}'\n"
        "    np.testing.assert_allclose(i, i)\n"
        "    assert i >= 0, 'indices are not negative'\n"
        f"    {HIDDEN_END}\n"
        "assert True\n"
    )
    nodes = list(_hidden_nodes(source))
    asserts = [n for n in nodes if isinstance(n, ast.Assert)]
    assert [n.lineno for n in asserts] == [5, 7]
    assert not isinstance(asserts[0].msg, ast.Constant) and asserts[1].msg.value == "indices are not negative"
    assert [ast.unparse(n.func) for n in nodes if isinstance(n, ast.Call) and _is_assert_helper(n)] == \
        ["np.testing.assert_allclose"]
