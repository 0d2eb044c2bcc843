"""Unit 07_transformers: a decoder-only transformer writes folk tunes.

- ``seqlab.transformers.lab_support`` -- the lab's given sampler: writing with a model that reads a
  fixed window of the last ``context`` characters
- ``seqlab.transformers.model``       -- the walkthrough's ``MusicTransformer``: a subclassed Keras
  model with a fused QKV projection, pre-norm causal blocks and a cached decoding path
- ``seqlab.transformers.generation``  -- writing with and without a key/value cache
- ``seqlab.transformers.compare``     -- beside unit 05's LSTM: tunes written, judged, recorded
- ``seqlab.transformers.attention_maps`` -- where trained heads look in a tune, and a widget
- ``seqlab.transformers.translator``  -- unit 06's dates by an encoder-decoder transformer
- ``seqlab.transformers.norm_placement`` -- pre-norm or post-norm, with or without warm-up: the
  recorded experiment

Every name below can be imported from ``seqlab.transformers`` itself; importing the package is
instant (its modules load on first use).
"""

from seqlab._lazy import lazy_names

__getattr__, __dir__, __all__ = lazy_names(__name__, {
    "lab_support": ["window_sampler", "generate_with_window"],
    "model": ["NEG_INF", "TransformerConfig", "parameter_count", "FusedCausalAttention", "PreNormBlock",
              "PostNormBlock", "MusicTransformer"],
    "generation": ["draw", "WindowWriter", "window_writer", "sample_ids", "WritingSpeed", "writing_speed"],
    "compare": ["COMPARISON", "START", "IdSampler", "LstmWriter", "write_tunes", "TuneReport",
                "report_tunes", "save_comparison", "load_comparison", "plot_loss_curves"],
    "attention_maps": ["MapsOf", "body_start", "header_positions", "last_bar_line", "HeadFocus",
                       "head_focus", "plot_attention_window", "AttentionMapExplorer"],
    "translator": ["AddPositions", "date_transformer"],
    "norm_placement": ["NORM_RUNS", "arm_label", "arms", "load_norm_runs", "smoothed", "val_losses_at",
                       "norm_run_table", "plot_norm_runs"],
})
