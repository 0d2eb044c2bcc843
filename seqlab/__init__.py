"""seqlab: the helper package of the seqlab course on deep sequence modelling.

Importing it is cheap and quiet: it silences TensorFlow's log noise *before* TensorFlow is
imported (so a notebook's first cell should be ``import seqlab``) and imports nothing heavy.
Submodules, one job each:

- ``seqlab.config``  -- the fast-mode switch (``SEQLAB_FAST``) and seeds
- ``seqlab.quiet``   -- TensorFlow / warning silencing
- ``seqlab.checks``  -- ``rel_error``, numerical gradients, ``check`` lines, ``run_in_kernel``
- ``seqlab.plain``   -- the plain data that crosses between a student's kernel and the grader
- ``seqlab.data``    -- text corpora that ship with the course
- ``seqlab.plots``, ``seqlab.widgets`` -- unit 01's figures and sentence explorer
- ``seqlab.unrolling`` -- unit 02's unrolled-graph figure and step-through widget
- ``seqlab.gradient_flow``, ``seqlab.long_range`` -- unit 03's explorer and long-range task
- ``seqlab.lstm_gates``, ``seqlab.highway`` -- unit 04's gate explorer and gradient highway
- ``seqlab.abc_text``, ``seqlab.abc_rhythm``, ``seqlab.music``, ``seqlab.abc``, ``seqlab.audio``,
  ``seqlab.jukebox``, ``seqlab.train`` -- unit 05's ABC text handling, one spelling of note
  lengths, corpus, validity check, audio and piano roll, generation widget, and training loop
  with checkpoints
- ``seqlab.dates``, ``seqlab.seq2seq``, ``seqlab.attention_plots``, ``seqlab.attention_diagrams``
  -- unit 06's date data, encoder-decoder models, heatmaps and diagrams

It never contains the code that a lab asks students to write.
"""

from seqlab import quiet as _quiet
from seqlab.config import FAST, fast_mode

_quiet.silence_tensorflow()

__all__ = ["FAST", "fast_mode"]
__version__ = "0.1.0"
