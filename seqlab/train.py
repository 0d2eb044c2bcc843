"""A training loop for character models: batches, progress bar, validation loss, checkpoints.

``fit`` takes the optimisation step as an argument, ``step(x, y) -> loss`` (for example the lab's
``train_step`` wrapped in ``tf.function``, or Keras' ``model.train_on_batch``); it draws batches,
shows a progress bar (``tqdm.auto``: a widget in Jupyter, never stderr in a notebook), measures
the validation loss in nats per character every ``eval_every`` steps, keeps the best weights,
and can save and resume a checkpoint. Interrupting the kernel stops training early and keeps
the best weights so far. TensorFlow is imported inside the functions that need it. It is core,
not a unit's: every unit that trains a character model (05 today) uses this one loop.

Checkpoints are ``.npz`` files (no pickle): the model's weights in ``model.get_weights()`` order,
optionally the optimizer's variables, and a JSON record (vocabulary, configuration, history).
"""

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from seqlab.data import CHECKPOINTS, CharVocabulary


@dataclass
class History:
    """What happened during training. Losses are mean cross-entropies in nats per character."""

    step: list[int] = field(default_factory=list)  # training steps done, one entry per step
    loss: list[float] = field(default_factory=list)  # training loss of that step's batch
    val_step: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_seconds: list[float] = field(default_factory=list)  # training seconds when measured
    val_cpu_seconds: list[float] = field(default_factory=list)  # processor seconds (all threads)
    seconds: float = 0.0  # wall-clock time of the whole run, evaluations included
    train_seconds: float = 0.0  # wall-clock time of the training steps only
    cpu_seconds: float = 0.0  # processor time of the training steps only (all threads)
    best_step: int = 0
    best_val_loss: float = float("inf")
    stopped_early: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict) -> "History":
        return cls(**{k: v for k, v in record.items() if k in cls.__dataclass_fields__})

    def summary(self) -> str:
        if not self.val_loss:
            return f"{len(self.step)} steps in {self.seconds:.0f} s"
        return (f"{self.step[-1] if self.step else 0} steps in {self.seconds:.0f} s "
                f"({self.train_seconds:.0f} s of training steps); best validation loss "
                f"{self.best_val_loss:.3f} nats/char at step {self.best_step}")


# ----------------------------------------------------------------------------- batches

def epoch_windows(ids: np.ndarray, seq_length: int, rng: np.random.Generator) -> np.ndarray:
    """One epoch of training windows: the text cut into non-overlapping pieces of ``seq_length + 1``
    characters, starting at a random offset, in random order.  ids: (L,) -> (W, T + 1).
    """
    ids = np.asarray(ids)
    width = seq_length + 1
    if len(ids) < width:
        raise ValueError(f"the text has {len(ids)} characters; a window needs {width}")
    offset = int(rng.integers(0, min(width, len(ids) - width + 1)))
    n = (len(ids) - offset) // width
    windows = ids[offset: offset + n * width].reshape(n, width)  # (W, T + 1)
    return windows[rng.permutation(n)]


def batches(ids: np.ndarray, seq_length: int, batch_size: int, seed: int):
    """Endless (x, y) int32 batches (N, T): y is x shifted one character ahead; epoch after epoch."""
    rng = np.random.default_rng(seed)
    while True:
        windows = epoch_windows(ids, seq_length, rng)
        for start in range(0, len(windows) - batch_size + 1, batch_size):
            chunk = windows[start: start + batch_size]  # (N, T + 1)
            yield chunk[:, :-1].astype(np.int32), chunk[:, 1:].astype(np.int32)


def eval_windows(ids: np.ndarray, seq_length: int, max_windows: int | None = 512):
    """Fixed validation windows (x, y) int32 (W, T), spread evenly over the text."""
    ids = np.asarray(ids)
    width = seq_length + 1
    n = len(ids) // width
    if n == 0:
        raise ValueError(f"the validation text has {len(ids)} characters; a window needs {width}")
    windows = ids[: n * width].reshape(n, width)
    if max_windows is not None and n > max_windows:
        windows = windows[np.linspace(0, n - 1, max_windows).round().astype(int)]
    return windows[:, :-1].astype(np.int32), windows[:, 1:].astype(np.int32)


def evaluate(model, x: np.ndarray, y: np.ndarray, batch_size: int = 64) -> float:
    """Mean cross-entropy (nats/char) of ``model``'s logits (N, T, V) on windows x, y (W, T)."""
    import tensorflow as tf

    logits_of = _compiled_forward(model)
    total, count = 0.0, 0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start: start + batch_size], y[start: start + batch_size]
        logits = logits_of(tf.constant(xb))
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits)
        total += float(tf.reduce_sum(losses))
        count += yb.size
    return total / count


_FORWARD: dict[int, tuple] = {}


def _compiled_forward(model):
    """``model(x, training=False)`` in a tf.function, made once per model."""
    import tensorflow as tf

    key = id(model)
    if key not in _FORWARD or _FORWARD[key][0] is not model:
        _FORWARD[key] = (model, tf.function(lambda x: model(x, training=False), reduce_retracing=True))
    return _FORWARD[key][1]


# ----------------------------------------------------------------------------- the loop

def _progress(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, file=sys.stdout, leave=True,
                dynamic_ncols=True, mininterval=0.5)


def fit(step, model, train_ids, val_ids, *, steps: int, batch_size: int = 32, seq_length: int = 100,
        seed: int = 0, eval_every: int = 100, val_windows: int | None = 512,
        max_seconds: float | None = None, clock: str = "wall", keep_best: bool = True, checkpoint: str | Path | None = None,
        resume: bool = False, optimizer=None, vocab: list[str] | None = None, config: dict | None = None,
        progress: bool = True, desc: str = "training", data=None, val_loss=None) -> History:
    """Train ``model`` by calling ``step(x, y) -> loss`` on ``steps`` batches; return the ``History``.

    train_ids, val_ids: int arrays (L,) of the training and validation texts.
    x, y: int32 (batch_size, seq_length), y is x one character ahead.
    Every ``eval_every`` steps (and at the end) the validation loss is measured on fixed windows;
    the best weights are kept (restored at the end when ``keep_best``) and, with ``checkpoint``,
    saved there with ``vocab``, ``config`` and the optimizer's variables. ``resume=True`` continues
    from that file when it exists. ``max_seconds`` stops early, after that many seconds of training steps (wall
    clock, or processor time with ``clock="cpu"``, fairer on a busy machine; evaluations do not
    count); so does interrupting the kernel. ``History.val_seconds`` are training seconds too.
    ``data`` replaces the shuffled windows of ``batches`` by any iterator of batches, each a tuple
    passed as ``step(*batch)`` (``seqlab.music.stateful.stream_batches`` adds a reset flag);
    ``val_loss(model) -> float`` replaces the validation loss on fixed zero-state windows.
    """
    if val_loss is None:
        vx, vy = eval_windows(val_ids, seq_length, val_windows)
        val_loss = lambda m: evaluate(m, vx, vy)  # noqa: E731
    history, start_step = History(), 0
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        saved = load_checkpoint(checkpoint)
        saved.apply(model, optimizer)
        history = saved.history or History()
        start_step = saved.step
        del history.step[start_step:], history.loss[start_step:]
    best_weights = model.get_weights() if history.val_loss else None
    data = iter(data) if data is not None else batches(np.asarray(train_ids), seq_length, batch_size,
                                                       seed + start_step)
    clock_started = time.perf_counter()
    seconds_before = history.seconds
    wall, cpu = history.train_seconds, history.cpu_seconds  # training time so far, evaluations excluded

    def measure(at: int) -> None:
        nonlocal best_weights
        loss = val_loss(model)
        history.val_step.append(at)
        history.val_loss.append(loss)
        history.val_seconds.append(wall)
        history.val_cpu_seconds.append(cpu)
        if loss < history.best_val_loss:
            history.best_val_loss, history.best_step = loss, at
            best_weights = model.get_weights()
            if checkpoint is not None:
                history.seconds = seconds_before + time.perf_counter() - clock_started
                history.train_seconds, history.cpu_seconds = wall, cpu
                save_checkpoint(checkpoint, model, vocab=vocab or [], config=config or {},
                                history=history, optimizer=optimizer, step=at)

    bar = _progress(steps, desc, progress)
    bar.update(start_step)
    done = start_step
    try:
        if not history.val_loss:
            measure(done)
        while done < steps:
            if max_seconds is not None and (cpu if clock == "cpu" else wall) >= max_seconds:
                history.stopped_early = True
                break
            batch = next(data)  # (x, y), or more for a step that takes more
            t0, c0 = time.perf_counter(), time.process_time()
            loss = float(step(*batch))
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
            done += 1
            history.step.append(done)
            history.loss.append(loss)
            if done % eval_every == 0 or done == steps:
                measure(done)
                bar.set_postfix(loss=f"{loss:.3f}", val=f"{history.val_loss[-1]:.3f}", refresh=False)
            elif done % 10 == 0:
                bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
            bar.update(1)
    except KeyboardInterrupt:
        history.stopped_early = True
        print(f"stopped by the user at step {done}; keeping the best weights so far")
    finally:
        bar.close()
    if history.val_step and history.val_step[-1] != done:
        measure(done)
    history.seconds = seconds_before + time.perf_counter() - clock_started
    history.train_seconds, history.cpu_seconds = wall, cpu
    if keep_best and best_weights is not None:
        model.set_weights(best_weights)
    return history


# ----------------------------------------------------------------------------- plots

def plot_history(history: History, ax=None, label: str = "", color: str | None = None, x: str = "step"):
    """Training (smoothed) and validation loss against steps (``x="step"``) or seconds (``"seconds"``)."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.figure(figsize=(7, 3.5)).add_subplot()
    name = f"{label} " if label else ""
    if history.loss and x == "step":
        loss = np.asarray(history.loss)
        k = max(1, len(loss) // 50)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        line, = ax.plot(np.asarray(history.step)[k - 1:], smooth, alpha=0.45, color=color,
                        label=f"{name}training (mean of {k} steps)")
        color = line.get_color()
    xs = history.val_step if x == "step" else history.val_seconds
    ax.plot(xs, history.val_loss, "o-", ms=3, color=color, label=f"{name}validation")
    if history.val_loss:
        best = int(np.argmin(history.val_loss))
        ax.plot([xs[best]], [history.val_loss[best]], "*", ms=12, color=color or "k")
    ax.set_xlabel("training step" if x == "step" else "seconds of training")
    ax.set_ylabel("loss (nats / character)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


# ----------------------------------------------------------------------------- checkpoints

@dataclass
class Checkpoint(CharVocabulary):
    """Weights (``model.get_weights()`` order), vocabulary, configuration and training record."""

    weights: list[np.ndarray]
    vocab: list[str]
    config: dict
    history: History | None = None
    step: int = 0
    optimizer: list[np.ndarray] | None = None

    def apply(self, model, optimizer=None) -> None:
        """Copy the weights into ``model`` (and the optimizer's state into ``optimizer``)."""
        mine = model.get_weights()
        shapes = [tuple(w.shape) for w in mine]
        saved = [tuple(w.shape) for w in self.weights]
        if shapes != saved:
            raise ValueError(f"the checkpoint's weights have shapes {saved}, the model's {shapes}: "
                             f"build the model with the checkpoint's configuration {self.config}")
        model.set_weights([w.astype(m.dtype) for w, m in zip(self.weights, mine)])
        if optimizer is not None and self.optimizer:
            if not optimizer.built:
                optimizer.build(model.trainable_variables)
            variables = optimizer.variables
            if [tuple(v.shape) for v in variables] == [tuple(a.shape) for a in self.optimizer]:
                for v, a in zip(variables, self.optimizer):
                    v.assign(a)


def save_checkpoint(path, model, *, vocab: list[str], config: dict, history: History | None = None,
                    optimizer=None, step: int = 0, dtype=None) -> Path:
    """Write ``model``'s weights (as ``dtype``, e.g. float16 to halve the file) and a record."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"w{i}": (w.astype(dtype) if dtype else w) for i, w in enumerate(model.get_weights())}
    if optimizer is not None and getattr(optimizer, "built", False):
        arrays.update({f"o{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)})
    record = {"vocab": list(vocab), "config": config, "step": int(step),
              "history": history.to_dict() if history is not None else None}
    arrays["record"] = np.array(json.dumps(record))
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    return path


def load_checkpoint(path) -> Checkpoint:
    """Read a checkpoint written by ``save_checkpoint`` (no pickle involved)."""
    with np.load(Path(path), allow_pickle=False) as data:
        record = json.loads(str(data["record"]))
        weights = [data[f"w{i}"].astype(np.float32) for i in range(sum(k.startswith("w") for k in data.files))]
        opt = [data[f"o{i}"] for i in range(sum(k.startswith("o") for k in data.files))]
    history = History.from_dict(record["history"]) if record.get("history") else None
    return Checkpoint(weights, record["vocab"], record["config"], history, record.get("step", 0), opt or None)


def pretrained(name: str = "music_lstm") -> Checkpoint:
    """A checkpoint that ships with the course (``seqlab/checkpoints/<name>.npz``)."""
    path = CHECKPOINTS / f"{name}.npz"
    if not path.is_file():
        raise FileNotFoundError(f"no shipped checkpoint {name!r} in {CHECKPOINTS}")
    return load_checkpoint(path)
