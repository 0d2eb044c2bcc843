"""Does carrying the LSTM's state across training windows make valid tunes more often?

Two arms, the same model, optimiser, corpus, seeds and processor seconds of training; only the
batches differ:

- ``windowed``: the usual way -- shuffled windows of T characters, each read from a zero state
  (``seqlab.train.batches``)
- ``carried``: stateful truncated BPTT -- batch rows are parallel streams of the shuffled tunes,
  window after window, the state carried (``seqlab.music.stateful.stream_batches``)

Both keep the weights with the best validation loss measured the way generation reads text (the
state carried through the validation tunes), then write tunes from "X:1" at temperature 0.8
(several streams of characters, every finished tune judged by ``check_tune``)::

    python -m seqlab.music.carry_experiment --seeds 0 1 2 --out seqlab/checkpoints/music_carried_state.json

``CONFIGS`` names the configurations: ``lab`` (the lab's model, 250 processor seconds) and
``larger`` (512 units, dropout, a cosine-decayed learning rate, 3,000 steps), which asks whether
a better model, rather than a longer memory, is what the lab's model lacks (two seeds of the usual
training, one of the carried state; the record names its commands)::

    python -m seqlab.music.carry_experiment --config larger --seeds 0 1 --arms windowed --out seqlab/checkpoints/music_larger_lstm.json
    python -m seqlab.music.carry_experiment --config larger --seeds 0 --arms carried --out seqlab/checkpoints/music_larger_lstm.json

The walkthrough runs ``run_arm`` at a tiny size in fast mode and shows the recorded figures.
"""

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

ARMS = ("windowed", "carried")


@dataclass
class CarryConfig:
    """The lab's configuration, trained for a fixed number of processor seconds."""

    embedding_dim: int = 64
    rnn_units: int = 256
    batch_size: int = 64
    seq_length: int = 100
    learning_rate: float = 5e-3
    cosine_decay: bool = False  # the learning rate falls along a cosine to 0 at max_steps
    dropout: float = 0.0  # share of the LSTM's inputs and outputs dropped while training
    max_norm: float = 5.0
    cpu_seconds: float | None = 250.0  # processor seconds of training steps (about the lab's 1,200 steps)
    max_steps: int = 100_000  # the time budget ends training, not this
    eval_every: int = 100
    val_chars: int | None = None  # validation characters read (None: all)
    zero_state_windows: int = 256  # validation windows for the zero-state loss reported beside it
    streams: int = 48  # generation: parallel texts from "X:1"
    length: int = 1500  # characters each
    temperature: float = 0.8


CONFIGS = {
    "lab": CarryConfig(),
    # more capacity, regularised, trained longer with a falling learning rate: 3,000 steps
    # (about 3,000 processor seconds, half an hour on 2 cores)
    "larger": CarryConfig(rnn_units=512, dropout=0.25, cosine_decay=True, cpu_seconds=None, max_steps=3000,
                          eval_every=250),
}


@dataclass
class ArmResult:
    """One training run of one arm, and the tunes it wrote."""

    arm: str
    seed: int
    steps: int
    cpu_seconds: float
    train_seconds: float
    best_step: int
    best_val_loss: float  # nats/char, state carried through the validation text
    zero_state_val_loss: float  # nats/char, 100-character windows from a zero state (seqlab.train)
    tunes: int  # finished tunes written
    valid: int  # of which check_tune passes
    train_validity: float  # the training tunes' own valid fraction
    val_curve: list[tuple[int, float]] = field(default_factory=list)  # (step, carried val loss)

    @property
    def validity(self) -> float:
        return self.valid / self.tunes if self.tunes else float("nan")

    @property
    def ratio(self) -> float:
        return self.validity / self.train_validity


def encode_text(corpus, text: str) -> np.ndarray:
    """``corpus.encode(text)`` by a table lookup, for long texts: int32 (L,); every character must
    be in the vocabulary."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # (L,) code points
    vocab = np.array([ord(c) for c in corpus.vocab])
    table = np.full(max(int(codes.max(initial=0)), int(vocab.max())) + 1, -1, np.int32)
    table[vocab] = np.arange(len(vocab), dtype=np.int32)
    ids = table[codes]
    if (ids < 0).any():
        raise ValueError("the text has characters outside the vocabulary")
    return ids


def encoded_tunes(corpus, tunes: list[str]) -> list[np.ndarray]:
    """Each tune with its separator, encoded: the pieces ``stream_batches`` shuffles (sum = train text)."""
    from seqlab.music.abc_text import TUNE_SEPARATOR

    ids = encode_text(corpus, TUNE_SEPARATOR.join(tunes) + TUNE_SEPARATOR)
    ends = np.cumsum([len(t) + len(TUNE_SEPARATOR) for t in tunes])
    return np.split(ids, ends[:-1])


def train_arm(arm: str, corpus, config: CarryConfig, seed: int, progress: bool = True):
    """Train one arm; returns (``StatefulLSTM`` with the best weights, ``seqlab.train.History``)."""
    import keras

    from seqlab import train
    from seqlab.music import stateful

    if arm not in ARMS:
        raise ValueError(f"arm must be one of {ARMS}, got {arm!r}")
    c = config
    keras.utils.set_random_seed(seed)
    net = stateful.build_stateful_lstm(len(corpus.vocab), c.embedding_dim, c.rnn_units, c.dropout)
    rate = keras.optimizers.schedules.CosineDecay(c.learning_rate, c.max_steps) if c.cosine_decay else c.learning_rate
    step = stateful.CarriedStateStep(net, keras.optimizers.Adam(rate), c.max_norm)
    val_ids = encode_text(corpus, corpus.val_text)
    data = None
    if arm == "carried":
        data = stateful.stream_batches(encoded_tunes(corpus, corpus.train), c.seq_length, c.batch_size, seed)
    history = train.fit(step, net.model, encode_text(corpus, corpus.train_text), val_ids, steps=c.max_steps,
                        batch_size=c.batch_size, seq_length=c.seq_length, seed=seed,
                        eval_every=c.eval_every, max_seconds=c.cpu_seconds, clock="cpu", data=data,
                        val_loss=lambda m: stateful.carried_state_loss(net, val_ids, max_chars=c.val_chars),
                        progress=progress, desc=f"{arm}, seed {seed}")
    return net, history


def write_tunes(model, corpus, config: CarryConfig, seed: int) -> list[str]:
    """Every finished tune of ``config.streams`` texts of ``config.length`` characters from "X:1"."""
    from seqlab.music import decoding
    from seqlab.music.abc_text import complete_tunes

    start = "X:1\n"
    out = decoding.sample(decoding.keras_stepper(model), corpus.encode(start), config.length,
                          config.temperature, np.random.default_rng(seed), n=config.streams)
    return [t for d in out for t in complete_tunes(start + "".join(corpus.idx2char[d.ids]))]


def run_arm(arm: str, corpus, config: CarryConfig, seed: int, progress: bool = True) -> ArmResult:
    """Train one arm with ``seed``, write tunes (sampling seed = ``seed``), judge them."""
    from seqlab import train
    from seqlab.music.validity import check_tune

    net, history = train_arm(arm, corpus, config, seed, progress)
    vx, vy = train.eval_windows(encode_text(corpus, corpus.val_text), config.seq_length, config.zero_state_windows)
    tunes = write_tunes(net.model, corpus, config, seed)
    return ArmResult(
        arm=arm, seed=seed, steps=len(history.step), cpu_seconds=round(history.cpu_seconds, 1),
        train_seconds=round(history.train_seconds, 1), best_step=history.best_step,
        best_val_loss=round(history.best_val_loss, 4),
        zero_state_val_loss=round(train.evaluate(net.model, vx, vy), 4),
        tunes=len(tunes), valid=sum(check_tune(t).ok for t in tunes),
        train_validity=corpus.validity("train") or float("nan"),
        val_curve=[(s, round(v, 4)) for s, v in zip(history.val_step, history.val_loss)])


def read_runs(runs: list[dict]) -> list[ArmResult]:
    """The ``runs`` of a record this module wrote (``--out``), as ``ArmResult``s."""
    return [ArmResult(**{k: v for k, v in r.items() if k in ArmResult.__dataclass_fields__}) for r in runs]


def run_table(results: list[ArmResult]) -> str:
    """One line per run (the usual arm first, then by seed): steps, processor seconds, both
    validation losses and the tunes judged."""
    lines = [f"{'arm':10}{'seed':>5}{'steps':>7}{'CPU s':>7}{'best val (carried)':>20}{'val (zero state)':>18}"
             f"{'valid tunes':>14}{'rate':>7}{'x training':>12}"]
    for r in sorted(results, key=lambda r: (r.arm != "windowed", r.seed)):
        lines.append(f"{r.arm:10}{r.seed:5d}{r.steps:7d}{r.cpu_seconds:7.0f}{r.best_val_loss:20.3f}"
                     f"{r.zero_state_val_loss:18.3f}{f'{r.valid}/{r.tunes}':>14}{r.validity:7.0%}{r.ratio:12.2f}")
    return "\n".join(lines)


def pooled_table(summary: dict[str, dict]) -> str:
    """One line per arm of ``pooled_validity``'s summary."""
    return "\n".join(f"{arm:9} all seeds: {s['valid']}/{s['tunes']} valid = {s['validity']:.1%}, "
                     f"{s['ratio']:.2f} x training" for arm, s in summary.items())


def pooled_validity(results: list[ArmResult]) -> dict[str, dict]:
    """Per arm: the pooled validity (all seeds' tunes) and its ratio to the training tunes'."""
    out = {}
    for arm in ARMS:
        mine = [r for r in results if r.arm == arm]
        if mine:
            tunes, valid = sum(r.tunes for r in mine), sum(r.valid for r in mine)
            out[arm] = {"seeds": [r.seed for r in mine], "tunes": tunes, "valid": valid,
                        "validity": round(valid / tunes, 4) if tunes else None,
                        "ratio": round(valid / tunes / mine[0].train_validity, 3) if tunes else None}
    return out


def reproducing_command(runs: list[dict], config: str, out: Path | str) -> str:
    """The command(s) that re-run the recorded ``runs``: one per set of seeds the arms share."""
    arms_by_seeds: dict[tuple[int, ...], list[str]] = {}
    for arm in ARMS:
        seeds = tuple(sorted({r["seed"] for r in runs if r["arm"] == arm}))
        if seeds:
            arms_by_seeds.setdefault(seeds, []).append(arm)
    commands = []
    for seeds, arms in arms_by_seeds.items():
        command = "python -m seqlab.music.carry_experiment" + ("" if config == "lab" else f" --config {config}")
        command += " --seeds " + " ".join(map(str, seeds))
        if len(arms) < len(ARMS):
            command += " --arms " + " ".join(arms)
        commands.append(f"{command} --out {out}")
    return " && ".join(commands)


def _main(argv: list[str] | None = None) -> None:
    from seqlab.music.corpus import load_corpus

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=ARMS)
    parser.add_argument("--config", default="lab", choices=CONFIGS, help="the model and its training (CONFIGS)")
    parser.add_argument("--cpu-seconds", type=float, default=None, help="replace the configuration's budget")
    parser.add_argument("--out", type=Path, default=None, help="JSON file; runs already in it are kept")
    args = parser.parse_args(argv)
    config = CONFIGS[args.config]
    if args.cpu_seconds is not None:
        config = replace(config, cpu_seconds=args.cpu_seconds)
    corpus = load_corpus()
    record = json.loads(args.out.read_text()) if args.out and args.out.is_file() else {}
    runs = [r for r in record.get("runs", [])]
    for seed in args.seeds:
        for arm in args.arms:
            started = time.perf_counter()
            result = run_arm(arm, corpus, config, seed)
            print(f"{arm:9} seed {seed}: {result.steps} steps, best val {result.best_val_loss:.4f} "
                  f"(zero-state windows {result.zero_state_val_loss:.4f}), {result.valid}/{result.tunes} valid "
                  f"= {result.validity:.1%}, {result.ratio:.2f}x training; {time.perf_counter() - started:.0f} s",
                  flush=True)
            row = asdict(result) | {"load_average": [round(x, 1) for x in os.getloadavg()]}
            runs = [r for r in runs if (r["arm"], r["seed"]) != (arm, seed)] + [row]
            if args.out:
                results = read_runs(runs)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps({
                    "command": reproducing_command(runs, args.config, args.out),
                    "config": asdict(config), "cpu_count": os.cpu_count(),
                    "summary": pooled_validity(results), "runs": runs}, indent=1) + "\n")


if __name__ == "__main__":
    _main()
