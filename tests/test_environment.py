"""pyproject.toml and environment.yml must install the same things."""

import re
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


def test_environment_yml_python_matches_requires_python(repo):
    requires = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"
    assert "python>=3.11" in (repo / "environment.yml").read_text()
