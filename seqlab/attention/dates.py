"""Synthetic date translation: human-written dates in many formats → ISO ``YYYY-MM-DD``.

Unit 06's task. ``"3rd of May 1997"``, ``"may 3, 97"``, ``"Saturday, May 3, 1997"`` and
``"03.05.1997"`` all become ``"1997-05-03"``. Everything is generated from a seed; nothing is
downloaded. Dates run from 1950-01-01 to 2049-12-31, so a two-digit year is unambiguous
(``50``–``99`` → 19xx, ``00``–``49`` → 20xx), and numeric formats are told apart by their
separator: **dots are day first** (``3.5.97``), **slashes are month first** (``5/3/97``),
and a four-digit year first is year-month-day (``1997/05/03``).

Characters become integer ids for a character-level encoder–decoder:

- inputs: lower-cased, ``PAD = 0``, ``UNK = 1``, then ``INPUT_ALPHABET``; ``(N, MAX_INPUT_LEN)``
- targets: the ten ISO characters, ids into ``OUTPUT_ALPHABET`` (``"0123456789-"``); the decoder's
  inputs are the targets shifted right behind a ``START`` id (teacher forcing).
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

FIRST_DATE = dt.date(1950, 1, 1)
LAST_DATE = dt.date(2049, 12, 31)
MAX_INPUT_LEN = 64  # characters; longer inputs are cut (only a phrase's suffix ever is)
ISO_LEN = 10  # "YYYY-MM-DD"

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

INPUT_ALPHABET = " '(),-./0123456789:abcdefghijklmnopqrstuvwxyz"
PAD, UNK = 0, 1
INPUT_VOCAB_SIZE = len(INPUT_ALPHABET) + 2
_INPUT_ID = {char: i + 2 for i, char in enumerate(INPUT_ALPHABET)}

OUTPUT_ALPHABET = "0123456789-"
START = len(OUTPUT_ALPHABET)  # id of the decoder's start token
OUTPUT_VOCAB_SIZE = len(OUTPUT_ALPHABET) + 1
_OUTPUT_ID = {char: i for i, char in enumerate(OUTPUT_ALPHABET)}


def ordinal(day: int) -> str:
    """``1 -> '1st'``, ``2 -> '2nd'``, ``3 -> '3rd'``, ``11 -> '11th'``, ``22 -> '22nd'``."""
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _abbr(month: str, rng: np.random.Generator) -> str:
    return month[:3] + ("." if rng.random() < 0.3 else "")


# Each format: (date, rng) -> text. rng picks only cosmetic variants (case, an abbreviation dot).
FORMATS: dict[str, Callable[[dt.date, np.random.Generator], str]] = {
    "3 May 1997": lambda d, r: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "3 Sep 1997": lambda d, r: f"{d.day} {_abbr(MONTHS[d.month - 1], r)} {d.year}",
    "03 May 1997": lambda d, r: f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}",
    "3 May '97": lambda d, r: f"{d.day} {MONTHS[d.month - 1]} '{d.year % 100:02d}",
    "3rd of May 1997": lambda d, r: f"{ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    "the 3rd of May, 1997": lambda d, r: f"the {ordinal(d.day)} of {MONTHS[d.month - 1]}, {d.year}",
    "May 3, 1997": lambda d, r: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "May 3rd, 1997": lambda d, r: f"{MONTHS[d.month - 1]} {ordinal(d.day)}, {d.year}",
    "may 3, 97": lambda d, r: f"{MONTHS[d.month - 1].lower()} {d.day}, {d.year % 100:02d}",
    "Sep 3 97": lambda d, r: f"{_abbr(MONTHS[d.month - 1], r)} {d.day} {d.year % 100:02d}",
    "Saturday, May 3, 1997":
        lambda d, r: f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {d.day}, {d.year}",
    "Sat 3 May 1997":
        lambda d, r: f"{WEEKDAYS[d.weekday()][:3]} {d.day} {_abbr(MONTHS[d.month - 1], r)} {d.year}",
    "Saturday the 3rd of May 1997":
        lambda d, r: f"{WEEKDAYS[d.weekday()]} the {ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    "03.05.1997": lambda d, r: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "3.5.97": lambda d, r: f"{d.day}.{d.month}.{d.year % 100:02d}",
    "05/03/1997": lambda d, r: f"{d.month:02d}/{d.day:02d}/{d.year}",
    "5/3/97": lambda d, r: f"{d.month}/{d.day}/{d.year % 100:02d}",
    "1997/05/03": lambda d, r: f"{d.year}/{d.month:02d}/{d.day:02d}",
    "1997-05-03": lambda d, r: d.isoformat(),
}


def _recase(text: str, rng: np.random.Generator) -> str:
    """Cosmetic case: mostly as written, sometimes lower case, rarely upper case."""
    u = rng.random()
    return text.lower() if u < 0.25 else text.upper() if u < 0.3 else text


PREFIXES = ["born on ", "due ", "meeting on ", "posted ", "deadline: ", "we met on ",
            "signed in Paris on ", "the concert is on ", "expires ", "last updated ",
            "delivered on ", "it all started on ", "from ", "paid on "]
SUFFIXES = ["", "", " at noon", " at 10:30", " in room 12", ", as agreed", " (approx.)",
            " or so", " before lunch", " at 7 pm", "."]


def wrap_in_text(text: str, rng: np.random.Generator) -> str:
    """``text`` inside a short phrase, as dates occur in the wild: ``"born on 3 May 1997 at noon"``."""
    return PREFIXES[rng.integers(len(PREFIXES))] + text + SUFFIXES[rng.integers(len(SUFFIXES))]


def format_date(date: dt.date, fmt: str, rng: np.random.Generator) -> str:
    """``date`` written in the format named ``fmt`` (a key of ``FORMATS``), case varied by ``rng``."""
    return _recase(FORMATS[fmt](date, rng), rng)


def all_dates() -> np.ndarray:
    """Every date of the range as a proleptic Gregorian ordinal, int64 ``(36524,)``."""
    return np.arange(FIRST_DATE.toordinal(), LAST_DATE.toordinal() + 1, dtype=np.int64)


def split_dates(seed: int, test_fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Split the calendar in two at random: ``(train_ordinals, test_ordinals)``, sorted, disjoint.

    A held-out date never occurs in training, in any format.
    """
    days = np.random.default_rng(seed).permutation(all_dates())
    n_test = int(round(test_fraction * days.size))
    return np.sort(days[n_test:]), np.sort(days[:n_test])


def sample_dates(n: int, ordinals: np.ndarray, rng: np.random.Generator,
                 formats: Sequence[str] | None = None, in_text: float = 0.5,
                 ) -> tuple[list[str], list[str], list[str]]:
    """``n`` examples: dates drawn from ``ordinals``, each written in a format drawn from ``formats``.

    Returns ``(human, iso, fmt)``: three lists of ``n`` strings (the input, its ISO form, and
    the name of the format it was written in).
    """
    names = list(FORMATS) if formats is None else list(formats)
    days = rng.choice(np.asarray(ordinals), size=n)
    kinds = rng.integers(0, len(names), size=n)
    human, iso, fmt = [], [], []
    for day, kind in zip(days.tolist(), kinds.tolist()):
        date = dt.date.fromordinal(day)
        text = format_date(date, names[kind], rng)
        human.append(wrap_in_text(text, rng) if rng.random() < in_text else text)
        iso.append(date.isoformat())
        fmt.append(names[kind])
    return human, iso, fmt


@dataclass
class DateData:
    """Training and held-out examples as strings; held-out dates never occur in training."""

    train_human: list[str]
    train_iso: list[str]
    test_human: list[str]
    test_iso: list[str]
    test_format: list[str]


def make_date_data(n_train: int, n_test: int, seed: int) -> DateData:
    """The unit's data set, reproducible from ``seed``: train and test sets on disjoint dates."""
    train_days, test_days = split_dates(seed)
    rng = np.random.default_rng(seed + 1)
    train_human, train_iso, _ = sample_dates(n_train, train_days, rng)
    test_human, test_iso, test_format = sample_dates(n_test, test_days, rng)
    return DateData(train_human, train_iso, test_human, test_iso, test_format)


# --- tokenisation -----------------------------------------------------------------------------


def encode_inputs(texts: Sequence[str], max_len: int = MAX_INPUT_LEN) -> np.ndarray:
    """Character ids of lower-cased texts, padded with ``PAD`` and cut to ``max_len``.

    Unknown characters become ``UNK``. Returns int32 ``(N, max_len)``.
    """
    ids = np.full((len(texts), max_len), PAD, dtype=np.int32)  # (N, Tx)
    for n, text in enumerate(texts):
        row = [_INPUT_ID.get(char, UNK) for char in text.lower()[:max_len]]
        ids[n, :len(row)] = row
    return ids


def input_lengths(ids: np.ndarray) -> np.ndarray:
    """Number of non-padding characters of each row of ``encode_inputs``' ids: int ``(N,)``."""
    return (np.asarray(ids) != PAD).sum(axis=-1)


def encode_targets(isos: Sequence[str]) -> np.ndarray:
    """Ids of ISO dates (each exactly ``ISO_LEN`` characters). Returns int32 ``(N, ISO_LEN)``."""
    bad = [s for s in isos if len(s) != ISO_LEN or any(c not in _OUTPUT_ID for c in s)]
    if bad:
        raise ValueError(f"not an ISO date: {bad[0]!r}")
    return np.array([[_OUTPUT_ID[c] for c in s] for s in isos], dtype=np.int32).reshape(-1, ISO_LEN)


def decoder_inputs(targets: np.ndarray) -> np.ndarray:
    """Teacher forcing: ``START`` followed by the targets shifted one step right. ``(N, Ty)``."""
    targets = np.asarray(targets, dtype=np.int32)  # (N, Ty)
    start = np.full((targets.shape[0], 1), START, dtype=np.int32)  # (N, 1)
    return np.concatenate([start, targets[:, :-1]], axis=1)


def decode_targets(ids: np.ndarray) -> list[str]:
    """Output ids ``(N, Ty)`` back to strings (``START`` shows as ``'^'``)."""
    chars = OUTPUT_ALPHABET + "^"
    return ["".join(chars[i] for i in row) for row in np.asarray(ids).tolist()]
