"""Build the grader's fixture class from the current lab and its reference answers.

    python tests/submissions/build.py      # rewrites tests/submissions/<student>/...

Each student is one kind of submission with a known score, written down in ``expected.csv``.
``tests/test_grader.py`` checks that the committed folder is what this script builds, and that
the grader gives exactly the expected rows.
"""

import shutil
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
UNIT = "01_sequences"
ANSWER_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def reference_answers() -> dict[str, str]:
    """Solution cells of the reference notebook as a student would paste them (no markers)."""
    nb = nbformat.read(REPO / "solutions" / UNIT / f"{UNIT}.ipynb", as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in c.source.splitlines() if line.strip() not in ANSWER_MARKERS
        )
        for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def lab() -> nbformat.NotebookNode:
    return nbformat.read(REPO / "labs" / UNIT / f"{UNIT}.ipynb", as_version=4)


def answered(answers: dict[str, str]) -> nbformat.NotebookNode:
    """The released lab with the given solution cells replaced."""
    nb = lab()
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


def submissions() -> dict[str, nbformat.NotebookNode | str | None]:
    """Student name -> notebook (or raw text for a broken file, or None for no submission)."""
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
        "full": answered(ref),
        "empty": lab(),
        "half": answered({k: ref[k] for k in ("build_vocab", "vectorize")}),
        "not_json": "this is not a notebook {",
        "dies": answered(dies),
        "loops": answered(loops),
        "noisy": answered(noisy),
        "edits_tests_right": with_test_cells(answered(ref), "pass"),
        "edits_tests_wrong": with_test_cells(lab(), "print('all tests pass')"),
        "absent": None,
    }


def build(dest: Path = HERE) -> None:
    for student, content in submissions().items():
        folder = dest / student
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if content is None:
            (folder / ".keep").write_text("")  # a student who handed nothing in for this unit
            continue
        path = folder / UNIT / f"{UNIT}.ipynb"
        path.parent.mkdir()
        if isinstance(content, str):
            path.write_text(content)
        else:
            nbformat.write(content, str(path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
