"""The seqlab grader: release labs from solutions, autograde a class, write feedback.

Run from the repository root:  ``python -m grader {release,autograde,feedback} ...``.

- subcommands, one module each: ``release``, ``autograde``, ``feedback`` (``__main__`` dispatches)
- the course: ``manifest`` (units, titles, graded names, points; paths), ``cells`` (nbgrader cells),
  ``nbgrader_runner`` (nbgrader's own commands in scratch folders), ``nbgrader_config.py``
- results: ``records`` (``Status``, ``TestResult``, ``Outcome``, and the one rule for a row's status)
- one submission: ``submission`` (worker, sandboxed kernel, judge, and the wire protocol between them)
- processes: ``processes`` (limited subprocesses), ``environment`` (what they inherit)
"""
