"""Using a rendered ipywidget as a person does, and noticing when nothing happens.

``check_widgets`` finds every widget output of a notebook (the saved notebook says which outputs
are widgets, so one the page fails to draw is noticed), checks it renders, and ``drive_widget``
moves each slider, edits each text box, ticks each check box, changes each drop-down and choice
and clicks the buttons, each time waiting for what the widget shows to change. Errors raised in
widget callbacks land in JupyterLab's log console, which is read at the end.
"""

import functools
import re

from labpage import (
    FULL_SIGNATURE,
    SIGNATURE,
    log_console,
    output_text,
    save,
    wait_for_change,
    widget_roots,
)
from playwright.sync_api import Locator, Page, expect

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
REACTION_S = 30  # how long a control may take to change what its widget shows
APPENDED = " and then the cat sat on the mat"  # typed at the end of a widget's text boxes


def _settle(page: Page, root: Locator, quiet_s: float = 0.6, timeout_s: float = REACTION_S) -> None:
    """Wait until the kernel is idle and ``root`` has stopped changing for ``quiet_s``."""
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=timeout_s * 1000)
    last = root.evaluate(SIGNATURE)
    for _ in range(int(timeout_s / quiet_s)):
        page.wait_for_timeout(quiet_s * 1000)
        now = root.evaluate(SIGNATURE)
        if now == last:
            return
        last = now


def _label(control: Locator) -> str:
    """A control's description as the page shows it (or its options, or its own text)."""
    return control.evaluate("""c => {
      const box = c.closest('.widget-inline-hbox, .widget-checkbox') || c;
      const named = [...box.querySelectorAll(':scope > .widget-label, .widget-label-basic > span')]
        .map(l => l.textContent.replace('\u200b', '').trim()).filter(Boolean);
      const options = [...box.querySelectorAll('button, label')].map(b => b.textContent.trim());
      return named[0] || (box !== c && options.filter(Boolean).join('/'))
        || c.textContent.trim() || c.getAttribute('aria-label') || '?';
    }""")


def _slider_position(handle: Locator) -> str:
    """The value a slider shows: its readout, else its handle's (rounded) aria value."""
    return handle.evaluate(
        "h => { const box = h.closest('.widget-slider');"
        " const readout = box && box.querySelector('.widget-readout');"
        " return (readout && readout.offsetParent && readout.textContent.trim())"
        " || h.getAttribute('aria-valuetext') || h.getAttribute('aria-valuenow'); }")


def _react(page: Page, root: Locator, action, what: str, problems: list[str],
           signature: str = SIGNATURE, reaction_s: float = REACTION_S) -> bool:
    """Do ``action``; note in ``problems`` when ``signature(root)`` does not change."""
    before = root.evaluate(signature)
    action()
    changed = wait_for_change(page, root, before, reaction_s, signature)
    if changed:
        _settle(page, root)
    else:
        problems.append(f"{what}: nothing changed within {reaction_s:g} s")
    return changed


def drive_widget(page: Page, root: Locator,
                  reaction_s: float = REACTION_S) -> tuple[list[str], list[str]]:
    """Use every control of a widget as a person would; return (what was done, problems)."""
    done, problems = [], []

    react = functools.partial(_react, reaction_s=reaction_s)

    sliders = root.locator(".noUi-handle[role=slider]")
    for k in range(sliders.count()):
        handle = sliders.nth(k)
        label = _label(handle)
        before = _slider_position(handle)
        at_end = float(handle.get_attribute("aria-valuenow")) >= float(handle.get_attribute("aria-valuemax"))
        key = "ArrowLeft" if at_end else "ArrowRight"

        def move(handle=handle, key=key):
            handle.focus()
            page.keyboard.press(key)

        react(page, root, move, f"slider '{label}' ({key} from {before})", problems)
        after = _slider_position(handle)
        if after == before:
            problems.append(f"slider '{label}' did not move with {key}")
        done.append(f"slider '{label}' {before} -> {after}")
    texts = root.locator(".widget-text input[type=text]:enabled, .widget-textarea textarea:enabled")
    for k in range(texts.count()):
        box = texts.nth(k)
        label, value = _label(box), box.input_value()

        def type_more(box=box, value=value):
            box.fill(value + APPENDED)
            box.press("Enter")

        if react(page, root, type_more, f"text box '{label}'", problems):
            done.append(f"text box '{label}' edited")
    boxes = root.locator(".widget-checkbox input[type=checkbox]:enabled")
    for k in range(boxes.count()):
        box = boxes.nth(k)
        label = _label(box)
        if react(page, root, box.click, f"check box '{label}'", problems):
            done.append(f"check box '{label}' toggled")
    menus = root.locator(".widget-dropdown select:enabled")
    for k in range(menus.count()):
        select = menus.nth(k)
        options = select.locator("option").count()
        if options < 2:
            continue
        index = (select.evaluate("s => s.selectedIndex") + 1) % options
        label = _label(select)
        if react(page, root, lambda s=select, i=index: s.select_option(index=i),
                   f"drop-down '{label}'", problems):
            done.append(f"drop-down '{label}' changed")
    choices = root.locator(".widget-toggle-buttons, .widget-radio-box")
    for k in range(choices.count()):
        group = choices.nth(k)
        other = group.locator("button.widget-toggle-button:not(.mod-active):enabled,"
                              " input[type=radio]:not(:checked):enabled").first
        if not other.count():
            continue
        label = _label(group)
        if react(page, root, other.click, f"choice '{label}'", problems):
            done.append(f"choice '{label}' changed")
    # Buttons may do nothing in some states ("back" at the start): one of them must act.
    buttons = root.locator("button.widget-button:enabled:not(.widget-play button, .widget-toggle-buttons button)")
    clicked = []
    for k in range(buttons.count()):
        button = buttons.nth(k)
        label = _label(button)
        quiet: list[str] = []
        if react(page, root, button.click, f"button '{label}'", quiet, FULL_SIGNATURE):
            clicked.append(label)
    if buttons.count():
        if clicked:
            done.append(f"buttons {clicked} clicked")
        else:
            problems.append("no button changed what the widget shows")
    return done, problems


def check_widgets(page: Page, server, relative: str, cells: Locator, name: str,
                   reaction_s: float = REACTION_S) -> tuple[list[str], list[Locator]]:
    """Save, find the cells whose outputs are widgets, check each renders, drive its controls.

    Returns (problems, the widgets that have controls). The saved notebook says which outputs are
    widgets, so a widget that the page fails to draw (as text, an error, or nothing) is noticed.
    """
    save(page)
    saved = server.notebook(relative)["cells"]
    widget_cells = [i for i, cell in enumerate(saved)
                    if any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))]
    problems, roots = [], []
    for i in widget_cells:
        found = widget_roots(cells.nth(i))
        if not found:
            problems.append(f"cell {i}: a widget that did not render; the page shows "
                            f"{output_text(cells.nth(i)).strip()[:300]!r}")
        for root in found:
            root.scroll_into_view_if_needed()
            box = root.bounding_box()
            if not box or box["height"] < 5 or "Error displaying widget" in (root.text_content() or ""):
                problems.append(f"cell {i}: the widget is empty or shows an error")
                continue
            done, trouble = drive_widget(page, root, reaction_s)
            print(f"{name} cell {i}: " + ("; ".join(done) or "no controls (display only)"))
            problems += [f"cell {i}: {t}" for t in trouble]
            if done:
                roots.append(root)
    logged = log_console(page)
    if logged:
        raised = re.findall(r"^\w*(?:Error|Exception|Warning)\b.*$", logged, flags=re.MULTILINE)
        problems.append("the log console (where widget callbacks' output goes) shows "
                        f"{raised or 'output'}:\n{logged[:1500]}")
    return problems, roots
