"""Lazy faces for the unit subpackages (PEP 562): importing one costs nothing.

A unit's ``__init__.py`` says which of its modules holds each name it offers::

    __getattr__, __dir__, __all__ = lazy_names(__name__, {"corpus": ["load_corpus", ...], ...})

``import seqlab.music`` then imports none of its modules (so neither matplotlib, ipywidgets,
TensorFlow, Keras nor music21); ``seqlab.music.load_corpus`` imports ``seqlab.music.corpus`` on
first use, and ``seqlab.music.audio`` the module itself. ``__all__`` lists the names, not the
modules, so ``from seqlab.music import *`` imports only what it names.
"""

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence


def lazy_names(package: str, modules: Mapping[str, Sequence[str]]
               ) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package``.

    modules: the name of each submodule (relative, ``"corpus"``) -> the names of it that the
    package offers (defined there, or imported there from the core). A name is imported from its submodule the first time it is asked for, and
    then kept in the package; a submodule's own name gives the submodule.
    """
    home = {name: module for module, names in modules.items() for name in names}
    clash = sorted(set(home) & set(modules))
    if clash:
        raise ValueError(f"{package}: {clash} would name both a module and a name it defines")
    if len(home) != sum(len(names) for names in modules.values()):
        raise ValueError(f"{package}: a name is offered by two of its modules")

    def __getattr__(name: str):
        if name in modules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in home:
            value = getattr(importlib.import_module(f"{package}.{home[name]}"), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(home) | set(modules))

    return __getattr__, __dir__, list(home)
