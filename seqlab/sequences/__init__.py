"""Unit 01_sequences: what makes sequences different, and why naive models fail on them.

- ``seqlab.sequences.figures``  -- the shapes of sequence tasks, bag-of-words counts, inputs
  over their next-step targets, one-hot matrices, a weight per position against a shared one
- ``seqlab.sequences.explorer`` -- ``sentence_explorer``: a fixed window's view and the
  bag-of-words counts of sentences the user types

Every name below can be imported from ``seqlab.sequences`` itself; importing the package is
instant (its modules load on first use).
"""

from seqlab._lazy import lazy_names

__getattr__, __dir__, __all__ = lazy_names(__name__, {
    "figures": ["TASK_SHAPES", "WEIGHT_COLORS", "plot_sequence_task_shapes", "plot_count_vectors",
                "plot_input_target", "plot_one_hot", "plot_weight_sharing"],
    "explorer": ["CountVectorizer", "window_view_html", "SentenceExplorer", "sentence_explorer"],
})
