"""Unit 06_attention: translating dates with encoder-decoders, with and without attention.

- ``seqlab.attention.dates``             -- the task: human-written dates -> ISO ``YYYY-MM-DD``,
  generated from a seed, and their character ids
- ``seqlab.attention.seq2seq``           -- encoder-decoder translators from Keras layers (with
  Keras' own attention or without), greedy decoding, accuracy by length and by format
- ``seqlab.attention.translator_widget`` -- ``DateTranslatorWidget``: type a date, see each model's
  answer and the attention map
- ``seqlab.attention.figures``           -- attention maps, masks, positional encodings, accuracy
  curves
- ``seqlab.attention.diagrams``          -- the encoder-decoder and the transformer block, drawn

Every name below can be imported from ``seqlab.attention`` itself; importing the package is
instant (its modules load on first use).
"""

from seqlab._lazy import lazy_names

__getattr__, __dir__, __all__ = lazy_names(__name__, {
    "dates": ["FIRST_DATE", "LAST_DATE", "MAX_INPUT_LEN", "ISO_LEN", "MONTHS", "WEEKDAYS",
              "INPUT_ALPHABET", "PAD", "UNK", "INPUT_VOCAB_SIZE", "OUTPUT_ALPHABET", "START",
              "OUTPUT_VOCAB_SIZE", "FORMATS", "PREFIXES", "SUFFIXES", "ordinal", "wrap_in_text",
              "format_date", "all_dates", "split_dates", "sample_dates", "DateData",
              "make_date_data", "encode_inputs", "input_lengths", "encode_targets",
              "decoder_inputs", "decode_targets"],
    "seq2seq": ["Translator", "build_translator", "training_arrays", "fit_translator", "translate",
                "exact_match", "accuracy_by_length", "accuracy_by_format", "TranslateFn",
                "one_at_a_time"],
    "translator_widget": ["is_real_date", "DateTranslatorWidget"],
    "figures": ["WEIGHT_CMAP", "CURVE_COLORS", "plot_attention", "plot_heads", "plot_mask",
                "sinusoid_table", "plot_position_table", "plot_accuracy_by_length",
                "plot_histories"],
    "diagrams": ["DECODER_COLOR", "BOTTLENECK_COLOR", "ATTENTION_COLOR", "plot_encoder_decoder",
                 "plot_transformer_block"],
})
