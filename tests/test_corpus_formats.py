"""Formats and robustness: encodings, gibberish, PDF (two columns, scanned, broken), DOCX,
HTML, one bad file among good ones, ``python -m corpus show FILE``."""
from __future__ import annotations

import shutil

import opencc
import pytest

from corpus.__main__ import main as cli_main
from corpus.loaders import read_documents
from corpus.pipeline import load_corpus, parse_file
from tests.docgen import cjk_font, docx_file, scanned_pdf, two_column_pdf

PAGE = "今年 10 月，阿克陶县政府推进“快递进村”服务全覆盖。\n\n木吉乡布拉克村距离县城近 250 公里。\n"
PARAS = ("今年10月，阿克陶县政府推进“快递进村”服务全覆盖。", "木吉乡布拉克村距离县城近250公里。")
needs_font = pytest.mark.skipif(cjk_font() is None, reason="no CJK font (apt-get install fonts-wqy-microhei)")


def _key(corpus):
    """What a reader sees of each article, without ids and file names."""
    return [(a.title, a.title_derived, a.byline, a.paragraphs) for a in corpus.articles]


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_detected(tmp_path, codec):
    (tmp_path / "page.txt").write_bytes(PAGE.encode(codec))
    corpus = load_corpus(tmp_path)
    assert not corpus.errors
    assert corpus.articles[0].paragraphs == PARAS


def test_big5_detected(tmp_path):
    trad = opencc.OpenCC("s2t").convert(PAGE)
    (tmp_path / "page.txt").write_bytes(trad.encode("big5"))
    (art,) = load_corpus(tmp_path).articles
    assert art.paragraphs == tuple(opencc.OpenCC("s2t").convert(p) for p in PARAS)


def test_seed_page_in_gb18030_and_big5_parses_like_utf8(tmp_path, seed_file):
    text = seed_file.read_text(encoding="utf-8")
    (tmp_path / "gb").mkdir()
    (tmp_path / "gb" / "p.txt").write_bytes(text.encode("gb18030"))
    assert _key(load_corpus(tmp_path / "gb")) == _key(load_corpus(seed_file.parent))
    trad = opencc.OpenCC("s2t").convert(text)
    (tmp_path / "b5").mkdir()
    data = trad.encode("big5", "replace")
    (tmp_path / "b5" / "p.txt").write_bytes(data)
    (doc,) = read_documents(tmp_path / "b5")[0]
    assert doc.text == data.decode("big5")


@pytest.mark.parametrize("data, why", [
    (PAGE.encode("utf-8").decode("gbk", "replace").encode("utf-8") * 12, "gibberish"),  # mojibake
    (PAGE.encode("gb18030").decode("latin-1").encode("utf-8") * 8, "gibberish"),
    (b"\x80\xff\x80\xff abc", "gibberish"),
    (bytes(range(128, 256)) * 20, "cannot decode"),
])
def test_gibberish_refused_with_a_message_and_the_rest_kept(tmp_path, data, why):
    (tmp_path / "good.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "zz_bad.txt").write_bytes(data)
    corpus = load_corpus(tmp_path)
    assert [a.source for a in corpus.articles] == ["good.txt"]
    (err,) = corpus.errors
    assert err.source == "zz_bad.txt" and why in err.reason


def test_bad_jsonl_skipped_good_file_kept(tmp_path):
    (tmp_path / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": 1, "text": "正文。"}\nnot json\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus.articles) == 1 and corpus.errors[0].source == "b.jsonl"
    assert "line 2" in corpus.errors[0].reason


def test_all_files_bad_is_an_error_naming_them(tmp_path):
    (tmp_path / "x.txt").write_bytes(bytes(range(128, 256)) * 20)
    with pytest.raises(ValueError, match=r"no articles.*x\.txt: cannot decode"):
        load_corpus(tmp_path)


@needs_font
def test_two_column_pdf_of_the_seed_page_gives_the_same_articles(tmp_path, seed_file):
    """The seed page rendered as a two-column PDF in a CJK font: the same 7 articles, with
    the same headlines, bylines and paragraphs as from the .txt."""
    two_column_pdf(seed_file.read_text(encoding="utf-8"), tmp_path / "page.pdf")
    from_pdf = load_corpus(tmp_path)
    from_txt = load_corpus(seed_file.parent)
    assert not from_pdf.errors
    assert len(from_pdf.articles) == 7
    assert _key(from_pdf) == _key(from_txt)
    assert [p.text for p in from_pdf.passages] == [p.text for p in from_txt.passages]


def test_scanned_pdf_says_no_text_layer(tmp_path):
    scanned_pdf(tmp_path / "scan.pdf")
    parsed = parse_file(tmp_path / "scan.pdf", tmp_path)
    assert parsed.error is not None and "no text layer" in parsed.error and "OCR" in parsed.error
    assert parsed.articles == () and parsed.format == "pdf"


def test_broken_pdf_and_docx_are_reported(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04 broken zip")
    assert "not a readable PDF" in parse_file(tmp_path / "a.pdf", tmp_path).error
    assert "not a readable DOCX" in parse_file(tmp_path / "b.docx", tmp_path).error


def test_docx_headings_start_articles(tmp_path):
    docx_file(tmp_path / "news.docx", [
        ("邮政快递进村", ["阿克陶县在118个行政村建立了快递服务点。", "村民在家门口收快件。"]),
        ("衡水湖马拉松", ["衡水市分公司服务赛事十年。"]),
    ])
    corpus = load_corpus(tmp_path)
    assert [(a.title, a.paragraphs) for a in corpus.articles] == [
        ("邮政快递进村", ("阿克陶县在118个行政村建立了快递服务点。", "村民在家门口收快件。")),
        ("衡水湖马拉松", ("衡水市分公司服务赛事十年。",)),
    ]
    assert parse_file(tmp_path / "news.docx", tmp_path).format == "docx"


def test_html_keeps_text_only(tmp_path):
    html = ("<html><head><title>t</title><style>p{color:red}</style>"
            "<script>var x='脚本';</script></head><body><h1>快递进村</h1>"
            "<p>阿克陶县在118个行政村建立了快递服务点。</p><p>村民在家门口收快件&amp;包裹。</p>"
            "</body></html>")
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (art,) = load_corpus(tmp_path).articles
    text = art.title + "".join(art.paragraphs)
    assert "脚本" not in text and "color" not in text and "<" not in text
    assert art.paragraphs[-1] == "村民在家门口收快件&包裹。"


def test_page_numbers_and_control_characters_never_become_passages(tmp_path, seed_file):
    text = seed_file.read_text(encoding="utf-8")
    lines = text.split("\n")
    noisy = "\n".join(lines[:40] + ["", "— 3 —", ""] + lines[40:200] + ["- 12 -", "第3版"]
                      + lines[200:]).replace("快递", "快\x07递", 3) + "\f\x00"
    (tmp_path / "noisy.txt").write_text(noisy, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    for p in corpus.passages:
        assert not any(ord(c) < 32 and c != "\n" for c in p.text)
        assert p.display_text not in ("— 3 —", "- 12 -", "第3版")
        assert "— 3 —" not in p.text and "第3版" not in p.text
    assert _key(corpus) == _key(load_corpus(seed_file.parent))


@needs_font
def test_cli_show_pdf_prints_its_articles(tmp_path, seed_file, capsys):
    two_column_pdf(seed_file.read_text(encoding="utf-8"), tmp_path / "page.pdf")
    assert cli_main(["show", str(tmp_path / "page.pdf")]) == 0
    out = capsys.readouterr().out
    assert "严把进口国际邮件防疫关" in out and "page.pdf (pdf): 7 articles" in out


def test_cli_show_reports_a_bad_file_and_lists_the_rest(tmp_path, seed_file, capsys):
    shutil.copy(seed_file, tmp_path / "a.txt")
    scanned_pdf(tmp_path / "scan.pdf")
    assert cli_main(["show", str(tmp_path)]) == 0
    cap = capsys.readouterr()
    assert "skipped scan.pdf: no text layer" in cap.err
    assert "7 articles" in cap.out and "1 file(s) skipped" in cap.out
    assert cli_main(["show", str(tmp_path / "scan.pdf")]) == 2


def test_short_docx_is_not_taken_for_gibberish(tmp_path):
    """Regression: a two-article DOCX of a few characters was refused (mess ratio 0.31)."""
    docx_file(tmp_path / "notes.docx", [("甲", ["正文。"]), ("乙", ["正文二。"])])
    parsed = parse_file(tmp_path / "notes.docx", tmp_path)
    assert parsed.error is None and [a.title for a in parsed.articles] == ["甲", "乙"]
    (tmp_path / "short.txt").write_text("短文。", encoding="utf-8")
    assert parse_file(tmp_path / "short.txt", tmp_path).error is None
