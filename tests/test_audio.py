"""seqlab.music.audio: ABC -> notes -> WAV bytes -> an Audio element; piano roll; the jukebox widget."""

import io
import wave

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from seqlab import music  # noqa: E402

SCALE = "X:1\nT:Scale\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|\n"
REPEAT = "X:1\nT:Twice\nM:2/4\nL:1/4\nK:G\n|:GA|Bc|dB:|\n"
TIED = "X:1\nT:Tied\nM:4/4\nL:1/4\nK:C\nC2-C2|E4|\n"


def test_note_events_follow_the_score():
    events = music.note_events(SCALE, bpm=120)
    assert events.shape == (8, 3)
    assert events[:, 0].tolist() == [60, 62, 64, 65, 67, 69, 71, 72]  # C4 .. C5
    assert np.allclose(events[:, 1], 0.5 * np.arange(8)) and np.allclose(events[:, 2], 0.5)


def test_repeats_are_played_twice_and_ties_held():
    assert len(music.note_events(REPEAT)) == 12
    assert len(music.note_events(REPEAT, repeats=False)) == 6
    tied = music.note_events(TIED, bpm=60)
    assert tied[:, 0].tolist() == [60, 64] and np.allclose(tied[:, 2], [4.0, 4.0])


def test_synthesize_is_bounded_and_as_long_as_the_notes():
    events = np.array([[69, 0.0, 0.5], [76, 0.5, 0.5]])
    wave_ = music.synthesize(events, sample_rate=8000)
    assert wave_.dtype == np.float32 and np.abs(wave_).max() <= 0.9 + 1e-6
    assert abs(len(wave_) / 8000 - 1.3) < 0.01
    spectrum = np.abs(np.fft.rfft(wave_[:4000]))
    assert abs(np.argmax(spectrum) * 8000 / 4000 - 440) < 3  # the first note is A4
    assert len(music.synthesize(np.zeros((0, 3)))) == 0


def test_render_gives_a_valid_wav_in_memory():
    r = music.render(SCALE, bpm=120)
    assert r.ok and "8 notes" in r.message
    with wave.open(io.BytesIO(r.wav)) as f:
        assert f.getnchannels() == 1 and f.getsampwidth() == 2 and f.getframerate() == music.SAMPLE_RATE
        assert abs(f.getnframes() / f.getframerate() - r.seconds) < 1e-6
    assert 4.0 < r.seconds < 4.5


def test_render_stops_at_max_seconds():
    long_tune = "X:1\nT:Long\nM:4/4\nL:1/4\nK:C\n" + "CDEF|" * 40 + "\n"
    r = music.render(long_tune, bpm=120, max_seconds=5)
    assert r.ok and r.events[:, 1].max() < 5 and r.seconds < 5.5


@pytest.mark.parametrize("bad", ["", "not abc at all", "X:1\nT:empty\nK:C\n", "X:1\nK:G\n|:(((]]] zzz", None])
def test_bad_abc_gives_a_message_never_an_exception(bad):
    r = music.render(bad)
    assert not r.ok and r.message.startswith("cannot play this tune") and r.wav == b""
    element = music.play(bad)
    assert "cannot play this tune" in element._repr_html_()


def test_play_embeds_the_wav_in_an_audio_element():
    from IPython.display import Audio

    element = music.play(SCALE)
    assert isinstance(element, Audio)
    html = element._repr_html_()
    assert "<audio" in html and "data:audio/wav;base64," in html


def test_piano_roll_draws_notes_or_the_reason():
    ax = music.piano_roll(SCALE, title="scale")
    assert len(ax.collections[0].get_paths()) == 8 and ax.get_title() == "scale"
    ax = music.piano_roll("no tune")
    assert "cannot play" in ax.get_title() and not ax.collections
    ax = music.piano_roll(np.array([[60, 0, 1], [64, 1, 1]]))
    assert ax.get_xlim()[1] > 2


def test_jukebox_regenerates_and_replays_when_a_control_changes():
    from seqlab.music import Jukebox

    calls = []

    def sample(temperature, top_k, seed):  # a fake model: valid tunes only below temperature 1
        calls.append((temperature, top_k, seed))
        body = "CDEF|GABc|" if temperature < 1 else "CDEF|GABcd|"
        return f"X:1\nT:Seed {seed}\nM:4/4\nL:1/4\nK:C\n{body}\n\nX:1\nT:cut off\nK:C\nCD"

    box = Jukebox(sample, train_text=SCALE, train_validity=0.9, temperature=0.5, seed=3)
    assert calls == [(0.5, 0, 3)] and [t.splitlines()[1] for t in box.tunes] == ["T:Seed 3"]
    assert "valid: 100% of 1 tunes" in box.table.value
    first_audio, first_roll = box.player.outputs, box.roll.value
    assert "data:audio/wav;base64," in first_audio[0]["data"]["text/html"]
    assert bytes(first_roll).startswith(b"\x89PNG")
    box.temperature.value = 1.2
    assert calls[-1] == (1.2, 0, 3) and "valid: 0% of 1 tunes" in box.table.value
    box.top_k.value = 5
    assert calls[-1] == (1.2, 5, 3)
    box.regenerate.click()
    assert calls[-1] == (1.2, 5, 4) and "Seed 4" in box.text.value
    assert box.player.outputs != first_audio
