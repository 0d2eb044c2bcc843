"""Run-time settings, read in one place.

``SEQLAB_FAST=1`` shrinks training (fewer steps, smaller data) so that every notebook runs in
seconds in CI. It never skips code: the same cells run, on less work.
"""

import os

_TRUE = {"1", "true", "yes", "on"}


def fast_mode() -> bool:
    """True when the environment asks for fast mode (``SEQLAB_FAST`` set to 1/true/yes/on)."""
    return os.environ.get("SEQLAB_FAST", "").strip().lower() in _TRUE


def scaled(full: int, fast: int) -> int:
    """Pick a size: ``full`` normally, ``fast`` in fast mode.  ``scaled(2000, 20)``."""
    return fast if fast_mode() else full
