"""What counts as a clean run of a notebook, for the walkthroughs (tests/test_notebooks.py) and for
the labs with their reference answers as the grader ran them (tests/test_grader.py)."""

import nbformat

# Set to 1 by CI (.ci/run), which runs the browser tests (make e2e) after make test: they run every
# walkthrough top to bottom in JupyterLab with the same checks and more (widgets, figures, audio),
# so make test leaves the walkthroughs to them instead of running each one twice; the browser tests
# then fail, rather than skip, when there is no browser.
BROWSER_RUNS_WALKTHROUGHS = "SEQLAB_WALKTHROUGHS_IN_BROWSER"


def run_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Every error output and every write to stderr in an executed notebook, one line each."""
    problems = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"cell {i}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                problems.append(f"cell {i} wrote to stderr: {output.text[:300]}")
    return problems
