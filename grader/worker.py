"""Grade one submission: ``python -m grader.worker JOB.json`` (run by ``grader.autograde``).

The submission's cells run in a sandboxed kernel, with locked cells restored from the released
lab; then the unit's tests are decided in this process (``grader.judge``). Writes ``result.json``
and ``executed.ipynb`` (the notebook as the student's kernel ran it, for feedback) into the job's
folder, which only the grader can read.
"""

import copy
import json
import sys
from dataclasses import asdict
from pathlib import Path

import nbformat

from grader.cells import nbgrader_meta, read_notebook, tampered_cells
from grader.judge import Judge
from grader.kernel import KernelGone, SandboxConfig, SandboxedKernel


def restore_locked_cells(submitted: nbformat.NotebookNode, released: nbformat.NotebookNode):
    """The student's notebook with every locked cell as released (edited ones overwritten,
    deleted ones put back in place); the student's own cells and answers are kept."""
    locked = {m["grade_id"]: c for c in released.cells if (m := nbgrader_meta(c)).get("locked")}
    solutions = {m["grade_id"]: c for c in released.cells if (m := nbgrader_meta(c)).get("solution")}
    cells, present = [], set()
    for cell in submitted.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in locked:
            cells.append(copy.deepcopy(locked[grade_id]))
        elif grade_id in solutions and cell.cell_type == "code":
            cell = copy.deepcopy(cell)
            cell.metadata["nbgrader"] = copy.deepcopy(nbgrader_meta(solutions[grade_id]))
            cells.append(cell)
        elif grade_id in solutions:
            continue  # a solution cell turned into markdown: treat as deleted
        else:
            cells.append(copy.deepcopy(cell))
        present.add(grade_id)
    order = [nbgrader_meta(c).get("grade_id") for c in released.cells]
    for index, grade_id in enumerate(order):
        if grade_id and grade_id not in present and (grade_id in locked or grade_id in solutions):
            anchors = [g for g in order[:index] if g in present]
            at = 0
            if anchors:
                at = 1 + max(i for i, c in enumerate(cells) if nbgrader_meta(c).get("grade_id") == anchors[-1])
            cells.insert(at, copy.deepcopy(released.cells[index]))
            present.add(grade_id)
    restored = copy.deepcopy(released)
    restored.cells = cells
    return restored


def grade(job: dict) -> dict:
    job_dir = Path(job["job_dir"])
    source = read_notebook(job["source"])
    released = read_notebook(job["released"])
    submitted = read_notebook(job["submission"])
    result = {"tampered": tampered_cells(submitted, released), "tests": [], "status": "graded", "note": ""}
    notebook = restore_locked_cells(submitted, released)
    kernel_dir = job_dir / "kernel"  # the kernel's scratch folder: a copy of the submission alone
    kernel_dir.mkdir(mode=0o700)
    nbformat.write(notebook, str(kernel_dir / Path(job["submission"]).name))
    config = SandboxConfig(memory_bytes=job["memory_bytes"], hide=job["hide"], isolate=job["isolate"])
    kernel = SandboxedKernel(job_dir, config, job["env"])
    cell_timeouts, count = [], 0
    try:
        kernel.start()
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            done = kernel.execute(cell.source, job["cell_timeout"])
            cell.outputs, cell.execution_count = done.outputs, count
            if done.status == "timeout":
                cell_timeouts.append(index)
            if kernel.dead:
                break
        if kernel.dead and not cell_timeouts:
            result.update(status="crashed", note="the kernel died while running the notebook")
        elif kernel.dead:
            result.update(status="timeout", note=f"a cell ran past {job['cell_timeout']} s and ignored the interrupt")
        else:
            tests = Judge(kernel, source, job["cell_timeout"]).run()
            result["tests"] = [asdict(t) for t in tests]
            if any(t.error == "KernelDied" for t in tests):
                result.update(status="crashed", note="the kernel died while the tests ran")
            elif result["tampered"]:
                result.update(status="tampered", note="locked cells restored: " + ", ".join(result["tampered"]))
            elif cell_timeouts or any(t.timed_out for t in tests):
                result.update(status="timeout", note=f"code ran past the limit of {job['cell_timeout']} s")
            memory = any(o.get("ename") == "MemoryError" for c in notebook.cells for o in c.get("outputs", []))
            if memory or any(t.error == "MemoryError" for t in tests):
                result.update(status="crashed", note=f"ran out of memory (limit {job['memory_bytes'] / 2**30:g} GiB)")
    except KernelGone as error:
        result.update(status="crashed", note=str(error))
    finally:
        kernel.stop()
    nbformat.write(notebook, str(job_dir / "executed.ipynb"))
    return result


def main(argv: list[str]) -> int:
    job_file = Path(argv[0])
    job = json.loads(job_file.read_text())
    result = grade(job)
    (job_file.parent / "result.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
