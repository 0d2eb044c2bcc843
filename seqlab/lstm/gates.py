"""Watch an LSTM's gates at work: a remember-a-flag task, a small Keras LSTM trained on it in
seconds, and heatmaps of its gates and cell state over a text the user types.

The task (``flag_task``): a text in which ``A`` and ``B`` set a flag, ``?`` asks for it and every
other character is filler. At each ``?`` the answer is the last flag set; elsewhere there is no
answer (``·``). Solving it takes all four operations of an LSTM: *forget* the old flag when a new
one comes, *store* the new one, *update* the cell state (and keep it across the filler), and
*output* it only when asked. The gate values come from Keras' own ``LSTMCell``: a copy of the
trained cell whose two activation functions record what they compute (Keras applies the sigmoid
to i, f, o and the tanh to g and then to c_t, in that order). Nothing here computes an LSTM step.
"""

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from seqlab.drawing import shown_char
from seqlab.explorer import Explorer, png_image, text_box

FLAGS, QUERY = "AB", "?"
ANSWERS = "·AB"  # class 0: no answer; 1: A; 2: B
FEATURES = 4  # one-hot: A, B, ?, anything else
GATE_NAMES = {"i": "input gate i (store)", "f": "forget gate f (keep)",
              "o": "output gate o (expose)", "c": "cell state c"}
GATE_CMAP, CELL_CMAP, CELL_LIMIT = "YlGn", "RdBu_r", 3.0

# text -> {"i", "f", "g", "o", "c", "h": (T, H), "answer": (T,)}, e.g. partial(gate_activations, model)
ActivationsFn = Callable[[str], dict]


def encode(text: str) -> np.ndarray:
    """One-hot inputs (T, 4) float32: columns A, B, ?, and 'anything else'."""
    ids = [(FLAGS + QUERY).find(char) % FEATURES for char in text]  # find gives -1 -> 3
    return np.eye(FEATURES, dtype=np.float32)[ids].reshape(len(text), FEATURES)


def answers(text: str) -> np.ndarray:
    """The correct answer at every step (T,) int32: at each '?' 1 + the last flag (A 1, B 2),
    0 before any flag and at every other character."""
    out, flag = np.zeros(len(text), dtype=np.int32), 0
    for t, char in enumerate(text):
        if char in FLAGS:
            flag = 1 + FLAGS.index(char)
        elif char == QUERY:
            out[t] = flag
    return out


def flag_task(n: int, steps: int, rng: np.random.Generator, p_flag: float = 0.15,
              p_query: float = 0.15):
    """n random texts of the task, as (x (n, T, 4) float32 one-hot, y (n, T) int32 answers).

    Each text starts with a flag; then every character is a flag with probability p_flag, a
    '?' with probability p_query, filler otherwise. Returns the arrays and the texts.
    """
    filler = "-"
    probs = [p_flag / 2, p_flag / 2, p_query, 1 - p_flag - p_query]
    ids = rng.choice(FEATURES, size=(n, steps), p=probs)  # (n, T)
    ids[:, 0] = rng.integers(0, 2, size=n)
    texts = ["".join((FLAGS + QUERY + filler)[k] for k in row) for row in ids]
    x = np.stack([encode(text) for text in texts])  # (n, T, 4)
    y = np.stack([answers(text) for text in texts])  # (n, T)
    return x, y, texts


def build_flag_model(units: int = 8, seed: int = 0):
    """Keras: one-hot (N, T, 4) -> LSTM (all T states, name "lstm") -> Dense logits (N, T, 3)."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((None, FEATURES)),
        keras.layers.LSTM(units, return_sequences=True, name="lstm"),  # (N, T, H)
        keras.layers.Dense(len(ANSWERS), name="readout"),  # (N, T, 3)
    ], name="flag_lstm")


def train_flag_model(units: int = 8, examples: int = 3000, steps: int = 40, epochs: int = 12,
                     seed: int = 0, verbose: int = 0):
    """Train ``build_flag_model`` on ``flag_task`` texts (Adam, cross-entropy at every step).

    Returns (model, history). About 5-15 s on two CPU cores with the defaults.
    """
    import keras

    x, y, _ = flag_task(examples, steps, np.random.default_rng(seed))
    model = build_flag_model(units, seed)
    model.compile(optimizer=keras.optimizers.Adam(0.02), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, batch_size=64, epochs=epochs, verbose=verbose)
    return model, history


class _Recorder:
    """Activation functions that compute what Keras' would and remember every result."""

    def __init__(self):
        self.sigmoid_out, self.tanh_out = [], []

    def sigmoid(self, z):
        import keras

        out = keras.ops.sigmoid(z)
        self.sigmoid_out.append(np.asarray(out))
        return out

    def tanh(self, z):
        import keras

        out = keras.ops.tanh(z)
        self.tanh_out.append(np.asarray(out))
        return out


def gate_activations(model, text: str) -> dict:
    """Gates, cell state and answers of a ``build_flag_model`` model reading ``text``.

    Steps a copy of the model's Keras ``LSTMCell`` (same weights, recording activations) through
    the text. Returns a dict of (T, H) arrays "i", "f", "g", "o", "c", "h", and "answer" (T,)
    the model's answer (0 ·, 1 A, 2 B) at every step.
    """
    import keras

    lstm, readout = model.get_layer("lstm"), model.get_layer("readout")
    units, recorder = lstm.cell.units, _Recorder()
    cell = keras.layers.LSTMCell(units, activation=recorder.tanh,
                                 recurrent_activation=recorder.sigmoid)
    cell.build((None, FEATURES))
    cell.set_weights(lstm.cell.get_weights())  # kernel, recurrent_kernel, bias
    x = encode(text)  # (T, 4)
    h, c = np.zeros((1, units), np.float32), np.zeros((1, units), np.float32)
    hs, cs = [], []
    for t in range(len(text)):
        h, (_, c) = cell(x[None, t], [h, c])  # (1, H) each
        hs.append(np.asarray(h)[0])
        cs.append(np.asarray(c)[0])
    steps = len(text)
    if len(recorder.sigmoid_out) != 3 * steps or len(recorder.tanh_out) != 2 * steps:
        raise RuntimeError("Keras' LSTMCell no longer applies its activations as i, f, o / g, c")
    sig = np.array(recorder.sigmoid_out).reshape(steps, 3, units)  # (T, [i, f, o], H)
    tanh = np.array(recorder.tanh_out).reshape(steps, 2, units)  # (T, [g, tanh c], H)
    h_all = np.array(hs).reshape(steps, units)  # (T, H)
    logits = np.asarray(readout(h_all)).reshape(steps, len(ANSWERS))
    return {"i": sig[:, 0], "f": sig[:, 1], "g": tanh[:, 0], "o": sig[:, 2],
            "c": np.array(cs).reshape(steps, units), "h": h_all, "answer": logits.argmax(axis=1)}


def memory_unit(cell_state, text: str) -> int | None:
    """The unit whose cell state best follows the current flag (+1 after A, -1 after B), by
    absolute correlation over the steps after the first flag; None without both flags."""
    flags = np.zeros(len(text))
    current = 0.0
    for t, char in enumerate(text):
        current = {"A": 1.0, "B": -1.0}.get(char, current)
        flags[t] = current
    seen = flags != 0
    if len(set(flags[seen])) < 2:
        return None
    c = np.asarray(cell_state, dtype=float)[seen]  # (T', H)
    c = c - c.mean(axis=0)
    f = flags[seen] - flags[seen].mean()
    corr = np.abs(f @ c) / (np.linalg.norm(f) * np.linalg.norm(c, axis=0) + 1e-12)  # (H,)
    return int(corr.argmax())


def gate_figure(acts: dict, text: str, pyplot: bool = True) -> Figure:
    """Heatmaps over time of the input, forget and output gates and the cell state.

    One column per character of ``text``, one row per unit; gates from 0 (white, closed) to 1
    (green, open), the cell state blue negative / red positive (colours clipped at +-3). On top,
    the expected answer and the model's at each '?'. The unit that holds the flag (if any) is
    starred. A '?' before any flag has no right answer: the model's guess there is grey.
    Returns a pyplot figure, or with ``pyplot=False`` a free-standing one (widgets).
    """
    steps, units = np.shape(acts["c"])
    width = max(6.0, 0.24 * steps + 2.8)
    fig = (plt.figure if pyplot else Figure)(figsize=(width, 1.6 + 4 * (0.16 * units + 0.55)))
    axes = fig.subplots(5, 1, sharex=True, gridspec_kw={"height_ratios": [3] + [units] * 4})
    star = memory_unit(acts["c"], text)
    expected, said = answers(text), np.asarray(acts["answer"])
    top = axes[0]
    for t in np.flatnonzero([char == QUERY for char in text]):
        # green right, red wrong; grey for a '?' before any flag: it has no right answer
        color = "0.55" if expected[t] == 0 else "#2e7d32" if said[t] == expected[t] else "#c62828"
        top.text(t, 0.75, ANSWERS[expected[t]], ha="center", va="center", fontsize=10)
        top.text(t, 0.15, ANSWERS[said[t]], ha="center", va="center", fontsize=10,
                 color=color, fontweight="bold")
    top.set(ylim=(-0.2, 1.1), yticks=[0.75, 0.15], yticklabels=["expected", "LSTM says"])
    top.tick_params(length=0)
    for spine in top.spines.values():
        spine.set_visible(False)
    labels = [f"{'★ ' if k == star else ''}{k}" for k in range(units)]
    for ax, key in zip(axes[1:], "ifoc"):
        values = np.asarray(acts[key], dtype=float).T  # (H, T)
        if key == "c":
            image = ax.imshow(values, cmap=CELL_CMAP, vmin=-CELL_LIMIT, vmax=CELL_LIMIT,
                              aspect="auto", interpolation="nearest")
        else:
            image = ax.imshow(values, cmap=GATE_CMAP, vmin=0, vmax=1, aspect="auto",
                              interpolation="nearest")
        ax.set_yticks(range(units), labels, fontsize=7)
        ax.set_ylabel(GATE_NAMES[key], fontsize=9, rotation=0, ha="right", va="center")
        fig.colorbar(image, ax=ax, fraction=0.02, pad=0.01, extend="both" if key == "c" else "neither")
    axes[-1].set_xticks(range(steps), [shown_char(char) for char in text], family="monospace",
                        fontsize=9)
    for label, char in zip(axes[-1].get_xticklabels(), text):
        if char in FLAGS + QUERY:  # the characters that matter, in bold
            label.set(fontweight="bold", color="#c62828" if char in FLAGS else "#2c6fbb")
    axes[-1].set_xlabel("characters read (time →)")
    fig.suptitle("an LSTM remembering a flag: gates and cell state, unit by unit"
                 + (f" (★ unit {star} holds the flag)" if star is not None else ""), fontsize=11)
    fig.tight_layout()
    return fig


def answers_html(text: str, said) -> str:
    """One line: how many of the '?' after a flag the model answered correctly (a '?' before
    any flag has no right answer and is not counted)."""
    expected = answers(text)
    queries = [t for t, char in enumerate(text) if char == QUERY]
    if not queries:
        return "<i>type a '?' to ask for the flag</i>"
    asked = [t for t in queries if expected[t] > 0]
    unanswerable = len(queries) - len(asked)
    note = (f" ({unanswerable} '?' before any flag: no right answer, not counted)"
            if unanswerable else "")
    if not asked:
        return "<i>set a flag with A or B before a '?'</i>" + note
    right = sum(int(said[t]) == int(expected[t]) for t in asked)
    return f"answered <b>{right} of {len(asked)}</b> questions correctly" + note


class GateExplorer(Explorer):
    """Type a text; see the LSTM's gates and cell state over it as heatmaps.

    Control: ``text`` (Text; 'A'/'B' set the flag, '?' asks, anything else is filler; at most
    ``max_chars`` characters are read). Outputs: ``summary`` (HTML) and ``chart`` (PNG of
    ``gate_figure``). ``acts`` holds the latest result of ``activations_fn``.
    """

    def __init__(self, activations_fn: ActivationsFn, text: str = "A...?..B.....?....?",
                 max_chars: int = 60):
        self.activations_fn, self.max_chars = activations_fn, max_chars
        self.text = text_box(text, "text")
        self.summary = widgets.HTML()
        self.chart = png_image()
        self.acts: dict = {}
        self.watch(self.text)
        self.show(widgets.VBox([self.text, self.summary, self.chart]))

    def update(self, change=None) -> None:
        """Run the model on the (truncated) text and redraw (an ``observe`` callback)."""
        text = self.text.value[: self.max_chars]
        if not text:
            self.acts, self.chart.value = {}, b""
            self.summary.value = "<i>type a text, for example A...?..B...?</i>"
            return
        self.acts = self.activations_fn(text)
        self.summary.value = answers_html(text, self.acts["answer"])
        self.show_figure(self.chart, gate_figure(self.acts, text, pyplot=False))
