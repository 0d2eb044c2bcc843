"""Hear and see a tune: ABC -> music21 notes -> a numpy synthesiser -> WAV bytes in memory.

No system programs, no sound fonts, nothing downloaded: each note is a few harmonics of a sine
with a plucked envelope, summed with numpy and written as 16-bit PCM by the standard ``wave``
module. ``play`` returns an ``IPython.display.Audio`` element with the WAV embedded (it plays
offline, in any browser); a tune that cannot be read gives a clear message instead of an error.
``piano_roll`` draws the notes.
"""

import io
import wave
from dataclasses import dataclass, field

import numpy as np

from seqlab.music.validity import melody_of, parse_abc

SAMPLE_RATE = 16_000  # Hz; plenty for a melody, and keeps the embedded audio small
HARMONICS = np.array([1.0, 0.5, 0.3, 0.15, 0.08])  # amplitude of partials 1..5 (a reedy tone)


@dataclass
class Rendering:
    """A tune as notes and sound. ``events``: (n, 3) float rows of (MIDI pitch, start s, length s)."""

    ok: bool
    message: str
    events: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    wav: bytes = b""
    seconds: float = 0.0


def note_events(tune: str, bpm: float = 140.0, repeats: bool = True, max_seconds: float = 60.0) -> np.ndarray:
    """The melody's notes as rows (MIDI pitch, start seconds, length seconds), in time order.

    bpm: quarter notes per minute. repeats: play ``|: :|`` sections twice when music21 can expand
    them. Chords give one row per pitch; grace notes (no length) are skipped. Raises ``ValueError``
    when the tune cannot be parsed.
    """
    score = parse_abc(tune)
    melody = melody_of(score)
    if repeats:
        try:
            melody = melody.expandRepeats()
        except Exception:  # unbalanced repeats: play it as written
            pass
    seconds_per_quarter = 60.0 / bpm
    rows: list[list[float]] = []
    tied: dict[float, int] = {}  # pitch -> row of the note tied into the next one
    for n in melody.flatten().notes:
        length = float(n.quarterLength)
        if length <= 0:
            continue
        start = float(n.offset) * seconds_per_quarter
        if start >= max_seconds:
            break
        tie = n.tie.type if getattr(n, "tie", None) is not None else None
        still_tied = {}
        for p in getattr(n, "pitches", ()):
            midi = float(p.midi)
            if midi in tied and tie in ("stop", "continue"):  # the same pitch held on: lengthen it
                row = rows[tied[midi]]
                row[2] = start + length * seconds_per_quarter - row[1]
                index = tied[midi]
            else:
                rows.append([midi, start, length * seconds_per_quarter])
                index = len(rows) - 1
            if tie in ("start", "continue"):
                still_tied[midi] = index
        tied = still_tied
    events = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return events[np.argsort(events[:, 1], kind="stable")]


def synthesize(events: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Float32 waveform in [-1, 1] for note rows (MIDI pitch, start s, length s)."""
    events = np.asarray(events, dtype=np.float64).reshape(-1, 3)
    if len(events) == 0:
        return np.zeros(0, dtype=np.float32)
    end = float(np.max(events[:, 1] + events[:, 2])) + 0.3
    out = np.zeros(int(end * sample_rate) + 1, dtype=np.float64)
    attack, release = int(0.01 * sample_rate), int(0.03 * sample_rate)
    for pitch, start, length in events:
        n = max(int(length * sample_rate), attack + release + 1)
        t = np.arange(n) / sample_rate  # (n,)
        freq = 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)
        partials = np.arange(1, len(HARMONICS) + 1)
        keep = partials * freq < sample_rate / 2  # no aliasing
        tone = np.sin(2 * np.pi * freq * np.outer(t, partials[keep])) @ HARMONICS[keep]  # (n,)
        envelope = np.exp(-t / 0.35)
        envelope[:attack] *= np.linspace(0.0, 1.0, attack)
        envelope[-release:] *= np.linspace(1.0, 0.0, release)
        i = int(start * sample_rate)
        out[i: i + n] += (tone * envelope)[: len(out) - i]
    peak = np.max(np.abs(out))
    return (0.9 * out / peak if peak > 0 else out).astype(np.float32)


def wav_bytes(waveform: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit PCM WAV file, in memory, for a waveform in [-1, 1]."""
    pcm = (np.clip(np.asarray(waveform, dtype=np.float64), -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sample_rate)
        f.writeframes(pcm.tobytes())
    return buffer.getvalue()


def render(tune: str, bpm: float = 140.0, max_seconds: float = 45.0, repeats: bool = True,
           sample_rate: int = SAMPLE_RATE) -> Rendering:
    """Notes and WAV bytes of a tune; never raises (``ok`` False and a ``message`` instead)."""
    try:
        events = note_events(tune, bpm=bpm, repeats=repeats, max_seconds=max_seconds)
    except ValueError as error:
        return Rendering(False, f"cannot play this tune: {error}")
    except Exception as error:  # music21 internals
        return Rendering(False, f"cannot play this tune: music21 failed ({type(error).__name__}: {error})"[:300])
    if len(events) == 0:
        return Rendering(False, "cannot play this tune: it has no notes")
    events = events[events[:, 1] < max_seconds]
    events[:, 2] = np.minimum(events[:, 2], max_seconds - events[:, 1])
    waveform = synthesize(events, sample_rate)
    seconds = len(waveform) / sample_rate
    return Rendering(True, f"{len(events)} notes, {seconds:.1f} s at {bpm:g} quarter notes a minute",
                     events, wav_bytes(waveform, sample_rate), seconds)


def audio_element(rendering: Rendering):
    """``IPython.display.Audio`` with the WAV embedded, or an HTML note explaining the problem."""
    from IPython.display import HTML, Audio

    if not rendering.ok:
        return HTML(f'<div style="color:#a94442">{_escape(rendering.message)}</div>')
    return Audio(data=rendering.wav, rate=None, autoplay=False)


def play(tune: str, bpm: float = 140.0, max_seconds: float = 45.0):
    """An audio player for ``tune`` (``display`` it, or end a cell with it); bad ABC gives a message."""
    return audio_element(render(tune, bpm=bpm, max_seconds=max_seconds))


def _escape(text: str) -> str:
    import html

    return html.escape(text)


NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def piano_roll(tune_or_events, ax=None, title: str = "", bpm: float = 140.0, color: str = "#3b7dd8"):
    """Draw notes as bars: time across, pitch up. Takes a tune (ABC) or event rows; returns ``ax``.

    A tune that cannot be read is drawn as an empty roll with the reason as its title.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    if ax is None:
        ax = plt.figure(figsize=(9, 2.8), layout="constrained").add_subplot()
    if isinstance(tune_or_events, str):
        rendering = render(tune_or_events, bpm=bpm)
        events, problem = rendering.events, "" if rendering.ok else rendering.message
    else:
        events, problem = np.asarray(tune_or_events, dtype=float).reshape(-1, 3), ""
    if len(events):
        boxes = [Rectangle((start, pitch - 0.4), length * 0.95, 0.8) for pitch, start, length in events]
        ax.add_collection(PatchCollection(boxes, facecolor=color, edgecolor="none"))
        low, high = int(events[:, 0].min()) - 2, int(events[:, 0].max()) + 2
        ax.set_xlim(0, float(np.max(events[:, 1] + events[:, 2])) + 0.2)
        ax.set_ylim(low, high)
        ticks = [p for p in range(low, high + 1) if p % 12 in (0, 7)]  # every C and G
        ax.set_yticks(ticks, [f"{NOTE_NAMES[p % 12]}{p // 12 - 1}" for p in ticks])
    ax.set_xlabel("seconds")
    ax.set_ylabel("pitch")
    ax.grid(alpha=0.25)
    ax.set_title(problem[:90] if problem else title, fontsize=10, color="#a94442" if problem else "black")
    return ax
