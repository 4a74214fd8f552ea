"""Loading the files of a seeds directory into raw Documents.

Supported files (everything else is skipped with a warning; names starting with ``.``
and anything inside hidden folders are ignored; files are read in sorted order of their
relative POSIX path, folders included recursively):

* ``.txt`` / ``.md`` / ``.markdown``: one page each (``kind="page"``).  Encoding is
  detected: UTF-8 (a BOM is removed), else GB18030, both strict; when neither decodes
  the file, ``ValueError`` names it.
* ``.jsonl``: one record per line, ``{"id", "title", "text", "date"?, "url"?}``
  (``kind="article"``); ``id`` and a non-blank ``text`` are required, ``title`` may be
  empty (a title is then derived).  Blank lines are skipped; a bad line raises
  ``ValueError`` naming the file and line number; duplicate ids too.
* ``.json``: SQuAD layout (CMRC 2018 / DRCD, see :mod:`corpus.squad`); one Document per
  ``data`` entry, ``doc_id = <stem>:<index>``, ``text`` = its non-blank contexts joined by
  blank lines (line breaks inside a context become spaces, one for one, so paragraph i
  of the article is exactly context i).

Empty (or whitespace-only) files give zero documents and a logged warning.
Document ids: ``<stem>`` for a page (``<folder>/<stem>`` for files in sub-folders),
``<stem>:<record id>`` for JSONL; two files mapping to one id raise ``ValueError``.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from corpus.squad import entry_paragraphs, read_squad
from corpus.types import Document

log = logging.getLogger(__name__)

PAGE_SUFFIXES = (".txt", ".md", ".markdown")
SUPPORTED_SUFFIXES = PAGE_SUFFIXES + (".jsonl", ".json")


def decode_text(data: bytes, name: str | Path) -> str:
    """Decode file bytes as UTF-8 (BOM removed) or, failing that, GB18030.

    Raises:
        ValueError: neither strict decoding succeeds (message names ``name``).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{name}: cannot decode as UTF-8 or GB18030 (byte {e.start}); "
            "convert the file to UTF-8"
        ) from None


def corpus_files(seeds_dir: Path) -> tuple[list[Path], list[Path]]:
    """Files of ``seeds_dir`` in sorted order: ``(supported, unsupported)``.

    Hidden files and folders (name starting with ``.``) are ignored.
    """
    seeds_dir = Path(seeds_dir)
    sup, unsup = [], []
    for p in sorted(seeds_dir.rglob("*"), key=lambda x: x.relative_to(seeds_dir).as_posix()):
        rel = p.relative_to(seeds_dir)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        (sup if p.suffix.lower() in SUPPORTED_SUFFIXES else unsup).append(p)
    return sup, unsup


def _doc_stem(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.with_suffix("").as_posix()


def _load_jsonl(path: Path, rel: str, stem: str) -> list[Document]:
    text = decode_text(path.read_bytes(), rel)
    docs: list[Document] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{rel}, line {lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{where}: invalid JSON ({e.msg})") from None
        if not isinstance(rec, dict):
            raise ValueError(f"{where}: expected a JSON object")
        rid = rec.get("id")
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or not str(rid).strip():
            raise ValueError(f'{where}: missing or invalid "id"')
        body = rec.get("text")
        if not isinstance(body, str) or not body.strip():
            raise ValueError(f'{where}: missing or empty "text"')
        title = rec.get("title", "")
        if title is None:
            title = ""
        if not isinstance(title, str):
            raise ValueError(f'{where}: "title" must be a string')
        for key in ("date", "url"):
            if rec.get(key) is not None and not isinstance(rec.get(key), str):
                raise ValueError(f'{where}: "{key}" must be a string')
        rid = str(rid).strip()
        if rid in seen:
            raise ValueError(f"{where}: duplicate id {rid!r} (first on line {seen[rid]})")
        seen[rid] = lineno
        docs.append(
            Document(
                source=rel,
                doc_id=f"{stem}:{rid}",
                text=body,
                title=title.strip() or None,
                kind="article",
                date=rec.get("date"),
                url=rec.get("url"),
            )
        )
    return docs


def _load_squad(path: Path, rel: str, stem: str) -> list[Document]:
    docs = []
    for i, entry in enumerate(read_squad(path)):
        paras = entry_paragraphs(entry)
        if not paras:
            log.warning("%s: data[%d] has no non-blank context; skipped", rel, i)
            continue
        ctxs = [p["context"].replace("\r", " ").replace("\n", " ") for p, _, _ in paras]
        docs.append(
            Document(
                source=rel,
                doc_id=f"{stem}:{i}",
                text="\n\n".join(ctxs),
                title=(entry.get("title") or "").strip() or None,
                kind="article",
            )
        )
    return docs


def load_file(path: Path, root: Path) -> list[Document]:
    """Load one corpus file (see the module docstring for formats).

    Args:
        path: the file.
        root: the seeds directory (``Document.source`` is relative to it).
    Returns:
        Its documents; ``[]`` for an empty file or an unsupported extension (warned).
    Raises:
        ValueError: undecodable file, bad JSONL line, bad SQuAD layout.
    """
    path, root = Path(path), Path(root)
    rel = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        log.warning("%s: unsupported file type %r; skipped", rel, suffix)
        return []
    raw = path.read_bytes()
    if not raw.strip() or not raw.replace(b"\xef\xbb\xbf", b"").strip():
        log.warning("%s: empty file; no documents", rel)
        return []
    stem = _doc_stem(path, root)
    if suffix in PAGE_SUFFIXES:
        text = decode_text(raw, rel)
        if not text.strip():
            log.warning("%s: empty file; no documents", rel)
            return []
        return [Document(source=rel, doc_id=stem, text=text, kind="page")]
    if suffix == ".jsonl":
        docs = _load_jsonl(path, rel, stem)
    else:
        docs = _load_squad(path, rel, stem)
    if not docs:
        log.warning("%s: no records; no documents", rel)
    return docs


def load_documents(seeds_dir: Path) -> list[Document]:
    """Load every supported file of ``seeds_dir`` in sorted order.

    Raises:
        FileNotFoundError: ``seeds_dir`` does not exist or is not a directory.
        ValueError: a file fails to load (message names it), or two files give the same
            document id.
    """
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    sup, unsup = corpus_files(seeds_dir)
    for p in unsup:
        log.warning("%s: unsupported file type; skipped", p.relative_to(seeds_dir).as_posix())
    docs: list[Document] = []
    owner: dict[str, str] = {}
    for p in sup:
        for d in load_file(p, seeds_dir):
            if d.doc_id in owner and owner[d.doc_id] != d.source:
                raise ValueError(
                    f"{d.source}: document id {d.doc_id!r} also produced by {owner[d.doc_id]}; "
                    "rename one of the files"
                )
            owner[d.doc_id] = d.source
            docs.append(d)
    return docs
