"""The two folds of the text policy, and the lexical-search form.

* ``fold_chars(text)`` keeps offsets (one character in, one out): full-width digits and
  Latin letters -> half-width (``１０月`` -> ``10月``); ``％`` -> ``%``; ``．`` between digits
  -> ``.``; ideographic space, no-break space, tab and other space characters -> space;
  CJK compatibility ideographs and Kangxi radicals (a PDF-extraction artefact: ``⽇`` for
  ``日``) -> their unified ideograph. Chinese punctuation stays full-width (it is *not*
  NFKC). Used by corpus cleaning and SQuAD loading, where answer offsets must survive.
* ``match_key(text)``: NFKC, Traditional -> Simplified (OpenCC ``t2s``), lower case, all
  whitespace removed: ``"衡水湖馬拉松 ４３２９ .7 萬元"`` -> ``"衡水湖马拉松4329.7万元"``. The key
  of every "does X occur in Y" test (sentence scoring, the evidence gate, the citation check,
  near-duplicate removal, evaluation). Offsets do not survive it: match, never slice.
* ``fold_script(text)``: Traditional -> Simplified only (the dense side: the e5 tokenizer
  applies NFKC itself and case carries meaning for it).
* ``segmentation_form(text)``: NFKC + ``t2s``, case and whitespace kept: the form jieba
  segments and tags (its dictionary is Simplified; ``陳炯明在民國幾年時`` is one run to it).
* ``normalize_text(text)``: NFKC + ``t2s`` + lower case, whitespace kept (BM25 tokens).
* ``to_script(text, script)``: the text in the other script, both directions (OpenCC ``t2s``
  or ``s2t``; ``s2tw`` with ``taiwan=True``): the span reader trains on each question in both
  scripts, and reads a question in its passage's script.

OpenCC 1.4.2 (https://github.com/BYVoid/OpenCC), configurations ``t2s``, ``s2t`` and
``s2tw`` (Taiwan standard characters).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import opencc

#: OpenCC configuration per target script of :func:`to_script`.
SCRIPT_CONFIGS = {"simplified": "t2s", "traditional": "s2t"}
#: OpenCC configuration used for script folding (Traditional Chinese -> Simplified).
OPENCC_CONFIG = SCRIPT_CONFIGS["simplified"]
#: Simplified -> Traditional, Taiwan standard characters (``script_of``'s count of Simplified
#: characters, ``to_script(..., taiwan=True)``): it leaves characters both scripts write, 峰
#: and 吃, as they are
TAIWAN_CONFIG = "s2tw"

_converters: dict[str, opencc.OpenCC] = {}  # OpenCC configuration -> converter, built on first use
_lock = threading.Lock()

_SPACE_LIKE = {"\u3000": " ", "\u00a0": " ", "\t": " ", "\u2002": " ", "\u2003": " ",
               "\u2009": " ", "\u202f": " "}
_WS = re.compile(r"\s+")


def _check(text: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")


def _fold_char(ch: str, prev: str, nxt: str) -> str:
    o = ord(ch)
    if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return chr(o - 0xFEE0)
    if ch in _SPACE_LIKE:
        return _SPACE_LIKE[ch]
    if ch == "％":
        return "%"
    if ch == "．" and prev.isdigit() and nxt.isdigit():
        return "."
    if 0xF900 <= o <= 0xFAFF or 0x2F00 <= o <= 0x2FDF or 0x2E80 <= o <= 0x2EFF:
        n = unicodedata.normalize("NFKC", ch)
        if len(n) == 1:
            return n
    return ch


#: ``fold_chars`` as one ``str.translate`` table (the context-free folds; built once):
#: translate runs in C, linear in the text (a per-character Python loop made a 20 MB page
#: take minutes to parse, issue #11).  ``．`` between digits is the one contextual fold.
_FOLD_TABLE = {o: _fold_char(chr(o), "", "") for o in
               [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B),
                *map(ord, _SPACE_LIKE), ord("％"), *range(0xF900, 0xFB00), *range(0x2F00, 0x2FE0),
                *range(0x2E80, 0x2F00)]
               if _fold_char(chr(o), "", "") != chr(o)}
_DOT_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])．(?=[0-9])")


def fold_chars(text: str) -> str:
    """Fold characters one-for-one (module docstring). Returns exactly ``len(text)``
    characters, so character offsets computed on the input stay valid.  Linear time.
    Raises TypeError for a non-str."""
    _check(text)
    text = text.translate(_FOLD_TABLE)
    if "．" in text:
        text = _DOT_BETWEEN_DIGITS.sub(".", text)
    return text


def fold_script(text: str) -> str:
    """``text`` with Traditional Chinese folded to Simplified (OpenCC ``t2s``); Simplified,
    Latin, digits and punctuation unchanged. Raises TypeError for a non-str."""
    return to_script(text, "simplified")


def to_script(text: str, script: str, taiwan: bool = False) -> str:
    """``text`` converted to ``script`` (``"simplified"``: OpenCC ``t2s``, as
    :func:`fold_script`; ``"traditional"``: OpenCC ``s2t``, or with ``taiwan`` ``s2tw``, Taiwan
    standard characters: ``s2t`` also rewrites characters both scripts write into older
    variants, 峰 -> 峯, 吃 -> 喫, which Traditional text rarely uses). OpenCC converts phrases,
    so the length may change (rarely): convert pieces separately to keep offsets. Raises
    TypeError for a non-str, ValueError for another script name."""
    _check(text)
    if script not in SCRIPT_CONFIGS:
        raise ValueError(f"script must be one of {', '.join(SCRIPT_CONFIGS)}, got {script!r}")
    config = TAIWAN_CONFIG if taiwan and script == "traditional" else SCRIPT_CONFIGS[script]
    return _convert(text, config) if text else text


def _convert(text: str, config: str) -> str:
    """``text`` converted by the OpenCC configuration ``config`` (one converter per
    configuration, created on first use)."""
    with _lock:  # the C++ converter is not documented as thread-safe
        conv = _converters.get(config)
        if conv is None:
            conv = _converters[config] = opencc.OpenCC(config)
        return conv.convert(text)


def offset_fold(text: str) -> str:
    """``text`` folded to half-width Simplified with its length kept, so offsets found on the
    result index ``text``: ``fold_script(fold_chars(text))``, or ``fold_chars(text)`` alone
    when the script fold would change the length (OpenCC phrase conversions). Raises
    TypeError for a non-str."""
    folded = fold_script(fold_chars(text))
    return folded if len(folded) == len(text) else fold_chars(text)


def segmentation_form(text: str) -> str:
    """NFKC, Traditional -> Simplified; case and whitespace kept (what jieba is given).
    Raises TypeError for a non-str."""
    _check(text)
    return fold_script(unicodedata.normalize("NFKC", text))


def normalize_text(text: str) -> str:
    """NFKC, Traditional -> Simplified, lower case; whitespace kept (the BM25 form).
    Raises TypeError for a non-str."""
    return segmentation_form(text).lower()


@lru_cache(maxsize=65536)
def _match_key(text: str) -> str:
    return _WS.sub("", normalize_text(text))


def match_key(text: str) -> str:
    """The match key (module docstring): NFKC + ``t2s`` + lower case + no whitespace.
    Cached (65,536 texts). Raises TypeError for a non-str."""
    _check(text)
    return _match_key(text)


def script_of(text: str) -> str:
    """The script the text's Han characters are written in: ``"traditional"`` when OpenCC
    ``t2s`` changes at least one of them and at least as many as ``s2tw`` (Taiwan standard)
    does, else ``"simplified"`` (also when neither changes any: ``人口`` is both); ``"none"``
    when it has no Han character.

    * A Simplified passage with one variant character that ``t2s`` changes (``凉茶舖``: 舖 ->
      铺; 5 of the 256 CMRC trial passages) stays Simplified: ``s2tw`` changes more of it.
      A short text with one character of each script (``於丹是谁``: 於 and 谁) is a tie, hence
      Traditional.
    * ``s2tw``, not ``s2t``: ``s2t`` also changes characters both scripts write into older
      variants (峰 -> 峯, 吃 -> 喫, 群 -> 羣), which called 9 DRCD test questions Simplified
      (``坦尚尼亞的最高峰…``).
    * A tie is Traditional: a Traditional character (為) is rarely typed in Simplified text,
      while characters ``s2tw`` still changes (台 -> 臺, 占 -> 佔, 布 -> 佈) are written in
      Traditional too (``多少米為毓秀台的高度?``). On the DRCD test questions (3,493) this
      leaves 12 called Simplified, against 21, each holding no character either conversion
      changes; on the CMRC trial (1,002 questions, 256 passages) and DRCD's 1,000 passages,
      none is misread.
    """
    from text.chars import HAN_RUN

    han = "".join(HAN_RUN.findall(text or ""))
    if not han:
        return "none"
    traditional = _changed(han, fold_script(han))
    return "traditional" if traditional and traditional >= _changed(han, to_script(han, "traditional", taiwan=True)) \
        else "simplified"


def _changed(text: str, converted: str) -> int:
    """Characters a conversion changed (position by position; a change of length counts)."""
    return sum(a != b for a, b in zip(text, converted)) + abs(len(text) - len(converted))
