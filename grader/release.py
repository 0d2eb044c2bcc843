"""``python -m grader release [--check]``: regenerate ``labs/`` from ``solutions/`` with nbgrader.

Reference answers become stubs, hidden tests disappear, outputs are cleared, and locked cells
get nbgrader's checksums. ``--check`` writes nothing and exits 1 when ``labs/`` differs.
"""

import filecmp
import shutil
import sys
from pathlib import Path

from grader.manifest import LABS, available_units
from grader.nbgrader_runner import generate_assignments


def _differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ between two folders (missing, extra or changed files)."""
    if not actual.is_dir():
        return [f"{actual.name}/ (missing)"]
    diffs = []
    want = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file()}
    have = {p.relative_to(actual) for p in actual.rglob("*") if p.is_file()}
    diffs += [f"{actual.name}/{p} (missing)" for p in sorted(want - have)]
    diffs += [f"{actual.name}/{p} (not generated)" for p in sorted(have - want)]
    diffs += [
        f"{actual.name}/{p} (differs)"
        for p in sorted(want & have)
        if not filecmp.cmp(expected / p, actual / p, shallow=False)
    ]
    return diffs


def release(check: bool = False, labs: Path = LABS) -> list[str]:
    """Generate every unit's lab (one nbgrader run in a scratch course); write each to ``labs`` or,
    with ``check``, list the differences."""
    units = available_units()
    course = generate_assignments(units)
    diffs = []
    try:
        for unit in units:
            generated = course / "release" / unit
            if check:
                diffs += _differences(generated, labs / unit)
            else:
                shutil.rmtree(labs / unit, ignore_errors=True)
                shutil.copytree(generated, labs / unit)
    finally:
        shutil.rmtree(course, ignore_errors=True)
    if check and labs.is_dir():
        stale = sorted(p.name for p in labs.iterdir() if p.is_dir() and p.name not in units)
        diffs += [f"{name}/ (no such unit in solutions/)" for name in stale]
    return diffs


def run(args) -> int:
    diffs = release(check=args.check)
    if not args.check:
        print(f"labs/ regenerated from solutions/ ({', '.join(available_units())}).")
        return 0
    if diffs:
        print("labs/ is out of date with solutions/; run `python -m grader release`:", file=sys.stderr)
        for line in diffs:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("labs/ is in sync with solutions/.")
    return 0


def add_arguments(commands) -> None:
    parser = commands.add_parser("release", help="regenerate labs/ from solutions/")
    parser.add_argument("--check", action="store_true", help="exit 1 if labs/ differs; write nothing")
    parser.set_defaults(run=run)
