"""seqlab.train: batches, the loop (validation, best weights, time limit, resume), plots, checkpoints."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import seqlab  # noqa: E402,F401  (quiet TensorFlow first)
from seqlab import train  # noqa: E402

V, T = 5, 8
TEXT = np.tile(np.array([0, 1, 2, 3, 4, 3, 2, 1], dtype=np.int32), 40)  # (320,), periodic


def tiny_model(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(V, 4),
                              keras.layers.LSTM(8, return_sequences=True), keras.layers.Dense(V)])
    model.compile(optimizer=keras.optimizers.Adam(0.05, global_clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_epoch_windows_cover_the_text_without_overlap():
    rng = np.random.default_rng(0)
    ids = np.arange(100)
    w = train.epoch_windows(ids, 9, rng)
    assert w.shape[1] == 10 and 9 <= len(w) <= 10
    assert (np.diff(w, axis=1) == 1).all(), "contiguous"
    starts = np.sort(w[:, 0])
    assert (np.diff(starts) == 10).all(), "non-overlapping"
    with pytest.raises(ValueError):
        train.epoch_windows(np.arange(5), 9, rng)


def test_batches_shift_targets_by_one_and_are_seeded():
    a = train.batches(np.arange(1000), 7, 4, seed=1)
    b = train.batches(np.arange(1000), 7, 4, seed=1)
    for _ in range(50):  # more than one epoch
        (x, y), (x2, _) = next(a), next(b)
        assert x.shape == y.shape == (4, 7) and x.dtype == np.int32
        assert (y == x + 1).all() and (x == x2).all()


def test_eval_windows_are_fixed_and_capped():
    x, y = train.eval_windows(np.arange(1000), 9, max_windows=20)
    assert x.shape == (20, 9) and (y == x + 1).all() and x[0, 0] == 0
    x2, _ = train.eval_windows(np.arange(1000), 9, max_windows=20)
    assert (x == x2).all()


def test_fit_trains_measures_and_keeps_the_best_weights():
    model = tiny_model()
    history = train.fit(lambda x, y: model.train_on_batch(x, y), model, TEXT, TEXT, steps=40,
                        batch_size=4, seq_length=T, eval_every=10, progress=False)
    assert history.step == list(range(1, 41)) and len(history.loss) == 40
    assert history.val_step == [0, 10, 20, 30, 40]
    assert history.val_loss[0] > np.log(V) - 0.3 and history.best_val_loss < history.val_loss[0] - 0.5
    assert history.best_val_loss == min(history.val_loss)
    vx, vy = train.eval_windows(TEXT, T)
    assert abs(train.evaluate(model, vx, vy) - history.best_val_loss) < 1e-5, "best weights restored"
    assert history.seconds >= history.train_seconds > 0 and history.cpu_seconds > 0
    assert "best validation loss" in history.summary()


def test_fit_stops_at_the_time_limit_and_on_interrupt():
    model = tiny_model()
    history = train.fit(lambda x, y: model.train_on_batch(x, y), model, TEXT, TEXT, steps=10_000,
                        batch_size=4, seq_length=T, eval_every=50, max_seconds=0.5, progress=False)
    assert history.stopped_early and len(history.step) < 10_000
    assert history.val_step[-1] == history.step[-1], "measured where it stopped"

    calls = []

    def interrupted(x, y):
        calls.append(1)
        if len(calls) == 7:
            raise KeyboardInterrupt
        return model.train_on_batch(x, y)

    history = train.fit(interrupted, model, TEXT, TEXT, steps=100, batch_size=4, seq_length=T,
                        eval_every=5, progress=False)
    assert history.stopped_early and history.step[-1] == 6


def test_checkpoints_save_load_and_resume(tmp_path):
    path = tmp_path / "ck.npz"
    model = tiny_model()
    step = lambda x, y: model.train_on_batch(x, y)  # noqa: E731
    first = train.fit(step, model, TEXT, TEXT, steps=20, batch_size=4, seq_length=T, eval_every=10,
                      checkpoint=path, optimizer=model.optimizer, vocab=list("abcde"),
                      config={"units": 8}, progress=False)
    saved = train.load_checkpoint(path)
    assert saved.vocab == list("abcde") and saved.config == {"units": 8}
    assert saved.step == first.best_step and saved.optimizer
    assert saved.char2idx["c"] == 2 and saved.idx2char.tolist() == list("abcde")
    fresh = tiny_model(seed=1)
    saved.apply(fresh)
    assert fresh.get_weights() and len(fresh.get_weights()) == len(model.get_weights())
    for a, b in zip(fresh.get_weights(), model.get_weights(), strict=True):
        assert np.allclose(a, b)
    resumed = train.fit(lambda x, y: fresh.train_on_batch(x, y), fresh, TEXT, TEXT, steps=30,
                        batch_size=4, seq_length=T, eval_every=10, checkpoint=path, resume=True,
                        optimizer=fresh.optimizer, progress=False)
    assert resumed.step[0] == 1 and resumed.step[-1] == 30 and resumed.val_step[-1] == 30
    assert resumed.val_step[: len(first.val_step)] == first.val_step[: len(resumed.val_step)][:len(first.val_step)]
    with pytest.raises(ValueError, match="shapes"):
        import keras

        other = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(V, 3),
                                  keras.layers.LSTM(8, return_sequences=True), keras.layers.Dense(V)])
        saved.apply(other)


def test_float16_checkpoints_halve_the_file(tmp_path):
    model = tiny_model()
    a = train.save_checkpoint(tmp_path / "a.npz", model, vocab=[], config={})
    b = train.save_checkpoint(tmp_path / "b.npz", model, vocab=[], config={}, dtype=np.float16)
    loaded = train.load_checkpoint(b)
    assert all(w.dtype == np.float32 for w in loaded.weights)
    assert b.stat().st_size < a.stat().st_size


def test_the_shipped_checkpoint_loads_and_records_its_training():
    shipped = train.pretrained()
    assert {"embedding_dim", "rnn_units", "batch_size", "seq_length", "learning_rate", "steps"} <= set(shipped.config)
    assert shipped.history is not None and shipped.history.val_loss
    from seqlab import music

    assert shipped.vocab == music.load_corpus(max_tunes=10).vocab
    assert (train.CHECKPOINTS / "music_lstm.md").is_file()
    assert (train.CHECKPOINTS / "music_lstm.npz").stat().st_size < 3_000_000
    with pytest.raises(FileNotFoundError):
        train.pretrained("no such model")


def test_plot_history_draws_training_and_validation():
    h = train.History(step=list(range(1, 101)), loss=list(np.linspace(3, 1, 100)), val_step=[0, 50, 100],
                      val_loss=[3.0, 1.5, 1.6], val_seconds=[0, 5, 10])
    ax = train.plot_history(h, label="lab")
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("training" in s for s in labels) and any("validation" in s for s in labels)
    ax = train.plot_history(h, x="seconds")
    assert ax.get_xlabel() == "seconds of training"
