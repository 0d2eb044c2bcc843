"""Make a student's notebook safe to show: no live script, event handler or active HTML.

Everything a student hands in is untrusted, and the notebooks the grader writes are opened by an
instructor — as a feedback page (``python -m grader feedback``, ``nbgrader generate_feedback``) or
in formgrader, under the Jupyter server's origin, where a script would run with the instructor's
session. ``sanitize_notebook`` keeps text, images, tables, maths and the student's code (shown as
text) and defuses the rest:

- markdown cells are rendered to HTML (nbconvert's own markdown renderer, so a markdown link to
  ``javascript:`` is seen as the link it becomes) and the HTML is cleaned with bleach against a
  list of safe tags and attributes: ``<script>`` and other unsafe tags become visible text, event
  handlers and style attributes are dropped, links keep only http(s)/mailto/in-page targets and
  images only http(s) or data-image sources; the cell then holds that HTML;
- ``text/markdown`` outputs become HTML the same way; raw cells and ``text/html`` outputs are
  cleaned by nbconvert's ``SanitizeHTML``; JavaScript, SVG, widget views and every other active or unknown output type
  are removed; text, PNG, JPEG, LaTeX and JSON stay;
- metadata: only what nbgrader and the templates need is kept (no embedded widget state, whose
  presence makes nbconvert's templates load the widget manager's scripts).
"""

import copy

import bleach
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode

KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")
KEPT_CELL_METADATA = ("nbgrader",)
MARKDOWN_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}
SAFE_IMAGE_SOURCES = ("https://", "http://", "data:image/png;", "data:image/jpeg;", "data:image/gif;")


def _safe_attribute(tag: str, name: str, value: str) -> bool:
    value = value.strip().lower()
    if tag == "a" and name == "href":
        return value.startswith(("https://", "http://", "mailto:", "#"))
    if tag == "img" and name == "src":
        return value.startswith(SAFE_IMAGE_SOURCES)
    return name in {"title", "alt", "class", "id", "colspan", "rowspan", "align"}


def safe_markdown_html(source: str) -> str:
    """A markdown cell's source as clean HTML (module docstring)."""
    rendered = markdown2html_mistune(source)
    return bleach.clean(rendered, tags=MARKDOWN_TAGS, attributes=_safe_attribute,
                        protocols={"http", "https", "mailto", "data"}, strip=False, strip_comments=True)


def sanitize_notebook(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` with every piece of active content defused (module docstring)."""
    clean = copy.deepcopy(nb)
    clean.metadata = {k: v for k, v in clean.metadata.items() if k in KEPT_NOTEBOOK_METADATA}
    for cell in clean.cells:
        cell.metadata = {k: v for k, v in cell.get("metadata", {}).items() if k in KEPT_CELL_METADATA}
        cell.pop("attachments", None)
        if cell.cell_type == "markdown":
            cell.source = safe_markdown_html(cell.source)
        for output in cell.get("outputs", []):  # markdown outputs: rendered and cleaned as HTML
            data = output.get("data", {})
            if "text/markdown" in data:
                data["text/html"] = safe_markdown_html(str(data.pop("text/markdown")))
    markdown = [(cell, cell.source) for cell in clean.cells if cell.cell_type == "markdown"]
    clean, _ = SanitizeHTML().preprocess(clean, {})  # raw cells and outputs
    for cell, html in markdown:  # already clean; SanitizeHTML's short list would escape tables
        cell.source = html
    for cell in clean.cells:
        if cell.cell_type == "code":  # an output with nothing safe left shows nothing
            cell.outputs = [o for o in cell.outputs if o.output_type in ("stream", "error") or o.get("data")]
    return clean
