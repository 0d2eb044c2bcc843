"""Unit 03_bptt: backpropagation through time, and how far a gradient travels back.

- ``seqlab.bptt.gradient_norms`` -- measure the gradient reaching each earlier hidden state
  (Keras' ``SimpleRNNCell`` and ``tf.GradientTape``) and name its regime: vanishing, stable,
  exploding
- ``seqlab.bptt.figures``        -- those norms on a log scale with the regimes shaded (unit 04
  draws its highway with it too), clipping by norm, eigenvalues, the backward graph
- ``seqlab.bptt.explorer``       -- ``gradient_flow_explorer``: sliders for the recurrent matrix
  and the activation
- ``seqlab.bptt.long_range``     -- the first-symbol task, and training runs recorded on the way

Every name below can be imported from ``seqlab.bptt`` itself; importing the package is instant
(its modules load on first use).
"""

from seqlab._lazy import lazy_names

__getattr__, __dir__, __all__ = lazy_names(__name__, {
    "gradient_norms": ["ACTIVATIONS", "VANISHING_BELOW", "EXPLODING_ABOVE", "recurrent_matrix",
                       "keras_gradient_norms", "regime"],
    "figures": ["SMALLEST_SHOWN", "REGIME_COLORS", "REGIME_TEXT_COLORS", "CURVE_COLORS",
                "plot_gradient_norms", "plot_clipping", "plot_eigenvalues", "plot_backward_graph"],
    "explorer": ["NormsFunction", "setting_label", "GradientFlowExplorer", "gradient_flow_explorer"],
    "long_range": ["SOLVED_ABOVE", "first_symbol_task", "rnn_classifier", "model_gradient_norms",
                   "Curves", "train_with_curves", "compare_runs", "smooth", "plot_runs",
                   "summary_table", "steps_to_solve", "solved_counts"],
})
