"""What a person does in JupyterLab, as Playwright calls: open, run all, read, move a slider.

Everything goes through the page as a user meets it (menus, keyboard, clipboard); the server's
REST API is used only to read back what was saved.
"""

import re

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELLS = f"{NOTEBOOK} .jp-Notebook .jp-Cell"
STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'  # tracebacks and stderr streams
WIDGET = ".jupyter-widgets"

# A cell is done when its prompt shows a number; "[*]" is running or queued. After an error,
# JupyterLab clears the prompts of the cells it did not run.
_RUN_FINISHED = """() => {
  const prompts = [...document.querySelectorAll('CELLS.jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent);
  return prompts.some(p => /\\[\\d+\\]/.test(p)) && !prompts.some(p => p.includes('*'));
}""".replace("CELLS", CELLS)

# A short digest of a long string (a widget's HTML holds its figures as base64 images, and the
# page is asked for it every 200 ms while waiting for a change).
_DIGEST = """s => { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return s.length + ':' + h; }"""
# What a widget shows, without its controls' own state (a slider's readout moves on its own):
# HTML outputs, images (an Image widget gets a new blob: URL per new value), Output widgets.
SIGNATURE = """el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.widget-slider, .widget-text, .widget-textarea, .widget-checkbox,'
    + ' .widget-button, .widget-play, .widget-dropdown, .widget-readout, input, select,'
    + ' textarea, button').forEach(n => n.remove());
  return (DIGEST)(copy.innerHTML);
}""".replace("DIGEST", _DIGEST)
# Everything a person sees in a widget, its controls' values included (a button's effect may be
# only to change another control, as a "next" button that moves a slider).
FULL_SIGNATURE = """el => (DIGEST)(el.innerHTML + JSON.stringify(
  [...el.querySelectorAll('input, select, textarea')].map(i => i.type === 'checkbox' ? i.checked : i.value)))
""".replace("DIGEST", _DIGEST)


def open_notebook(page: Page, server, path: str, n_cells: int) -> Locator:
    """Open ``path`` in JupyterLab, wait for its kernel to be idle; return its cells."""
    page.goto(server.lab_url(path))
    page.wait_for_selector(f"{NOTEBOOK} .jp-Notebook")
    expect(page.locator("#jp-main-statusbar"),
           f"the kernel of {path} did not start (see build/e2e/jupyterlab*.log)",
           ).to_contain_text("Idle", timeout=120_000)
    cells = page.locator(CELLS)
    expect(cells).to_have_count(n_cells)
    return cells


def menu(page: Page, top: str, item: str) -> None:
    """Click ``top`` in the main menu bar, then ``item`` in the menu that opens."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel",
                 has_text=re.compile(f"^{re.escape(item)}$")).click()


def run_all(page: Page, timeout_s: float = 300) -> None:
    """Run ▸ Run All Cells, and wait until no cell is running or queued."""
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(_RUN_FINISHED, timeout=timeout_s * 1000, polling=500)


def save(page: Page) -> None:
    """Ctrl+S in command mode, and wait until the tab no longer shows unsaved changes."""
    page.locator(f"{NOTEBOOK} .jp-Notebook").press("Escape")
    page.keyboard.press("Control+s")
    expect(page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")).to_have_count(0)


def prompts(cells: Locator) -> list[str]:
    """Each cell's prompt text ("[3]:", "[ ]:"), "" for markdown cells."""
    return cells.evaluate_all(
        "cs => cs.map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '')")


def error_outputs(cells: Locator) -> list[str]:
    """"cell i: text" for every traceback or stderr output the page shows; the first one is
    scrolled into view (for the screenshot of a failing test)."""
    errors = cells.evaluate_all(
        "(cs, sel) => cs.flatMap((c, i) => [...c.querySelectorAll(sel)]"
        ".map(e => `cell ${i}: ${e.textContent.slice(0, 400)}`))", STDERR)
    if errors:
        cells.locator(STDERR).first.evaluate("el => el.scrollIntoView({block: 'center'})")
    return errors


def output_text(cell: Locator) -> str:
    """The text of a cell's outputs (textContent: JupyterLab skips laying out cells out of view,
    and innerText of an element that is not laid out is empty)."""
    return cell.locator(".jp-OutputArea").evaluate("el => el.textContent")


def widget_roots(cell: Locator) -> list[Locator]:
    """The outputs of ``cell`` that hold a rendered widget."""
    outputs = cell.locator(".jp-OutputArea-output")
    return [outputs.nth(i) for i in range(outputs.count())
            if outputs.nth(i).locator(WIDGET).count()]


def wait_for_change(page: Page, root: Locator, before: str, timeout_s: float,
                    signature: str = SIGNATURE) -> bool:
    """Whether ``signature(root)`` differs from ``before`` within ``timeout_s`` seconds."""
    try:
        page.wait_for_function("([el, old]) => (" + signature + ")(el) !== old",
                               arg=[root.element_handle(), before],
                               timeout=timeout_s * 1000, polling=200)
        return True
    except PlaywrightTimeout:
        return False


def paste(page: Page, editor: Locator, text: str) -> None:
    """Select everything in a cell's editor and paste ``text`` over it, as a student does."""
    editor.click()
    page.keyboard.press("Control+a")
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+v")


def log_console(page: Page) -> str:
    """What JupyterLab's log console holds for the notebook, "" when its status item is hidden.

    Output of widget callbacks (a traceback raised in a button's handler, a print, a warning)
    appears nowhere else: the status bar shows a count, and View ▸ Show Log Console shows it.
    """
    item = page.locator(".jp-LogConsoleStatusItem")
    if not item.count() or not item.is_visible():
        return ""
    menu(page, "View", "Show Log Console")
    panel = page.locator(".jp-LogConsole .jp-LogConsolePanel").last
    expect(panel.locator(".jp-OutputArea-output").first).to_be_attached()
    return panel.evaluate("el => el.textContent").strip()


def audio_players(page: Page) -> list[dict]:
    """Every audio element of the notebook once it has loaded (or failed to)."""
    audios = page.locator(f"{CELLS} audio")
    for k in range(audios.count()):
        audios.nth(k).evaluate(
            "a => a.readyState >= 1 || a.error ? null : new Promise(done => {"
            " a.addEventListener('loadedmetadata', done); a.addEventListener('error', done);"
            " setTimeout(done, 20000); a.load(); })")
    return audios.evaluate_all(
        "as => as.map(a => ({src: (a.currentSrc || a.src || '').slice(0, 40),"
        " duration: a.duration, error: a.error ? a.error.code : null}))")


# Formgrader's grading page loads MathJax 2 from cdnjs, hard-coded (nbgrader's formgrade template
# calls nbconvert's ``mathjax()`` macro with its default URL, so no setting changes it), and its
# script (formgrade.js) stops half-way through its start-up when ``MathJax`` is undefined: no
# keyboard navigation. The test machine has no internet; this stands in for MathJax's start-up
# signal (nothing here tests rendering mathematics).
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/**"
MATHJAX_STANDIN = """window.MathJax = {Hub: {Config() {}, Queue() {}, Startup: {signal: {
  Interest(callback) { setTimeout(() => callback("End"), 0); }}}}};"""


def stand_in_for_mathjax(page: Page) -> None:
    """Answer the page's (and its frames') requests for MathJax from cdnjs with ``MATHJAX_STANDIN``."""
    page.route(MATHJAX_CDN, lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=MATHJAX_STANDIN))
