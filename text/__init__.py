"""One text policy for every layer (corpus, retrieval, answering, evaluation, ui).

This package sits at the bottom of the import graph: it imports nothing of the project.

* ``text.chars``: the CJK character classes (one definition, extensions included) and the
  script of a text (Simplified / Traditional / Latin).
* ``text.fold``: the two explicit folds: ``fold_chars`` (one character in, one out, so
  offsets never move: full-width digits/letters, spaces, compatibility ideographs) and
  ``match_key`` (NFKC + Traditional->Simplified + lower-case + no whitespace), the key of
  every "does X occur in Y" test; plus ``fold_script`` and ``normalize_text`` (the
  lexical-search form, whitespace kept).
* ``text.sentences``: the one sentence splitter (spans), and the answer splitter that keeps
  citation markers with their sentence.
* ``text.markers``: the citation-marker grammar: parse, normalise, strip, renumber.
* ``text.numbers``: numbers with their multiplier, currencies and units.
* ``text.ngrams``: character bigrams and bigram containment.

The CMRC 2018 official answer normalisation stays in ``evaluation.metrics``: it is the
benchmark's definition, a documented exception.
"""
