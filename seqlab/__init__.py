"""seqlab: the helper package of the seqlab course on deep sequence modelling.

Importing it is cheap and quiet: it silences TensorFlow's log noise *before* TensorFlow is
imported (so a notebook's first cell should be ``import seqlab``) and imports nothing heavy.
Submodules, one job each:

- ``seqlab.config``  -- the fast-mode switch (``SEQLAB_FAST``) and seeds
- ``seqlab.quiet``   -- TensorFlow / warning silencing
- ``seqlab.checks``  -- ``rel_error``, numerical gradients, ``check`` lines for students
- ``seqlab.data``    -- text corpora that ship with the course
- ``seqlab.plots``   -- matplotlib helpers shared by the notebooks
- ``seqlab.widgets`` -- ipywidgets explorers used in the walkthroughs

It never contains the code that a lab asks students to write.
"""

from seqlab import quiet as _quiet
from seqlab.config import FAST, fast_mode

_quiet.silence_tensorflow()

__all__ = ["FAST", "fast_mode"]
__version__ = "0.1.0"
