"""DOCX text extraction with python-docx.

``docx_text(path)`` returns the document as Markdown-shaped text: each heading paragraph
(style ``Title`` or ``Heading N``) becomes an ATX heading (``#`` x N; ``Title`` is level 1),
every other non-blank paragraph one block, table rows one block each (cells joined by
``　``), blocks separated by blank lines, in document order.  The loader then segments it
as Markdown (:func:`corpus.segment.segment_markdown`): with headings, each top-level
heading starts an article; without, it is segmented as a newspaper page.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def _heading_level(style_name: str | None) -> int:
    name = (style_name or "").strip()
    if name.lower() == "title":
        return 1
    m = _HEADING.match(name)
    return min(int(m.group(1)), 6) if m else 0


def docx_text(path: Path) -> str:
    """The text of a ``.docx`` file as Markdown-shaped blocks (see the module docstring).

    Raises:
        ValueError: not a readable DOCX (not a zip, no ``word/document.xml``, bad XML).
    """
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    path = Path(path)
    try:
        d = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ValueError(f"{path.name}: not a readable DOCX file ({type(e).__name__}: {e})") from None
    except Exception as e:  # lxml and python-docx raise assorted errors on damaged files
        raise ValueError(f"{path.name}: not a readable DOCX file ({type(e).__name__}: {e})") from None
    blocks: list[str] = []
    for item in d.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            level = _heading_level(item.style.name if item.style is not None else None)
            if level:
                text = "#" * level + " " + text.replace("\n", " ")
            blocks.append(text)
        elif isinstance(item, Table):
            for row in item.rows:
                cells = [c.text.strip() for c in row.cells]
                line = "　".join(dict.fromkeys(c for c in cells if c))  # merged cells repeat
                if line:
                    blocks.append(line)
    return "\n\n".join(blocks)
