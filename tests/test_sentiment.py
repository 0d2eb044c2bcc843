"""seqlab.unrolling.sentiment: order-only review pairs share their words and differ in label; the
held-out pairs use adjective pairs that training never shows; a seed fixes everything."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from seqlab.unrolling import (
    NEGATIVE,
    POSITIVE,
    adjective_pairs,
    contrast_pairs,
    plain_reviews,
    plot_pair_accuracy,
    sentiment_data,
)

matplotlib.use("Agg")


def _words(text: str) -> list[str]:
    return sorted(text.replace(",", " ").split())


def test_each_pair_shares_its_words_and_has_opposite_labels():
    reviews = contrast_pairs(50, adjective_pairs(), np.random.default_rng(0))
    assert len(reviews) == 100 and reviews.labels.dtype == np.float32
    for i in range(0, 100, 2):
        first, second = reviews.texts[i], reviews.texts[i + 1]
        assert first != second, "the two sentences of a pair differ in order"
        assert _words(first) == _words(second), "a pair holds the same words"
        assert reviews.labels[i] == 1 and reviews.labels[i + 1] == 0
        said = first.split("but ")[-1] if " but " in first else first.split(" was ")[1].split(",")[0]
        assert said in POSITIVE, "the positive sentence says the positive adjective"


def test_plain_reviews_are_labelled_by_their_one_adjective():
    reviews = plain_reviews(60, np.random.default_rng(1))
    for text, label in zip(reviews.texts, reviews.labels, strict=True):
        adjective = text.split()[-1]
        assert adjective in (POSITIVE if label == 1 else NEGATIVE)
    assert 0 < reviews.labels.mean() < 1


def test_held_out_pairs_use_adjective_pairs_never_seen_in_training():
    data = sentiment_data(train_pairs=80, train_plain=40, test_pairs=30, test_plain=20, seed=3)
    assert len(data.train) == 200 and len(data.test_pairs) == 60 and len(data.test_plain) == 20
    held = {frozenset(p) for p in data.held_out}
    assert len(held) == 5
    for text in data.train.texts:
        adjectives = frozenset(w for w in _words(text) if w in POSITIVE + NEGATIVE)
        assert adjectives not in held or len(adjectives) == 1
    for text in data.test_pairs.texts:
        assert frozenset(w for w in _words(text) if w in POSITIVE + NEGATIVE) in held
    assert not set(data.train.texts) & set(data.test_pairs.texts)


def test_a_seed_fixes_the_data_and_another_seed_changes_it():
    a, b, c = sentiment_data(seed=7), sentiment_data(seed=7), sentiment_data(seed=8)
    assert a.train.texts == b.train.texts and a.test_pairs.texts == b.test_pairs.texts
    np.testing.assert_array_equal(a.train.labels, b.train.labels)
    assert a.train.texts != c.train.texts


def test_the_accuracy_plot_draws_one_line_per_model_and_chance():
    fig, ax = plt.subplots()
    plot_pair_accuracy(ax, {"counts": [0.5, 0.5, 0.5], "RNN": [0.6, 0.9, 1.0]})
    assert len(ax.lines) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["counts", "RNN", "chance"]
    plt.close(fig)
