"""ABC text of tunes, without music21: split a file into tunes, clean a tune, read its fields.

- ``split_tunes``    -- a collection's text -> one string per tune (each starts with ``X:``)
- ``clean_tune``     -- keep the fields a tune needs (X, T, M, L, K) and its notes; drop comments,
                        chord symbols, annotations, performance marks (bowings, fingerings), slurs,
                        grace notes and ornaments; key fields in short form (``normalise_key``)
- ``title_of``, ``music_of`` -- a tune's first title and its music lines
- ``join_tunes``     -- tunes -> one training text (an empty line between tunes)
- ``split_generated``, ``complete_tunes`` -- generated text -> its tunes (the finished ones)

Pure string work: instant, and safe to import anywhere.
"""

import quopri
import re

from seqlab.music.rhythm import default_unit

TUNE_SEPARATOR = "\n"  # tunes end with "\n"; one empty line between tunes, as in ABC files

_FIELD = re.compile(r"^([A-Za-z]):\s*(.*)$")
_INLINE_FIELD = re.compile(r"\[([A-Za-z]):([^\]]*)\]")
_MODES = {"maj": "", "ion": "", "min": "m", "aeo": "m", "mix": "mix", "dor": "dor", "phr": "phr",
          "lyd": "lyd", "loc": "loc"}  # the first three letters of a mode's name -> ABC's short form
# Characters a tune's music may keep: notes, rests, accidentals, octaves, lengths, bars and
# repeats, ties, tuplets "(3", chords. Slurs, grace notes and ornaments (staccato, roll, trill)
# are removed: they do not change how long a bar lasts, and the model learns the bars better
# without them.
_QUOTED_PRINTABLE = re.compile(r"=3D|=20$", re.MULTILINE)
_MUSIC_CHARS = set("ABCDEFGabcdefgzx^=_,'0123456789/<>|:[]-( ")



def split_tunes(text: str) -> list[str]:
    """The tunes of an ABC text: each piece from an ``X:`` line up to the next one."""
    return [piece for piece in re.split(r"(?m)^(?=X:)", text) if piece.startswith("X:")]


def _strip_comment(line: str) -> str:
    cut = re.search(r"(?<!\\)%", line)
    return line if cut is None else line[: cut.start()]


def normalise_key(value: str) -> str:
    """ABC key field in its short form: ``'E Minor'`` -> ``'Em'``, ``'A Mixolydian'`` -> ``'Amix'``."""
    m = re.match(r"^([A-Ga-g][#b]?)\s*([A-Za-z]*)\s*(.*)$", value.strip())
    if m is None:
        return value.strip()
    tonic, mode, rest = m.group(1)[0].upper() + m.group(1)[1:], m.group(2).lower(), m.group(3)
    if mode and mode != "m" and mode[:3] not in _MODES:  # not a mode: e.g. "K:D exp"
        rest, mode = (mode + " " + rest).strip(), ""
    short = "m" if mode == "m" else _MODES.get(mode[:3], "")
    return (tonic + short + (" " + rest if rest else "")).strip()


def _clean_music_line(line: str) -> str:
    """One line of music without annotations, decorations, slurs, grace notes or unknown marks."""
    line = re.sub(r'"[^"]*"', "", line)  # chord symbols and annotations
    line = re.sub(r"![^!\n]*!", "", line)  # !trill!, !D.C.! ...
    line = line.replace("\\", " ")  # line continuations
    line = re.sub(r"\{[^}]*\}", "", line)  # grace notes
    line = re.sub(r"\((?!\d)", "", line)  # slurs (a digit after "(" makes a tuplet: kept)
    out, last = [], 0
    for m in _INLINE_FIELD.finditer(line):  # keep [K:..] [M:..] [L:..] changes verbatim
        out.append("".join(c for c in line[last:m.start()] if c in _MUSIC_CHARS))
        if m.group(1) in "KML":
            value = normalise_key(m.group(2)) if m.group(1) == "K" else m.group(2).strip()
            out.append(f"[{m.group(1)}:{value}]")
        last = m.end()
    out.append("".join(c for c in line[last:] if c in _MUSIC_CHARS))
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def clean_tune(raw: str) -> str | None:
    """A tune reduced to ``X:1``, its first title, ``M:``, ``L:``, ``K:`` and its music lines.

    Quoted-printable text (``=3D`` for ``=``) is decoded first. Comments, other header fields
    (sources, notes, transcribers, tempo, ...), chord symbols, annotations, performance marks,
    slurs, grace notes and ornaments are removed; spacing is normalised; key fields are written
    in their short form. Returns None when the text is not a single-voice tune with a key and
    some music. The result ends with one newline.
    """
    if _QUOTED_PRINTABLE.search(raw):  # a few tunes were saved so: "=3D" for "=", "=20" a space,
        raw = quopri.decodestring(raw.encode("latin-1", "replace")).decode("latin-1")  # "=" joins lines
    title, meter, unit, key = None, None, None, None
    music: list[str] = []
    for line in raw.replace("\r", "").split("\n"):
        line = _strip_comment(line).rstrip()
        field_match = _FIELD.match(line)
        if key is None:  # still in the header
            if field_match is None:
                continue
            name, value = field_match.group(1), field_match.group(2).strip()
            if name == "V":
                return None  # several voices: not a melody
            if name == "T" and title is None:
                title = re.sub(r"\s+", " ", value)
            elif name == "M" and meter is None:
                meter = value
            elif name == "L" and unit is None:
                unit = value
            elif name == "K":
                key = normalise_key(value) or "C"
            continue
        if field_match is not None:
            name, value = field_match.group(1), field_match.group(2).strip()
            if name == "V":
                return None
            if name in "KML":  # a change of key, meter or unit length on its own line
                music.append(f"{name}:{normalise_key(value) if name == 'K' else value}")
            continue
        line = _clean_music_line(line)
        if line:
            music.append(line)
    if key is None or not any(re.search(r"[A-Ga-g]", m) for m in music if not _FIELD.match(m)):
        return None
    meter = meter or "C"
    header = ["X:1", f"T:{title or 'Untitled'}", f"M:{meter}",
              f"L:{unit or default_unit(meter)}", f"K:{key}"]
    return "\n".join(header + music) + "\n"


def music_of(tune: str) -> str:
    """The music lines of a tune (everything after its first ``K:`` line)."""
    head, sep, body = tune.partition("\nK:")
    return body.partition("\n")[2] if sep else ""


def title_of(tune: str) -> str:
    m = re.search(r"(?m)^T:(.*)$", tune)
    return m.group(1).strip() if m else ""


def join_tunes(tunes: list[str]) -> str:
    """The training text: tunes separated by one empty line (each tune ends with a newline)."""
    return TUNE_SEPARATOR.join(tunes)


def split_generated(text: str) -> list[str]:
    """Generated text -> its tunes: pieces that start with ``X:``, cut at an empty line or next ``X:``.

    A last piece that was cut off by the length limit is kept: the validity check judges it.
    """
    tunes = []
    for piece in split_tunes(text):
        piece = piece.split("\n\n")[0].rstrip("\n")
        if piece:
            tunes.append(piece + "\n")
    return tunes


def complete_tunes(text: str) -> list[str]:
    """The tunes of generated text that were finished: every tune but a last one that the length
    limit cut off (a finished tune is followed by an empty line or by the next ``X:``)."""
    pieces = split_tunes(text)
    if pieces and "\n\n" not in pieces[-1]:
        pieces = pieces[:-1]
    return [t for piece in pieces for t in split_generated(piece)]
