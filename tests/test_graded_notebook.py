"""What a graded notebook shows: verdicts with messages written for students, nothing of the
hidden tests, and nothing live from the student — in feedback pages and in autograded/."""

from html.parser import HTMLParser

import nbformat
import pytest

from grader.cells import grade_id, is_test_cell, read_notebook
from grader.feedback import write_feedback
from grader.graded_notebook import graded_notebook, verdict
from grader.manifest import LABS, notebook_path
from grader.records import Outcome, Status, TestResult

UNIT = "01_sequences"
PAYLOADS = [  # every one of these would run pwned() in the instructor's browser if left live
    "<script>pwned()</script>",
    '<img src="x" onerror="pwned()">',
    '[a link](javascript:pwned())',
    '<a href="javascript:pwned()">click</a>',
    '<iframe srcdoc="<script>pwned()</script>"></iframe>',
    '<svg onload="pwned()"><circle r="5"/></svg>',
    '<div style="background:url(javascript:pwned())" onmouseover="pwned()">hover</div>',
    '<form action="javascript:pwned()"><button formaction="javascript:pwned()">go</button></form>',
]


class LiveContent(HTMLParser):
    """Collects every place in a page where ``pwned`` could run: script bodies, event handler
    attributes, javascript: URLs, frames and embedded documents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if tag in {"iframe", "object", "embed", "frame"}:
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").lower()
            if name.startswith("on") and "pwned" in value:
                self.live.append(f"{tag} {name}")
            if "pwned" in value and ("javascript:" in value or name in {"srcdoc", "style"}):
                self.live.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "pwned" in data:
            self.live.append("script")


def live_content(page: str) -> list[str]:
    parser = LiveContent()
    parser.feed(page)
    return parser.live


def hostile_outcome() -> Outcome:
    nb = read_notebook(notebook_path(LABS, UNIT))
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for payload in PAYLOADS:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"My answer {payload} and **bold** and $x^2$"))
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": payload, "text/plain": "kept text"})
        for payload in PAYLOADS
    ] + [
        nbformat.v4.new_output("display_data", data={"application/javascript": "pwned()"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": '<svg onload="pwned()"/>'}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "[x](javascript:pwned())"}),
    ]
    nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_raw_cell("<script>pwned()</script>"))
    tests = [TestResult(grade_id(c), 0.0, 1.0, False, False, "AssertionError", False,
                        message="T = 1 (a single step) works")
             for c in nb.cells if is_test_cell(c)]
    return Outcome("mallory", UNIT, 0.0, 15.0, Status.GRADED, tests, executed=nb)


def test_feedback_pages_carry_nothing_live_from_the_student(tmp_path):
    (page,) = write_feedback([hostile_outcome()], tmp_path)
    text = page.read_text()
    assert live_content(text) == []
    assert "kept text" in text or "My answer" in text
    assert "<strong>bold</strong>" in text  # markdown still renders


def test_autograded_notebooks_carry_nothing_live_but_keep_nbgraders_metadata():
    shown = graded_notebook(hostile_outcome())
    assert "widgets" not in shown.metadata
    text = nbformat.writes(shown)
    assert "application/javascript" not in text and "image/svg+xml" not in text
    for cell in shown.cells:
        if cell.cell_type in ("markdown", "raw"):
            assert live_content(cell.source) == [], cell.source
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime in ("text/html", "text/markdown"):
                    assert live_content(value) == [], value
    graded = [c for c in shown.cells if is_test_cell(c)]
    assert graded and all("nbgrader" in c.metadata for c in graded)


@pytest.mark.parametrize("test, says", [
    (TestResult("t", 0, 1, True, False, "AssertionError", False, message="float64 kept"),
     "failed: float64 kept (AssertionError)"),
    (TestResult("t", 0, 1, True, False, "NotImplementedError", False), "failed (NotImplementedError)"),
    (TestResult("t", 0, 1, False, False, "Timeout", True), "failed: ran past the time limit"),
    (TestResult("t", 1, 1, True, True, "", False), "passed"),
])
def test_a_verdict_says_what_failed_in_words_for_students(test, says):
    assert verdict(test) == says
