"""seqlab: the helper package of the seqlab course on deep sequence modelling.

Its tree is the course. Each unit has one subpackage, and each subpackage offers every name the
unit's notebooks use:

- ``01_sequences``        -> ``seqlab.sequences``  task shapes, naive models, the sentence explorer
- ``02_rnn_unrolling``    -> ``seqlab.unrolling``  unrolled networks, the step-through widget, many-to-one
- ``03_bptt``             -> ``seqlab.bptt``       gradient norms through time, the long-range task
- ``04_lstm``             -> ``seqlab.lstm``       the cell diagram, the gate explorer, the highway, the GRU
- ``05_music_generation`` -> ``seqlab.music``      ABC text and rhythm, the corpus, validity, audio
- ``06_attention``        -> ``seqlab.attention``  the date task, encoder-decoders, attention figures
- ``07_transformers``     -> ``seqlab.transformers``  a decoder-only transformer writes tunes

Beneath them, a core that every unit shares and that imports no unit:

- ``seqlab.config``   -- the fast-mode switch: ``fast_mode()`` (``SEQLAB_FAST``) and ``scaled``
- ``seqlab.quiet``    -- TensorFlow and warning silencing
- ``seqlab.checks``   -- ``rel_error``, numerical gradients, ``check`` lines
- ``seqlab.data``     -- what ships with the course: corpora, tokenizer, ``CHECKPOINTS``
- ``seqlab.train``    -- the training loop for character models, and checkpoints
- ``seqlab.drawing``  -- colours, boxes, arrows and diagram axes: every diagram's look
- ``seqlab.explorer`` -- ``Explorer``, the base of every walkthrough widget
- ``seqlab.recorded`` -- the figures a walkthrough's text cites: shown beside the recorded
  full-mode run (``checkpoints/figures.json``), recorded and checked by ``make results``

Importing seqlab (or any unit subpackage) is cheap and quiet: it silences TensorFlow's log noise
*before* TensorFlow is imported (so a notebook's first cell should be ``import seqlab``) and
imports nothing heavy; a unit's modules load when one of its names is first used.

It never contains the code that a lab asks students to write.
"""

from seqlab import quiet as _quiet

_quiet.silence_tensorflow()

__all__: list[str] = []
__version__ = "0.1.0"
