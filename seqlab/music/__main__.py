"""``python -m seqlab.music``: clean and judge every tune of the corpus again and rewrite the shipped
cleaned tunes (``checkpoints/corpus_tunes.json.gz``) and manifest (``checkpoints/corpus.json``).
Several minutes; run it after changing the cleaning rules or the validity check."""

import json

from seqlab.music.corpus import MANIFEST, build_manifest, load_corpus, write_cleaned

write_cleaned()
MANIFEST.write_text(json.dumps(build_manifest(), indent=1) + "\n")
print(load_corpus().report())
