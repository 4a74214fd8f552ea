"""Text normalisation for search: the project's text policy (``text.fold``), re-exported
for the retrieval layer (``fold_script`` on the dense side, ``normalize_text`` for BM25 and
near-duplicate detection). One implementation lives in ``text.fold``."""
from __future__ import annotations

from text.fold import OPENCC_CONFIG, fold_script, normalize_text  # noqa: F401
