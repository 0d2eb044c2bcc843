"""The package's layout: one lazy subpackage per unit over a core that imports no unit.

Importing ``seqlab`` or a unit subpackage is cheap (none of matplotlib, ipywidgets, TensorFlow,
Keras or music21 is imported until a name that needs it is used); every name a subpackage offers
resolves; each subpackage's docstring names its unit; the core modules import no unit.
"""

import importlib
import inspect
import pkgutil
import subprocess
import sys
import types

import pytest

UNITS = {  # subpackage -> the unit it serves
    "sequences": "01_sequences",
    "unrolling": "02_rnn_unrolling",
    "bptt": "03_bptt",
    "lstm": "04_lstm",
    "music": "05_music_generation",
    "attention": "06_attention",
    "transformers": "07_transformers",
}
CORE = ["config", "quiet", "checks", "data", "train", "drawing", "explorer"]
HEAVY = ("matplotlib", "ipywidgets", "tensorflow", "keras", "music21")


def _run(code: str, repo) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("package", ["seqlab"] + [f"seqlab.{unit}" for unit in UNITS])
def test_importing_a_package_imports_nothing_heavy(package, repo):
    code = f"import sys, {package}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    assert _run(code, repo) == "[]"


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_no_unit(module, repo):
    code = (f"import sys, seqlab.{module}\n"
            f"units = {sorted(UNITS)!r}\n"
            "print(sorted(m for m in sys.modules for u in units\n"
            "             if m == f'seqlab.{u}' or m.startswith(f'seqlab.{u}.')))")
    assert _run(code, repo) == "[]", f"seqlab.{module} imports a unit subpackage"


def test_the_units_are_the_course_s(repo):
    assert sorted(UNITS.values()) == sorted(p.name for p in (repo / "solutions").iterdir() if p.is_dir())
    subpackages = {m.name for m in pkgutil.iter_modules([str(repo / "seqlab")]) if m.ispkg}
    assert set(UNITS) <= subpackages


@pytest.mark.parametrize("unit", UNITS)
def test_the_docstring_names_the_unit(unit):
    package = importlib.import_module(f"seqlab.{unit}")
    assert UNITS[unit] in (package.__doc__ or ""), package.__name__
    assert f"``{package.__name__}``" in importlib.import_module("seqlab").__doc__


@pytest.mark.parametrize("unit", UNITS)
def test_every_offered_name_resolves_and_is_listed(unit):
    package = importlib.import_module(f"seqlab.{unit}")
    offered = package.__all__
    assert offered and len(offered) == len(set(offered)), "names offered twice"
    listed = dir(package)
    for name in offered:
        assert name in listed, name
        assert getattr(package, name) is not None, name
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


@pytest.mark.parametrize("unit", UNITS)
def test_every_module_is_offered_with_its_functions_and_classes(unit):
    """Each module of the subpackage is an attribute of it, and each function and class a module
    defines (with a public name) is offered by the package, as the same object."""
    package = importlib.import_module(f"seqlab.{unit}")
    modules = [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]
    assert modules
    for name in modules:
        module = getattr(package, name)
        assert isinstance(module, types.ModuleType) and module.__name__ == f"{package.__name__}.{name}"
        assert name in dir(package)
        defined = [n for n, value in vars(module).items() if not n.startswith("_")
                   and (inspect.isfunction(value) or inspect.isclass(value))
                   and value.__module__ == module.__name__]
        for n in defined:
            assert n in package.__all__, f"{module.__name__}.{n} is not offered by {package.__name__}"
            assert getattr(package, n) is getattr(module, n), n
