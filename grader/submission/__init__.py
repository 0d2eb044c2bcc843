"""Grading one submission: a worker process, the student's kernel in a sandbox, the judge outside it.

- ``job``      -- what autograde hands the worker, typed: ``Limits``, ``Job``, ``SandboxSpec``
- ``pool``     -- autograde's workers, one per job slot, each grading one job after another
- ``worker``   -- ``python -m grader.submission.worker --serve``: run each notebook, judge its tests
- ``forkserver`` -- a process with TensorFlow imported that forks every student's kernel, warm
- ``kernel``   -- the student's kernel, driven cell by cell within CPU-time limits
- ``sandbox``  -- ``enter``: limits, namespaces, cgroup, user id, in the forked kernel
- ``judge``    -- every test decided in the worker's process, the student's functions called remotely
- ``protocol`` -- the plain data that crosses, the kernel side, and ``run_in_kernel`` for tests

Importing this package (which the sandboxed kernel does, for ``protocol``) imports nothing else.
"""
