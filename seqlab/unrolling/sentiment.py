"""Many to one: short reviews whose sentiment only the word order decides.

"the food was good, not bad" is positive and "the food was bad, not good" is negative: the same
words, the opposite label. ``contrast_pairs`` writes such **order-only pairs** (rows ``2i`` and
``2i + 1`` hold the same words and opposite labels); ``plain_reviews`` writes one-adjective
reviews ("the room was lovely") that a word count does decide. ``sentiment_data`` draws a
training set of both kinds and held-out sets of each, the held-out pairs built from adjective
pairs that training never shows. ``plot_pair_accuracy`` draws each model's accuracy on the
held-out pairs over training, against chance.

Text only: turning words into counts or indices is left to Keras' ``TextVectorization``.
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

POSITIVE = ("good", "great", "fine", "lovely", "tasty")
NEGATIVE = ("bad", "awful", "poor", "bland", "dull")
SUBJECTS = ("food", "service", "film", "room", "music", "coffee")
# the adjective that is *said* gives the label; the one that is *denied* (after "not") does not
TEMPLATES = ("the {subject} was {said}, not {denied}", "the {subject} was not {denied} but {said}")
PLAIN = "the {subject} was {said}"
CURVE_COLORS = ("#7570b3", "#d95f02", "#1b9e77", "#e7298a")


@dataclass
class Reviews:
    """texts: N strings; labels: (N,) float32, 1 for positive and 0 for negative."""

    texts: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class SentimentData:
    """A training set (order-only pairs and plain reviews, shuffled together) and held-out sets:
    order-only pairs from adjective pairs never seen in training, and plain reviews."""

    train: Reviews
    test_pairs: Reviews
    test_plain: Reviews
    held_out: list[tuple[str, str]]  # the (positive, negative) adjective pairs kept for testing


def adjective_pairs() -> list[tuple[str, str]]:
    """Every (positive, negative) pair of adjectives, in a fixed order."""
    return [(good, bad) for good in POSITIVE for bad in NEGATIVE]


def contrast_pairs(n_pairs: int, pairs: list[tuple[str, str]], rng: np.random.Generator) -> Reviews:
    """``2 * n_pairs`` reviews: pair ``i`` (rows ``2i``, ``2i + 1``) takes one of ``pairs``, a
    subject and a template at random and says the positive adjective, then the negative one;
    both rows hold the same words, row ``2i`` is positive (1) and row ``2i + 1`` negative (0)."""
    texts = []
    for _ in range(n_pairs):
        good, bad = pairs[rng.integers(len(pairs))]
        subject = SUBJECTS[rng.integers(len(SUBJECTS))]
        template = TEMPLATES[rng.integers(len(TEMPLATES))]
        texts += [template.format(subject=subject, said=good, denied=bad),
                  template.format(subject=subject, said=bad, denied=good)]
    return Reviews(texts, np.tile(np.array([1, 0], np.float32), n_pairs))


def plain_reviews(n: int, rng: np.random.Generator) -> Reviews:
    """``n`` one-adjective reviews, positive or negative at random (labels (n,))."""
    labels = rng.integers(2, size=n)
    texts = []
    for label in labels:
        adjectives = POSITIVE if label else NEGATIVE
        texts.append(PLAIN.format(subject=SUBJECTS[rng.integers(len(SUBJECTS))],
                                  said=adjectives[rng.integers(len(adjectives))]))
    return Reviews(texts, labels.astype(np.float32))


def sentiment_data(train_pairs: int = 200, train_plain: int = 200, test_pairs: int = 100,
                   test_plain: int = 100, held_out: int = 5, seed: int = 0) -> SentimentData:
    """The whole task from one ``seed``: ``held_out`` of the 25 adjective pairs are set aside for
    the held-out pairs; training sees the others (in pairs) and every adjective (in plain reviews).
    Same arguments, same data."""
    rng = np.random.default_rng(seed)
    every = adjective_pairs()
    order = rng.permutation(len(every))
    kept = [every[i] for i in order[:held_out]]
    seen = [every[i] for i in order[held_out:]]
    pairs, plain = contrast_pairs(train_pairs, seen, rng), plain_reviews(train_plain, rng)
    texts = pairs.texts + plain.texts
    labels = np.concatenate([pairs.labels, plain.labels])  # (N,)
    shuffle = rng.permutation(len(texts))
    train = Reviews([texts[i] for i in shuffle], labels[shuffle])
    return SentimentData(train, contrast_pairs(test_pairs, kept, rng), plain_reviews(test_plain, rng),
                         kept)


def plot_pair_accuracy(ax: Axes, curves: dict[str, list[float]],
                       title: str = "held-out order-only pairs") -> Axes:
    """Accuracy after each epoch, one line per model (``{name: [accuracy per epoch]}``), with
    chance (0.5) dashed."""
    for (name, accuracy), color in zip(curves.items(), CURVE_COLORS):
        ax.plot(np.arange(1, len(accuracy) + 1), accuracy, "o-", lw=2, color=color, label=name)
    ax.axhline(0.5, ls="--", color="0.4", lw=1, label="chance")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(-0.03, 1.03), title=title)
    ax.legend(fontsize=9, loc="lower right")
    return ax
