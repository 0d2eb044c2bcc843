"""What a person sees: every walkthrough, every lab and the formgrader, in JupyterLab in Chromium.

- Walkthroughs (every ``notebooks/*.ipynb``): Run All Cells; every code cell ran, no traceback or
  stderr output, every ``plt.show()`` shows a picture, every widget renders, and each of its
  controls (slider, text box, check box, drop-down, toggle buttons, radio buttons; its buttons
  together) changes what the widget shows, with nothing in JupyterLab's log console (where errors
  raised in widget callbacks go); audio players load a sound (the music unit must have one); the
  page logs no JavaScript error.
- Labs (every ``labs/<unit>/<unit>.ipynb``): a student pastes the reference answers into the
  answer cells, runs all, and every visible test prints PASS and no FAIL.
- Formgrader: nbgrader's Formgrader, opened from JupyterLab's menu, lists every unit.
- Formgrader after our grader: in a course folder (``python -m grader course``) where ``python -m
  grader autograde --course`` graded two students, Formgrader (JupyterLab started there) lists
  both with the scores of ``grades.csv``; half's grading view shows half's written answer with its
  ``<script>`` as text and no script or event handler run, and "No response." on the written answer
  left blank; a score typed into the written answer's box is saved in the gradebook (its manual
  score, and the submission's score up by as much) and shown in the listing; formgrader's
  Autograde button shows the refusal naming ``python -m grader autograde`` and changes nothing.
- The checks themselves: a notebook with a dead slider, a failing observer, a failing button, stderr
  and a widget whose model is lost is caught on each count.

Screenshots: ``build/e2e/<notebook>.png`` (its first interactive widget, else audio player, else figure),
``build/e2e/<notebook>-widget<k>.png`` (each interactive widget after it was used),
``build/e2e/lab-<unit>.png`` (the first visible test's PASS lines), ``build/e2e/formgrader.png``,
``build/e2e/formgrader-scores.png`` (the graded submissions), ``build/e2e/formgrader-grading.png``
(the written answer, graded by hand) and ``build/e2e/formgrader-autograde-refused.png``.
"""
import csv
import re
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests skipped: the Python package "
                    "`playwright` is missing; run `make setup` (it is one of the course's dependencies)")

from labpage import (  # noqa: E402
    CELLS,
    audio_players,
    error_outputs,
    menu,
    open_notebook,
    output_text,
    paste,
    prompts,
    run_all,
    save,
    stand_in_for_mathjax,
)
from labserver import ARTEFACTS, REPO  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402
from playwright.sync_api import Locator, Page, expect  # noqa: E402
from widget_driver import check_widgets  # noqa: E402

from grader.cells import (  # noqa: E402
    grade_id,
    is_code_answer,
    is_test_cell,
    read_notebook,
    written_answer_ids,
)
from grader.course import COURSE_ID  # noqa: E402
from grader.gradebook import NO_RESPONSE  # noqa: E402
from grader.manifest import SOLUTIONS, available_units, notebook_path  # noqa: E402
from tests.submissions.build import reference_answers  # noqa: E402

WALKTHROUGHS = sorted((REPO / "notebooks").glob("*.ipynb"))
LABS = sorted((REPO / "labs").glob("*/*.ipynb"))
MUSIC_UNIT = "05_music_generation"  # its walkthrough must play sound
LISTING_MS = 180_000  # formgrader's first listing; about 5 s on an idle machine


def _ran(prompt: str) -> bool:
    return bool(re.search(r"\[\d+\]", prompt))


def _run_and_check(page: Page, cells: Locator, nb: nbformat.NotebookNode) -> None:
    """Run ▸ Run All Cells; then every code cell ran and none shows a traceback or stderr."""
    run_all(page)
    shown = prompts(cells)
    errors = error_outputs(cells)
    assert not errors, "the page shows errors or stderr output:\n" + "\n".join(errors)
    not_run = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and not _ran(shown[i])]
    assert not not_run, f"cells {not_run} did not run"


def _scroll_to_showcase(page: Page, widgets: list[Locator]) -> None:
    """Bring to the top of the page what the unit's screenshot should show: its first
    interactive widget, else its first audio player, else its first figure."""
    candidates = [*widgets, page.locator(f"{CELLS} audio").first,
                  page.locator(f"{CELLS} .jp-OutputArea-output img").first]
    shown = next((c for c in candidates if c.count()), None)
    if shown is not None:
        shown.evaluate("el => el.closest('.jp-Cell').scrollIntoView({block: 'start'})")


@pytest.mark.parametrize("path", WALKTHROUGHS, ids=[p.stem for p in WALKTHROUGHS])
def test_walkthrough_runs_and_its_widgets_react(page: Page, server, path: Path):
    nb = nbformat.read(path, as_version=4)
    relative = f"notebooks/{path.name}"
    cells = open_notebook(page, server, relative, len(nb.cells))
    _run_and_check(page, cells, nb)

    no_picture = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                  and "plt.show()" in cell.source
                  and not cells.nth(i).locator(".jp-OutputArea-output img").count()]
    assert not no_picture, f"cells {no_picture} call plt.show() but show no figure"

    problems, roots = check_widgets(page, server, relative, cells, path.stem)
    assert not problems, "widgets:\n" + "\n".join(problems)
    errors = error_outputs(cells)
    assert not errors, "errors after using the widgets:\n" + "\n".join(errors)

    players = audio_players(page)
    silent = [p for p in players if not p["src"] or p["error"] or not p["duration"] > 0]
    assert not silent, f"audio players without a playable sound: {silent}"
    if path.stem == MUSIC_UNIT:
        assert players, "the music unit shows no audio player"

    for k, root in enumerate(roots, start=1):
        root.scroll_into_view_if_needed()
        root.screenshot(path=ARTEFACTS / f"{path.stem}-widget{k}.png")
    _scroll_to_showcase(page, roots)
    page.wait_for_timeout(300)
    page.screenshot(path=ARTEFACTS / f"{path.stem}.png")
    assert not page.browser_log.errors, "JavaScript errors:\n" + "\n".join(page.browser_log.errors)


BROKEN = [
    """import sys
import ipywidgets as w

dead = w.IntSlider(value=1, min=0, max=5, description="dead")  # moves; nothing listens
failing = w.IntSlider(value=1, min=0, max=5, description="failing")
failing.observe(lambda change: 1 / 0, names="value")
button = w.Button(description="raises")
button.on_click(lambda _: int("not a number"))
w.VBox([dead, failing, button, w.HTML("nothing changes here")])""",
    'print("a warning on stderr", file=sys.stderr)',
    """from IPython.display import display

view = {"model_id": "0" * 32, "version_major": 2, "version_minor": 0}
display({"application/vnd.jupyter.widget-view+json": view, "text/plain": "a lost widget"}, raw=True)""",
]


def test_the_checks_catch_dead_widgets_errors_and_stderr(page: Page, server, course):
    """The checks above can fail: a notebook with everything wrong is caught, item by item."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in BROKEN])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                              "language": "python"}
    nbformat.write(nb, course / "broken.ipynb")
    cells = open_notebook(page, server, "broken.ipynb", len(nb.cells))
    with pytest.raises(AssertionError, match="a warning on stderr"):
        _run_and_check(page, cells, nb)
    problems, _ = check_widgets(page, server, "broken.ipynb", cells, "broken", reaction_s=2)
    report = "\n".join(problems)
    for expected in ("slider 'dead' (ArrowRight from 1): nothing changed",
                     "slider 'failing' (ArrowRight from 1): nothing changed",
                     "no button changed what the widget shows",
                     "cell 2: a widget that did not render",
                     "ZeroDivisionError: division by zero",
                     "ValueError: invalid literal for int()"):
        assert expected in report, f"not caught: {expected!r} in\n{report}"
    assert any("model not found" in e for e in page.browser_log.errors), page.browser_log.errors
    page.browser_log.errors.clear()


@pytest.mark.parametrize("path", LABS, ids=[p.parent.name for p in LABS])
def test_lab_with_reference_answers_passes_its_visible_tests(page: Page, server, path: Path):
    unit = path.parent.name
    answers = reference_answers(unit)
    nb = nbformat.read(path, as_version=4)
    relative = f"labs/{unit}/{path.name}"
    cells = open_notebook(page, server, relative, len(nb.cells))

    solutions = {i: grade_id(cell) for i, cell in enumerate(nb.cells) if is_code_answer(cell)}
    assert sorted(solutions.values()) == sorted(answers), "the lab's solution cells != solutions/"
    for i, cell_id in solutions.items():
        paste(page, cells.nth(i).locator(".cm-content"), answers[cell_id])
    save(page)
    saved = server.notebook(relative)["cells"]
    mangled = [g for i, g in solutions.items() if saved[i]["source"] != answers[g]]
    assert not mangled, f"the editor changed the pasted answers of {mangled}"

    _run_and_check(page, cells, nb)
    visible = [i for i, cell in enumerate(nb.cells)
               if is_test_cell(cell) and any(
                   line.strip() and not line.lstrip().startswith("#")
                   for line in cell.source.splitlines())]
    assert visible, "the lab has no visible tests"
    failing = {}
    for i in visible:
        text = output_text(cells.nth(i))
        if "PASS" not in text or "FAIL" in text:
            failing[i] = text[-500:]
    assert not failing, f"visible tests that do not pass: {failing}"

    cells.nth(visible[0]).evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    page.screenshot(path=ARTEFACTS / f"lab-{unit}.png")
    assert not page.browser_log.errors, "JavaScript errors:\n" + "\n".join(page.browser_log.errors)


def test_formgrader_lists_every_unit(page: Page, server):
    page.goto(server.lab_url())
    expect(page.locator("#jp-main-statusbar")).to_be_visible()
    menu(page, "Nbgrader", "Formgrader")
    frame = page.frame_locator("iframe")
    for unit in available_units():  # the first listing opens (and creates) the gradebook: slow
        expect(frame.get_by_role("link", name=unit, exact=True)).to_be_visible(timeout=LISTING_MS)
    page.wait_for_timeout(300)
    page.screenshot(path=ARTEFACTS / "formgrader.png")
    assert not page.browser_log.errors, "JavaScript errors:\n" + "\n".join(page.browser_log.errors)


def _score_text(score: float, max_score: float) -> str:
    """A score as formgrader writes it: "6 / 17" (rounded to 2 decimals)."""
    return f"{round(score, 2):g} / {round(max_score, 2):g}"


def _submission_rows(frame) -> dict[str, Locator]:
    """Manage Assignments ▸ the unit's number of submissions: each student's row, by id."""
    frame.get_by_role("link", name="Manage Assignments", exact=True).click()
    frame.locator("td.num-submissions a").click()
    expect(frame.locator("#main-table td.student-id").first).to_be_visible(timeout=LISTING_MS)
    rows = frame.locator("#main-table tr")
    return {rows.nth(i).locator("td.student-id").inner_text().strip(): rows.nth(i)
            for i in range(rows.count())}


def test_formgrader_shows_the_graders_scores_and_takes_a_manual_grade(course_page: Page, course_server,
                                                                      graded_course):
    """An instructor grades with ``python -m grader autograde --course``, opens Formgrader in
    JupyterLab started in the course folder and sees every student with the grader's score; opens
    half's submission, reads the written answer (its script and event handler shown as text, not
    run), grades it by hand (saved in the gradebook, the score goes up by as much), and is refused
    with the grader's command by formgrader's own Autograde button, which changes nothing."""
    page = course_page
    with open(graded_course.root / "grades.csv", newline="") as f:
        graded = {row["student"]: row for row in csv.DictReader(f)}
    assert sorted(graded) == ["full", "half"], graded
    unit = graded["half"]["unit"]
    written = written_answer_ids(read_notebook(notebook_path(SOLUTIONS, unit)))
    assert written, f"solutions/{unit} has no written answer (a markdown answer cell with points)"
    answer = written[0]
    handed_in = read_notebook(notebook_path(graded_course.submitted / "half", unit))
    written_by_half = next(c.source for c in handed_in.cells if grade_id(c) == answer)
    assert "YOUR ANSWER HERE" not in written_by_half, "half did not answer the written question"

    stand_in_for_mathjax(page)  # the grading page's MathJax comes from the internet
    page.goto(course_server.lab_url())
    expect(page.locator("#jp-main-statusbar")).to_be_visible()
    menu(page, "Nbgrader", "Formgrader")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("link", name=unit, exact=True)).to_be_visible(timeout=LISTING_MS)
    rows = _submission_rows(frame)
    assert sorted(rows) == ["full", "half"], f"formgrader lists {sorted(rows)}"
    for student, row in rows.items():
        expected = _score_text(float(graded[student]["score"]), float(graded[student]["max_score"]))
        expect(row.locator("td.score"), f"{student}'s score").to_have_text(expected)
        expect(row.locator("td.status"), f"{student}'s status").to_have_text("needs manual grading")
    page.wait_for_timeout(300)
    page.screenshot(path=ARTEFACTS / "formgrader-scores.png")

    with Gradebook(graded_course.db_url, course_id=COURSE_ID) as gb:
        before = gb.find_submission(unit, "half").score
        grade = gb.find_grade(answer, unit, unit, "half")
        assert grade.manual_score is None and grade.max_score >= 1, (grade.manual_score, grade.max_score)
    assert before == float(graded["half"]["score"]), "the gradebook's score is not the CSV's"

    # half's row ▸ the student's page ▸ the notebook: formgrader's grading view of the submission.
    rows["half"].locator("td.student-name a").click()
    frame.locator("td.name a", has_text=unit).click()
    score_box = frame.locator(f"input.score#{answer}")
    expect(score_box, f"the grading view has no score box for {answer}").to_be_visible()
    expect(score_box).to_have_class(re.compile(r"\bneeds_manual_grade\b"))  # its grade is loaded
    cell = frame.locator(".nbgrader_cell").filter(has=score_box)
    expect(cell).to_contain_text(written_by_half.splitlines()[0])  # the student's own words
    expect(cell).to_contain_text('<script>console.error("a script')  # shown as text, not run
    expect(cell.locator("script, [onerror], [onload]")).to_have_count(0)
    # The grader's comments: "No response." on a written answer left as released, none on half's.
    expect(frame.locator(f"textarea#{answer}-comment")).not_to_have_attribute("placeholder", NO_RESPONSE)
    for untouched in written[1:]:
        expect(frame.locator(f"textarea#{untouched}-comment")).to_have_attribute("placeholder", NO_RESPONSE)
    score_box.fill("1")
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url
                              and r.request.method == "PUT") as saved:
        score_box.press("Tab")  # leaving the box saves it
    assert saved.value.ok, f"formgrader did not save the grade: HTTP {saved.value.status}"
    page.wait_for_timeout(1000)  # formgrader scrolls to the next box
    cell.evaluate("el => el.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    page.screenshot(path=ARTEFACTS / "formgrader-grading.png")
    assert not page.browser_log.errors, "JavaScript errors:\n" + "\n".join(page.browser_log.errors)

    with Gradebook(graded_course.db_url, course_id=COURSE_ID) as gb:
        assert gb.find_grade(answer, unit, unit, "half").manual_score == 1
        assert gb.find_submission(unit, "half").score == before + 1

    # The listing shows the new score; formgrader's Autograde button is refused, naming our command.
    frame.get_by_role("link", name="Manual Grading", exact=True).click()  # the breadcrumb's first
    rows = _submission_rows(frame)
    half_max = float(graded["half"]["max_score"])
    expect(rows["half"].locator("td.score")).to_have_text(_score_text(before + 1, half_max))
    rows["half"].locator("td.autograde a").click()
    dialog = frame.locator("#error-modal")
    expect(dialog).to_contain_text("python -m grader autograde", timeout=LISTING_MS)
    page.wait_for_timeout(500)  # the dialog fades in
    page.screenshot(path=ARTEFACTS / "formgrader-autograde-refused.png")
    with Gradebook(graded_course.db_url, course_id=COURSE_ID) as gb:
        assert gb.find_grade(answer, unit, unit, "half").manual_score == 1
        assert gb.find_submission(unit, "half").score == before + 1
    assert (graded_course.autograded / "half" / unit / f"{unit}.ipynb").is_file()
    assert not page.browser_log.errors, "JavaScript errors:\n" + "\n".join(page.browser_log.errors)
