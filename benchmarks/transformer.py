"""Unit 07's music transformer beside unit 05's LSTM: same corpus, same windows, same CPU seconds.

    python -m benchmarks.transformer ship   # train the shipped transformer (seqlab/checkpoints/)
    python -m benchmarks transformer        # the comparison: table + transformer_comparison.json
    python -m benchmarks.transformer norms  # pre-norm vs post-norm, with and without warm-up

``ship`` trains ``seqlab.transformers.MusicTransformer`` (``CONFIG``) with Keras' ``train_on_batch``
and ``seqlab.train.fit`` on unit 05's corpus and windows (batch 64 x 100 characters, 256 fixed
validation windows) for ``BUDGET`` processor seconds of training steps (at most 5 minutes of two
cores), keeps the best weights by validation loss and writes ``music_transformer.npz`` and ``.md``.

The comparison trains unit 05's LSTM (the walkthrough's Keras model: Embedding 64 -> LSTM 256 ->
Dense, Adam 5e-3, clipped to global norm 5) in the same way for the processor seconds the shipped
transformer had, then for each model and temperature writes ``N_TUNES`` finished tunes after
``"X:1\\n"`` and judges them (validity, longest run shared with the training text), beside the
training tunes' validity and the validation tunes' shared runs; and times writing with and
without the key/value cache. Prints a table and writes ``transformer_comparison.json``.

``norms`` trains the same transformer with its norms before each branch (pre-norm) and after each
residual sum (post-norm), at ``TRAINING``'s learning rate and at three times it, each constant from
the first step and with a linear warm-up over ``NORMS["warmup_steps"]`` steps, for the seeds in
``NORMS``, ``NORMS["steps"]`` steps each on the same batches; it prints the validation losses and
writes ``transformer_norms.json`` (``seqlab.transformers.norm_placement``), which unit 07's
walkthrough draws.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import seqlab  # noqa: F401  (quiet TensorFlow first)

REPO = Path(__file__).resolve().parent.parent
CHECKPOINT = REPO / "seqlab" / "checkpoints" / "music_transformer.npz"
RECORD = REPO / "seqlab" / "checkpoints" / "music_transformer.md"

CONFIG = dict(d_model=96, num_heads=4, num_layers=3, d_ff=384, context=100)
TRAINING = dict(batch_size=64, seq_length=100, learning_rate=2e-3, clipnorm=5.0, steps=4000,
                eval_every=50, seed=2024)
LSTM = dict(embedding_dim=64, rnn_units=256, learning_rate=5e-3)
BUDGET = 300.0  # processor seconds of training steps: 2.5 minutes of two cores (5 of one)
VAL_WINDOWS = 256
NORMS = dict(steps=250, warmup_steps=100, rate_factors=(1, 3), seeds=(2024, 7), eval_every=25)
N_TUNES = 100
TEMPERATURES = (0.65, 0.8)


def _fit(model, corpus, learning_rate, budget: float | None, desc: str, steps: int = TRAINING["steps"],
         eval_every: int = TRAINING["eval_every"]):
    """Adam (``learning_rate``: a number or a Keras schedule), clipped; the course's loop."""
    import keras

    from seqlab import train

    model.compile(optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=TRAINING["clipnorm"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return train.fit(lambda x, y: model.train_on_batch(x, y), model, corpus.encode(corpus.train_text),
                     corpus.encode(corpus.val_text), steps=steps,
                     batch_size=TRAINING["batch_size"], seq_length=TRAINING["seq_length"],
                     eval_every=eval_every, val_windows=VAL_WINDOWS, seed=0,
                     max_seconds=budget, clock="cpu", desc=desc)


def train_transformer(corpus, budget: float = BUDGET):
    import keras

    from seqlab.transformers import MusicTransformer, TransformerConfig

    keras.utils.set_random_seed(TRAINING["seed"])
    model = MusicTransformer(TransformerConfig(len(corpus.vocab), **CONFIG))
    return model, _fit(model, corpus, TRAINING["learning_rate"], budget, "transformer")


def train_lstm(corpus, budget: float):
    import keras

    keras.utils.set_random_seed(TRAINING["seed"])
    ids = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(len(corpus.vocab), LSTM["embedding_dim"])(ids)
    x = keras.layers.LSTM(LSTM["rnn_units"], return_sequences=True)(x)
    model = keras.Model(ids, keras.layers.Dense(len(corpus.vocab))(x))
    return model, _fit(model, corpus, LSTM["learning_rate"], budget, "LSTM")


def warmup(peak: float, steps: int):
    """A learning rate rising linearly from 0 to ``peak`` over ``steps`` steps, then constant."""
    import keras

    return keras.optimizers.schedules.CosineDecay(0.0, decay_steps=1, alpha=1.0, warmup_target=peak,
                                                  warmup_steps=steps)


def norms() -> None:
    """Pre-norm and post-norm, with and without warm-up: print and write ``NORM_RUNS``."""
    import keras

    from seqlab import music
    from seqlab.transformers import (
        MusicTransformer,
        TransformerConfig,
        arm_label,
        arms,
        norm_run_table,
    )
    from seqlab.transformers.norm_placement import NORM_RUNS

    started = time.perf_counter()
    corpus = music.load_corpus()
    rates = [TRAINING["learning_rate"] * f for f in NORMS["rate_factors"]]
    runs = {}
    for norm, rate, warm in arms(rates, NORMS["warmup_steps"]):
        label = arm_label(norm, rate, warm)
        runs[label] = []
        for seed in NORMS["seeds"]:
            keras.utils.set_random_seed(seed)
            model = MusicTransformer(TransformerConfig(len(corpus.vocab), **CONFIG, norm=norm))
            history = _fit(model, corpus, warmup(rate, warm) if warm else rate, None,
                           f"{label}, seed {seed}", steps=NORMS["steps"], eval_every=NORMS["eval_every"])
            runs[label].append({"seed": seed, "loss": history.loss, "val_step": history.val_step,
                                "val_loss": history.val_loss, "cpu_seconds": round(history.cpu_seconds, 1)})
    record = {"command": "python -m benchmarks.transformer norms", **NORMS, "learning_rates": rates,
              "config": CONFIG, "vocab_size": len(corpus.vocab), "val_windows": VAL_WINDOWS,
              "batch": [TRAINING["batch_size"], TRAINING["seq_length"]], "clipnorm": TRAINING["clipnorm"],
              "cores": os.cpu_count(), "load_average": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
              "seconds": round(time.perf_counter() - started, 1), "runs": runs}
    NORM_RUNS.write_text(json.dumps(record, indent=1) + "\n")
    print(norm_run_table(record))
    print(f"{NORM_RUNS}: {len(runs)} arms x {len(NORMS['seeds'])} seeds in {record['seconds']:.0f} s")


def ship() -> None:
    """Train the transformer for ``BUDGET`` processor seconds and write the shipped checkpoint."""
    from seqlab import music, train

    corpus = music.load_corpus()
    model, history = train_transformer(corpus)
    config = dict(CONFIG, **TRAINING, budget_cpu_seconds=BUDGET,
                  corpus={"collections": list(corpus.collections), "seed": corpus.seed, "val_fraction": 0.1,
                          "train_tunes": len(corpus.train), "val_tunes": len(corpus.val)})
    train.save_checkpoint(CHECKPOINT, model, vocab=corpus.vocab, config=config, history=history,
                          step=history.best_step, dtype=np.float16)
    check = _shipped_transformer(corpus)[0]
    f16 = train.evaluate(check, *train.eval_windows(corpus.encode(corpus.val_text), 100, VAL_WINDOWS))
    RECORD.write_text(_record_text(config, history, model.count_params(), f16))
    print(history.summary(), f"(float16 weights: {f16:.4f})")


def _shipped_transformer(corpus=None):
    from seqlab import train
    from seqlab.transformers import MusicTransformer, TransformerConfig

    saved = train.load_checkpoint(CHECKPOINT)
    config = TransformerConfig(len(saved.vocab), **{k: saved.config[k] for k in CONFIG})
    model = MusicTransformer(config)
    saved.apply(model)
    return model, saved


def main(argv: list[str] | None = None) -> None:
    """Train the LSTM for the shipped transformer's processor seconds, judge both, print, record."""
    from seqlab import music
    from seqlab.transformers import (
        LstmWriter,
        load_comparison,
        report_tunes,
        sample_ids,
        save_comparison,
        write_tunes,
        writing_speed,
    )

    started = time.perf_counter()
    corpus = music.load_corpus()
    transformer, saved = _shipped_transformer()
    budget = saved.history.cpu_seconds
    lstm, lstm_history = train_lstm(corpus, budget)
    lstm_writer = LstmWriter(lstm.get_weights(), len(corpus.vocab), LSTM["embedding_dim"], LSTM["rnn_units"])
    samplers = {
        "transformer": lambda s, n, t, seed: sample_ids(transformer, s, n, t, seed, cache=True),
        "LSTM": lambda s, n, t, seed: lstm_writer(s, n, t, seed),
    }
    tunes = {}
    for name, sample in samplers.items():
        for t in TEMPERATURES:
            written = write_tunes(sample, corpus.encode, corpus.idx2char, N_TUNES, t, seed=1)
            tunes[f"{name} T={t}"] = report_tunes(written, corpus.train_text)
            print(f"{name} T={t}: {tunes[f'{name} T={t}']}", flush=True)
    real = corpus.val[:: max(1, len(corpus.val) // N_TUNES)][:N_TUNES]
    tunes["validation tunes"] = report_tunes(real, corpus.train_text)
    start = corpus.encode(START_TEXT)
    speeds = {}
    for batch in (1, 10):
        s = writing_speed(transformer, np.tile(start, (batch, 1)), 300, seed=0)
        lstm_writer(np.tile(start, (batch, 1)), 300, 0.8, 0)  # trace
        t0 = time.perf_counter()
        lstm_writer(np.tile(start, (batch, 1)), 300, 0.8, 1)
        speeds[f"batch {batch}"] = {"transformer cached": s.cached, "transformer uncached": s.uncached,
                                    "LSTM": batch * 300 / (time.perf_counter() - t0)}
    h = saved.history
    record = {
        "command": "python -m benchmarks transformer",
        "cores": os.cpu_count(), "load_average": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "budget_cpu_seconds": round(budget, 1),
        "parameters": {"transformer": transformer.count_params(), "LSTM": lstm.count_params()},
        "curves": {"transformer": [h.val_cpu_seconds, h.val_loss],
                   "LSTM": [lstm_history.val_cpu_seconds, lstm_history.val_loss]},
        "steps": {"transformer": len(h.step), "LSTM": len(lstm_history.step)},
        "best_val_loss": {"transformer": h.best_val_loss, "LSTM": lstm_history.best_val_loss},
        "train_validity": corpus.validity("train"),
        "tunes": tunes, "chars_per_second": speeds,
        "seconds": round(time.perf_counter() - started, 1),
    }
    save_comparison(record)
    print_table(load_comparison())


START_TEXT = "X:1\n"


def print_table(record: dict) -> None:
    """The comparison as a table."""
    print(f"\nTransformer vs LSTM (unit 05's corpus and windows), {record['cores']} cores, "
          f"{record['budget_cpu_seconds']:.0f} processor seconds of training each")
    print(f"{'':36}{'transformer':>16}{'LSTM':>16}")
    for key, label in (("parameters", "parameters"), ("steps", "training steps")):
        print(f"{label:36}{record[key]['transformer']:>16,}{record[key]['LSTM']:>16,}")
    bt, bl = record["best_val_loss"]["transformer"], record["best_val_loss"]["LSTM"]
    print(f"{'best validation loss (nats/char)':36}{bt:>16.3f}{bl:>16.3f}")
    print(f"{'perplexity':36}{np.exp(bt):>16.2f}{np.exp(bl):>16.2f}")
    for t in TEMPERATURES:
        a, b = record["tunes"][f"transformer T={t}"], record["tunes"][f"LSTM T={t}"]
        cells = [f"{r['valid']:.0%} of {r['tunes']}" for r in (a, b)]
        print(f"{f'valid at T={t}':36}{cells[0]:>16}{cells[1]:>16}")
        print(f"{'  longest shared run, median':36}{np.median(a['shared_runs']):>16.0f}"
              f"{np.median(b['shared_runs']):>16.0f}")
    real = record["tunes"]["validation tunes"]
    print(f"training tunes valid: {record['train_validity']:.1%}; validation tunes' longest shared run: "
          f"median {np.median(real['shared_runs']):.0f}")
    for batch, s in record["chars_per_second"].items():
        print(f"writing, {batch} (characters/s): transformer with cache {s['transformer cached']:,.0f}, "
              f"without {s['transformer uncached']:,.0f}; LSTM {s['LSTM']:,.0f}")
    print(f"(load average {record['load_average']}; whole benchmark {record['seconds']:.0f} s)\n")


def _record_text(config: dict, history, parameters: int, f16: float) -> str:
    import keras
    import tensorflow as tf

    return f"""# `music_transformer.npz` — the shipped music transformer

Unit 07's decoder-only transformer (`seqlab.transformers.MusicTransformer`), trained by Keras'
`train_on_batch` and `seqlab.train.fit` on unit 05's corpus, split and validation windows:

    python -m benchmarks.transformer ship

| setting | value |
|---|---|
| model | token + learned position embeddings (context {config['context']}) → {config['num_layers']} pre-norm causal blocks (d_model {config['d_model']}, {config['num_heads']} heads, feed-forward {config['d_ff']}) → layer norm → Dense(V); {parameters:,} parameters |
| batch × sequence length | {config['batch_size']} × {config['seq_length']} |
| optimizer | Adam, learning rate {config['learning_rate']} (constant, no warm-up), gradients clipped to global norm {config['clipnorm']} |
| budget | {config['budget_cpu_seconds']:.0f} processor seconds of training steps (`clock="cpu"`); {len(history.step)} steps done, best by validation loss kept: step {history.best_step} |
| corpus | {', '.join(config['corpus']['collections'])}: {config['corpus']['train_tunes']} training / {config['corpus']['val_tunes']} validation tunes (split by tune, seed {config['corpus']['seed']}) |
| weights | float16 in the file, float32 when loaded |
| software | TensorFlow {tf.__version__}, Keras {keras.__version__} |

| figure | value |
|---|---|
| best validation loss (nats/char, 256 windows) | {history.best_val_loss:.4f} (float16 weights: {f16:.4f}) |
| training time | {history.seconds:.1f} s wall, of which {history.train_seconds:.1f} s training steps ({history.cpu_seconds:.1f} processor s) |

Load average at the end of training (1/5/15 minutes): {' / '.join(f'{x:.1f}' for x in os.getloadavg())}
(a 2-core machine shared with other jobs). The comparison with unit 05's LSTM is
`transformer_comparison.json` (`python -m benchmarks transformer`). The vocabulary and training
history are inside the `.npz` (`seqlab.train.load_checkpoint`).
"""


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__)
    elif sys.argv[1:2] == ["ship"]:
        ship()
    elif sys.argv[1:2] == ["norms"]:
        norms()
    else:
        main(sys.argv[1:])
