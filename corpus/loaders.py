"""Loading the files of a seeds directory into raw Documents.

Supported files (everything else is skipped with a warning; names starting with ``.``
and anything inside hidden folders are ignored; files are read in sorted order of their
relative POSIX path, folders included recursively):

* ``.txt`` / ``.md`` / ``.markdown`` / ``.html`` / ``.htm``: one page each
  (``kind="page"``; HTML keeps its text only: the markup is stripped by
  :func:`corpus.clean.strip_html` during cleaning).  Encoding (:func:`decode_text`): a
  UTF-8 or UTF-16 byte-order mark decides; else strict UTF-8; else ``charset-normalizer``
  picks among GB18030, Big5 and UTF-16 (only the encodings a Chinese corpus comes in, so a
  short GB18030 text is not taken for Korean); a text that decodes to gibberish (mojibake,
  binary) is refused (:func:`check_readable`).
* ``.pdf``: the text layer (:mod:`corpus.pdf`, pypdfium2), one page document for the
  whole file, segmented like the seed ``.txt``; a PDF without text (a scan) is an error
  (no OCR).
* ``.docx``: paragraphs and tables (:mod:`corpus.docx_text`, python-docx) as
  Markdown-shaped text: headings start articles.
* ``.jsonl``: one record per line, ``{"id", "title", "text", "date"?, "url"?}``
  (``kind="article"``); ``id`` and a non-blank ``text`` are required, ``title`` may be
  empty (a title is then derived).  Blank lines are skipped; a bad line raises
  ``ValueError`` naming the file and line number; duplicate ids too.
* ``.json``: SQuAD layout (CMRC 2018 / DRCD, see :mod:`corpus.squad`); one Document per
  ``data`` entry, ``doc_id = <stem>:<index>``, ``text`` = its non-blank contexts joined by
  blank lines (line breaks inside a context become spaces, one for one, so paragraph i
  of the article is exactly context i).

Empty (or whitespace-only) files give zero documents and a logged warning.
:func:`read_documents` never stops at a bad file: it returns the good documents and one
:class:`corpus.types.FileError` (file, reason) per file that failed.
Document ids: ``<stem>`` for a page (``<folder>/<stem>`` for files in sub-folders),
``<stem>:<record id>`` for JSONL; two files mapping to one id raise ``ValueError``.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from corpus.squad import entry_paragraphs, read_squad
from corpus.types import Document, FileError

log = logging.getLogger(__name__)

PAGE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
SUPPORTED_SUFFIXES = PAGE_SUFFIXES + (".jsonl", ".json", ".pdf", ".docx")
#: Format name of each suffix, as shown in the documents table.
FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
           ".htm": "html", ".jsonl": "jsonl", ".json": "squad", ".pdf": "pdf", ".docx": "docx"}

#: Encodings a Chinese corpus file may come in; detection only chooses among these.
ENCODINGS = ("utf_8", "gb18030", "big5", "utf_16", "utf_16_le", "utf_16_be")
#: A decoded text whose ``charset_normalizer`` mess ratio (share of suspicious character
#: sequences: 0 for clean text, above 1 for noise) exceeds this is gibberish and refused.
#: Measured here: the seed page in UTF-8, GB18030, Big5 and UTF-16 scores 0.003-0.009;
#: UTF-8 read as GBK (mojibake) 1.1-1.6, GB18030 read as Latin-1 3.6, random bytes 2.9.
GIBBERISH_MESS_RATIO = 0.3
#: Characters of the text sampled for the gibberish check (start, middle and end).
GIBBERISH_SAMPLE_CHARS = 8_000
#: A text in which more than this share of the non-space characters lies outside the
#: scripts of a Chinese corpus (``PLAUSIBLE_CHARS``) is gibberish: bytes decoded with the
#: wrong two-byte encoding land all over the 65,536 code points (a third of them CJK),
#: where the mess ratio of a short text says nothing.
IMPLAUSIBLE_SHARE = 0.3
#: Characters a Chinese news corpus is written in: ASCII, Latin-1 letters, Greek and
#: Cyrillic, general punctuation, letterlike and number forms, arrows, maths, box
#: drawing and geometric shapes (the byline ``□``), enclosed numbers (``①``), CJK
#: punctuation, kana, Bopomofo, Hangul, CJK ideographs (unified, extension A, radicals,
#: compatibility), full-width forms (not half-width katakana).
PLAUSIBLE_CHARS = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u024f\u0370-\u04ff\u2000-\u2bff\u2e80-\u2fdf"
    "\u3000-\u30ff\u3100-\u312f\u3190-\u31ff\u3200-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffef]+")


def file_format(path: Path | str) -> str:
    """The format name of a corpus file (``"pdf"``, ``"text"`` ...), ``"unsupported"`` else."""
    return FORMATS.get(Path(path).suffix.lower(), "unsupported")


#: The mess ratio says nothing about shorter texts (a two-line DOCX scored 0.31): below
#: this many characters only the implausible-character share is checked.
GIBBERISH_MIN_CHARS = 500


def check_readable(text: str, name: str | Path, encoding: str | None = None, mess: bool = True) -> str:
    """Refuse a text that decoded (or was extracted) to gibberish; return it unchanged.

    Raises:
        ValueError: more than ``IMPLAUSIBLE_SHARE`` of its characters are outside
            ``PLAUSIBLE_CHARS``, or its mess ratio (``charset_normalizer.md.mess_ratio`` over
            samples of ``GIBBERISH_SAMPLE_CHARS`` characters; with ``mess`` and for texts of at
            least ``GIBBERISH_MIN_CHARS``) exceeds ``GIBBERISH_MESS_RATIO``.  Text extracted
            from PDF/DOCX is checked with ``mess=False``: no decoding was guessed, and a
            text layer without Unicode mapping shows as implausible characters.
    """
    from charset_normalizer.md import mess_ratio

    n = GIBBERISH_SAMPLE_CHARS
    if len(text) <= 3 * n:
        samples = [text]
    else:
        mid = len(text) // 2
        samples = [text[:n], text[mid:mid + n], text[-n:]]
    visible = sum(len(x) - x.count(" ") - x.count("\n") for x in samples)
    odd = sum(len(PLAUSIBLE_CHARS.sub("", x)) for x in samples)
    if visible and odd / visible > IMPLAUSIBLE_SHARE:
        how = f" (decoded as {encoding})" if encoding else ""
        raise ValueError(f"{name}: the text{how} is gibberish ({odd / visible:.0%} of its "
                         "characters are outside the scripts of a Chinese text); wrong encoding "
                         "or not a text file? Convert it to UTF-8 text")
    if not mess or len(text) < GIBBERISH_MIN_CHARS:
        return text
    worst = max((mess_ratio(s, 1.0) for s in samples if s), default=0.0)
    if worst > GIBBERISH_MESS_RATIO:
        how = f" (decoded as {encoding})" if encoding else ""
        raise ValueError(f"{name}: the text{how} is gibberish (mess ratio {worst:.2f} > "
                         f"{GIBBERISH_MESS_RATIO}); wrong encoding or not a text file? "
                         "Convert it to UTF-8 text")
    return text


def decode_text(data: bytes, name: str | Path) -> str:
    """Decode file bytes: BOM (UTF-8, UTF-16), else strict UTF-8, else the best of
    ``ENCODINGS`` by ``charset_normalizer``; the result is checked by :func:`check_readable`.

    Raises:
        ValueError: no candidate decodes the bytes, or the text is gibberish (message
            names ``name``).
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return check_readable(data.decode(codec), name, codec)
            except UnicodeDecodeError as e:
                raise ValueError(f"{name}: has a {codec} byte-order mark but is not {codec} "
                                 f"(byte {e.start})") from None
    if data.count(b"\x00") * 10 < len(data):  # many NULs: UTF-16 without a BOM
        try:
            return check_readable(data.decode("utf-8"), name, "utf-8")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(ENCODINGS)).best()
    if best is None:
        raise ValueError(f"{name}: cannot decode as UTF-8, GB18030, Big5 or UTF-16; "
                         "convert the file to UTF-8 text")
    return check_readable(str(best), name, best.encoding)


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
        ValueError: undecodable or gibberish file, bad JSONL line, bad SQuAD layout, an
            unreadable PDF/DOCX, a PDF without text layer.
        OSError: the file cannot be read.
    """
    path, root = Path(path), Path(root)
    rel = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        log.warning("%s: unsupported file type %r; skipped", rel, suffix)
        return []
    stem = _doc_stem(path, root)
    if suffix in (".pdf", ".docx"):
        from corpus.docx_text import docx_text
        from corpus.pdf import pdf_text

        text = pdf_text(path) if suffix == ".pdf" else docx_text(path)
        if not text.strip():
            log.warning("%s: no text; no documents", rel)
            return []
        check_readable(text, rel, mess=False)
        return [Document(source=rel, doc_id=stem, text=text, kind="page")]
    raw = path.read_bytes()
    if not raw.strip() or not raw.replace(b"\xef\xbb\xbf", b"").strip():
        log.warning("%s: empty file; no documents", rel)
        return []
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


def read_documents(seeds_dir: Path) -> tuple[list[Document], list[FileError]]:
    """Load every supported file of ``seeds_dir`` in sorted order, skipping bad files.

    Returns:
        ``(documents, errors)``: the documents of every file that loaded, and one
        FileError per file that did not (undecodable, gibberish, bad JSON, no text layer,
        unreadable, or a document id already produced by an earlier file).
    Raises:
        FileNotFoundError: ``seeds_dir`` does not exist or is not a directory.
    """
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    sup, unsup = corpus_files(seeds_dir)
    for p in unsup:
        log.warning("%s: unsupported file type; skipped", p.relative_to(seeds_dir).as_posix())
    docs: list[Document] = []
    errors: list[FileError] = []
    owner: dict[str, str] = {}
    for p in sup:
        rel = p.relative_to(seeds_dir).as_posix()
        try:
            file_docs = load_file(p, seeds_dir)
        except (ValueError, OSError) as e:
            reason = str(e)
            reason = reason[len(rel) + 2:] if reason.startswith(rel + ": ") else reason
            log.warning("%s: skipped: %s", rel, reason)
            errors.append(FileError(rel, reason))
            continue
        clash = next((d for d in file_docs if d.doc_id in owner and owner[d.doc_id] != d.source), None)
        if clash is not None:
            reason = (f"document id {clash.doc_id!r} also produced by {owner[clash.doc_id]}; "
                      "rename one of the files")
            log.warning("%s: skipped: %s", rel, reason)
            errors.append(FileError(rel, reason))
            continue
        for d in file_docs:
            owner[d.doc_id] = d.source
        docs.extend(file_docs)
    return docs, errors


def load_documents(seeds_dir: Path) -> list[Document]:
    """Load every supported file of ``seeds_dir``, strictly: the first bad file raises.

    Raises:
        FileNotFoundError: ``seeds_dir`` does not exist or is not a directory.
        ValueError: a file fails to load (message names it), or two files give the same
            document id.
    """
    docs, errors = read_documents(seeds_dir)
    if errors:
        raise ValueError(str(errors[0]))
    return docs
