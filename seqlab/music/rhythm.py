"""Note lengths in ABC music text: read them, write them one way, and space notes by beats.

ABC lets one piece of music be written many ways: ``L:1/8`` with ``AB`` or ``L:1/16`` with
``A2B2``; ``A/2``, ``A/`` and ``A//2`` ... ; spaces (which only change how notes are beamed on
paper) anywhere. A character model has to learn every spelling, and to count note lengths across
a whole bar to keep to the meter. ``normalise_rhythm`` writes every tune one way, without
changing a note, so the model sees one spelling and short, regular groups:

- the unit note length is ABC's default for the meter (``L:1/16`` below 3/4, else ``L:1/8``)
  whichever unit the source used, or ``L:1/16`` when a tune in eighths has shorter notes, so that
  note lengths are whole numbers of units (``d3/A/F3/A/`` is written ``d3AF3A``);
- note lengths are written in one form (``A3/``, ``A/``, ``A/4``);
- notes are spaced by beat (``beat_of``): a space wherever a beat ends (``d>cd>e f>ga>f``; in 6/8
  ``ABc dcB``), none elsewhere, and no spaces around bar lines.

Pure string work with ``fractions.Fraction``; tunes that change meter or unit length in the
middle are returned as they were. ``tests/test_abc_rhythm.py`` checks with music21 that every bar
lasts exactly what it did before.
"""

import functools
import re
from fractions import Fraction

_NOTE_LENGTH = r"[0-9]*(?:/+[0-9]*)*"
_BAR_LINE = r"\[\||:*\|+\]?:*|::+"  # | || |] [| |: :| :: ...
_TOKEN = re.compile(
    r"(?P<field>\[[A-Za-z]:[^\]\n]*\])"
    rf"|(?P<bar>:*\|+\]?:*[12]|{_BAR_LINE}|\[[12])"  # a bar line, with its ending's number
    rf"|(?P<chord>\[(?:[\^=_]*[A-Ga-g][,']*{_NOTE_LENGTH})+\])(?P<chord_length>{_NOTE_LENGTH})"
    rf"|(?P<note>[\^=_]*[A-Ga-gzx][,']*)(?P<length>{_NOTE_LENGTH})"
    r"|(?P<broken>[<>]+)"
    r"|(?P<tuplet>\([2-9](?::[0-9]*){0,2})"
    r"|(?P<tie>-)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)"
)
_KINDS = ("field", "bar", "chord", "note", "broken", "tuplet", "tie", "space", "other")
_CHORD_NOTE = re.compile(rf"([\^=_]*[A-Ga-g][,']*)({_NOTE_LENGTH})")
_LEADING_BAR = re.compile(rf"^(?:{_BAR_LINE})(?![0-9])")  # not an ending's "|1": it stays with its notes
_TRAILING_BAR = re.compile(r"(?:\||::|\])$")
_FIELD_LINE = re.compile(r"^[A-Za-z]:")  # a header-style line inside the music (K:, M:, ...)
_BODY_CHANGE = re.compile(r"(?m)^[ML]:|\[[ML]:")  # a meter or unit length that changes mid-tune


@functools.lru_cache(maxsize=4096)  # a few hundred distinct suffixes; the corpus asks 600,000 times
def parse_length(text: str) -> Fraction:
    """An ABC length suffix as a multiple of the unit: ``''`` 1, ``'3'`` 3, ``'/'`` 1/2,
    ``'//'`` 1/4, ``'/4'`` 1/4, ``'3/2'`` and ``'3/'`` 3/2."""
    m = re.fullmatch(r"([0-9]*)((?:/+[0-9]*)*)", text)
    if m is None:
        raise ValueError(f"not a note length: {text!r}")
    length = Fraction(int(m.group(1)) if m.group(1) else 1)
    for slashes, number in re.findall(r"(/+)([0-9]*)", m.group(2)):
        length /= (2 ** (len(slashes) - 1)) * (int(number) if number else 2)
    return length


@functools.lru_cache(maxsize=4096)
def format_length(length: Fraction) -> str:
    """The one way ``normalise_rhythm`` writes a length: ``''``, ``'2'``, ``'3/'``, ``'/'``, ``'/4'``."""
    top = "" if length.numerator == 1 else str(length.numerator)
    bottom = {1: "", 2: "/"}.get(length.denominator, f"/{length.denominator}")
    return top + bottom


def _meter_parts(meter: str) -> tuple[int, int] | None:
    """(top, bottom) of a meter: ``'6/8'`` (6, 8), ``'C'`` (4, 4), ``'C|'`` (2, 2); None if unknown."""
    meter = meter.strip()
    if meter in ("C", "C|"):
        return (4, 4) if meter == "C" else (2, 2)
    m = re.fullmatch(r"(\d+)\s*/\s*(\d+)", meter)
    return (int(m.group(1)), int(m.group(2))) if m and int(m.group(2)) else None


def meter_length(meter: str) -> Fraction | None:
    """A bar's length in whole notes: ``'6/8'`` 3/4, ``'C'`` and ``'C|'`` 1; None if unknown."""
    parts = _meter_parts(meter)
    return Fraction(*parts) if parts else None


def default_unit(meter: str) -> Fraction:
    """ABC's default unit note length: 1/16 when the meter is below 3/4, else 1/8."""
    bar = meter_length(meter)
    return Fraction(1, 16) if bar is not None and bar < Fraction(3, 4) else Fraction(1, 8)


def beat_of(meter: str) -> Fraction | None:
    """How long a group of notes between spaces is, in whole notes: a dotted quarter in 6/8, 9/8
    and 12/8; half a bar in C, C|, 4/4 and 2/2 (four eighths, as reels are written); the whole bar
    in 3/8; a quarter otherwise (2/4, 3/4, ...)."""
    parts = _meter_parts(meter)
    if parts is None:
        return None
    top, bottom = parts
    if bottom == 8 and top % 3 == 0:
        return Fraction(3, 8)
    if parts in ((4, 4), (2, 2)):
        return Fraction(1, 2)
    return Fraction(1, bottom) if bottom <= 4 else Fraction(top, bottom)


def _tuplet(text: str, compound: bool) -> tuple[Fraction, int]:
    """``(p:q:r`` -> (factor q/p for each note, r notes); ABC's defaults for q and r."""
    parts = text[1:].split(":") + ["", ""]
    p = int(parts[0])
    q = int(parts[1]) if parts[1] else {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}.get(p, 3 if compound else 2)
    r = int(parts[2]) if parts[2] else p
    return Fraction(q, p), r


def _tokens(line: str):
    """(kind, text, match) of each piece of one music line."""
    for m in _TOKEN.finditer(line):
        kind = next(k for k in _KINDS if m.group(k) is not None)
        yield kind, m.group(0), m


def _events(line: str, scale: Fraction, compound: bool) -> list[dict]:
    """The line's pieces with note lengths scaled and rewritten; notes carry their duration in units."""
    events, tuplet_left, tuplet_factor = [], 0, Fraction(1)
    for kind, text, m in _tokens(line):
        event = {"kind": kind, "text": text, "duration": Fraction(0)}
        if kind == "note":
            length = parse_length(m.group("length")) * scale
            event["text"], event["duration"] = m.group("note") + format_length(length), length
        elif kind == "chord":
            inner = _CHORD_NOTE.findall(m.group("chord"))
            outer = parse_length(m.group("chord_length"))
            scaled = [(pitch, parse_length(length) * scale) for pitch, length in inner]
            event["text"] = "[" + "".join(p + format_length(n) for p, n in scaled) + "]" + format_length(outer)
            event["duration"] = scaled[0][1] * outer
        elif kind == "tuplet":
            tuplet_factor, tuplet_left = _tuplet(text, compound)
        elif kind == "broken" and events:
            previous = next((e for e in reversed(events) if e["kind"] in ("note", "chord")), None)
            event["pending"] = (previous, text)
        if kind in ("note", "chord") and tuplet_left > 0:
            event["duration"] *= tuplet_factor
            tuplet_left -= 1
        events.append(event)
    for i, event in enumerate(events):  # broken rhythm: a>b is a dotted a and a shortened b
        if event.get("pending") and event["pending"][0] is not None:
            previous, text = event["pending"]
            following = next((e for e in events[i + 1:] if e["kind"] in ("note", "chord")), None)
            if following is None:
                continue
            shift = Fraction(1, 2 ** len(text))
            long_one, short_one = (previous, following) if text[0] == ">" else (following, previous)
            long_one["duration"] *= 2 - shift
            short_one["duration"] *= shift
    return events


def _stray_mark(event: dict) -> bool:
    """A length, octave mark or accidental with no note (``G4 2``, ``B2 ,F``, ``^3``): music21
    ignores it; without the space it could join a note, so it is dropped."""
    return event["kind"] == "other" and event["text"] in "0123456789/,'^=_"


def _respace(events: list[dict], bar_units: Fraction, beat_units: Fraction, state: dict) -> str:
    """The line written again with a space where each beat ends and no other. ``state`` carries
    the count across lines: position in the bar, the last bar line, whether a bar has just begun."""
    segments, current = [], []
    for event in events:
        if event["kind"] == "bar":
            segments.append((current, event))
            current = []
        else:
            current.append(event)
    segments.append((current, None))
    out = []
    for notes, bar in segments:
        kept = [e for e in notes if e["kind"] != "space" and not _stray_mark(e)]
        total = sum((e["duration"] for e in kept), Fraction(0))
        # a short bar at the start of the tune or of a section is a pickup: it ends on the bar line
        if state["at_bar_start"] and bar is not None and 0 < total < bar_units and state["last_bar"] != "|":
            state["position"] = bar_units - total
        for j, event in enumerate(kept):
            out.append(event["text"])
            state["position"] += event["duration"]
            state["at_bar_start"] = False
            nxt = kept[j + 1] if j + 1 < len(kept) else None
            if (event["kind"] in ("note", "chord", "tie") and nxt is not None
                    and nxt["kind"] in ("note", "chord", "tuplet")
                    and state["position"] % beat_units == 0):
                out.append(" ")
        if bar is not None:
            out.append(" ::" if bar["text"] == "::" and kept else bar["text"])  # music21 drops the
            # note before a "::" written without a space
            state.update(position=Fraction(0), last_bar=bar["text"], at_bar_start=True)
    return "".join(out).strip()


def _line_events(body: str, scale: Fraction, compound: bool) -> list[list[dict] | None]:
    """Each line's events (``_events``); None for a field line or a blank one, which stay as they are."""
    return [None if _FIELD_LINE.match(line) or not line.strip() else _events(line, scale, compound)
            for line in body.split("\n")]


def _has_fractional_lengths(line_events: list[list[dict] | None]) -> bool:
    """Whether any note or chord is written with a "/" length (shorter than the unit)."""
    return any(e["kind"] in ("note", "chord") and "/" in e["text"]
               for events in line_events if events for e in events)


def normalise_rhythm(tune: str) -> str:
    """The tune with ABC's default unit length for its meter, note lengths in one form and notes
    spaced by beat (module docstring). The music is unchanged; a tune whose meter or unit length
    changes after the header, or whose meter is not a plain fraction or C, is returned as it was."""
    head, sep, rest = tune.partition("\nK:")
    meter_m, unit_m = re.search(r"(?m)^M:(.*)$", head), re.search(r"(?m)^L:(.*)$", head)
    if not sep or meter_m is None or unit_m is None:
        return tune
    key_line, _, body = rest.partition("\n")
    meter = meter_m.group(1).strip()
    bar, beat = meter_length(meter), beat_of(meter)
    try:
        unit = Fraction(unit_m.group(1).strip())
    except (ValueError, ZeroDivisionError):
        return tune
    if bar is None or beat is None or _BODY_CHANGE.search(body):
        return tune
    compound = beat == Fraction(3, 8)
    try:
        new_unit = default_unit(meter)
        events = _line_events(body, unit / new_unit, compound)
        if new_unit == Fraction(1, 8) and _has_fractional_lengths(events):
            new_unit = Fraction(1, 16)  # notes shorter than an eighth: whole numbers of sixteenths
            events = _line_events(body, unit / new_unit, compound)
    except ZeroDivisionError:  # a length such as "A/0": leave the tune as it was
        return tune
    lines, state = [], {"position": Fraction(0), "last_bar": "start", "at_bar_start": True}
    for line, line_events in zip(body.split("\n"), events):
        if line_events is None:
            lines.append(line)
            continue
        text = _respace(line_events, bar / new_unit, beat / new_unit, state)
        leading = _LEADING_BAR.match(text)
        if leading and lines and lines[-1] and not _FIELD_LINE.match(lines[-1]):
            if not _TRAILING_BAR.search(lines[-1]):  # lines break after a bar line, not before one
                lines[-1] += leading.group(0)
                text = text[leading.end():]
            elif leading.group(0) == "|":  # "...|" then "|...": one bar line, written once
                text = text[1:]
        if text:
            lines.append(text)
    head = head.replace(unit_m.group(0), f"L:{new_unit}", 1)
    return head + "\nK:" + key_line + "\n" + "\n".join(lines)
