"""pyproject.toml and environment.yml must install the same things, and what they install must
work together."""

import os
import re
import subprocess
import sys
import tomllib

import yaml


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).replace('"', "'").lower()


def _environment_pip_list(text: str) -> list[str]:
    dependencies = yaml.safe_load(text)["dependencies"]
    return next(d["pip"] for d in dependencies if isinstance(d, dict) and "pip" in d)


def test_environment_yml_matches_pyproject(repo):
    deps = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"]
    pip_list = _environment_pip_list((repo / "environment.yml").read_text())
    assert "-e ." in pip_list, "environment.yml must install the course package itself"
    pip_list.remove("-e .")
    assert sorted(map(_normalise, pip_list)) == sorted(map(_normalise, deps))


def test_students_install_the_course_and_developers_the_tools_too(repo):
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    tools = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].lower() for d in project["optional-dependencies"]["dev"]}
    assert {"pytest", "pytest-xdist", "ruff", "playwright"} <= tools
    assert not names & tools, f"test tools among the students' dependencies: {names & tools}"
    assert "nbgrader" in names and "tensorflow-cpu" in names


def test_environment_yml_python_matches_requires_python(repo):
    requires = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"
    assert "python>=3.11" in (repo / "environment.yml").read_text()


_GROUPED_SUITE = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("i", range(6))
def test_grouped(i):
    with open(os.path.join(os.environ["SEQLAB_GROUP_OUT"], str(i)), "w") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_xdist_keeps_a_group_on_one_worker(tmp_path):
    """`make test` runs with --dist loadgroup so that the grader tests grade their class once, on one
    worker (test_grader.py, test_adversarial.py). Some pytest/pytest-xdist pairs silently ignore the
    group (pytest-dev/pytest-xdist#1386): this catches such a pair before it doubles CI's time."""
    (tmp_path / "workers").mkdir()
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_grouped.py").write_text(_GROUPED_SUITE)
    (tmp_path / "suite" / "test_other.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('i', range(6))\ndef test_other(i):\n    pass\n")
    (tmp_path / "suite" / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["SEQLAB_GROUP_OUT"] = str(tmp_path / "workers")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider", "."],
        cwd=tmp_path / "suite", env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    ran = [p.read_text() for p in (tmp_path / "workers").iterdir()]
    assert len(ran) == 6, done.stdout
    workers = set(ran)
    assert len(workers) == 1, f"tests of one xdist_group ran on {sorted(workers)}"
