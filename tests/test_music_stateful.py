"""seqlab.music.stateful: consecutive windows of parallel streams, a step that carries the state."""

import numpy as np
import pytest

import seqlab  # noqa: F401  (quiet TensorFlow first)
from seqlab import train
from seqlab.music import stateful

V = 6


def test_stream_batches_continue_each_row_and_reset_at_the_start():
    text = np.arange(1000) % 997  # distinct values, so positions can be read back
    batches = stateful.stream_batches(text, 7, 4, seed=0)
    first = [next(batches) for _ in range(36)]  # per_stream 249 -> 35 windows an epoch
    assert [b.reset for b in first] == [True] + [False] * 34 + [True]
    for a, b in zip(first, first[1:35]):
        assert a.x.shape == a.y.shape == (4, 7) and a.x.dtype == np.int32
        assert (a.y[:, :-1] == a.x[:, 1:]).all() and (a.y[:, -1] == b.x[:, 0]).all(), "rows continue"
    assert (first[0].x[:, 0] == np.arange(4) * 249).all(), "streams start evenly spaced"
    with pytest.raises(ValueError):
        next(stateful.stream_batches(np.arange(20), 7, 4, seed=0))


def test_stream_batches_shuffle_the_pieces_each_epoch():
    pieces = [np.full(10, i) for i in range(8)]  # 80 characters: 79 // 2 = 39 per stream, 3 windows of 13
    batches = stateful.stream_batches(pieces, 13, 2, seed=1)
    epochs = [[next(batches) for _ in range(3)] for _ in range(4)]
    orders = []
    for epoch in epochs:
        assert epoch[0].reset and not any(b.reset for b in epoch[1:])
        row = np.concatenate([b.x[0] for b in epoch])  # (39,): the first stream
        orders.append(tuple(dict.fromkeys(row.tolist())))
    assert len(set(orders)) > 1, "a new order each epoch"


def tiny_net(learning_rate=0.0, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    net = stateful.build_stateful_lstm(V, 4, 8)
    return net, stateful.CarriedStateStep(net, keras.optimizers.Adam(learning_rate))


def cross_entropy(logits, y):
    logits = logits - logits.max(-1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, y[..., None], -1).mean()


def test_model_has_the_labs_weight_layout():
    net, _ = tiny_net()
    shapes = [w.shape for w in net.model.get_weights()]
    assert shapes == [(V, 4), (4, 32), (8, 32), (32,), (8, V), (V,)]
    assert len(net.with_state.get_weights()) == 6, "the twin shares the same weights"


def test_dropout_keeps_the_weights_and_acts_only_in_training():
    import keras

    plain, _ = tiny_net()
    keras.utils.set_random_seed(0)
    dropped = stateful.build_stateful_lstm(V, 4, 8, dropout=0.5)
    assert [w.shape for w in dropped.model.get_weights()] == [w.shape for w in plain.model.get_weights()]
    dropped.model.set_weights(plain.model.get_weights())
    x = np.random.default_rng(0).integers(0, V, size=(3, 5)).astype(np.int32)  # (N, T)
    assert np.allclose(dropped.model(x, training=False), plain.model(x), atol=1e-6), "no dropout when reading"
    assert not np.allclose(dropped.model(x, training=True), plain.model(x), atol=1e-3), "dropout when training"
    from seqlab.music import decoding

    logp, _ = decoding.read_start(decoding.keras_stepper(dropped.model), x[0])
    assert np.allclose(logp, decoding.read_start(decoding.keras_stepper(plain.model), x[0])[0], atol=1e-5)


def test_the_step_carries_the_state_across_windows():
    net, step = tiny_net(learning_rate=0.0)  # the weights stay put, so losses can be compared
    net.model.set_weights([w * 3 for w in net.model.get_weights()])  # a state that matters more
    rng = np.random.default_rng(0)
    text = rng.integers(0, V, size=(3, 7)).astype(np.int32)  # (N, 2T + 1), T = 3
    x1, y1, x2, y2 = text[:, :3], text[:, 1:4], text[:, 3:6], text[:, 4:7]
    one_pass = cross_entropy(net.model(text[:, :6]).numpy()[:, 3:], y2)  # both windows read at once
    from_zero = cross_entropy(net.model(x2).numpy(), y2)
    assert abs(one_pass - from_zero) > 1e-3, "the first window changes the second's loss"
    step(x1, y1, True)
    carried = float(step(x2, y2, False))
    fresh = float(step(x2, y2))  # no flag: the usual zero state
    assert np.isclose(carried, one_pass, atol=1e-5), "the second window continues the first"
    assert np.isclose(fresh, from_zero, atol=1e-5)
    assert np.isclose(float(step(x1[:2], y1[:2], False)),
                      cross_entropy(net.model(x1[:2]).numpy(), y1[:2]), atol=1e-5), "a new batch size resets"


def test_carried_state_loss_reads_each_stream_in_one_pass():
    net, _ = tiny_net()
    ids = np.random.default_rng(1).integers(0, V, size=61).astype(np.int32)  # 2 streams of 30 (+1)
    expected = np.mean([cross_entropy(net.model(ids[None, s: s + 30]).numpy()[0], ids[s + 1: s + 31])
                        for s in (0, 30)])
    assert np.isclose(stateful.carried_state_loss(net, ids, streams=2, seq_length=7), expected, atol=1e-5)


def test_fit_trains_on_stream_batches():
    net, step = tiny_net(learning_rate=0.05)
    text = np.tile(np.array([0, 1, 2, 3, 4, 5, 4, 3, 2, 1], np.int32), 40)  # (400,)
    history = train.fit(step, net.model, text, text, steps=40, batch_size=4, seq_length=8, eval_every=20,
                        data=stateful.stream_batches(text, 8, 4, seed=0), progress=False,
                        val_loss=lambda m: stateful.carried_state_loss(net, text, streams=4, seq_length=8))
    assert history.val_step == [0, 20, 40]
    assert history.val_loss[-1] < history.val_loss[0] - 0.5, "the carried-state loss falls"


def test_encode_text_matches_the_corpus_and_splits_tunes():
    from types import SimpleNamespace

    from seqlab.music import carry_experiment

    vocab = sorted(set("X:1\nT:é|abc "))
    corpus = SimpleNamespace(vocab=vocab, encode=lambda t: np.array([vocab.index(c) for c in t], np.int32))
    tunes = ["X:1\nT:é\nabc|\n", "X:1\nT:b\ncab |\n"]
    ids = carry_experiment.encode_text(corpus, "".join(tunes))
    assert ids.dtype == np.int32 and (ids == corpus.encode("".join(tunes))).all()
    pieces = carry_experiment.encoded_tunes(corpus, tunes)
    assert [p.tolist() for p in pieces] == [corpus.encode(t + "\n").tolist() for t in tunes]
    with pytest.raises(ValueError):
        carry_experiment.encode_text(corpus, "Z")


def test_the_record_names_the_commands_that_reproduce_it():
    from seqlab.music.carry_experiment import reproducing_command

    both = [{"arm": arm, "seed": s} for s in (0, 1, 2) for arm in ("windowed", "carried")]
    assert reproducing_command(both, "lab", "r.json") == "python -m seqlab.music.carry_experiment --seeds 0 1 2 --out r.json"
    uneven = [{"arm": "windowed", "seed": 0}, {"arm": "carried", "seed": 0}, {"arm": "windowed", "seed": 1}]
    assert reproducing_command(uneven, "larger", "r.json") == (
        "python -m seqlab.music.carry_experiment --config larger --seeds 0 1 --arms windowed --out r.json && "
        "python -m seqlab.music.carry_experiment --config larger --seeds 0 --arms carried --out r.json")
