"""Unit 05_music_generation: a character model writes folk tunes in ABC notation.

- ``seqlab.music.abc_text`` -- ABC text without music21: split a file into tunes, clean a tune,
  read its fields, cut generated text into tunes
- ``seqlab.music.rhythm``   -- note lengths read and written one way, notes spaced by beat
- ``seqlab.music.corpus``   -- the corpus: collections -> clean, unique tunes -> a seeded split by
  tune, its shipped manifest and cleaned tunes (``python -m seqlab.music`` rebuilds both)
- ``seqlab.music.validity`` -- a tune read with music21, and judged: does it parse, do its bars
  fit its meter
- ``seqlab.music.judging``  -- generated tunes judged: validity and memorisation
- ``seqlab.music.audio``    -- hear and see a tune: a numpy synthesiser, WAV bytes, a piano roll
- ``seqlab.music.jukebox``  -- ``Jukebox``: sample at a temperature and top-k, judge, listen
- ``seqlab.music.decoding`` -- sampling, greedy and beam search on a stepper; how repetitive a text is
- ``seqlab.music.stateful`` -- truncated BPTT with the LSTM's state carried across windows
- ``seqlab.music.carry_experiment`` -- windowed vs carried-state training, judged by validity

The training loop and the shipped checkpoint are the core's (``seqlab.train``); the collections'
text and provenance are ``seqlab.data``'s, and offered here too. Every name below can be imported
from ``seqlab.music`` itself; importing the package is instant (music21, matplotlib and ipywidgets
load when a name that needs them is first used).
"""

from seqlab._lazy import lazy_names

__getattr__, __dir__, __all__ = lazy_names(__name__, {
    "corpus": ["MANIFEST", "DEFAULT_COLLECTIONS", "tune_key", "deduplicate", "split_by_tune",
               "MusicCorpus", "load_manifest", "fingerprint", "provenance", "build_manifest",
               "clean_collection", "clean_afresh", "cleaning_key", "write_cleaned", "load_corpus",
               # from seqlab.data, offered here as before
               "CHECKPOINTS", "ABC_COLLECTIONS", "MUSIC21_CORPUS_STATEMENT", "CharVocabulary",
               "load_abc_text"],
    "judging": ["Verdict", "judge_tunes", "judgement_table", "longest_shared_run"],
    "abc_text": ["TUNE_SEPARATOR", "split_tunes", "normalise_key", "clean_tune", "music_of",
                 "title_of", "join_tunes", "split_generated", "complete_tunes"],
    "rhythm": ["parse_length", "format_length", "meter_length", "default_unit", "beat_of",
               "normalise_rhythm"],
    "validity": ["parse_abc", "melody_of", "Validity", "bar_lengths", "section_edges", "judge_bars",
                 "check_tune", "validity_rate"],
    "audio": ["SAMPLE_RATE", "HARMONICS", "NOTE_NAMES", "Rendering", "note_events", "synthesize",
              "wav_bytes", "render", "audio_element", "play", "piano_roll"],
    "jukebox": ["Sampler", "Jukebox"],
    "decoding": ["Decoded", "keras_stepper", "read_start", "sample", "beam_search", "score", "distinct_ngram_share",
                 "longest_repeat"],
    "stateful": ["StreamBatch", "stream_batches", "StatefulLSTM", "build_stateful_lstm", "CarriedStateStep",
                 "carried_state_loss"],
    "carry_experiment": ["CarryConfig", "CONFIGS", "ArmResult", "encode_text", "encoded_tunes", "train_arm", "write_tunes",
                         "run_arm", "read_runs", "run_table", "pooled_table", "pooled_validity", "reproducing_command"],
})
