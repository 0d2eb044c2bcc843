"""seqlab.music: tunes (``abc_text``), cleaning, deduplication and the split (``corpus``), validity
(``validity``), memorisation (``judging``)."""

import numpy as np
import pytest

from seqlab import music
from seqlab.data import ABC_COLLECTIONS
from seqlab.music import corpus

RAW = """% a comment line
X: 7
T: The Test Reel
T: another title
M: C|
L: 1/8
R: reel
Z: "someone"
K: E Minor
"Em"u((3DEF) |\\
vG2GA BcdB | !trill!cBcd e2 "_f"de | [K:D] gfge dBGB:|
P:B
M:6/8
ABc def |]
"""

VALID = "X:1\nT:Scale\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|\n"
PICKUP = "X:1\nT:Pickup\nM:3/4\nL:1/4\nK:G\nD|GAB|c2B|A3|G2|]\n"
SPLIT = "X:1\nT:Split\nM:2/4\nL:1/8\nK:D\nA|d2 f2|e2 d||A|d4|d3|]\n"
LONG_BAR = "X:1\nT:Broken\nM:2/4\nL:1/8\nK:D\nd2 f2|e2 d2 c2|d4|]\n"
# sections with pickups: a short bar before ":|", "||" or an ending, the pickup after it
SECTIONS = ("X:1\nT:Sections\nM:6/8\nL:1/8\nK:G\nD|GAB dBG|AGE E2:|\nd|efg dBG|\n"
            "[1 ABc d2:|[2 ABc BAG||\n|:B|cBA GAB|cBA G2:|\n")
SHORT_INSIDE = "X:1\nT:Short inside\nM:6/8\nL:1/8\nK:G\nGAB dBG|AGE E2|GAB dBG|d3 d3|]\n"


def test_split_tunes_keeps_each_x_field_with_its_tune():
    text = "% header\nX:1\nT:a\nK:C\nC\n\nX:2\nT:b\nK:G\nG\n"
    tunes = music.split_tunes(text)
    assert [t.splitlines()[0] for t in tunes] == ["X:1", "X:2"]
    assert music.split_tunes("no tunes here") == []


def test_clean_tune_keeps_the_fields_and_music_and_drops_the_rest():
    tune = music.clean_tune(RAW)
    lines = tune.splitlines()
    assert lines[:5] == ["X:1", "T:The Test Reel", "M:C|", "L:1/8", "K:Em"]
    body = "\n".join(lines[5:])
    for gone in ('"', "!", "u", "v", "\\", "R:", "Z:", "P:", "%"):
        assert gone not in body, gone
    assert "[K:D]" in body and "M:6/8" in body  # changes of key and meter are kept
    assert body.startswith("(3DEF |\nG2GA BcdB | cBcd e2 de |")  # slur gone, triplet kept
    assert tune.endswith("|]\n") and "\n\n" not in tune


@pytest.mark.parametrize("raw", ["X:1\nT:no key\nCDE\n", "X:1\nK:C\n% only a comment\n",
                                 "X:1\nT:two voices\nK:C\nV:1\nCDE\nV:2\nEFG\n"])
def test_clean_tune_refuses_what_is_not_a_melody(raw):
    assert music.clean_tune(raw) is None


def test_missing_unit_length_follows_the_abc_rule():
    assert "L:1/16" in music.clean_tune("X:1\nM:2/4\nK:G\nGABc\n")
    assert "L:1/8" in music.clean_tune("X:1\nM:6/8\nK:G\nGAB\n")


@pytest.mark.parametrize("given, short", [("E Minor", "Em"), ("A Mixolydian", "Amix"), ("Ador", "Ador"),
                                          ("G", "G"), ("Bb", "Bb"), ("AMix", "Amix"), ("D exp _b", "D exp _b")])
def test_keys_are_written_in_short_form(given, short):
    assert music.normalise_key(given) == short


def test_deduplicate_ignores_titles_and_spacing_but_not_the_music():
    a = "X:1\nT:One\nM:C\nL:1/8\nK:G\nGABc dedB|\n"
    b = "X:1\nT:Two\nM:C\nL:1/8\nK:G\nGABc  dedB |\n"
    c = "X:1\nT:One\nM:C\nL:1/8\nK:D\nGABc dedB|\n"
    kept, index = music.deduplicate([a, b, c, a])
    assert kept == [a, c] and index == [0, 2]


def test_split_by_tune_is_seeded_disjoint_and_complete():
    train_a, val_a = music.split_by_tune(100, 0.1, seed=3)
    train_b, val_b = music.split_by_tune(100, 0.1, seed=3)
    _, val_c = music.split_by_tune(100, 0.1, seed=4)
    assert (train_a == train_b).all() and (val_a == val_b).all()
    assert not np.array_equal(val_a, val_c)
    assert len(val_a) == 10 and sorted(np.concatenate([train_a, val_a]).tolist()) == list(range(100))


def test_load_corpus_counts_add_up_and_the_vocabulary_does_not_depend_on_size():
    full = music.load_corpus()
    small = music.load_corpus(max_tunes=50)
    c = full.counts
    assert c["raw"] - c["not_a_tune"] - c["unparseable"] - c["duplicates"] == c["unique"] == c["train"] + c["val"]
    assert c["unique"] > 4000 and 0.08 < c["val"] / c["unique"] < 0.12
    assert small.counts["train"] + small.counts["val"] == 50
    assert small.vocab == full.vocab and "\n" in full.vocab and len(full.vocab) < 100
    assert not set(full.train) & set(full.val), "no tune in both sets"
    assert {name for name, _ in full.sources["train"]} == set(music.DEFAULT_COLLECTIONS) <= set(ABC_COLLECTIONS)
    ids = full.encode(full.val_text)
    assert ids.dtype == np.int32 and "".join(full.idx2char[ids]) == full.val_text
    assert "train / validation" in full.report()


def test_the_shipped_manifest_matches_the_cleaning_and_gives_the_validity_rate():
    manifest = music.load_manifest()
    assert manifest["fingerprint"] == music.fingerprint(), "cleaning changed: run python -m seqlab.music"
    corpus = music.load_corpus()
    rate = corpus.validity("train")
    assert 0.8 < rate < 0.97, rate


@pytest.mark.parametrize("name", corpus.DEFAULT_COLLECTIONS)
def test_the_shipped_cleaned_tunes_are_what_cleaning_gives_now(name):
    """``checkpoints/corpus_tunes.json.gz`` is read in place of cleaning while its key matches;
    it must hold exactly what cleaning the raw text now gives."""
    shipped = corpus._shipped_cleaned()[name]
    assert shipped["key"] == corpus.cleaning_key(name), "cleaning changed: run python -m seqlab.music"
    assert (tuple(shipped["tunes"]), shipped["n_raw"]) == corpus.clean_afresh(name)


def test_cleaning_falls_back_to_the_code_when_the_shipped_key_differs(monkeypatch):
    corpus._cleaned_collection.cache_clear()
    monkeypatch.setattr(corpus, "cleaning_key", lambda name: "changed")
    try:
        with monkeypatch.context() as m:
            m.setattr(corpus, "clean_afresh", lambda name, normalise=True: (("X:1\nK:C\nC|\n",), 1))
            assert music.clean_collection("oneills1850") == (["X:1\nK:C\nC|\n"], 1)
    finally:
        corpus._cleaned_collection.cache_clear()


def test_the_manifest_agrees_with_music21_on_a_sample_of_tunes():
    cleaned, _ = music.clean_collection("oneills1850")
    invalid = set(music.load_manifest()["invalid"]["oneills1850"])
    for i in list(range(0, 2000, 250)) + sorted(invalid)[:3]:
        assert music.check_tune(cleaned[i]).ok == (i not in invalid), i


@pytest.mark.parametrize("tune", [VALID, PICKUP, SPLIT, SECTIONS])
def test_valid_tunes_pass(tune):
    verdict = music.check_tune(tune)
    assert verdict.ok, verdict.reason
    assert verdict.n_notes > 0 and "valid" in str(verdict)


@pytest.mark.parametrize("tune, why", [
    (LONG_BAR, "bars break the meter"),
    (SHORT_INSIDE, "bar 2 lasts 5/2 quarter notes instead of 3"),
    ("X:1\nT:empty\nM:4/4\nK:C\n", "no notes"),
    ("this is not ABC at all", "not an ABC tune"),
    ("X:1\nT:x\nM:4/4\nL:1/4\nK:C\nCDEF|GA|BcBA|GFED|C4|]\n", "bars break the meter"),
])
def test_invalid_tunes_fail_with_a_reason(tune, why):
    verdict = music.check_tune(tune)
    assert not verdict.ok and why in verdict.reason, verdict.reason


def test_judge_bars_allows_pickup_last_and_split_bars_only():
    full, short = (2.0, 2.0), (0.5, 2.0)
    assert music.judge_bars([short, full, full, short]) == []
    assert music.judge_bars([full, (1.5, 2.0), (0.5, 2.0), full]) == []
    assert [b[0] for b in music.judge_bars([full, short, full, full])] == [1]
    assert [b[0] for b in music.judge_bars([full, (2.5, 2.0), full])] == [1]
    # at a section's edge a short bar passes; an over-full one never does
    assert music.judge_bars([full, short, full, full], edges=[False, True, True, False]) == []
    assert [b[0] for b in music.judge_bars([full, (2.5, 2.0), full], edges=[False, True, False])] == [1]


def test_section_edges_follow_repeats_double_bars_and_endings():
    edges = music.section_edges(music.parse_abc(SECTIONS, rebar=False))
    # bars: D | GAB dBG | AGE E2 :| d | efg dBG | [1 ABc d2 :| [2 ABc BAG || B | cBA GAB | cBA G2 :|
    assert edges == [False, False, True, True, True, True, True, True, False, True]


def test_validity_rate_counts_valid_tunes():
    assert music.validity_rate([VALID, LONG_BAR, PICKUP, "garbage"]) == 0.5
    assert music.validity_rate([]) == 0.0


def test_generated_text_splits_into_tunes_and_cut_off_tunes_are_dropped():
    text = "X:1\nT:a\nK:C\nCDE|\n\nX:1\nT:b\nK:G\nGAB|\n\nX:1\nT:c\nK:D\nDE"
    assert [music.title_of(t) for t in music.split_generated(text)] == ["a", "b", "c"]
    assert [music.title_of(t) for t in music.complete_tunes(text)] == ["a", "b"]
    assert music.complete_tunes("X:1\nT:only\nK:C\nCD") == []


def test_longest_shared_run_finds_the_longest_common_substring():
    assert music.longest_shared_run("xxabcdyy", "--abcd--ab") == "abcd"
    assert music.longest_shared_run("zzz", "abc") == ""
    assert music.longest_shared_run("", "abc") == ""
    rng = np.random.default_rng(0)
    ref = "".join(rng.choice(list("abcdefg"), size=400))
    text = "QQ" + ref[100:137] + "QQ"
    assert music.longest_shared_run(text, ref) == ref[100:137]


def test_judgement_table_summarises_a_batch():
    verdicts = music.judge_tunes([VALID, LONG_BAR], train_text=VALID)
    assert [v.valid for v in verdicts] == [True, False]
    assert len(verdicts[0].shared) == len(VALID)
    table = music.judgement_table(verdicts, train_validity=0.9)
    assert "valid: 50% of 2 tunes (training tunes: 90%)" in table
    assert "no finished tune" in music.judgement_table([])


def test_clean_tune_decodes_a_tune_saved_quoted_printable():
    raw = "X:1\nT:q\nM:2/4\nL:1/16\nK:D\nDFAF BFAd | faAc =\nedd2 |=20\n=3Dc2d2 e4 |]\n"
    body = music.music_of(music.clean_tune(raw))
    assert body == "DFAF BFAd | faAc edd2 |\n=c2d2 e4 |]\n"
