"""Unit 07's walkthrough model: causal, counted right, and writing the same with or without a cache."""

import numpy as np
import pytest

import seqlab  # noqa: F401  (quiet TensorFlow first)

V, C = 13, 12


@pytest.fixture(scope="module", params=["pre", "post"])
def model(request):
    """Both arrangements: pre-norm (the walkthrough's) and post-norm (its warm-up experiment)."""
    import keras

    from seqlab.transformers import MusicTransformer, TransformerConfig

    keras.utils.set_random_seed(0)
    return MusicTransformer(TransformerConfig(V, context=C, d_model=16, num_heads=4, num_layers=2, d_ff=24,
                                              norm=request.param))


def _ids(seed, shape):
    return np.random.default_rng(seed).integers(0, V, shape).astype(np.int32)


def test_logits_have_the_shape_n_t_v_for_any_t_up_to_the_context(model):
    for t in (1, 5, C):
        assert model(_ids(0, (3, t))).shape == (3, t, V)


def test_the_parameter_count_formula_matches_keras():
    from seqlab.transformers import MusicTransformer, TransformerConfig, parameter_count

    for config in (TransformerConfig(V, context=C, d_model=16, num_heads=2, num_layers=1, d_ff=8),
                   TransformerConfig(90, context=100, d_model=96, num_heads=4, num_layers=3, d_ff=384),
                   TransformerConfig(V, context=C, d_model=16, num_heads=2, num_layers=2, d_ff=8, norm="post")):
        assert parameter_count(config) == MusicTransformer(config).count_params()
    with pytest.raises(ValueError, match="'pre' or 'post'"):
        TransformerConfig(V, norm="sandwich")


def test_a_post_norm_block_ends_normalised_and_a_pre_norm_block_does_not():
    import keras

    from seqlab.transformers import PostNormBlock, PreNormBlock

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(5).normal(3.0, 2.0, (2, 7, 16)).astype(np.float32)  # (N, T, d)
    post = PostNormBlock(16, 4, 24)(x)[0].numpy()  # (N, T, d)
    np.testing.assert_allclose(post.mean(-1), 0.0, atol=1e-4)  # layer norm at initialisation: gain 1, bias 0
    np.testing.assert_allclose(post.std(-1), 1.0, atol=1e-2)
    pre = PreNormBlock(16, 4, 24)(x)[0].numpy()  # the residual stream passes through: x plus the branches
    assert np.abs(pre.mean(-1)).min() > 1.0


def test_logits_at_t_never_depend_on_later_characters(model):
    x = _ids(1, (2, C))
    before = model(x).numpy()
    for t in (0, 4, C - 2):
        changed = x.copy()
        changed[:, t + 1:] = (changed[:, t + 1:] + 1) % V
        after = model(changed).numpy()
        np.testing.assert_allclose(after[:, : t + 1], before[:, : t + 1], atol=1e-5)
        assert np.abs(after[:, t + 1:] - before[:, t + 1:]).max() > 1e-3, "later positions do see the change"


def test_attention_maps_are_causal_rows_of_probabilities(model):
    maps = model.attention_maps(_ids(2, (2, 7)))  # (L, N, h, T, T)
    assert maps.shape == (2, 2, 4, 7, 7)
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)
    assert np.all(maps[..., np.triu_indices(7, 1)[0], np.triu_indices(7, 1)[1]] == 0)


def test_a_cached_step_gives_the_full_forward_pass_logits(model):
    x = _ids(3, (2, C))
    full = model(x).numpy()  # (N, C, V)
    _, keys, values = model.prime(x)
    keys, values = keys.numpy(), values.numpy()
    t = 6
    keys[:, :, :, t:], values[:, :, :, t:] = 9.0, -9.0  # nothing at or after t may be read
    for position in range(t, C):
        z, keys, values = model.decode_step(x[:, position], keys, values, position)
        np.testing.assert_allclose(z.numpy(), full[:, position], atol=1e-4)


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_writing_with_and_without_the_cache_gives_the_same_text(model, temperature):
    from seqlab.transformers import sample_ids

    start = _ids(4, (3, 5))
    length = 2 * C + 3  # past the context: the window slides twice
    cached = sample_ids(model, start, length, temperature, seed=7, cache=True)
    uncached = sample_ids(model, start, length, temperature, seed=7, cache=False)
    assert cached.shape == (3, length) and cached.dtype == np.int32
    np.testing.assert_array_equal(cached, uncached)
    assert not np.array_equal(cached, sample_ids(model, start, length, 1.0, seed=8)) or temperature == 0


def test_greedy_writing_follows_the_argmax_of_the_model(model):
    from seqlab.transformers import sample_ids

    start = _ids(5, (2, 3))
    written = sample_ids(model, start, 4, 0.0, seed=0)
    text = start
    for _ in range(4):
        text = np.concatenate([text, model(text).numpy()[:, -1].argmax(-1)[:, None]], axis=1)
    np.testing.assert_array_equal(written, text[:, 3:])


def test_the_lstm_writer_carries_its_state_like_a_full_rerun():
    import keras

    from seqlab.transformers import LstmWriter

    keras.utils.set_random_seed(0)
    ids = keras.Input((None,), dtype="int32")
    h = keras.layers.LSTM(8, return_sequences=True)(keras.layers.Embedding(V, 4)(ids))
    plain = keras.Model(ids, keras.layers.Dense(V)(h))
    writer = LstmWriter(plain.get_weights(), V, 4, 8)
    start = _ids(6, (2, 3))
    written = writer(start, 5, 0.0, 0)
    text = start
    for _ in range(5):
        text = np.concatenate([text, plain(text).numpy()[:, -1].argmax(-1)[:, None]], axis=1)
    np.testing.assert_array_equal(written, text[:, 3:])


def test_tunes_are_reported_with_validity_and_shared_runs():
    from seqlab.transformers import report_tunes

    tune = "X:1\nT:t\nM:2/4\nL:1/8\nK:C\nAB cd|ef ga|gf ed|c4|]\n"
    report = report_tunes([tune, tune.replace("ef ga", "ef gab")], train_text="zzz" + tune[:12])
    assert report.tunes == 2 and report.valid == 0.5
    assert report.shared_runs == [12, 12]


TUNE = "X:1\nT:t\nM:2/4\nL:1/8\nK:C\nAB cd|ef ga|gf ed|c4|]\n"


def _bar_line_maps(text):
    """(L=1, h=2, T, T): head 0 looks only at the latest bar line (else itself), head 1 evenly back."""
    from seqlab.transformers import last_bar_line

    t = len(text)
    maps = np.zeros((1, 2, t, t))
    last = last_bar_line(text)
    for i in range(t):
        maps[0, 0, i, last[i] if 0 <= last[i] < i else i] = 1.0
        maps[0, 1, i, : i + 1] = 1.0 / (i + 1)
    return maps


def test_landmarks_of_a_tune_are_found():
    from seqlab.transformers import body_start, header_positions, last_bar_line

    assert TUNE[body_start(TUNE):].startswith("AB cd|")
    assert "".join(np.array(list(TUNE))[header_positions(TUNE)]) == "M:2/4\nL:1/8\n"
    last = last_bar_line(TUNE)
    assert last[TUNE.index("ef")] == TUNE.index("|") and last[0] == -1


def test_head_focus_finds_a_bar_line_head_and_an_even_one():
    from seqlab.transformers import head_focus

    focus = head_focus(_bar_line_maps, [TUNE, TUNE.replace("K:C", "K:G")])
    assert focus.bar_line.shape == (1, 2)
    assert focus.bar_line[0, 0] == pytest.approx(1.0) and focus.header[0, 0] == 0.0
    assert focus.bar_line[0, 1] == pytest.approx(focus.uniform_bar_line)
    assert focus.header[0, 1] == pytest.approx(focus.uniform_header)
    assert focus.previous[0, 1] == pytest.approx(focus.itself[0, 1])


def test_every_control_of_the_attention_explorer_changes_the_picture():
    from seqlab.transformers import AttentionMapExplorer

    def maps_of(text):  # 2 layers, 2 heads that differ
        base = _bar_line_maps(text)[0]  # (2, T, T)
        return np.stack([base, base[::-1]])

    explorer = AttentionMapExplorer(maps_of, {"one": TUNE, "two": TUNE.replace("AB cd", "cd AB")}, 2, 2)
    for control, value in ((explorer.head, 1), (explorer.layer, 1), (explorer.tune, "two")):
        before = explorer.image.value
        control.value = value
        assert explorer.image.value and explorer.image.value != before, control.description


def test_the_date_transformer_decodes_with_unit_06s_functions():
    from seqlab.attention import dates, seq2seq
    from seqlab.transformers import date_transformer

    translator = date_transformer(d_model=16, num_heads=2, d_ff=16, num_layers=1, seed=0)
    texts = ["3rd of May 1997", "1997-05-03"]
    isos, weights = seq2seq.translate(translator, texts)
    assert len(isos) == 2 and all(len(iso) == dates.ISO_LEN for iso in isos)
    assert weights.shape == (2, dates.ISO_LEN, dates.MAX_INPUT_LEN)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    padding = dates.encode_inputs(texts) == dates.PAD  # (2, Tx)
    assert np.all(weights[np.repeat(padding[:, None, :], dates.ISO_LEN, axis=1)] < 1e-6), "padding is never attended"


def test_the_norm_experiment_record_is_complete_and_its_table_reads_it():
    from seqlab.transformers import arm_label, arms, load_norm_runs, norm_run_table, smoothed

    np.testing.assert_allclose(smoothed([1.0, 3.0, 5.0, 7.0], width=2), [1.0, 2.0, 4.0, 6.0])
    record = load_norm_runs()  # the shipped record, which unit 07's walkthrough draws
    assert len(record["runs"]) == 2 * 2 * len(record["learning_rates"])  # pre/post x warm-up or not
    expected = [arm_label(*arm) for arm in arms(record["learning_rates"], record["warmup_steps"])]
    assert list(record["runs"]) == expected  # every arm, in the order the benchmark wrote them
    for runs in record["runs"].values():
        assert [run["seed"] for run in runs] == list(record["seeds"])
        assert all(len(run["loss"]) == record["steps"] == run["val_step"][-1] for run in runs)
    table = norm_run_table(record).splitlines()
    assert len(table) == 1 + len(record["runs"]) and "step 50" in table[0] and f"step {record['steps']}" in table[0]


def test_the_warm_up_rises_linearly_then_holds():
    from benchmarks.transformer import warmup

    schedule = warmup(0.002, 100)
    np.testing.assert_allclose([float(schedule(s)) for s in (0, 50, 100, 1000)], [0.0, 0.001, 0.002, 0.002],
                               rtol=1e-5)
