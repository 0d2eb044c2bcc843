"""Build the grader's fixture class from the current lab and its reference answers.

    python tests/submissions/build.py      # rewrites tests/submissions/<student>/...

Each student is one kind of submission with a known score, written down in ``expected.csv``.
Every unit gets a ``full`` (reference answers pasted into the lab) and an ``empty`` (the lab as
released) submission; unit 01 also gets the broken and dishonest kinds. A student who lacks a
unit gets a ``missing`` row for it. ``tests/test_grader.py`` checks that the committed folder is
what this script builds, and that the grader gives exactly the expected rows.
"""

import shutil
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
from grader.course import available_units  # noqa: E402

UNIT = "01_sequences"  # the unit whose lab the broken and dishonest kinds are made from
ANSWER_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def reference_answers(unit: str = UNIT) -> dict[str, str]:
    """Solution cells of the reference notebook as a student would paste them (no markers)."""
    nb = nbformat.read(REPO / "solutions" / unit / f"{unit}.ipynb", as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in c.source.splitlines() if line.strip() not in ANSWER_MARKERS
        )
        for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def lab(unit: str = UNIT) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "labs" / unit / f"{unit}.ipynb", as_version=4)


def answered(answers: dict[str, str], unit: str = UNIT) -> nbformat.NotebookNode:
    """The released lab with the given solution cells replaced."""
    nb = lab(unit)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def with_test_cells(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """``nb`` with every locked test cell's source replaced (what a cheating student tries)."""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
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
    loops = dict(ref)
    loops["one_hot"] = ref["one_hot"].replace('    """\n', '    """\n    while True:\n        pass\n', 1)
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
