"""Figures a walkthrough's prose cites, recorded by a full-mode run (``make results``).

Every number in a walkthrough's text either is printed by a cell above it or comes from the
recorded full-mode run of the walkthroughs. A cell that measures such a number hands it to
``figure``, which prints it beside the recorded value (labelled: in fast mode the run is small and
its figure is not the one the text cites), and a statement the text makes about the figures goes to
``claim`` ("clipping solves more seeds than no clipping"):

    from seqlab.recorded import claim, figure

    solved = figure("03_bptt", "seeds solved, clipped", solved_clipped, of=seeds)
    claim("03_bptt", "clipping solves more seeds than no clipping", solved_clipped > solved_plain)

``make results`` (``python -m seqlab.recorded``) runs every walkthrough in full mode with
``SEQLAB_RECORD`` set to a scratch file, so the calls above record what they see; it then writes
``checkpoints/figures.json`` (values, claims, the run's date and software) and exits non-zero when a
claim the text makes no longer holds. Outside such a run nothing is written.
"""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from seqlab.config import fast_mode
from seqlab.data import CHECKPOINTS

FIGURES = CHECKPOINTS / "figures.json"  # the recorded full-mode run, committed
RECORD_ENV = "SEQLAB_RECORD"  # set by `make results`: the scratch file a run records into


@dataclass
class UnitFigures:
    """What one walkthrough's full-mode run recorded."""

    values: dict[str, float] = field(default_factory=dict)  # name -> value
    totals: dict[str, float] = field(default_factory=dict)  # name -> the "of" of a count, if any
    claims: dict[str, bool] = field(default_factory=dict)  # the text's statement -> held?


def load(path: Path | None = None) -> dict[str, UnitFigures]:
    """The recorded figures by unit id (``FIGURES``'s unless ``path`` is given; empty when nothing
    was recorded yet)."""
    path = FIGURES if path is None else path
    if not path.is_file():
        return {}
    record = json.loads(path.read_text())
    return {unit: UnitFigures(**figures) for unit, figures in record.get("units", {}).items()}


def _record(unit: str, update) -> None:
    target = os.environ.get(RECORD_ENV)
    if not target:
        return
    path = Path(target)
    units = load(path)
    update(units.setdefault(unit, UnitFigures()))
    path.write_text(json.dumps({"units": {u: asdict(f) for u, f in sorted(units.items())}}, indent=1))


def _shown(value: float | None, of: float | None) -> str:
    text = f"{value:.4g}" if isinstance(value, float) else "n/a" if value is None else str(value)
    return f"{text} of {of:g}" if of is not None else text


def figure(unit: str, name: str, value: float, of: float | None = None) -> float:
    """Print ``value`` (optionally "``value`` of ``of``") beside the recorded full-mode figure, and
    record it in a ``make results`` run; returns ``value``."""
    value = float(value) if not isinstance(value, int) else value
    stored = None if value != value else value  # NaN (nothing measured) is written as JSON null
    recorded = load().get(unit, UnitFigures())
    mode = "this run (fast mode: small, not the figure the text cites)" if fast_mode() else "this run"
    line = f"{name}: {_shown(value, of)}, {mode}"
    if name in recorded.values:
        line += f"; recorded full-mode run: {_shown(recorded.values[name], recorded.totals.get(name))}"
    print(line)

    def update(figures: UnitFigures) -> None:
        figures.values[name] = stored
        if of is not None:
            figures.totals[name] = of

    _record(unit, update)
    return value


def claim(unit: str, text: str, holds: bool, same_in_fast_mode: bool = False) -> bool:
    """A statement the walkthrough's text makes about its figures. Printed with whether it holds in
    this run (in fast mode only for show, unless ``same_in_fast_mode``: a computation fast mode does
    not shrink) and in the recorded run; a ``make results`` run records it, and fails when it does
    not hold."""
    holds = bool(holds)
    recorded = load().get(unit, UnitFigures()).claims.get(text)
    verdict = "holds" if holds else "does NOT hold"
    small = fast_mode() and not same_in_fast_mode
    mode = " (fast mode: a small run, not judged)" if small else ""
    line = f"claim: {text} -- {verdict} in this run{mode}"
    if recorded is not None:
        line += f"; {'holds' if recorded else 'did NOT hold'} in the recorded full-mode run"
    print(line)
    _record(unit, lambda figures: figures.claims.__setitem__(text, holds))
    return holds


# ----------------------------------------------------------------------------- make results

def run_walkthroughs(notebooks: list[Path], scratch: Path) -> dict[str, float]:
    """Execute each walkthrough top to bottom in full mode, recording into ``scratch``; the
    wall-clock seconds of each. A cell that raises stops the run (``nbclient``'s error)."""
    seconds = {}
    saved = {name: os.environ.get(name) for name in (RECORD_ENV, "SEQLAB_FAST")}
    os.environ.update({RECORD_ENV: str(scratch), "SEQLAB_FAST": "0"})  # the kernels inherit both
    try:
        _run_each(notebooks, seconds)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return seconds


def _run_each(notebooks: list[Path], seconds: dict[str, float]) -> None:
    import time

    import nbformat
    from nbclient import NotebookClient

    for path in notebooks:
        print(f"running {path.name} in full mode ...", flush=True)
        started = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=3600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds[path.stem] = round(time.perf_counter() - started, 1)
        print(f"  {seconds[path.stem]:.0f} s", flush=True)


def main(argv: list[str]) -> int:
    """``python -m seqlab.recorded [UNIT ...]``: run the walkthroughs (all, or those named) in full
    mode, write ``FIGURES``, print every claim; exit 1 when one no longer holds."""
    import datetime
    import platform
    import tempfile

    repo = Path(__file__).resolve().parent.parent
    notebooks = sorted((repo / "notebooks").glob("*.ipynb"))
    if argv:
        notebooks = [p for p in notebooks if p.stem in argv or p.stem[:2] in argv]
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir) / "figures.json"
        seconds = run_walkthroughs(notebooks, scratch)
        fresh = load(scratch)
    units = load()
    units.update(fresh)  # a run of some units keeps the others' recorded figures
    try:
        import tensorflow as tf

        software = f"TensorFlow {tf.__version__}"
    except ImportError:
        software = ""
    record = json.loads(FIGURES.read_text()) if FIGURES.is_file() else {}
    runs = {**record.get("runs", {}), **{
        unit: {"date": datetime.date.today().isoformat(), "seconds": seconds[unit],
               "machine": f"{os.cpu_count()} cores, {platform.machine()}", "software": software}
        for unit in seconds}}
    FIGURES.write_text(json.dumps({"runs": dict(sorted(runs.items())),
                                   "units": {u: asdict(f) for u, f in sorted(units.items())}},
                                  indent=1) + "\n")
    failed = [(unit, text) for unit, f in fresh.items() for text, holds in f.claims.items() if not holds]
    held = sum(len(f.claims) for f in fresh.values()) - len(failed)
    print(f"\n{FIGURES}: {sum(len(f.values) for f in fresh.values())} figures, {held} claims hold")
    for unit, text in failed:
        print(f"CLAIM NO LONGER HOLDS ({unit}): {text}")
    return 1 if failed else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
