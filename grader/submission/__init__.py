"""Grading one submission: a worker process, the student's kernel in a sandbox, the judge outside it.

- ``job``      -- what autograde hands the worker, typed: ``Limits``, ``Job``, ``SandboxSpec``
- ``worker``   -- ``python -m grader.submission.worker JOB.json``: run the notebook, judge the tests
- ``kernel``   -- the student's kernel, driven cell by cell within CPU-time limits
- ``sandbox``  -- ``python -m grader.submission.sandbox``: limits, namespaces, cgroup, user id, then exec
- ``judge``    -- every test decided in the worker's process, the student's functions called remotely
- ``protocol`` -- the plain data that crosses, the kernel side, and ``run_in_kernel`` for tests

Importing this package (which the sandboxed kernel does, for ``protocol``) imports nothing else.
"""
