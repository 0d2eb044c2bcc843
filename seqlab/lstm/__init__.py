"""Unit 04_lstm: the LSTM's gates at work, the gradient highway of its cell state, the GRU.

- ``seqlab.lstm.cell_diagram`` -- ``plot_lstm_cell``: one step, the cell state as a conveyor belt
- ``seqlab.lstm.gates``        -- a remember-a-flag task, a small Keras LSTM trained on it, its
  gates read out of Keras' own ``LSTMCell``, their heatmaps and ``GateExplorer``
- ``seqlab.lstm.highway``      -- how much gradient reaches each input through a SimpleRNN and an
  LSTM and along the LSTM's cell state alone, drawn in unit 03's plot, and ``HighwayExplorer``
  (a slider for the forget bias)
- ``seqlab.lstm.gru``          -- the GRU beside the LSTM: one step of Keras' ``GRUCell`` written
  out in numpy, and the gradient reach of a GRU beside the SimpleRNN's and the LSTM's

Every name below can be imported from ``seqlab.lstm`` itself; importing the package is instant
(its modules load on first use).
"""

from seqlab._lazy import lazy_names

__getattr__, __dir__, __all__ = lazy_names(__name__, {
    "cell_diagram": ["BELT_COLOR", "GATE_COLOR", "OPERATION_COLORS", "plot_lstm_cell"],
    "gates": ["FLAGS", "QUERY", "ANSWERS", "FEATURES", "GATE_NAMES", "ActivationsFn", "encode",
              "answers", "flag_task", "build_flag_model", "train_flag_model", "gate_activations",
              "memory_unit", "gate_figure", "answers_html", "GateExplorer"],
    "highway": ["KINDS", "LABELS", "SHOWN", "input_gradient_norms", "input_gradient_reach",
                "cached_gradient_norms", "forget_gate", "forget_guide", "highway_curves",
                "plot_highway", "highway_figure", "verdict_html", "HighwayExplorer"],
    "gru": ["GRU_GATES", "GRUStep", "gru_step", "gru_gradient_norms", "reach_curves", "plot_reach"],
})
