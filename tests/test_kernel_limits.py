"""The sandboxed kernel's limits count CPU seconds, with a wall-clock backstop for code that
sleeps: a cell's verdict does not depend on how busy the machine is."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.environment import graded_kernel_environment
from grader.submission.forkserver import ForkServer
from grader.submission.job import Limits
from grader.submission.kernel import RunState, SandboxedKernel

pytestmark = pytest.mark.grader
BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < {seconds}:\n    pass"


def _start_kernel(forkserver: ForkServer) -> SandboxedKernel:
    job_dir = Path(tempfile.mkdtemp(prefix="seqlab-limits-"))
    os.chmod(job_dir, 0o711)
    kernel = SandboxedKernel(job_dir, Limits(cell_cpu=2, notebook_cpu=60, wall_factor=20),
                             forkserver.env, forkserver, isolate=os.geteuid() == 0)
    kernel.start()
    return kernel


@pytest.fixture(scope="module")
def forkserver():
    server = ForkServer(graded_kernel_environment())
    yield server
    server.close()


@pytest.fixture(scope="module")
def kernel(forkserver):
    kernel = _start_kernel(forkserver)
    yield kernel
    kernel.stop()


def test_computing_within_the_cpu_budget_passes_and_is_counted(kernel):
    done = kernel.execute(BURN.format(seconds=1.0), cpu_limit=2)
    assert done.state == RunState.OK
    assert 0.9 < done.cpu_seconds < 1.9


def test_computing_past_the_cpu_budget_is_interrupted(kernel):
    done = kernel.execute(BURN.format(seconds=30), cpu_limit=1)
    assert done.state == RunState.TIMEOUT and not kernel.dead
    assert 1.0 <= done.cpu_seconds < 3.0


def test_sleeping_costs_no_cpu_but_meets_the_wall_clock_backstop(kernel):
    # The backstop is wall_factor (20) x the CPU budget, so busy machines (the tests' own load
    # included) never trip it for code that computes; a budget of 0.25 s makes it 5 s here.
    assert kernel.execute("import time\ntime.sleep(2)", cpu_limit=0.25).state == RunState.OK
    done = kernel.execute("import time\ntime.sleep(60)", cpu_limit=0.25)
    assert done.state == RunState.TIMEOUT and done.cpu_seconds < 0.25


def test_a_busy_machine_does_not_change_the_verdict(kernel):
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    try:
        done = kernel.execute(BURN.format(seconds=1.0), cpu_limit=2)  # about 2.5 s of wall clock
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    assert done.state == RunState.OK and 0.9 < done.cpu_seconds < 1.9


def _value(kernel: SandboxedKernel, expression: str):
    done = kernel.execute("", cpu_limit=2, user_expressions={"v": expression}, keep_outputs=False)
    return done.user_expressions["v"]["data"]["text/plain"]


def test_kernels_forked_warm_are_new_processes_with_their_own_random_state(forkserver):
    """A kernel forked from the fork server has what its lab's set-up imports (TensorFlow, once the
    worker has warmed the server for such a lab) imported already, and nothing heavy before that;
    but it is a process of its own (its pid, no notebook history) whose random generators are
    seeded afresh."""
    cold = _start_kernel(forkserver)
    try:
        assert _value(cold, "'tensorflow' in __import__('sys').modules") == "False"  # unit 01's case
    finally:
        cold.stop()
    forkserver.warm(("keras", "tensorflow"))
    first, second = _start_kernel(forkserver), _start_kernel(forkserver)
    try:
        assert _value(first, "'tensorflow' in __import__('sys').modules") == "True"
        assert _value(first, "__import__('os').getpid()") != _value(second, "__import__('os').getpid()")
        for draw in ("__import__('numpy').random.rand()", "__import__('random').random()"):
            assert _value(first, draw) != _value(second, draw), draw
        assert _value(second, "len(In)") == "1"  # nothing ran in it before
    finally:
        first.stop()
        second.stop()


def test_a_speed_test_counts_cpu_seconds_outside_the_kernel_that_a_student_cannot_fake(kernel):
    """``cpu_seconds_in_kernel`` (unit 05's generation speed) is the CPU time of the kernel's
    process tree, counted by the grader: a student who stops the kernel's clocks changes nothing,
    and neither do processes spinning beside it."""
    count = "x = 0\nfor i in range(n):\n    x += i\nresult = x"
    quiet = kernel.probe_cpu(count, {"n": 5_000_000}, cpu_limit=10)[1]
    kernel.execute("import time\n_clocks = time.process_time, time.perf_counter\n"
                   "time.process_time = time.perf_counter = lambda: 0.0", cpu_limit=2)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    try:
        reply, busy = kernel.probe_cpu(count, {"n": 5_000_000}, cpu_limit=10)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
        kernel.execute("time.process_time, time.perf_counter = _clocks", cpu_limit=2)
    assert reply["ok"] and reply["value"] == 5_000_000 * 4_999_999 // 2
    assert 0.1 < quiet and 0.7 < busy / quiet < 1.5, (quiet, busy)


def test_the_fork_server_is_warmed_with_what_each_lab_imports_in_its_set_up():
    from grader.cells import read_notebook, setup_imports
    from grader.manifest import LABS, notebook_path

    first = setup_imports(read_notebook(notebook_path(LABS, "01_sequences")))
    assert "seqlab" in first and "numpy" in first and "tensorflow" not in first  # unit 01: no TF
    second = setup_imports(read_notebook(notebook_path(LABS, "02_rnn_unrolling")))
    assert {"tensorflow", "keras", "seqlab.checks"} <= set(second)
