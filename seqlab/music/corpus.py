"""The music corpus: ABC collections -> clean, unique tunes -> a seeded train/validation split.

The raw ABC text comes from ``seqlab.data`` (the collections that ship inside music21, with their
provenance and licence in ``ABC_COLLECTIONS``); nothing is downloaded. The steps, each a function:

1. ``split_tunes``  -- a collection's text -> one string per tune (``seqlab.music.abc_text``)
2. ``clean_tune``   -- the fields a tune needs and its notes, nothing else (``abc_text``);
   ``normalise_rhythm`` -- ABC's unit length for the meter (sixteenths when a tune has shorter
   notes), one way to write a length, notes spaced by beat, so the model learns one spelling of
   the music (``seqlab.music.rhythm``)
3. drop tunes music21 cannot parse or that have no notes (``seqlab.music.validity.check_tune``;
   the slow parse pass is done once and its result shipped in ``checkpoints/corpus.json``; the
   cleaned tunes themselves are shipped too, in ``checkpoints/corpus_tunes.json.gz``, and used
   while the raw text and the cleaning code are those they were made from)
4. ``deduplicate``  -- the same music twice (ignoring title and spacing) is kept once
5. ``split_by_tune``-- a seeded split, so no tune is in both training and validation sets

``load_corpus`` runs them all and reports the counts. Generated tunes are judged against the
training text by ``seqlab.music.judging``.
"""

import functools
import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqlab.data import (
    ABC_COLLECTIONS,
    CHECKPOINTS,
    MUSIC21_CORPUS_STATEMENT,
    CharVocabulary,
    load_abc_text,
)
from seqlab.music.abc_text import clean_tune, join_tunes, music_of, split_tunes
from seqlab.music.rhythm import normalise_rhythm

MANIFEST = CHECKPOINTS / "corpus.json"
CLEANED = CHECKPOINTS / "corpus_tunes.json.gz"  # every collection's cleaned tunes, made by python -m seqlab.music
DEFAULT_COLLECTIONS = ("oneills1850", "ryansMammoth", "airdsAirs")


# ----------------------------------------------------------------------------- deduplication, split

def tune_key(tune: str) -> str:
    """What makes two tunes the same for deduplication: meter, unit, key and music, no spaces."""
    fields = re.findall(r"(?m)^([MLK]):(.*)$", tune.partition("\nK:")[0] + "\nK:" + tune.partition("\nK:")[2].partition("\n")[0])
    return "|".join(f"{k}:{v.strip()}" for k, v in fields) + "#" + re.sub(r"\s+", "", music_of(tune))


def deduplicate(tunes: list[str]) -> tuple[list[str], list[int]]:
    """Keep the first of tunes with the same ``tune_key``; return (kept, indices of the kept ones)."""
    seen, kept, index = set(), [], []
    for i, tune in enumerate(tunes):
        k = tune_key(tune)
        if k not in seen:
            seen.add(k)
            kept.append(tune)
            index.append(i)
    return kept, index


def split_by_tune(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded split of tune indices ``0..n-1``: (train indices, validation indices), each sorted."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = int(round(val_fraction * n)) if n > 1 else 0
    n_val = min(max(n_val, 1 if val_fraction > 0 and n > 1 else 0), n - 1 if n > 1 else n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


# ----------------------------------------------------------------------------- the corpus

@dataclass
class MusicCorpus(CharVocabulary):
    """Clean, unique tunes split by tune. ``counts`` records what each step kept or dropped."""

    train: list[str]
    val: list[str]
    sources: dict[str, list[tuple[str, int]]]  # "train" / "val" -> (collection, tune number) of each
    counts: dict[str, int]
    collections: tuple[str, ...]
    seed: int
    vocab: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.vocab:
            self.vocab = sorted(set(join_tunes(self.train)) | set(join_tunes(self.val)) | set("X:1\n"))

    @property
    def train_text(self) -> str:
        return join_tunes(self.train)

    @property
    def val_text(self) -> str:
        return join_tunes(self.val)

    def encode(self, text: str) -> np.ndarray:
        """Indices of ``text``'s characters, int32 ``(len(text),)``; unknown characters are dropped."""
        table = self.char2idx
        return np.array([table[c] for c in text if c in table], dtype=np.int32)

    def validity(self, split: str = "train") -> float | None:
        """The fraction of the split's tunes that are valid (``seqlab.music.validity.check_tune``), from the
        shipped manifest (measured once for every tune); None when the manifest does not apply."""
        manifest = load_manifest()
        if manifest.get("fingerprint") != fingerprint(self.collections):
            return None
        invalid = {name: set(v) for name, v in manifest["invalid"].items()}
        tunes = self.sources[split]
        return sum(i not in invalid.get(name, ()) for name, i in tunes) / len(tunes) if tunes else None

    def report(self) -> str:
        """The counts as a small table (one line per step)."""
        c = self.counts
        lines = [
            f"collections        {', '.join(self.collections)}",
            f"tunes in the files {c['raw']:>6}",
            f"not a melody       {-c['not_a_tune']:>6}   (no key, no music, or several voices)",
            f"music21 fails      {-c['unparseable']:>6}   (cannot parse, or no notes)",
            f"duplicates         {-c['duplicates']:>6}",
            f"unique tunes       {c['unique']:>6}",
            f"train / validation {c['train']:>6} / {c['val']}   (split by tune, seed {self.seed})",
            f"characters         {len(self.train_text):>6,} / {len(self.val_text):,}; vocabulary {len(self.vocab)}",
        ]
        return "\n".join(lines)


def load_manifest() -> dict:
    """The shipped record of the corpus: unparseable tunes and measured validity figures."""
    return json.loads(MANIFEST.read_text()) if MANIFEST.is_file() else {}


def _unparseable(manifest: dict) -> dict[str, set[int]]:
    return {name: set(v) for name, v in manifest.get("unparseable", {}).items()}


def fingerprint(collections=DEFAULT_COLLECTIONS) -> dict[str, str]:
    """A hash of each collection's cleaned tunes: the manifest applies only while they match."""
    import hashlib

    return {name: hashlib.sha1("\0".join(t or "" for t in clean_collection(name)[0]).encode()).hexdigest()[:16]
            for name in collections}


def provenance(collections=DEFAULT_COLLECTIONS) -> dict[str, dict[str, str]]:
    """Where each collection comes from and under what terms (for the manifest)."""
    from dataclasses import asdict
    from importlib.metadata import version as installed

    version = installed("music21")
    return {name: {**asdict(ABC_COLLECTIONS[name]), "source": f"music21 {version} corpus/{ABC_COLLECTIONS[name].folder}",
                   "music21_statement": MUSIC21_CORPUS_STATEMENT} for name in collections}


def build_manifest(collections=DEFAULT_COLLECTIONS, progress: bool = True) -> dict:
    """Parse and judge every cleaned tune (several minutes); the record ``load_manifest`` reads.

    Run ``python -m seqlab.music`` after changing the cleaning rules or the validity check.
    """
    from seqlab.music.validity import check_tune

    record = {"fingerprint": fingerprint(collections), "unparseable": {}, "invalid": {}, "counts": {},
              "collections": provenance(collections)}
    for name in collections:
        cleaned, _ = clean_collection(name)
        verdicts = {i: check_tune(t) for i, t in enumerate(cleaned) if t is not None}
        record["unparseable"][name] = sorted(i for i, v in verdicts.items() if not v.parses or v.n_notes == 0)
        record["invalid"][name] = sorted(i for i, v in verdicts.items() if not v.ok)
        record["counts"][name] = {"tunes": len(cleaned), "judged": len(verdicts),
                                  "valid": sum(v.ok for v in verdicts.values())}
        if progress:
            print(name, record["counts"][name], flush=True)
    return record


def clean_collection(name: str, normalise: bool = True) -> tuple[list[str | None], int]:
    """The cleaned tunes of one collection, in file order (None for what is not a melody).

    normalise: also write every tune's note lengths one way and space its notes by beat
    (``seqlab.music.rhythm.normalise_rhythm``; the music is unchanged).
    """
    cleaned, n_raw = _cleaned_collection(name, normalise)
    return list(cleaned), n_raw


@functools.cache
def _cleaned_collection(name: str, normalise: bool) -> tuple[tuple[str | None, ...], int]:
    """``clean_collection``'s work, done once per process, and read from the shipped ``CLEANED``
    while it was made from the same raw text by the same cleaning code (normalising takes many
    seconds, and ``load_corpus``, ``fingerprint`` and ``MusicCorpus.validity`` all need it)."""
    shipped = _shipped_cleaned().get(name) if normalise else None
    if shipped is not None and shipped["key"] == cleaning_key(name):
        return tuple(shipped["tunes"]), shipped["n_raw"]
    return clean_afresh(name, normalise)


def clean_afresh(name: str, normalise: bool = True) -> tuple[tuple[str | None, ...], int]:
    """Clean one collection now, ignoring what is shipped: (tunes or None, number of raw tunes)."""
    raw = split_tunes(load_abc_text(name))
    cleaned = [clean_tune(t) for t in raw]
    if normalise:
        cleaned = [None if t is None else normalise_rhythm(t) for t in cleaned]
    return tuple(cleaned), len(raw)


def cleaning_key(name: str) -> str:
    """What a collection's cleaned tunes depend on: its raw text and the cleaning code's source."""
    import hashlib

    from seqlab.music import abc_text, rhythm

    digest = hashlib.sha1(load_abc_text(name).encode())
    for module in (abc_text, rhythm):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _shipped_cleaned() -> dict:
    return json.loads(gzip.decompress(CLEANED.read_bytes())) if CLEANED.is_file() else {}


def write_cleaned(collections=DEFAULT_COLLECTIONS) -> None:
    """Ship every collection's cleaned tunes (``CLEANED``), with the key they were made under."""
    record = {}
    for name in collections:
        tunes, n_raw = clean_afresh(name)
        record[name] = {"key": cleaning_key(name), "n_raw": n_raw, "tunes": list(tunes)}
    CLEANED.write_bytes(gzip.compress(json.dumps(record).encode(), mtime=0))
    _shipped_cleaned.cache_clear()


def load_corpus(collections=DEFAULT_COLLECTIONS, val_fraction: float = 0.1, seed: int = 0,
                max_tunes: int | None = None, parse_check: bool = False) -> MusicCorpus:
    """The course's music corpus from music21's ABC collections, split by tune.

    parse_check False: drop the tunes the shipped manifest lists as unparseable (instant);
    True: parse every tune with music21 now (about 30 ms a tune).
    max_tunes: keep only this many unique tunes (a seeded choice), e.g. for fast mode; the
    vocabulary is still that of all tunes, so a model trained on either fits the other.
    """
    unparseable = {} if parse_check else _unparseable(load_manifest())
    tunes, sources = [], []
    counts = {"raw": 0, "not_a_tune": 0, "unparseable": 0}
    for name in collections:
        if name not in ABC_COLLECTIONS:
            raise KeyError(f"unknown ABC collection {name!r}; choose from {sorted(ABC_COLLECTIONS)}")
        cleaned, n_raw = clean_collection(name)
        counts["raw"] += n_raw
        for i, tune in enumerate(cleaned):
            if tune is None:
                counts["not_a_tune"] += 1
                continue
            if i in unparseable.get(name, ()):
                counts["unparseable"] += 1
                continue
            if parse_check:
                from seqlab.music.validity import check_tune

                if not check_tune(tune).parses:
                    counts["unparseable"] += 1
                    continue
            tunes.append(tune)
            sources.append((name, i))
    unique, index = deduplicate(tunes)
    sources = [sources[i] for i in index]
    counts["duplicates"] = len(tunes) - len(unique)
    counts["unique"] = len(unique)
    vocab = sorted(set("".join(unique)) | set("X:1\n"))  # of every unique tune, whatever max_tunes
    if max_tunes is not None and max_tunes < len(unique):
        keep = np.sort(np.random.default_rng(seed + 1).permutation(len(unique))[:max_tunes])
        unique, sources = [unique[i] for i in keep], [sources[i] for i in keep]
    train_i, val_i = split_by_tune(len(unique), val_fraction, seed)
    counts["train"], counts["val"] = len(train_i), len(val_i)
    return MusicCorpus(
        train=[unique[i] for i in train_i], val=[unique[i] for i in val_i],
        sources={"train": [sources[i] for i in train_i], "val": [sources[i] for i in val_i]},
        counts=counts, collections=tuple(collections), seed=seed, vocab=vocab,
    )
