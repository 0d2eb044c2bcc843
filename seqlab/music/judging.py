"""Judging generated tunes: is each one valid, and how much of it was copied from training?

``judge_tunes`` gives each tune a ``Verdict``: validity (``seqlab.music.validity.check_tune``, the
same check the training tunes pass about 19 times in 20) and memorisation (``longest_shared_run``,
the longest piece of it that also occurs in the training text). ``judgement_table`` prints them.
"""

from dataclasses import dataclass

from seqlab.music.abc_text import title_of


@dataclass
class Verdict:
    """One generated tune judged: validity (``seqlab.music.validity.check_tune``) and memorisation."""

    title: str
    valid: bool
    reason: str
    shared: str  # the longest run of characters it shares with the training text


def judge_tunes(tunes: list[str], train_text: str) -> list[Verdict]:
    """Validity and longest shared run of each tune (about 0.1 to 0.5 s a tune)."""
    from seqlab.music.validity import check_tune

    verdicts = []
    for tune in tunes:
        v = check_tune(tune)
        verdicts.append(Verdict(title_of(tune), v.ok, str(v), longest_shared_run(tune, train_text)))
    return verdicts


def judgement_table(verdicts: list[Verdict], train_validity: float | None = None) -> str:
    """One line per tune and a summary: validity rate and shared runs (vs the training tunes)."""
    if not verdicts:
        return "no finished tune: generate more characters"
    lines = [f"{'title':34} {'valid':>6} {'longest shared run':>19}"]
    for v in verdicts:
        lines.append(f"{v.title[:34]:34} {'yes' if v.valid else 'no':>6} {len(v.shared):>13} chars")
    rate = sum(v.valid for v in verdicts) / len(verdicts)
    runs = sorted(len(v.shared) for v in verdicts)
    summary = f"valid: {rate:.0%} of {len(verdicts)} tunes"
    if train_validity is not None:
        summary += f" (training tunes: {train_validity:.0%})"
    summary += f"; longest shared run: median {runs[len(runs) // 2]}, max {runs[-1]} characters"
    return "\n".join(lines + [summary])


def longest_shared_run(text: str, reference: str) -> str:
    """The longest substring of ``text`` that also occurs in ``reference`` (e.g. the training text).

    Two pointers over ``text`` with substring searches in ``reference``: about 2 * len(text)
    searches. A long shared run in a generated tune means the model copied from its training data.
    """
    best, start = "", 0
    for end in range(1, len(text) + 1):
        while start < end and text[start:end] not in reference:
            start += 1
        if end - start > len(best):
            best = text[start:end]
    return best
