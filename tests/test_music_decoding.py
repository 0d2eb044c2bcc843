"""seqlab.music.decoding: sampling, greedy and beam search on steppers, and repetition measures."""

import itertools

import numpy as np

import seqlab  # noqa: F401  (quiet TensorFlow first)
from seqlab.music import decoding

# A fake model whose best sequence is known. Its state is the last character (B, 1).
# After the start (2): 0 is likely (0.6) but leads to a flat 1/3 each; 1 (0.4) leads to 1 again (0.9).
# Greedy takes 0 and then anything: 0.6 * 1/3 = 0.2. The most likely pair is 1, 1: 0.4 * 0.9 = 0.36.
TABLE = np.log(np.array([
    [1 / 3, 1 / 3, 1 / 3],  # after 0
    [0.05, 0.9, 0.05],  # after 1
    [0.6, 0.4, 1e-9],  # after the start, 2
]))


def fake_step(ids, state):
    ids = np.asarray(ids)
    return TABLE[ids], (ids[:, None],)


def logprob(seq, start=2):
    prev, total = start, 0.0
    for i in seq:
        total += TABLE[prev, i]
        prev = i
    return total


def test_beam_finds_the_sequence_greedy_misses():
    start = np.array([2])
    greedy = decoding.sample(fake_step, start, 2, 0.0, np.random.default_rng(0))[0]
    beam = decoding.beam_search(fake_step, start, 2, width=2)
    assert greedy.ids[0] == 0, "greedy takes the likelier first character"
    assert list(beam.ids) == [1, 1], "the beam keeps the second choice and finds the better pair"
    assert np.isclose(beam.logprob, np.log(0.36)) and np.isclose(greedy.logprob, np.log(0.2))
    assert beam.logprob_per_char > greedy.logprob_per_char


def test_width_one_is_greedy_and_a_wide_beam_is_exact():
    start = np.array([2])
    for length in (1, 3, 5):
        greedy = decoding.sample(fake_step, start, length, 0.0, np.random.default_rng(0))[0]
        one = decoding.beam_search(fake_step, start, length, width=1)
        assert list(one.ids) == list(greedy.ids) and np.isclose(one.logprob, greedy.logprob)
    length = 3
    best = max(itertools.product(range(3), repeat=length), key=logprob)
    wide = decoding.beam_search(fake_step, start, length, width=9)  # 3^2 prefixes: nothing pruned
    assert tuple(wide.ids) == best and np.isclose(wide.logprob, logprob(best))


def test_sample_is_seeded_and_scores_at_temperature_one():
    start = np.array([2])
    a = decoding.sample(fake_step, start, 30, 0.8, np.random.default_rng(3), n=4)
    b = decoding.sample(fake_step, start, 30, 0.8, np.random.default_rng(3), n=4)
    assert all((x.ids == y.ids).all() for x, y in zip(a, b))
    assert len({tuple(x.ids) for x in a}) > 1, "rows are drawn independently"
    for d in a:
        assert np.isclose(d.logprob, logprob(d.ids))
        assert np.isclose(decoding.score(fake_step, start, d.ids).logprob, d.logprob)


def test_repetition_measures():
    assert decoding.longest_repeat("abcabcabc") == "abcabc"
    assert decoding.longest_repeat("abcd") == ""
    assert np.isclose(decoding.distinct_ngram_share("abcabcabc", 3), 3 / 7)
    assert decoding.distinct_ngram_share("abcdefgh", 3) == 1.0


def test_keras_stepper_follows_the_model():
    import keras

    keras.utils.set_random_seed(0)
    v = 7
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(v, 4),
                              keras.layers.LSTM(5, return_sequences=True), keras.layers.Dense(v)])
    x = np.array([[1, 4, 2, 6, 0, 3]])  # (1, T)
    logits = model(x).numpy()[0]  # (T, V)
    expected = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    step = decoding.keras_stepper(model)
    state, got = None, []
    for i in x[0]:
        logp, state = step(np.array([i]), state)
        got.append(logp[0])
    assert np.allclose(got, expected, atol=1e-5)
    assert decoding.read_start(step, x[0], copies=3)[0].shape == (3, v)
