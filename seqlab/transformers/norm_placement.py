"""Where the layer norm sits, and whether training needs a warm-up: the recorded experiment.

``python -m benchmarks.transformer norms`` trains the walkthrough's ``MusicTransformer`` on unit
05's corpus with its norms before each branch (pre-norm, ``TransformerConfig(norm="pre")``) and
after each residual sum (post-norm, the original transformer's), at the shipped model's learning
rate and at three times it, each with the learning rate constant from the first step and with a
linear warm-up, for two seeds each; it writes ``NORM_RUNS``. The walkthrough reads the record
(``load_norm_runs``), draws it (``plot_norm_runs``) and prints its figures (``norm_run_table``).
"""

import json

import numpy as np

from seqlab.data import CHECKPOINTS

NORM_RUNS = CHECKPOINTS / "transformer_norms.json"


def arm_label(norm: str, learning_rate: float, warmup_steps: int) -> str:
    """``"post-norm, lr 0.006, warm-up 100"``: the name of one arm of the experiment."""
    warm = f"warm-up {warmup_steps}" if warmup_steps else "no warm-up"
    return f"{norm}-norm, lr {learning_rate:g}, {warm}"


def arms(learning_rates, warmup_steps: int) -> list[tuple[str, float, int]]:
    """Every arm, in the record's order: (norm, learning rate, warm-up steps or 0) for each rate,
    pre- and post-norm without warm-up, then both with it."""
    return [(norm, rate, warm) for rate in learning_rates for warm in (0, warmup_steps)
            for norm in ("pre", "post")]


def load_norm_runs(path=NORM_RUNS) -> dict:
    """The recorded experiment: settings and ``runs``: arm label -> one run per seed (``seed``,
    ``loss`` per step, ``val_step``, ``val_loss``)."""
    return json.loads(path.read_text())


def smoothed(values, width: int = 10) -> np.ndarray:
    """Running mean over ``width`` steps (the first ones over what there is): (K,) -> (K,)."""
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), width)
    return (sums[1:] - sums[np.arange(1, len(values) + 1) - counts]) / counts


def val_losses_at(record: dict, label: str, step: int) -> list[float]:
    """The recorded validation loss of arm ``label`` at ``step``, one per seed."""
    return [run["val_loss"][run["val_step"].index(step)] for run in record["runs"][label]]


def norm_run_table(record: dict, at: tuple[int, ...] = (50, 100)) -> str:
    """One line per arm: validation loss at the steps ``at`` and at the last one, each seed."""
    steps = (*(s for s in at if s < record["steps"]), record["steps"])
    lines = [f"{'arm':38}" + "".join(f"{f'step {s}':>16}" for s in steps)]
    for label in record["runs"]:
        cells = [" / ".join(f"{v:.2f}" for v in val_losses_at(record, label, s)) for s in steps]
        lines.append(f"{label:38}" + "".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)


def plot_norm_runs(record: dict, axes=None):
    """Training loss (smoothed over 10 steps) and validation loss against the step, one panel per
    learning rate; a line per arm and seed."""
    import matplotlib.pyplot as plt

    rates = record["learning_rates"]
    if axes is None:
        _, axes = plt.subplots(1, len(rates), figsize=(6 * len(rates), 3.6), layout="constrained",
                               sharey=True)
    colors = {"pre": "#3b7dd8", "post": "#d9534f"}
    axes = np.atleast_1d(axes)
    for ax, rate in zip(axes, rates):
        for norm, _, warm in arms([rate], record["warmup_steps"]):
            label = arm_label(norm, rate, warm)
            for i, run in enumerate(record["runs"][label]):
                ax.plot(np.arange(1, len(run["loss"]) + 1), smoothed(run["loss"]), "--" if warm else "-",
                        lw=1.2, color=colors[norm], alpha=0.9 if i == 0 else 0.45,
                        label=label.replace(f", lr {rate:g}", "") if i == 0 else None)
                ax.plot(run["val_step"], run["val_loss"], "o", ms=2.5, color=colors[norm],
                        alpha=0.9 if i == 0 else 0.45)
        ax.axhline(np.log(record["vocab_size"]), ls=":", color="grey", label="log V: a uniform guess")
        ax.set(xlabel="training step", ylabel="loss (nats/char)",
               title=f"learning rate {rate:g} (lines: training, smoothed; dots: validation)")
        ax.set_ylim(1.0, np.log(record["vocab_size"]) + 0.3)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return axes
