"""What ships with the course, and nothing is downloaded: text corpora, the word tokenizer, the
character lookups, and the folder of shipped files.

- ``ABC_COLLECTIONS``, ``abc_files``, ``load_abc_text``, ``first_tune`` -- the music corpus: the ABC
  notation that ships inside the ``music21`` wheel (traditional Irish and Scottish collections,
  public-domain tunes). Files are read as plain text, without importing music21, so loading is
  instant.
- ``words`` -- the labs' word tokenizer; ``CharVocabulary`` -- a character list's lookups both ways.
- ``CHECKPOINTS`` -- the folder of shipped files: trained weights, the music corpus's cleaned tunes and manifest.
"""

import re
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"


@dataclass(frozen=True)
class AbcCollection:
    """One ABC collection in music21's corpus and where it comes from."""

    folder: str  # sub-folder of music21/corpus
    title: str
    provenance: str
    licence: str


# What music21 says of its corpus, in its own words, and what that means for these collections.
MUSIC21_CORPUS_STATEMENT = (
    "The encoded musical scores in the corpus have their own copyrights and licenses. The "
    "underlying music is believed to be in the public domain in the US, EU, and Canada (and most "
    "of the world) and the encodings are also either public domain or used by permission."
)
MUSIC21_CORPUS_LICENCE = (
    "tunes traditional and in the public domain; music21 says the encodings in its corpus are "
    "'either public domain or used by permission' and have their own copyrights and licences"
)

ABC_COLLECTIONS: dict[str, AbcCollection] = {
    "oneills1850": AbcCollection(
        "oneills1850",
        "O'Neill's Music of Ireland (1850 tunes), 1903",
        "Francis O'Neill's collection; ABC transcription by Norbert Paap and others, "
        "distributed in music21's corpus",
        MUSIC21_CORPUS_LICENCE,
    ),
    "ryansMammoth": AbcCollection(
        "ryansMammoth",
        "Ryan's Mammoth Collection, 1883",
        "William Bradbury Ryan's collection of fiddle tunes; ABC transcription distributed in "
        "music21's corpus",
        MUSIC21_CORPUS_LICENCE,
    ),
    "airdsAirs": AbcCollection(
        "airdsAirs",
        "Aird's Selection of Scotch, English, Irish and Foreign Airs, 1782-1803",
        "James Aird's collection; ABC transcription distributed in music21's corpus",
        MUSIC21_CORPUS_LICENCE,
    ),
}


def music21_corpus_dir() -> Path:
    """The ``corpus`` folder inside the installed music21 package (found without importing it)."""
    spec = find_spec("music21")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("music21 is not installed; run `make setup` in the course folder")
    return Path(spec.origin).parent / "corpus"


def abc_files(name: str) -> list[Path]:
    """The ABC files of collection ``name`` (a key of ``ABC_COLLECTIONS``), in a fixed order."""
    if name not in ABC_COLLECTIONS:
        raise KeyError(f"unknown ABC collection {name!r}; choose from {sorted(ABC_COLLECTIONS)}")
    folder = music21_corpus_dir() / ABC_COLLECTIONS[name].folder
    return sorted(folder.glob("*.abc"))


def load_abc_text(name: str = "oneills1850", max_chars: int | None = None) -> str:
    """The raw ABC text of one collection, files joined in order, optionally cut to ``max_chars``."""
    parts = [path.read_text(encoding="utf-8", errors="replace") for path in abc_files(name)]
    text = "\n".join(parts).replace("\r\n", "\n")
    return text if max_chars is None else text[:max_chars]


def first_tune(abc_text: str) -> str:
    """The first tune of an ABC text: from its first ``X:`` line up to the next one."""
    start = abc_text.find("X:")
    if start < 0:
        return ""
    end = abc_text.find("\nX:", start + 1)
    return abc_text[start:] if end < 0 else abc_text[start : end + 1]


class CharVocabulary:
    """Mixin for anything with a character list ``vocab``: the lookups both ways."""

    vocab: list[str]

    @property
    def char2idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.vocab)}

    @property
    def idx2char(self):
        """The characters as a numpy array ``(V,)``, so that ``idx2char[ids]`` decodes."""
        import numpy as np

        return np.array(self.vocab)


def words(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (letters, digits and apostrophes): the lab's tokenizer."""
    return re.findall(r"[a-z0-9']+", text.lower())
