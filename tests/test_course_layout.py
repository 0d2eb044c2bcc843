"""The three faces of each unit exist and agree, and answers stay where they belong."""

import re
from pathlib import Path

import nbformat
import pytest

from grader.course import UNIT_IDS, available_units

REPO = Path(__file__).resolve().parent.parent

# The graded functions of ../shared/COURSE.md, by unit.
GRADED = {
    "01_sequences": ["build_vocab", "vectorize", "get_batch", "one_hot", "bag_of_words"],
    "02_rnn_unrolling": ["rnn_step", "rnn_forward", "MyRNNCell"],
    "03_bptt": ["rnn_backward", "clip_by_global_norm", "jacobian_norms"],
    "04_lstm": ["lstm_step", "lstm_forward"],
    "05_music_generation": ["build_model", "compute_loss", "train_step", "sample_next", "generate"],
    "06_attention": [
        "scaled_dot_product_attention", "causal_mask", "positional_encoding",
        "multi_head_self_attention",
    ],
}
ALL_GRADED = [name for names in GRADED.values() for name in names]


def test_unit_ids_follow_the_contract():
    assert list(GRADED) == list(UNIT_IDS)
    assert available_units(), "no unit has a reference notebook yet"


@pytest.mark.parametrize("unit", available_units())
def test_each_unit_has_all_three_faces(unit):
    assert (REPO / "notebooks" / f"{unit}.ipynb").is_file()
    assert (REPO / "solutions" / unit / f"{unit}.ipynb").is_file()
    assert (REPO / "labs" / unit / f"{unit}.ipynb").is_file()


@pytest.mark.parametrize("unit", available_units())
def test_lab_asks_for_exactly_the_contracts_graded_functions(unit):
    nb = nbformat.read(REPO / "solutions" / unit / f"{unit}.ipynb", as_version=4)
    solution_ids = [
        c.metadata["nbgrader"]["grade_id"] for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    ]
    assert solution_ids == GRADED[unit]
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            name = meta["grade_id"]
            assert re.search(rf"^(def|class) {name}\b", cell.source, re.M), name
            assert "### BEGIN SOLUTION" in cell.source


@pytest.mark.parametrize("unit", available_units())
def test_every_graded_function_has_a_visible_and_a_hidden_test(unit):
    nb = nbformat.read(REPO / "solutions" / unit / f"{unit}.ipynb", as_version=4)
    tests = {
        c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade")
    }
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
