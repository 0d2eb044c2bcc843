"""Tests for seqlab.attention.dates: the synthetic date-translation data and its tokenisation."""

import datetime as dt

import numpy as np
import pytest

from seqlab.attention import dates

MAY3 = dt.date(1997, 5, 3)


def test_ordinal_suffixes():
    assert [dates.ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


@pytest.mark.parametrize("fmt, expected", [
    ("3 May 1997", "3 may 1997"),
    ("3rd of May 1997", "3rd of may 1997"),
    ("the 3rd of May, 1997", "the 3rd of may, 1997"),
    ("May 3, 1997", "may 3, 1997"),
    ("may 3, 97", "may 3, 97"),
    ("Saturday, May 3, 1997", "saturday, may 3, 1997"),
    ("Saturday the 3rd of May 1997", "saturday the 3rd of may 1997"),
    ("03.05.1997", "03.05.1997"),
    ("3.5.97", "3.5.97"),
    ("05/03/1997", "05/03/1997"),
    ("5/3/97", "5/3/97"),
    ("1997/05/03", "1997/05/03"),
    ("1997-05-03", "1997-05-03"),
])
def test_formats_write_the_date_as_named(fmt, expected):
    assert dates.format_date(MAY3, fmt, np.random.default_rng(0)).lower() == expected


def test_every_format_is_named_after_may_3rd_1997():
    """The name of a format is 3 May 1997 written in it (up to case and an abbreviation dot)."""
    for name in dates.FORMATS:
        for seed in range(5):
            text = dates.format_date(MAY3, name, np.random.default_rng(seed))
            assert text.lower().replace(".", "") == name.lower().replace(".", "").replace(
                "sep", "may"), (name, text)


def test_weekdays_are_right():
    text = dates.FORMATS["Saturday, May 3, 1997"](dt.date(2024, 2, 29), None)
    assert text == "Thursday, February 29, 2024"


def test_two_digit_years_are_unambiguous_in_the_range():
    assert dates.FIRST_DATE.year % 100 == 50 and dates.LAST_DATE.year - dates.FIRST_DATE.year == 99
    rng = np.random.default_rng(1)
    human, iso, fmt = dates.sample_dates(300, dates.all_dates(), rng, formats=["5/3/97"], in_text=0)
    for h, i in zip(human, iso):
        month, day, yy = (int(part) for part in h.split("/"))
        year = 1900 + yy if yy >= 50 else 2000 + yy
        assert dt.date(year, month, day).isoformat() == i


def test_split_dates_is_disjoint_complete_and_seeded():
    train, test = dates.split_dates(seed=3, test_fraction=0.2)
    every = dates.all_dates()
    assert len(np.intersect1d(train, test)) == 0
    assert np.array_equal(np.union1d(train, test), every)
    assert abs(len(test) - 0.2 * len(every)) <= 1
    train2, test2 = dates.split_dates(seed=3, test_fraction=0.2)
    assert np.array_equal(test, test2) and not np.array_equal(test, dates.split_dates(4)[1])


def test_make_date_data_is_reproducible_and_held_out_dates_are_unseen():
    a = dates.make_date_data(500, 200, seed=7)
    b = dates.make_date_data(500, 200, seed=7)
    c = dates.make_date_data(500, 200, seed=8)
    assert a.train_human == b.train_human and a.test_iso == b.test_iso
    assert a.train_human != c.train_human
    assert len(a.train_human) == len(a.train_iso) == 500
    assert len(a.test_human) == len(a.test_iso) == len(a.test_format) == 200
    assert not set(a.train_iso) & set(a.test_iso), "a held-out date occurs in training"
    assert set(a.test_format) <= set(dates.FORMATS)
    for iso in a.train_iso + a.test_iso:
        assert dates.FIRST_DATE <= dt.date.fromisoformat(iso) <= dates.LAST_DATE


def test_the_date_itself_always_fits_the_input():
    """Only a phrase's suffix can be cut by ``encode_inputs``, never a part of the date."""
    september = [dt.date(2049, 9, day) for day in range(1, 31)]  # the longest month, every weekday
    longest_date = max(len(dates.FORMATS[name](day, np.random.default_rng(0))) + 1  # + "."
                       for name in dates.FORMATS for day in september)
    assert longest_date + max(len(p) for p in dates.PREFIXES) <= dates.MAX_INPUT_LEN


def test_examples_use_only_known_characters_and_half_are_in_phrases():
    data = dates.make_date_data(3000, 0, seed=0)
    ids = dates.encode_inputs(data.train_human)
    assert not (ids == dates.UNK).any()
    some_in_text = sum(h[0].isalpha() and h.split()[0].lower() in
                       {p.split()[0].lower() for p in dates.PREFIXES} for h in data.train_human)
    assert 0.3 < some_in_text / len(data.train_human) < 0.7  # about half are inside a phrase


def test_encode_inputs_pads_lowercases_and_cuts():
    ids = dates.encode_inputs(["Ab", "", "x" * 100, "é"], max_len=5)
    assert ids.shape == (4, 5) and ids.dtype == np.int32
    a, b = dates._INPUT_ID["a"], dates._INPUT_ID["b"]
    assert ids[0].tolist() == [a, b, 0, 0, 0]
    assert (ids[1] == dates.PAD).all()
    assert (ids[2] == dates._INPUT_ID["x"]).all()
    assert ids[3, 0] == dates.UNK
    assert dates.input_lengths(ids).tolist() == [2, 0, 5, 1]
    assert dates.encode_inputs([], max_len=3).shape == (0, 3)


def test_targets_round_trip_and_teacher_forcing():
    isos = ["1997-05-03", "2049-12-31"]
    targets = dates.encode_targets(isos)
    assert targets.shape == (2, dates.ISO_LEN) and targets.dtype == np.int32
    assert dates.decode_targets(targets) == isos
    shifted = dates.decoder_inputs(targets)
    assert (shifted[:, 0] == dates.START).all()
    assert (shifted[:, 1:] == targets[:, :-1]).all()
    assert dates.decode_targets(shifted)[0] == "^1997-05-0"
    with pytest.raises(ValueError):
        dates.encode_targets(["1997-5-3"])
    assert dates.OUTPUT_VOCAB_SIZE == dates.START + 1
