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
- The checks themselves: a notebook with a dead slider, a failing observer, a failing button, stderr
  and a widget whose model is lost is caught on each count.

Screenshots: ``build/e2e/<notebook>.png`` (its first interactive widget, else audio player, else figure),
``build/e2e/<notebook>-widget<k>.png`` (each interactive widget after it was used),
``build/e2e/lab-<unit>.png`` (the first visible test's PASS lines) and ``build/e2e/formgrader.png``.
"""
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
)
from labserver import ARTEFACTS, REPO  # noqa: E402
from playwright.sync_api import Locator, Page, expect  # noqa: E402
from widget_driver import check_widgets  # noqa: E402

from grader.cells import grade_id, is_code_answer, is_test_cell  # noqa: E402
from grader.manifest import available_units  # noqa: E402
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
