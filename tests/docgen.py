"""Test documents generated on the fly (nothing binary is committed): a two-column PDF of a
page of text in a CJK font (reportlab), an image-only "scanned" PDF, a DOCX (python-docx).

The PDF keeps the line structure of the text it renders: every line of the text is one
line of the PDF, a blank line is one line of vertical space, lines flow down the left
column, then the right one, then the next page; a block (lines between blank lines) is
never split across columns, as a newspaper column ends with a paragraph.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

#: CJK fonts from Debian packages (fonts-wqy-microhei, fonts-noto-cjk), first found wins.
CJK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
PAGE_SIZE = (1190.0, 842.0)  # A3 landscape, points: two columns of 105 characters at 5 pt
MARGIN = 40.0
COLUMN_GAP = 30.0
FONT_SIZE = 5.0
LEADING = 7.5


def cjk_font() -> tuple[str, int] | None:
    """(path, subfont index) of an installed CJK TrueType font, or None."""
    for path, index in CJK_FONTS:
        if Path(path).is_file():
            return path, index
    return None


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    found = cjk_font()
    if found is None:
        raise RuntimeError("no CJK font installed (apt-get install fonts-wqy-microhei)")
    name = "TestCJK"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, found[0], subfontIndex=found[1]))
    return name


def _blocks(text: str) -> list[list[str]]:
    """The page's blocks of lines (``corpus.clean.split_blocks``)."""
    from corpus.clean import split_blocks

    return split_blocks(text.replace("\r\n", "\n"))


def two_column_pdf(text: str, path: Path, columns: int = 2) -> Path:
    """Render ``text`` into a PDF of ``columns`` columns per page (see the module docstring).

    Returns:
        ``path``.
    Raises:
        RuntimeError: no CJK font installed.
    """
    from reportlab.pdfgen import canvas

    font = _register_font()
    width, height = PAGE_SIZE
    col_w = (width - 2 * MARGIN - (columns - 1) * COLUMN_GAP) / columns
    c = canvas.Canvas(str(path), pagesize=PAGE_SIZE)
    c.setFont(font, FONT_SIZE)
    col, y = 0, height - MARGIN
    for block in _blocks(text):
        need = len(block) * LEADING
        if y - need < MARGIN and y < height - MARGIN:  # block does not fit: next column
            col, y = col + 1, height - MARGIN
            if col == columns:
                c.showPage()
                c.setFont(font, FONT_SIZE)
                col = 0
        x = MARGIN + col * (col_w + COLUMN_GAP)
        for line in block:
            c.drawString(x, y - FONT_SIZE, line)
            y -= LEADING
        y -= LEADING  # the blank line
    c.showPage()
    c.save()
    return Path(path)


def scanned_pdf(path: Path) -> Path:
    """A PDF page holding only an image of text-like stripes (no text layer), as a scan."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(img)
    for row in range(40, 760, 24):
        draw.rectangle([40, row, 560, row + 10], fill=0)
    c = canvas.Canvas(str(path), pagesize=(600, 800))
    c.drawImage(ImageReader(img), 0, 0, 600, 800)
    c.showPage()
    c.save()
    return Path(path)


def docx_file(path: Path, articles: Sequence[tuple[str, Sequence[str]]]) -> Path:
    """A DOCX with, per article, a "Heading 1" paragraph (the title) and its paragraphs."""
    import docx

    d = docx.Document()
    for title, paragraphs in articles:
        d.add_heading(title, level=1)
        for p in paragraphs:
            d.add_paragraph(p)
    d.save(str(path))
    return Path(path)
