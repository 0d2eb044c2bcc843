"""The three faces of each unit exist and agree with the course manifest, and answers stay where
they belong."""

import importlib
import re
from pathlib import Path

import nbformat
import pytest

from grader.cells import (
    grade_id,
    is_code_answer,
    is_written_answer,
    nbgrader_meta,
    points,
    solution_ids,
)
from grader.manifest import BY_ID, UNIT_IDS, UNITS, available_units

REPO = Path(__file__).resolve().parent.parent
GRADED = {u.id: list(u.graded) for u in UNITS}  # the graded functions of ../shared/COURSE.md
ALL_GRADED = [name for names in GRADED.values() for name in names]


def test_unit_ids_follow_the_contract():
    contract = (REPO.parent / "shared" / "COURSE.md")
    if contract.is_file():  # ../shared/COURSE.md, beside the clone (as in CI)
        listed = re.findall(r"^\| `(\d\d_[a-z_0-9]+)` \|", contract.read_text(), re.M)
        assert list(UNIT_IDS) == listed[:len(UNIT_IDS)]
    assert available_units(), "no unit has a reference notebook yet"


@pytest.mark.parametrize("unit", available_units())
def test_the_manifest_gives_each_unit_its_points_and_its_package(unit):
    nb = nbformat.read(REPO / "solutions" / unit / f"{unit}.ipynb", as_version=4)
    assert sum(points(c) for c in nb.cells) == BY_ID[unit].points
    package = importlib.import_module(BY_ID[unit].package)
    assert BY_ID[unit].id in (package.__doc__ or ""), f"{package.__name__}'s docstring names its unit"


def test_the_readme_lists_every_unit_of_the_manifest():
    table = re.findall(r"^\| (\d\d) ([^|]+?) \| `([^`]+)` \| `([^`]+)` \|$",
                       (REPO / "README.md").read_text(), re.M)
    assert table == [(u.number, u.title, f"notebooks/{u.id}.ipynb", f"labs/{u.id}/{u.id}.ipynb")
                     for u in UNITS if u.id in available_units()]


@pytest.mark.parametrize("unit", available_units())
def test_each_unit_has_all_three_faces(unit):
    assert (REPO / "notebooks" / f"{unit}.ipynb").is_file()
    assert (REPO / "solutions" / unit / f"{unit}.ipynb").is_file()
    assert (REPO / "labs" / unit / f"{unit}.ipynb").is_file()


@pytest.mark.parametrize("unit", available_units())
def test_lab_asks_for_exactly_the_contracts_graded_functions(unit):
    nb = nbformat.read(REPO / "solutions" / unit / f"{unit}.ipynb", as_version=4)
    assert solution_ids(nb) == GRADED[unit]
    for cell in filter(is_code_answer, nb.cells):
        name = grade_id(cell)
        assert re.search(rf"^(def|class) {name}\b", cell.source, re.M), name
        assert "### BEGIN SOLUTION" in cell.source


def _points(p: float) -> str:
    return f"{p:g} point" + ("" if p == 1 else "s")


@pytest.mark.parametrize("unit", available_units())
def test_written_questions_have_a_model_answer_and_a_rubric_that_the_lab_withholds(unit):
    """Each lab ends with one to three questions, each a plain markdown cell followed by a manually
    graded markdown answer cell. The solution's answer cell holds a model answer and a rubric; it
    has no solution markers, so nbgrader's release replaces all of it by "YOUR ANSWER HERE"."""
    nb = nbformat.read(REPO / "solutions" / unit / f"{unit}.ipynb", as_version=4)
    answers = [i for i, c in enumerate(nb.cells) if is_written_answer(c)]
    assert 1 <= len(answers) <= 3, "one to three written questions"
    for n, i in enumerate(answers, 1):
        cell, question = nb.cells[i], nb.cells[i - 1]
        meta = nbgrader_meta(cell)
        assert meta.get("grade") and not meta.get("locked") and points(cell) > 0, grade_id(cell)
        assert grade_id(cell).startswith("written_") and cell.get("id") == grade_id(cell)
        assert "### BEGIN SOLUTION" not in cell.source, f"{grade_id(cell)}: the whole cell is the answer"
        assert cell.source.startswith("**Model answer.**"), grade_id(cell)
        assert f"**Rubric ({_points(points(cell))}).**" in cell.source, grade_id(cell)
        assert question.cell_type == "markdown" and not nbgrader_meta(question), grade_id(cell)
        assert f"**Question {n} ({_points(points(cell))}).**" in question.source, grade_id(cell)
    introduction = " ".join(nb.cells[0].source.split())
    assert f"{BY_ID[unit].points:g} points in all" in introduction, "the introduction states the total"
    lab = nbformat.read(REPO / "labs" / unit / f"{unit}.ipynb", as_version=4)
    released = {grade_id(c): c for c in lab.cells if grade_id(c)}
    for i in answers:
        assert released[grade_id(nb.cells[i])].source.strip() == "YOUR ANSWER HERE"
        assert released[grade_id(nb.cells[i])].cell_type == "markdown"
    assert not [c.source[:40] for c in lab.cells if "Model answer" in c.source or "Rubric (" in c.source]


@pytest.mark.parametrize("unit", available_units())
def test_every_graded_function_has_a_visible_and_a_hidden_test(unit):
    nb = nbformat.read(REPO / "solutions" / unit / f"{unit}.ipynb", as_version=4)
    tests = {grade_id(c): c.source for c in nb.cells if nbgrader_meta(c).get("grade")}
    for name in GRADED[unit]:
        visible, hidden = tests.get(f"test_{name}_visible"), tests.get(f"test_{name}_hidden")
        assert visible and "### BEGIN HIDDEN TESTS" not in visible, name
        assert hidden and "### BEGIN HIDDEN TESTS" in hidden, name
        assert "print(" in visible or "check" in visible, f"{name}'s visible test shows nothing"


def _python_sources():
    for path in sorted((REPO / "seqlab").rglob("*.py")):
        yield path, path.read_text()
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        yield path, "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_no_lab_answer_is_written_in_seqlab_or_the_walkthroughs():
    pattern = re.compile(rf"^\s*(def|class)\s+({'|'.join(ALL_GRADED)})\b", re.M)
    found = [f"{p.relative_to(REPO)}: {m.group(2)}" for p, src in _python_sources() for m in pattern.finditer(src)]
    assert not found, found


@pytest.mark.parametrize("unit", available_units())
def test_no_lab_gives_away_another_units_answers(unit):
    """A lab's released notebook (its given cells included) defines no other unit's graded function:
    a student may read lab 07 before doing lab 06."""
    others = [name for u, names in GRADED.items() if u != unit for name in names if name not in GRADED[unit]]
    pattern = re.compile(rf"^\s*(def|class)\s+({'|'.join(others)})\b", re.M)
    lab = nbformat.read(REPO / "labs" / unit / f"{unit}.ipynb", as_version=4)
    found = [m.group(2) for c in lab.cells if c.cell_type == "code" for m in pattern.finditer(c.source)]
    assert not found, found
