"""Reading one ABC tune with music21, and judging whether it is a valid tune.

``check_tune`` says whether a tune parses, has notes, and whether its bars last what its meter
says: every bar must be exactly one bar long, except short bars at the edges of a section (a
pickup at the start of the tune or of a section, a short bar before a repeat sign, a double or
final bar line, or a first/second ending -- players make up the time with the pickup), and two
short bars that together make one bar. An over-full bar, or a short bar inside a section, fails.
Real tunes pass about 9 times in 10; generated tunes are judged by the very same check and
compared with the training set's own rate, not with 100 %. music21 is imported on first use.

Limits of music21's ABC reader that the check inherits: a meter change inside a tune (an ``M:``
line or ``[M:..]`` after the header) is ignored, so such tunes count as invalid; a tune needs two
bar lines before music21 sees measures at all.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

_TOLERANCE = 1e-3  # quarter notes; triplets make durations like 1/3


def parse_abc(tune: str, rebar: bool = True):
    """The tune as a music21 ``Score`` (or ``Part``); raises ``ValueError`` with music21's reason.

    rebar: let music21 split over-full bars to fit the meter (it does by default, inventing time
    signatures such as 1/4 for the remainder); the validity check turns this off to see the bars
    as written. music21's warnings are silenced; anything it raises becomes a ``ValueError``.
    """
    if not isinstance(tune, str) or "K:" not in tune:
        raise ValueError("not an ABC tune: it needs a K: (key) line before the music")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from music21 import converter
        from music21.abcFormat import translate

        original = translate.reBar
        if not rebar:
            translate.reBar = lambda part, inPlace=False: part
        try:
            with contextlib.redirect_stderr(io.StringIO()):  # music21 prints its warnings there
                score = converter.parse(tune, format="abc")
        except Exception as error:  # music21 raises many kinds; the message is what matters
            raise ValueError(f"music21 could not parse it: {type(error).__name__}: {error}"[:300]) from error
        finally:
            translate.reBar = original
    if score is None:
        raise ValueError("music21 could not parse it")
    return score


def melody_of(score):
    """The first part of a score (the melody), or the stream itself."""
    parts = getattr(score, "parts", None)
    return parts[0] if parts is not None and len(parts) else score


@dataclass
class Validity:
    """The verdict on one tune. ``ok`` is the one figure; the rest says why."""

    parses: bool
    n_notes: int = 0
    n_bars: int = 0
    bad_bars: list[tuple[int, float, float]] = field(default_factory=list)  # (bar, length, wanted)
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.parses and self.n_notes > 0 and not self.bad_bars and not self.reason

    def __str__(self) -> str:
        if self.ok:
            return f"valid: {self.n_notes} notes in {self.n_bars} bars that agree with the meter"
        return "not valid: " + self.reason


def bar_lengths(score) -> list[tuple[float, float]]:
    """(length, wanted length) of each bar of the melody, in quarter notes."""
    bars = []
    for measure in melody_of(score).getElementsByClass("Measure"):
        length = float(measure.highestTime)
        try:
            wanted = float(measure.barDuration.quarterLength)
        except Exception:  # no meter in force
            wanted = length
        bars.append((length, wanted))
    return bars


def section_edges(score) -> list[bool]:
    """For each bar of the melody: does it start or end a section? A section ends at a repeat
    sign, a double or final bar line, or where a first/second ending begins; the next one starts."""
    measures = list(melody_of(score).getElementsByClass("Measure"))
    n = len(measures)

    def marked(barline) -> bool:
        return barline is not None and getattr(barline, "type", "regular") != "regular"

    ends = [marked(m.rightBarline) for m in measures]
    starts = [marked(m.leftBarline) for m in measures]
    for spanner in melody_of(score).spannerBundle.getByClass("RepeatBracket"):
        first = spanner.getFirst()
        if first is not None and first in measures:
            starts[measures.index(first)] = True
    edge = [False] * n
    for i in range(n):
        edge[i] = (ends[i] or starts[i] or (i > 0 and ends[i - 1]) or (i + 1 < n and starts[i + 1]))
    return edge


def judge_bars(bars: list[tuple[float, float]], edges: list[bool] | None = None) -> list[tuple[int, float, float]]:
    """The bars that break the meter: (index, length, wanted).

    bars: (length, wanted) per bar, in quarter notes. edges: per bar, does it start or end a
    section (``section_edges``); None: only the first and last bars do. Full bars pass; short bars
    pass at an edge, or when they and a short neighbour make one bar; an empty last bar passes.
    """
    n, bad = len(bars), []
    edges = list(edges) if edges is not None else [False] * n
    full = [abs(length - wanted) < _TOLERANCE for length, wanted in bars]
    short = [length < wanted - _TOLERANCE and length > _TOLERANCE for length, wanted in bars]
    for i, (length, wanted) in enumerate(bars):
        if full[i] or (short[i] and (i in (0, n - 1) or edges[i])):
            continue
        if length <= _TOLERANCE and i == n - 1:  # an empty bar after the final bar line
            continue
        pair = [j for j in (i - 1, i + 1) if 0 <= j < n and short[j]
                and abs(bars[j][0] + length - wanted) < _TOLERANCE]
        if short[i] and pair:
            continue
        bad.append((i, length, wanted))
    return bad


def check_tune(tune: str) -> Validity:
    """Is ``tune`` a valid tune? It must parse, have notes, and have bars that fit its meter.

    Never raises: a tune that music21 cannot read is reported as such in ``reason``.
    """
    try:
        score = parse_abc(tune, rebar=False)
    except ValueError as error:
        return Validity(parses=False, reason=str(error))
    except Exception as error:  # belt and braces: music21 internals
        return Validity(parses=False, reason=f"music21 could not parse it: {error}"[:300])
    try:
        n_notes = len(melody_of(score).recurse().notes)
        bars = bar_lengths(score)
        edges = section_edges(score)
    except Exception as error:
        return Validity(parses=False, reason=f"music21 could not read its notes: {error}"[:300])
    result = Validity(parses=True, n_notes=n_notes, n_bars=len(bars))
    if n_notes == 0:
        result.reason = "no notes"
        return result
    if not bars:
        result.reason = "no bars (music21 needs at least two bar lines to see measures)"
        return result
    result.bad_bars = judge_bars(bars, edges)
    if result.bad_bars:
        i, length, wanted = result.bad_bars[0]
        result.reason = (f"{len(result.bad_bars)} of {len(bars)} bars break the meter, e.g. bar {i + 1} "
                         f"lasts {_fmt(length)} quarter notes instead of {_fmt(wanted)}")
    return result


def _fmt(x: float) -> str:
    return str(Fraction(x).limit_denominator(48))


def validity_rate(tunes: list[str]) -> float:
    """The fraction of ``tunes`` that ``check_tune`` finds valid (0.0 for no tunes)."""
    return sum(check_tune(t).ok for t in tunes) / len(tunes) if tunes else 0.0
