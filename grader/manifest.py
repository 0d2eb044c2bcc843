"""The course manifest: the units, in lecture order, with what each one grades.

One entry per unit of ``../shared/COURSE.md``. The grader, the tests, the fixture class's expected
"missing" rows and the README's table of units are all derived from ``UNITS``; adding a unit is one
entry here plus its three notebooks (walkthrough, solution, generated lab) and its ``seqlab``
subpackage.
"""

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
LABS = REPO / "labs"
NOTEBOOKS = REPO / "notebooks"


@dataclass(frozen=True)
class Unit:
    """One unit of the course."""

    id: str  # the contract's unit id, e.g. "01_sequences"
    title: str  # as the README's table shows it
    package: str  # the seqlab subpackage that serves the unit
    graded: tuple[str, ...]  # the lab's graded functions and classes, in the lab's order
    points: float  # every point of the lab: autograded tests and manually graded answers

    @property
    def number(self) -> str:
        return self.id[:2]

    def walkthrough(self, repo: Path = REPO) -> Path:
        return repo / "notebooks" / f"{self.id}.ipynb"

    def solution(self, repo: Path = REPO) -> Path:
        return notebook_path(repo / "solutions", self.id)

    def lab(self, repo: Path = REPO) -> Path:
        return notebook_path(repo / "labs", self.id)


UNITS: tuple[Unit, ...] = (
    Unit("01_sequences", "Sequences", "seqlab.sequences",
         ("build_vocab", "vectorize", "get_batch", "one_hot", "bag_of_words"), 19),
    Unit("02_rnn_unrolling", "RNN unrolling", "seqlab.unrolling",
         ("rnn_step", "rnn_forward", "MyRNNCell"), 13),
    Unit("03_bptt", "Backpropagation through time", "seqlab.bptt",
         ("rnn_backward", "clip_by_global_norm", "jacobian_norms"), 13),
    Unit("04_lstm", "LSTM gates", "seqlab.lstm",
         ("lstm_step", "lstm_forward", "lstm_backward"), 13),
    Unit("05_music_generation", "Music generation", "seqlab.music",
         ("build_model", "compute_loss", "train_step", "sample_next", "generate"), 19),
    Unit("06_attention", "Attention", "seqlab.attention",
         ("scaled_dot_product_attention", "causal_mask", "positional_encoding",
          "multi_head_self_attention"), 18),
    Unit("07_transformers", "Transformers", "seqlab.transformers",
         ("layer_norm", "feed_forward", "transformer_block", "attention_step", "build_transformer"), 17),
)
UNIT_IDS: tuple[str, ...] = tuple(u.id for u in UNITS)
BY_ID: dict[str, Unit] = {u.id: u for u in UNITS}


def notebook_path(root: Path, unit: str) -> Path:
    """``root/<unit>/<unit>.ipynb``: where a unit's notebook lives in solutions/, labs/ and in a
    student's folder of submissions."""
    return root / unit / f"{unit}.ipynb"


def available_units() -> list[str]:
    """Unit ids that have a reference notebook in ``solutions/``, in lecture order."""
    return [u.id for u in UNITS if u.solution().is_file()]


def unit(unit_id: str) -> Unit:
    """The manifest's entry for ``unit_id``; ``KeyError`` naming the known ids otherwise."""
    try:
        return BY_ID[unit_id]
    except KeyError:
        raise KeyError(f"no unit {unit_id!r} in the course (units: {', '.join(UNIT_IDS)})") from None
