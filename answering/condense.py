"""Follow-up condensing: a chat question + history -> a standalone query for retrieval.

Rule-based (no LLM), in this order:

1. No history, or the question does not look like a follow-up (``is_follow_up``): unchanged.
   A follow-up starts with 那/那么/他/她/它/他们/这/该/其/此 (or English and/what about/how
   about), is elliptical (``那贵州呢？``, ``…呢？`` of at most ``SHORT_CHARS`` characters),
   holds a pronoun (他/她/它/他们/她们/其/该/此; he/she/it/they/his/her/its/their/him/them),
   is very short (at most ``TINY_CHARS`` characters), or is short (at most ``SHORT_CHARS``)
   and names nothing (no proper noun, number or Latin word: ``同比增长了多少？``).
2. The previous user question is condensed first (recursively, at most ``MAX_DEPTH`` turns
   back), giving ``prev``.
3. Elliptical ``那X呢？`` / ``what about X?`` where X names something (a proper noun, number or
   Latin word; ``那去年呢？`` falls through to rule 6): X replaces the first proper noun of ``prev``
   (jieba ``ns``/``nt``/``nr``/``nz`` ...), or is put in front of ``prev`` when ``prev`` has
   none. ``那贵阳邮区中心呢？`` after ``贵州邮政双11期间快递业务收入是多少？`` ->
   ``贵阳邮区中心邮政双11期间快递业务收入是多少？`` (keeps 双11 and the measure asked).
4. A person pronoun (他/她/他们/她们; he/she/him/her/they) is replaced by the first person
   name (jieba ``nr``; in English a capitalised name) of ``prev``, else of the last answer:
   ``他慰问了多少人？`` after a question about 吴沛 -> ``吴沛慰问了多少人？``.
5. ``那`` + a question of more than ``SHORT_CHARS`` characters that names its own subject
   (a proper noun, number or Latin word; no pronoun): the ``那`` is dropped and nothing is
   carried over: ``那贵阳邮区中心处理了多少邮件？`` -> ``贵阳邮区中心处理了多少邮件？`` (gluing the
   previous question on made the answer quote that question's sentences too).
6. Anything else: ``prev`` (plus up to two names of the last answer it lacks) is appended in
   brackets: ``这项活动是哪个组织开展的？（“五送”快递员活动送什么？）``.

``condense_with_llm`` does the same with an LLM and ``prompts/condense.txt`` (used only when
an LLM answerer is configured; it falls back to the rules on any error or empty output).
"""
from __future__ import annotations

import re
from typing import Sequence

from answering.terms import STOP_WORDS, _tagged, key_terms, language, normalise

SHORT_CHARS = 12
TINY_CHARS = 5
MAX_DEPTH = 3

_ZH_START = re.compile(r"^\s*(那么|那|他们|她们|他|她|它|这|该|其|此|还有|另外|以及)")
_ZH_PRONOUN = re.compile(r"他们|她们|他|她|它|其|该|此|这个|这些|这家|这项|这位|那个|那些|那位|上述")
_ZH_PERSON = re.compile(r"他们|她们|他|她")
_EN_START = re.compile(r"^\s*(and|what about|how about|also)\b", re.I)
_EN_PRONOUN = re.compile(r"\b(he|she|it|they|his|her|its|their|him|them|this|that|these|those)\b", re.I)
_EN_PERSON = re.compile(r"\b(he|she|him|her|they|them)\b", re.I)
_ZH_ELLIPSIS = re.compile(r"^\s*(?:那么|那|还有|另外)?\s*(.+?)\s*(?:呢|怎么样|如何|又如何)\s*[?？]?\s*$")
_EN_ELLIPSIS = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*\??\s*$", re.I)
_MARKER = re.compile(r"\[\d+\]")
_NAME_TAGS = ("nr", "ns", "nt", "nz", "nrt", "nrfg")


def is_follow_up(question: str) -> bool:
    """True when ``question`` looks like it depends on earlier turns (module docstring)."""
    q = question.strip()
    if not q:
        return False
    if language(q) == "zh":
        n = len(normalise(q))
        return bool(_ZH_START.match(q) or _ZH_PRONOUN.search(q)
                    or (n <= SHORT_CHARS and re.search(r"呢\s*[?？]?\s*$", q))
                    or n <= TINY_CHARS
                    or (n <= SHORT_CHARS and not any(t.kind in ("name", "number", "latin")
                                                     for t in key_terms(q))))
    return bool(_EN_START.match(q) or _EN_PRONOUN.search(q) or len(q.split()) <= 2)


def _names(text: str, tags: Sequence[str] = _NAME_TAGS) -> list[str]:
    """Proper nouns of ``text`` in order (raw spelling), from jieba posseg."""
    text = _MARKER.sub("", text)
    if language(text) == "en":
        out = []
        for m in re.findall(r"\b[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*", text):
            words = m.split()
            while words and words[0].lower() in STOP_WORDS:
                words.pop(0)
            if words:
                out.append(" ".join(words))
        return out
    return [w for w, f in _tagged(text) if f in tags and len(w) >= 2]


def _person_names(text: str) -> list[str]:
    if language(_MARKER.sub("", text)) == "en":
        return _names(text)
    return _names(text, ("nr", "nrfg", "nrt"))


def condense(question: str, history: Sequence[tuple[str, str]] = (), _depth: int = 0) -> str:
    """Standalone query for ``question`` given ``history`` = [(user, assistant), ...] oldest
    first. Returns ``question`` (stripped) when it is self-contained or there is no history.
    Raises ValueError when history items are not (user, assistant) pairs."""
    q = question.strip()
    hist = list(history or ())
    for item in hist:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ValueError(f"history items must be (user, assistant) pairs, got {item!r}")
    if not hist or not q or not is_follow_up(q):
        return q
    prev_user, prev_answer = hist[-1]
    prev_user = str(prev_user or "").strip()
    prev_answer = _MARKER.sub("", str(prev_answer or ""))
    if not prev_user:
        return q
    prev = prev_user if _depth >= MAX_DEPTH else condense(prev_user, hist[:-1], _depth + 1)
    zh = language(q) == "zh"

    # 3. elliptical: 那X呢？ / what about X?
    m = (_ZH_ELLIPSIS if zh else _EN_ELLIPSIS).match(q)
    if m and not (_ZH_PRONOUN.search(m.group(1)) if zh else _EN_PRONOUN.search(m.group(1))):
        x = m.group(1).strip()
        # only a name is swapped in: "那去年呢？" must not turn 贵州's question into 去年's
        x_is_name = any(t.kind in ("name", "latin", "number") for t in key_terms(x))
        if x_is_name and (zh and len(normalise(x)) <= SHORT_CHARS or not zh):
            names = _names(prev)
            if names and names[0] != x:
                return prev.replace(names[0], x, 1)
            return f"{x} {prev}" if not zh else x + prev
    # 4. person pronoun -> person name
    body = re.sub(r"^\s*(那么|那)\s*", "", q) if zh else q
    pm = (_ZH_PERSON if zh else _EN_PERSON).search(body)
    if pm:
        persons = _person_names(prev) or _person_names(prev_answer)
        if persons:
            return body[: pm.start()] + persons[0] + body[pm.end():]
    # 5. "那" + a question that names its own subject: the connective is all it borrows
    if (zh and body != q and len(normalise(body)) > SHORT_CHARS and not _ZH_PRONOUN.search(body)
            and any(t.kind in ("name", "number", "latin") for t in key_terms(body))):
        return body
    # 6. carry the previous question (and names of the last answer it lacks) along
    ctx = prev.strip()
    have = normalise(q + ctx)
    extra = [n for n in dict.fromkeys(_names(prev_answer)) if normalise(n) not in have][:2]
    if extra:
        ctx += " " + " ".join(extra)
    return f"{q}（{ctx}）" if zh else f"{q} ({ctx})"


def condense_with_llm(llm, question: str, history: Sequence[tuple[str, str]] = ()) -> str:
    """Condense with an LLM (``answering.llm.LLM``) and ``prompts/condense.txt``; falls back to
    ``condense`` (rules) when the question is not a follow-up, or on error / empty output."""
    from answering.prompts import fill, load_prompt

    q = question.strip()
    if not history or not q or not is_follow_up(q):
        return q
    convo = "\n".join(f"User: {u}\nAssistant: {_MARKER.sub('', a)[:500]}" for u, a in history[-MAX_DEPTH:])
    try:
        out = llm.complete(fill(load_prompt("condense"), history=convo, question=q), max_new_tokens=96)
        out = out.strip().splitlines()[0].strip() if out.strip() else ""
    except Exception:  # any backend failure: the rules still give a usable query
        out = ""
    return out or condense(q, history)
