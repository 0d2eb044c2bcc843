import subprocess
import sys

import pytest

from seqlab import config
from seqlab.data import ABC_COLLECTIONS, abc_files, first_tune, load_abc_text, words


@pytest.mark.parametrize("name", sorted(ABC_COLLECTIONS))
def test_every_collection_ships_with_music21_and_records_its_provenance(name):
    files = abc_files(name)
    assert files, f"no ABC files for {name}"
    info = ABC_COLLECTIONS[name]
    assert info.provenance and info.licence and info.title


def test_load_abc_text_is_tunes_in_abc_notation():
    text = load_abc_text("oneills1850")
    assert len(text) > 500_000
    assert text.count("\nX:") > 1000
    tune = first_tune(text)
    assert tune.startswith("X:") and "\nK:" in tune and "\nX:" not in tune
    assert load_abc_text("oneills1850", max_chars=100) == text[:100]


def test_unknown_collection_names_the_choices():
    with pytest.raises(KeyError, match="oneills1850"):
        abc_files("essenFolksong")


def test_first_tune_of_text_without_tunes_is_empty():
    assert first_tune("no tunes here") == ""


def test_words_lowercases_and_drops_punctuation():
    assert words("The food was good, not bad at all!") == [
        "the", "food", "was", "good", "not", "bad", "at", "all",
    ]
    assert words("I don't") == ["i", "don't"]
    assert words("") == []


@pytest.mark.parametrize("value, fast", [("1", True), ("true", True), ("YES", True), ("0", False), ("", False)])
def test_fast_mode_reads_seqlab_fast(monkeypatch, value, fast):
    monkeypatch.setenv("SEQLAB_FAST", value)
    assert config.fast_mode() is fast
    assert config.scaled(1000, 10) == (10 if fast else 1000)


def test_importing_seqlab_then_tensorflow_writes_nothing_to_stderr():
    code = (
        "import warnings, seqlab, tensorflow as tf, keras\n"
        "keras.layers.Dense(2)(tf.zeros((1, 3)))\n"
        "warnings.warn('shown on stdout, not stderr')\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k not in {"TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS"}}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "shown on stdout" in done.stdout


def test_importing_seqlab_does_not_import_tensorflow():
    code = "import sys, seqlab, seqlab.checks, seqlab.data; print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False"
