"""Hostile submissions: the grader's scores must be exactly what honest work deserves.

Each student below starts from the reference answers of unit 01 (15 points) and adds one attack.
The expected rows are written down; after grading, the tests also check that nothing escaped the
sandbox: no file written outside it, no process left behind, no network connection made.
"""

import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import nbformat
import pytest

from grader.autograde import grade_class
from grader.submission.job import Limits
from tests.submissions import build as fixture_builder

REPO = Path(__file__).resolve().parent.parent
UNIT = "01_sequences"
# Unit 01's honest cells take well under a CPU second each; a cell limit of 5 CPU s keeps the loop that
# ignores interrupts short (it runs to the limit, then its kernel is killed).
LIMITS = Limits(cell_cpu=5, notebook_cpu=300, memory_gb=2)
ESCAPES = [REPO / "labs" / UNIT / "pwned.txt", REPO / "seqlab" / "pwned.py", Path("/tmp/seqlab-pwned"),
           Path.home() / "seqlab-pwned"]
pytestmark = [pytest.mark.grader, pytest.mark.xdist_group("adversarial"),
              pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox's isolation needs root (CI runs as root)")]


def _answers_with(extra: dict[str, str], replace: dict[str, str] | None = None) -> dict[str, str]:
    """Reference answers with code added before some cells (``extra``) or cells replaced."""
    ref = fixture_builder.reference_answers(UNIT)
    out = {k: (extra.get(k, "") + "\n" + v) for k, v in ref.items()}
    out.update(replace or {})
    return out


LIES = '''
class AlwaysEqual(np.ndarray):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def all(self, *args, **kwargs): return True
    def __bool__(self): return True
class LyingDict(dict):
    def __eq__(self, other): return True
def fake(*shape): return np.zeros(shape).view(AlwaysEqual)
'''

STEAL = '''
import glob, json, os
def _steal():
    places = glob.glob("{repo}/solutions/*/*.ipynb") + glob.glob("/proc/*/cwd/solutions/*/*.ipynb")
    places += glob.glob("/proc/*/cwd/*.json") + glob.glob("/tmp/*/*.json") + glob.glob("/tmp/seqlab-grade-*/job.json")
    places += glob.glob("{repo}/tests/submissions/full/*/*.ipynb") + glob.glob("{parent}/**/01_sequences.ipynb", recursive=True)
    for pid in os.listdir("/proc"):
        try:
            places.append(open(f"/proc/{{pid}}/environ").read())
        except OSError:
            pass
    for place in places:
        try:
            nb = json.load(open(place))
        except (OSError, ValueError, TypeError):
            continue
        for cell in nb.get("cells", []):
            if "BEGIN SOLUTION" in "".join(cell.get("source", [])):
                exec("".join(cell["source"]), globals())
_steal()
'''

KINDS = {
    # student: (answers, expected score, expected status)
    "redefines_check": (_answers_with({}, {"bag_of_words": (
        "import seqlab.checks\nseqlab.checks.check = lambda *a, **k: None\ncheck = lambda *a, **k: None\n"
        "def bag_of_words(tokens, vocab):\n    return np.zeros(len(vocab))")}), 12, "graded"),
    "always_equal": (_answers_with({}, {
        "build_vocab": LIES + "def build_vocab(text):\n    return LyingDict(), fake(0)",
        "vectorize": "def vectorize(text, char2idx):\n    return fake(1)",
        "get_batch": "def get_batch(v, t, n, rng):\n    return fake(n, t), fake(n, t)",
        "one_hot": "def one_hot(indices, depth):\n    return fake(1)",
        "bag_of_words": "def bag_of_words(tokens, vocab):\n    return fake(1)"}), 0, "graded"),
    "swallows_errors": (_answers_with({}, {
        "build_vocab": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
                       "def build_vocab(text):\n    return {}, np.array([])",
        "one_hot": "def one_hot(indices, depth):\n    raise ValueError('no')"}),
        5, "graded"),  # get_batch's hidden tests and bag_of_words need no build_vocab: 2 + 3
    "blanks_later_cells": (_answers_with({"vectorize": (
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])")}), 0, "graded"),
    "inspects_stack": (_answers_with({}, {"bag_of_words": (
        "import inspect\ndef bag_of_words(tokens, vocab):\n"
        "    for info in inspect.stack():\n"
        "        for name, value in info.frame.f_locals.items():\n"
        "            if isinstance(value, np.ndarray) and value.shape == (len(vocab),):\n"
        "                return value\n"
        "    return np.zeros(len(vocab), np.int32) - 1")}), 12, "graded"),
    "steals_answers": ({k: (STEAL.format(repo=REPO, parent=REPO.parent) if k == "build_vocab" else "# nothing here") for k in
                        fixture_builder.reference_answers(UNIT)}, 0, "graded"),
    "forges_replies": (_answers_with({"build_vocab": (
        "import grader.submission.protocol as ks\nks.call = lambda name, payload: '{\"ok\": true}'\n"
        "ks.probe = lambda code, payload: 'garbage'")}), 0, "graded"),
    "writes_files": (_answers_with({"build_vocab": "\n".join(
        f"try:\n    open({str(p)!r}, 'w').write('x')\nexcept OSError:\n    pass" for p in ESCAPES)}),
        15, "graded"),
    "spawns_processes": (_answers_with({"build_vocab": (
        "import subprocess\nsleepers = [subprocess.Popen(['sleep', '3171']) for _ in range(20)]")}),
        15, "graded"),
    "phones_home": (_answers_with({"build_vocab": (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', PORT), timeout=2).sendall(b'leak')\n"
        "except OSError:\n    pass")}), 15, "graded"),
    "hogs_memory": (_answers_with({}, {"one_hot": fixture_builder.reference_answers(UNIT)["one_hot"]
                                       + "\n\nhog = bytearray(6 * 2**30)"}), 15, "crashed"),
    "ignores_interrupt": (_answers_with({}, {"one_hot": (
        "import signal\ndef one_hot(indices, depth):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "    while True:\n        pass")}), 0, "timeout"),
}


@pytest.fixture(scope="module")
def listener():
    """A TCP server on loopback that records whatever connects to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    received, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                received.append(conn.recv(100))
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    port, _ = listener
    folder = tmp_path_factory.mktemp("hostile")
    for student, (answers, _, _) in KINDS.items():
        answers = {k: v.replace("PORT", str(port)) for k, v in answers.items()}
        path = folder / student / UNIT / f"{UNIT}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(fixture_builder.answered(answers, UNIT), str(path))
    for path in ESCAPES:
        path.unlink(missing_ok=True)
    outcomes = grade_class(folder, jobs=2, limits=LIMITS)
    yield {o.student: o for o in outcomes}
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("student", sorted(KINDS))
def test_hostile_submission_gets_what_its_honest_work_deserves(graded, student):
    _, score, status = KINDS[student]
    outcome = graded[student]
    assert (outcome.score, outcome.status) == (score, status), outcome.note


def test_nothing_is_written_outside_the_sandbox(graded):
    assert not [p for p in ESCAPES if p.exists()]


def test_no_process_outlives_grading(graded):
    left = subprocess.run(["pgrep", "-f", "sleep 3171"], capture_output=True, text=True).stdout.split()
    assert left == []


def test_the_kernel_has_no_network(graded, listener):
    _, received = listener
    assert received == []


def test_feedback_of_a_hostile_submission_shows_no_hidden_source(graded, tmp_path):
    from grader.feedback import write_feedback

    pages = write_feedback(list(graded.values()), tmp_path)
    text = "".join(p.read_text() for p in pages)
    assert "BEGIN HIDDEN TESTS" not in text and "run_in_kernel(probe" not in text
