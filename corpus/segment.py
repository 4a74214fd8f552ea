"""Segmenting documents into articles.

Newspaper pages (``.txt``; ``.md`` without headings) go through :func:`segment_page`:

1. **Blocks.**  The page is normalised and split into blocks at blank lines
   (:mod:`corpus.clean`); byline lines (``□李莎``), inline bylines at the end of a body
   line (``...说。 □李莎``) and page-jump markers (``（上接第1版）``) are cut out as blocks
   of their own; blocks broken by PDF column breaks are glued back.
2. **Classes.**  Each block is a *byline*, a *continuation* marker (``（上接第N版）``:
   starts an article, not itself a paragraph), a *jump* marker (``（下转第N版）``: dropped),
   a *headline candidate* (at most 4 lines of at most 40 characters, no ``。；``, not
   ending in ``，、.``, no ``. ``) or *body*.  A body block beginning with a dateline (``本报讯``) is
   flagged.  A page without any body block keeps its headline-like blocks as body.
3. **Articles.**  Body paragraphs are grouped into articles in reading order.  An
   article ends at an inline byline, at a standalone byline when the article has body
   text and no byline yet and the next block is not body (``□查叶娟 吴敏 摄影报道``,
   ``□宗合``) or is a photo credit; otherwise a standalone byline is held for the next
   article (``□何云祥`` before its body).  A dateline or a continuation marker always
   starts a new article; body text after a closed article starts a new one.  Headline
   candidates never break an article (PDF text puts headlines anywhere).
4. **Headlines.**  Headline blocks are cut into *units*: lines of one block form one
   headline (a wrapped headline), a line starting with ``——`` is the subtitle of the
   unit before it, and an indented line starts a new unit.  A headline block with body
   of the *same* article on both sides is a sub-heading (``慰问工作全面开花``) and stays
   a paragraph, unless it carries a ``——`` subtitle.  Every other unit is offered to
   every article: its score for an article is the IDF-weighted share of its character
   bigrams found in the article body (weights ``log(1 + N/df)`` over the N articles of
   the page), plus ``ADJACENT_BONUS`` when it stands right next to the article.  Pairs
   are taken greedily by score (>= ``MIN_TITLE_SCORE``); an article takes one unit, or
   several adjacent units of one headline cluster when each scores best for it
   (``邵阳市分公司`` + ``助力“放管服”改革``).  A unit left over becomes a paragraph of the
   article before it (after it when first on the page), except that an untitled
   article takes the unit standing directly above its first paragraph.
5. **Derived titles.**  An article still without a headline gets the first sentence of
   its first two paragraphs that has 8-30 characters and does not open with a quote
   mark, else the first clause of its first sentence (<= 30 characters);
   ``title_derived`` is True.

Titles join a subtitle as ``主标题——副标题``; spaces separating phrases inside a
headline (``十年牵手 共向未来``) are kept as one space (heading mode of
:func:`corpus.clean.squeeze_spaces`); bylines likewise (``本报通讯员 韩艳锋 张升``).

JSON Lines and SQuAD documents are one article each (:func:`segment_document`); Markdown
with ATX headings (``#``) is split at its top-level headings (:func:`segment_markdown`).
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from corpus.chunk import split_sentences
from corpus.clean import (
    clean_paragraph,
    join_lines,
    merge_broken_blocks,
    normalize_chars,
    normalize_page,
    split_blocks,
    squeeze_spaces,
    strip_html,
)
from corpus.markdown import markdown_blocks
from corpus.patterns import (
    CONTINUATION,
    DATELINE,
    INLINE_BYLINE,
    INLINE_JUMP,
    JUMP,
    byline_line,
    is_marker,
)
from corpus.squad import squad_paragraph
from corpus.types import Article, Document

log = logging.getLogger(__name__)

#: Minimum headline-to-article score (share of IDF-weighted bigrams, 0..1 + bonus).
MIN_TITLE_SCORE = 0.3
#: Score bonus for a headline standing directly before or after the article.
ADJACENT_BONUS = 0.1
#: Longest derived title, in characters.
DERIVED_TITLE_CHARS = 30
#: Headline candidates: at most this many lines of at most this many characters.
HEADLINE_MAX_LINES = 4
HEADLINE_MAX_LINE_CHARS = 40
#: Step 4: a headline unit is scored against the articles at most this many articles
#: before or after the place where it stands (a page holds about 8; without the window a
#: long file of many pages was quadratic: 4 MB took 7 minutes).
HEADLINE_WINDOW_ARTICLES = 24

_OPENING_QUOTES = "“‘「『《（(\"'"
#: Every byline holds ``□``/``■`` and every page-jump marker ``版``: lines without either
#: skip the structural patterns.
_MAY_BE_STRUCTURAL = re.compile("[□■版]")


# --------------------------------------------------------------------------- blocks


@dataclass
class _Unit:
    main: list[str]
    sub: list[str] = field(default_factory=list)
    item: int = 0  # index of its headline item
    order: int = 0  # global order of units on the page

    @property
    def main_text(self) -> str:
        return squeeze_spaces(join_lines(self.main), heading=True)

    @property
    def title(self) -> str:
        t = self.main_text
        if self.sub:
            sub = squeeze_spaces(join_lines(self.sub), heading=True).lstrip("—- ")
            t = f"{t}——{sub}" if t else sub
        return t


@dataclass
class _Item:
    kind: str  # body | head | byline | cont | jump
    text: str = ""
    inline: bool = False
    dateline: bool = False
    units: list[_Unit] = field(default_factory=list)


def _split_structural(blocks: list[list[str]]) -> list[list[str]]:
    """Cut bylines and markers out of blocks into one-line blocks of their own."""
    out: list[list[str]] = []
    for blk in blocks:
        cur: list[str] = []
        for line in blk:
            if not _MAY_BE_STRUCTURAL.search(line):  # cheap test first: most lines are body
                cur.append(line)
                continue
            if byline_line(line) is not None or is_marker(line):
                if cur:
                    out.append(cur)
                    cur = []
                out.append([line.strip()])
                continue
            mj = INLINE_JUMP.match(line.strip())
            if mj:
                line = mj.group("body")
            m = INLINE_BYLINE.match(line.strip())
            if m:
                cur.append(m.group("body"))
                out.append(cur)
                out.append(["\x00" + m.group("name")])  # inline byline
                cur = []
                continue
            cur.append(line)
        if cur:
            out.append(cur)
    return out


def _looks_like_headline(lines: list[str]) -> bool:
    s = [x.strip() for x in lines]
    if len(s) > HEADLINE_MAX_LINES or any(len(x) > HEADLINE_MAX_LINE_CHARS for x in s):
        return False
    joined = "".join(s)
    if not joined or any(c in "。；;" for c in joined) or joined[-1] in "，、,.":
        return False
    if ". " in joined:
        return False
    if any(c in "！？!?" for c in joined) and len(s) > 2:
        return False
    return True


def _units(lines: list[str]) -> list[_Unit]:
    units: list[_Unit] = []
    for line in lines:
        s = line.strip()
        if s.startswith("—") and units:
            units[-1].sub.append(s)
        elif units and not units[-1].sub and not line[:1].isspace():
            units[-1].main.append(s)
        else:
            units.append(_Unit(main=[s]))
    return units


def _body_text(lines: list[str], dateline: bool) -> str:
    text = clean_paragraph(lines)
    if dateline:
        m = DATELINE.match(text)
        raw = join_lines(lines)
        rm = DATELINE.match(raw)
        if m and rm and raw[rm.end() : rm.end() + 1] == " ":
            rest = text[m.end() :]
            if rest and rest[0] not in "，：（(":
                text = text[: m.end()] + " " + rest
    return text


def page_items(text: str) -> list[_Item]:
    """Steps 1-2 of :func:`segment_page`: the page as a list of classified items."""
    blocks = _split_structural(split_blocks(normalize_page(text)))
    blocks = merge_broken_blocks(blocks)
    items: list[_Item] = []
    for blk in blocks:
        first = blk[0].strip()
        if len(blk) == 1 and first.startswith("\x00"):
            items.append(_Item("byline", squeeze_spaces(first[1:], heading=True), inline=True))
        elif len(blk) == 1 and byline_line(first) is not None:
            items.append(_Item("byline", squeeze_spaces(byline_line(first), heading=True)))
        elif len(blk) == 1 and CONTINUATION.match(first):
            items.append(_Item("cont", first))
        elif len(blk) == 1 and JUMP.match(first):
            items.append(_Item("jump", first))
        else:
            date = bool(DATELINE.match(first))
            if not date and _looks_like_headline(blk):
                items.append(_Item("head", units=_units(blk)))
            else:
                text_ = _body_text(blk, date)
                if text_:
                    items.append(_Item("body", text_, dateline=date))
    return items


# --------------------------------------------------------------------------- articles


@dataclass
class _Art:
    entries: list[tuple[tuple[int, int], str]] = field(default_factory=list)
    byline: str | None = None
    closed: bool = False
    has_body: bool = False
    title_units: list[_Unit] = field(default_factory=list)
    first_item: int = -1
    last_item: int = -1

    def add(self, key: tuple[int, int], text: str) -> None:
        self.entries.append((key, text))

    def add_byline(self, name: str) -> None:
        self.byline = name if not self.byline else f"{self.byline} {name}"


def _group(items: list[_Item]) -> tuple[list[_Art], dict[int, int]]:
    arts: list[_Art] = []
    body_art: dict[int, int] = {}
    cur: _Art | None = None
    pending: str | None = None

    cur_index = -1

    def new() -> _Art:
        nonlocal pending, cur_index
        a = _Art(byline=pending)
        pending = None
        arts.append(a)
        cur_index = len(arts) - 1
        return a

    # the next item that is not a byline, for each position (one backward pass: linear)
    next_non_byline: list[_Item | None] = [None] * len(items)
    follow: _Item | None = None
    for i in range(len(items) - 1, -1, -1):
        next_non_byline[i] = follow
        if items[i].kind != "byline":
            follow = items[i]

    for i, it in enumerate(items):
        if it.kind == "cont":
            if cur is not None:
                cur.closed = True
            cur = new()
        elif it.kind == "jump":
            if cur is not None:
                cur.closed = True
        elif it.kind == "byline":
            if it.inline and cur is not None:
                cur.add_byline(it.text)
                cur.closed = True
                continue
            nxt = next_non_byline[i]
            open_body = cur is not None and not cur.closed and cur.has_body and cur.byline is None
            if open_body and (nxt is None or nxt.kind != "body" or "摄" in it.text):
                cur.byline = it.text
                cur.closed = True
            else:
                if cur is not None and cur.has_body:
                    cur.closed = True
                pending = it.text if pending is None else f"{pending} {it.text}"
        elif it.kind == "body":
            if cur is None or cur.closed or (it.dateline and cur.has_body):
                cur = new()
            elif pending is not None:
                if cur.byline is None:
                    cur.byline = pending
                pending = None
            cur.add((i, 0), it.text)
            cur.has_body = True
            if cur.first_item < 0:
                cur.first_item = i
            cur.last_item = i
            body_art[i] = cur_index
    if pending is not None and arts:
        arts[-1].add_byline(pending)
    return arts, body_art


def _bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]+", text):
        out.update(run[j : j + 2] for j in range(len(run) - 1))
    return out


def derive_title(paragraphs: list[str] | tuple[str, ...], max_chars: int = DERIVED_TITLE_CHARS) -> str:
    """A title for an article whose headline is not on the page (step 5 above).

    Args:
        paragraphs: the article's cleaned paragraphs (non-empty list).
        max_chars: longest title in characters.
    Returns:
        A sentence or clause of the article, without final punctuation.
    """
    sentences: list[str] = []
    for k, p in enumerate(paragraphs[:2]):
        if k == 0:
            m = DATELINE.match(p)
            if m:
                p = p[m.end() :].lstrip(" ，：")
        sentences.extend(s.strip() for s in split_sentences(p) if s.strip())
    strip_end = "。！？；…!?; "

    def core(s: str) -> str:
        s = s.rstrip(strip_end)
        if s.endswith(("”", "’")) and not any(q in s for q in "“‘"):
            s = s[:-1].rstrip(strip_end)
        return s

    for s in sentences:
        c = core(s)
        if c and c[0] not in _OPENING_QUOTES and 8 <= len(c) <= max_chars:
            return c
    if not sentences:
        return ""
    first = next((s for s in sentences if s[0] not in _OPENING_QUOTES), sentences[0])
    c = core(first)
    clause = re.split(r"[，；：,;:]", c)[0].strip()
    if len(clause) >= 6:
        c = clause
    return c[:max_chars].rstrip()


def _assign_titles(items: list[_Item], arts: list[_Art], body_art: dict[int, int]) -> None:
    """Step 4: headline units to articles, the rest to sub-heading paragraphs."""
    n_items = len(items)
    art_bigrams = [set().union(*(_bigrams(t) for _, t in a.entries)) for a in arts]
    df = Counter(b for bg in art_bigrams for b in bg)
    n_arts = len(arts)

    weights = {b: math.log(1 + n_arts / c) for b, c in df.items()}
    unseen = math.log(1 + n_arts)

    def weight(b: str) -> float:
        return weights.get(b, unseen)

    # article of the nearest body item before / after each position (two linear passes)
    art_before: list[int | None] = [None] * n_items
    art_after: list[int | None] = [None] * n_items
    last: int | None = None
    for i in range(n_items):
        art_before[i] = last
        last = body_art.get(i, last)
    last = None
    for i in range(n_items - 1, -1, -1):
        art_after[i] = last
        last = body_art.get(i, last)

    pool: list[tuple[_Unit, int | None, int | None]] = []  # unit, art before, art after
    order = 0
    for i, it in enumerate(items):
        if it.kind != "head":
            continue
        before, after = art_before[i], art_after[i]
        inside = before is not None and before == after
        for k, u in enumerate(it.units):
            u.item, u.order = i, order
            order += 1
            if inside and not u.sub:
                arts[before].add((i, k), u.title)  # sub-heading stays a paragraph
            else:
                pool.append((u, before, after))

    # cluster id: consecutive headline items with no body between them
    cluster: dict[int, int] = {}
    cid = 0
    for i, it in enumerate(items):
        if it.kind == "body":
            cid += 1
        elif it.kind == "head":
            cluster[i] = cid

    scores: list[tuple[float, int, int]] = []
    best: dict[int, int] = {}
    for ui, (u, before, after) in enumerate(pool):
        ub = _bigrams(u.title)
        total = sum(weight(b) for b in ub)
        best_s = -1.0
        near = before if before is not None else (after if after is not None else 0)
        lo, hi = max(0, near - HEADLINE_WINDOW_ARTICLES), min(n_arts, near + HEADLINE_WINDOW_ARTICLES + 1)
        for ai in range(lo, hi):
            ab = art_bigrams[ai]
            s = sum(weight(b) for b in ub & ab) / total if total else 0.0
            if ai in (before, after):
                s += ADJACENT_BONUS
            if s > best_s:
                best_s, best[ui] = s, ai
            if s >= MIN_TITLE_SCORE:
                scores.append((s, ui, ai))
    scores.sort(key=lambda t: (-t[0], t[1], t[2]))
    assigned: dict[int, int] = {}
    for s, ui, ai in scores:
        if ui in assigned:
            continue
        a = arts[ai]
        u = pool[ui][0]
        if not a.title_units:
            a.title_units.append(u)
            assigned[ui] = ai
        elif best.get(ui) == ai:
            orders = [x.order for x in a.title_units]
            same_cluster = all(cluster.get(x.item) == cluster.get(u.item) for x in a.title_units)
            if same_cluster and (u.order == max(orders) + 1 or u.order == min(orders) - 1):
                a.title_units.append(u)
                a.title_units.sort(key=lambda x: x.order)
                assigned[ui] = ai

    # untitled article: a leftover unit directly above its first paragraph
    for ui, (u, before, after) in enumerate(pool):
        if ui in assigned or after is None or arts[after].title_units:
            continue
        between = items[u.item + 1 : arts[after].first_item]
        if u is items[u.item].units[-1] and all(x.kind in ("byline", "cont") for x in between):
            arts[after].title_units.append(u)
            assigned[ui] = after

    for ui, (u, before, after) in enumerate(pool):
        if ui in assigned:
            continue
        host = before if before is not None else after
        if host is not None:
            k = items[u.item].units.index(u)
            arts[host].add((u.item, k), u.title)


def _title_of(units: list[_Unit]) -> str:
    main = join_lines([u.main_text for u in units])
    subs = [squeeze_spaces(join_lines(u.sub), heading=True).lstrip("—- ") for u in units if u.sub]
    return f"{main}——{''.join(subs)}" if subs else main


def segment_page(text: str, doc_id: str, source: str = "", date: str | None = None,
                 url: str | None = None) -> list[Article]:
    """Segment one newspaper page of PDF text into articles (steps 1-5 above).

    Args:
        text: the raw page text.
        doc_id: document id; article ids are ``<doc_id>#<n>``, n from 1 in reading order.
        source: relative path of the file, copied to the articles.
    Returns:
        Articles in reading order (empty for a page without body text).
    """
    items = page_items(text)
    if items and not any(it.kind == "body" for it in items):
        # nothing but headline-like blocks (a list, a one-line note): keep them as body
        items = [
            _Item("body", clean_paragraph([ln for u in it.units for ln in u.main + u.sub]))
            if it.kind == "head" else it
            for it in items
        ]
    arts, body_art = _group(items)
    keep = [a for a in arts if a.has_body]
    if len(keep) != len(arts):  # renumber body_art after dropping empty articles
        kept_ids = {id(a) for a in keep}
        remap: dict[int, int] = {}
        for ai, a in enumerate(arts):
            if id(a) in kept_ids:
                remap[ai] = len(remap)
        body_art = {i: remap[ai] for i, ai in body_art.items()}
        arts = keep
    if not arts:
        return []
    _assign_titles(items, arts, body_art)
    out: list[Article] = []
    for n, a in enumerate(arts, start=1):
        paras = tuple(t for _, t in sorted(a.entries, key=lambda e: e[0]))
        if a.title_units:
            title, derived = _title_of(a.title_units), False
        else:
            title, derived = derive_title(paras), True
        out.append(
            Article(
                id=f"{doc_id}#{n}",
                title=title,
                paragraphs=paras,
                byline=a.byline,
                source=source,
                title_derived=derived,
                date=date,
                url=url,
            )
        )
    return out


def segment_markdown(text: str, doc_id: str, source: str = "", date: str | None = None,
                     url: str | None = None) -> list[Article]:
    """Segment a Markdown file (markup stripped by :func:`corpus.markdown.markdown_blocks`).

    With ATX headings, each heading of the top level present starts an article titled by
    it; deeper headings are sub-heading paragraphs; text before the first heading is an
    article with a derived title.  Without headings the stripped text is segmented as a
    page (:func:`segment_page`).
    """
    blocks = markdown_blocks(text)
    levels = [lvl for lvl, _ in blocks if lvl]
    if not levels:
        plain = "\n\n".join("\n".join(lines) for _, lines in blocks)
        return segment_page(plain, doc_id, source, date, url)
    top = min(levels)
    groups: list[tuple[str | None, list[str]]] = []
    for lvl, lines in blocks:
        if lvl == top:
            groups.append((clean_paragraph(lines, heading=True), []))
            continue
        para = clean_paragraph(lines, heading=bool(lvl))
        if not para:
            continue
        if not groups:
            groups.append((None, []))
        groups[-1][1].append(para)
    out: list[Article] = []
    for title, paras in groups:
        if not paras:
            if title:
                log.warning("%s: heading %r has no text under it; skipped", source or doc_id, title)
            continue
        derived = not title
        out.append(
            Article(
                id=f"{doc_id}#{len(out) + 1}",
                title=title or derive_title(paras),
                paragraphs=tuple(paras),
                source=source,
                title_derived=derived,
                date=date,
                url=url,
            )
        )
    return out


def segment_document(doc: Document) -> list[Article]:
    """Turn one loaded Document into its Articles.

    * ``kind == "page"``: ``.md`` via :func:`segment_markdown`, else :func:`segment_page`.
    * ``kind == "article"`` from ``.json`` (SQuAD): one article, title from the record,
      paragraphs = the contexts (separated by blank lines in ``doc.text``), lightly
      cleaned by :func:`squad_paragraph` so answer offsets stay valid.
    * ``kind == "article"`` otherwise (JSON Lines): one article, paragraphs split at blank
      lines, HTML stripped and fully cleaned (:func:`corpus.clean.clean_paragraph`, no
      column-break merging); title from the record (cleaned in heading mode), derived
      when empty.

    Returns:
        The articles (``[]`` when the document has no text; a warning is logged).
    Raises:
        ValueError: unknown ``doc.kind``.
    """
    suffix = PurePosixPath(doc.source).suffix.lower()
    if doc.kind == "page":
        if suffix in (".md", ".markdown", ".docx"):
            arts = segment_markdown(doc.text, doc.doc_id, doc.source, doc.date, doc.url)
        else:
            arts = segment_page(doc.text, doc.doc_id, doc.source, doc.date, doc.url)
    elif doc.kind == "article":
        if suffix == ".json":
            paras = [squad_paragraph(c)[0] for c in doc.text.split("\n\n")]
            paras = [p for p in paras if p]
        else:
            text = normalize_page(doc.text)
            paras = [clean_paragraph(b) for b in split_blocks(text)]
            paras = [p for p in paras if p]
        if not paras:
            arts = []
        else:
            title = doc.title or ""
            if suffix != ".json":
                title = squeeze_spaces(normalize_chars(strip_html(title)), heading=True)
            else:
                title = normalize_chars(title).strip()
            arts = [
                Article(
                    id=f"{doc.doc_id}#1",
                    title=title or derive_title(paras),
                    paragraphs=tuple(paras),
                    source=doc.source,
                    title_derived=not title,
                    date=doc.date,
                    url=doc.url,
                )
            ]
    else:
        raise ValueError(f"{doc.source}: unknown document kind {doc.kind!r}")
    if not arts:
        log.warning("%s (%s): no article text found", doc.source, doc.doc_id)
    return arts
