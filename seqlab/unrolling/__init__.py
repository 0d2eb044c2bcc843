"""Unit 02_rnn_unrolling: the recurrence drawn as a loop, unrolled through time, stepped through.

- ``seqlab.unrolling.figures``   -- the rolled and unrolled network, hidden states as a growing
  heatmap, per-step losses
- ``seqlab.unrolling.explorers`` -- ``StepThroughRNN`` (read a sentence one character at a time)
  and ``UnrolledExplorer`` (the network unrolled through a chosen number of steps)
- ``seqlab.unrolling.sentiment`` -- many to one: reviews whose label only the word order decides
  ("good, not bad" against "bad, not good"), and the accuracy plot of the models that read them

Every name below can be imported from ``seqlab.unrolling`` itself; importing the package is
instant (its modules load on first use).
"""

from seqlab._lazy import lazy_names

__getattr__, __dir__, __all__ = lazy_names(__name__, {
    "figures": ["LOSS_COLOR", "START_COLOR", "STATE_CMAP", "plot_rolled_rnn", "unrolled_figsize",
                "plot_unrolled_rnn", "plot_rolled_and_unrolled", "hidden_state_figure",
                "plot_step_losses"],
    "explorers": ["StatesFn", "reading_html", "StepThroughRNN", "UnrolledExplorer"],
    "sentiment": ["POSITIVE", "NEGATIVE", "SUBJECTS", "TEMPLATES", "PLAIN", "Reviews", "SentimentData",
                  "adjective_pairs", "contrast_pairs", "plain_reviews", "sentiment_data",
                  "plot_pair_accuracy"],
})
