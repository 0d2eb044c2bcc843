"""Build the grader's fixture class from the current lab and its reference answers.

    python -m tests.submissions.build      # rewrites tests/submissions/<student>/...

Each student is one kind of submission with a known score, written down in ``expected.csv``.
Every unit gets a ``full`` (reference answers pasted into the lab) and an ``empty`` (the lab as
released) submission; unit 01 also gets the broken and dishonest kinds. A student who lacks a
unit gets a ``missing`` row for it: ``expected.csv`` lists only the rows that are not missing, and
``expected_rows`` adds the missing ones from the course manifest. ``tests/test_grader.py`` checks
that the committed folder is what this module builds, and that the grader gives exactly the
expected rows.
"""

import csv
import shutil
import sys
from pathlib import Path

import nbformat

from grader.cells import grade_id, is_test_cell, read_notebook
from grader.cells import reference_answers as answers_of
from grader.manifest import BY_ID, LABS, SOLUTIONS, available_units, notebook_path

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected.csv"
UNIT = "01_sequences"  # the unit whose lab the broken and dishonest kinds are made from
COLUMNS = ["student", "unit", "score", "max_score", "status"]


def reference_answers(unit: str = UNIT) -> dict[str, str]:
    """Solution cells of the reference notebook as a student would paste them (no markers)."""
    return answers_of(read_notebook(notebook_path(SOLUTIONS, unit)))


def lab(unit: str = UNIT) -> nbformat.NotebookNode:
    return read_notebook(notebook_path(LABS, unit))


def answered(answers: dict[str, str], unit: str = UNIT) -> nbformat.NotebookNode:
    """The released lab with the given solution cells replaced."""
    nb = lab(unit)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def with_test_cells(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """``nb`` with every locked test cell's source replaced (what a cheating student tries)."""
    for cell in nb.cells:
        if is_test_cell(cell):
            cell.source = source
    return nb


def unit01_submissions() -> dict[str, nbformat.NotebookNode | str | None]:
    """Student -> unit 01 notebook (raw text for a broken file, None for nothing handed in)."""
    ref = reference_answers()
    first = next(iter(ref))  # build_vocab
    noisy = dict(ref)
    noisy[first] = (
        "import sys\nimport warnings\n\nimport tensorflow as tf\n\n"
        "warnings.warn('a library warning at definition time')\n"
        "print('TensorFlow', tf.__version__, file=sys.stderr)\n\n"
        + ref[first].replace('    """\n', '    """\n    warnings.warn("deprecated, but harmless")\n'
                             "    print('noise on stderr', file=sys.stderr)\n", 1)
    )
    dies = dict(ref, get_batch="import os\n\nos._exit(1)\n\n" + ref["get_batch"])
    # A loop that never ends on an unknown word (``i += 1`` indented one level too deep): the visible
    # test has none and passes; the hidden test's first unknown word runs into the loop.
    loops = dict(ref, bag_of_words='''def bag_of_words(tokens, vocab):
    counts = np.zeros(len(vocab), dtype=np.int32)
    i = 0
    while i < len(tokens):
        if tokens[i] in vocab:
            counts[vocab.index(tokens[i])] += 1
            i += 1
    return counts
''')
    return {
        "half": answered({k: ref[k] for k in ("build_vocab", "vectorize")}),
        "not_json": "this is not a notebook {",
        "dies": answered(dies),
        "loops": answered(loops),
        "noisy": answered(noisy),
        "edits_tests_right": with_test_cells(answered(ref), "pass"),
        "edits_tests_wrong": with_test_cells(lab(), "print('all tests pass')"),
        "absent": None,
    }


def submissions() -> dict[tuple[str, str], nbformat.NotebookNode | str | None]:
    """(student, unit) -> what that student handed in for that unit."""
    class_ = {}
    for unit in available_units():
        class_["full", unit] = answered(reference_answers(unit), unit)
        class_["empty", unit] = lab(unit)
    class_.update({(student, UNIT): content for student, content in unit01_submissions().items()})
    return class_


def students(folder: Path = HERE) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def expected_rows(folder: Path = HERE) -> list[dict[str, str]]:
    """Every row the grader must write for the fixture class: those of ``expected.csv``, and a
    ``missing`` row (0 of the unit's points in the manifest) for every other student and unit."""
    with EXPECTED.open() as f:
        written = {(r["student"], r["unit"]): r for r in csv.DictReader(f)}
    rows = []
    for student in students(folder):
        for unit in available_units():
            missing = {"student": student, "unit": unit, "score": "0",
                       "max_score": f"{BY_ID[unit].points:g}", "status": "missing"}
            rows.append(written.pop((student, unit), missing))
    if written:
        raise ValueError(f"expected.csv has rows for no student or unit of the class: {sorted(written)}")
    return rows


def build(dest: Path = HERE) -> None:
    for folder in dest.iterdir():
        if folder.is_dir() and not folder.name.startswith("_"):
            shutil.rmtree(folder)
    for (student, unit), content in submissions().items():
        folder = dest / student
        folder.mkdir(exist_ok=True)
        if content is None:
            (folder / ".keep").write_text("")  # a student who handed nothing in
            continue
        path = folder / unit / f"{unit}.ipynb"
        path.parent.mkdir()
        if isinstance(content, str):
            path.write_text(content)
        else:
            nbformat.write(content, str(path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
