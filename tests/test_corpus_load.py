"""Loading files of every supported kind, errors, the Corpus record and the CLI."""
from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from corpus.__main__ import main as cli_main
from corpus.loaders import decode_text, load_documents, load_file
from corpus.pipeline import corpus_fingerprint, load_corpus
from corpus.squad import load_squad_questions

CMRC = Path(__file__).resolve().parents[2] / "shared" / "data" / "cmrc2018-trial" / "cmrc2018_trial.json"
PAGE = "今年 10 月，阿克陶县政府推进“快递进村”服务全覆盖。\n\n木吉乡布拉克村距离县城近 250 公里。\n"


def test_gb18030_file(tmp_path):
    (tmp_path / "gb.txt").write_bytes(PAGE.encode("gb18030"))
    (doc,) = load_documents(tmp_path)
    assert doc.text == PAGE and doc.doc_id == "gb" and doc.kind == "page"
    (art,) = load_corpus(tmp_path).articles
    assert art.paragraphs == ("今年10月，阿克陶县政府推进“快递进村”服务全覆盖。", "木吉乡布拉克村距离县城近250公里。")


def test_utf8_bom_removed(tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + PAGE.encode("utf-8"))
    (doc,) = load_documents(tmp_path)
    assert doc.text == PAGE


def test_undecodable_file_names_the_file(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x80\xff\x80\xff abc")
    with pytest.raises(ValueError, match=r"bad\.txt.*gibberish"):
        load_documents(tmp_path)
    with pytest.raises(ValueError, match=r"x\.txt: cannot decode as UTF-8, GB18030, Big5 or UTF-16"):
        decode_text(bytes(range(128, 256)) * 20, "x.txt")


def test_empty_file_gives_no_documents_and_warns(tmp_path, caplog):
    for name in ("empty.txt", "empty.jsonl", "empty.json", "blank.md"):
        (tmp_path / name).write_text("" if name != "blank.md" else "\n  \n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_documents(tmp_path) == []
    assert "empty.txt" in caplog.text and "empty file" in caplog.text
    with pytest.raises(ValueError, match="no articles"):
        load_corpus(tmp_path)


def test_missing_dir_and_dir_without_loadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="nope"):
        corpus_fingerprint(tmp_path / "nope")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValueError, match="notes.pdf"):
        load_corpus(tmp_path)


def test_unknown_extension_skipped_hidden_ignored_sorted_order(tmp_path, caplog):
    (tmp_path / "b.txt").write_text("乙文章正文内容。", encoding="utf-8")
    (tmp_path / "a.txt").write_text("甲文章正文内容。", encoding="utf-8")
    (tmp_path / "c.csv").write_text("x,y", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("隐藏。", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("隐藏。", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        docs = load_documents(tmp_path)
    assert [d.doc_id for d in docs] == ["a", "b"]
    assert "c.csv" in caplog.text


def test_jsonl_records(tmp_path):
    recs = [
        {"id": "n1", "title": "快递进村", "text": "第一段。\n\n第二段。", "date": "2021-12-20", "url": "http://x/1"},
        {"id": 2, "title": "", "text": "邵阳市分公司助力改革，群众满意度达100%。"},
    ]
    (tmp_path / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n\n", encoding="utf-8")
    c = load_corpus(tmp_path)
    a1, a2 = c.articles
    assert (a1.id, a1.title, a1.paragraphs, a1.date, a1.url) == ("news:n1#1", "快递进村", ("第一段。", "第二段。"), "2021-12-20", "http://x/1")
    assert a2.id == "news:2#1" and a2.title_derived and a2.title == "邵阳市分公司助力改革，群众满意度达100%"


@pytest.mark.parametrize(
    "line, msg",
    [
        ("{not json", "invalid JSON"),
        ('["a"]', "JSON object"),
        ('{"title": "t", "text": "正文"}', '"id"'),
        ('{"id": "x", "title": "t"}', '"text"'),
        ('{"id": "x", "title": 3, "text": "正文"}', '"title"'),
    ],
)
def test_jsonl_bad_line_names_file_and_line(tmp_path, line, msg):
    good = json.dumps({"id": "ok", "title": "t", "text": "正文。"}, ensure_ascii=False)
    (tmp_path / "bad.jsonl").write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl, line 3") as e:
        load_documents(tmp_path)
    assert msg in str(e.value)


def test_jsonl_duplicate_id(tmp_path):
    r = json.dumps({"id": "a", "title": "t", "text": "正文。"}, ensure_ascii=False)
    (tmp_path / "d.jsonl").write_text(f"{r}\n{r}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2.*duplicate"):
        load_documents(tmp_path)


def test_squad_cmrc_trial_articles_and_questions_agree(tmp_path):
    if not CMRC.is_file():
        pytest.skip("CMRC 2018 trial set not present")
    shutil.copy(CMRC, tmp_path / CMRC.name)
    c = load_corpus(tmp_path)
    raw = json.loads(CMRC.read_text(encoding="utf-8"))["data"]
    assert len(c.articles) == len(raw) == 256
    a0 = c.article("cmrc2018_trial:0#1")
    assert a0.title == raw[0]["title"] == "泡泡战士"
    assert a0.paragraphs[0].startswith("基于《跑跑卡丁车》与《泡泡堂》上所开发的游戏，由韩国Nexon开发与发行。")
    qs = load_squad_questions(tmp_path / CMRC.name)
    assert len(qs) == 1002
    for q in qs:
        para = c.article(q.article_id).paragraphs[q.paragraph_no - 1]
        for ans, s in zip(q.answers, q.answer_starts):
            assert para[s : s + len(ans)] == ans, q.id
    # CMRC offsets count UTF-16 units: after '𫚭' they are one too far; re-anchored
    q = next(q for q in qs if q.id == "TRIAL_210_QUERY_0")
    assert q.answers == ["俗名龙尖"] and q.answer_starts == [13]


def test_squad_fullwidth_and_traditional_context(tmp_path):
    ctx = "  臺灣ＤＲＣＤ資料集收錄２０１８年的文章。"
    data = {"data": [{"title": "ＤＲＣＤ", "paragraphs": [
        {"context": "   ", "qas": []},
        {"context": ctx, "qas": [{"id": "q1", "question": "收錄哪一年？", "answers": [{"text": "２０１８", "answer_start": ctx.index("２")}]}]},
    ]}]}
    p = tmp_path / "drcd.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (art,) = load_corpus(tmp_path).articles
    assert art.id == "drcd:0#1" and art.title == "DRCD"
    assert art.paragraphs == ("臺灣DRCD資料集收錄2018年的文章。",)
    (q,) = load_squad_questions(p)
    assert (q.article_id, q.paragraph_no, q.answers) == ("drcd:0#1", 1, ["2018"])
    assert art.paragraphs[0][q.answer_starts[0] :].startswith("2018")


def test_squad_bad_layout(tmp_path):
    (tmp_path / "x.json").write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"x\.json.*SQuAD"):
        load_documents(tmp_path)
    (tmp_path / "x.json").write_text('{"data": [{"title": "t", "paragraphs": [{"qas": []}]}]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"data\[0\]\.paragraphs\[0\]"):
        load_documents(tmp_path)


def test_markdown_file(tmp_path):
    (tmp_path / "m.md").write_text(
        "# 快递进村\n\n阿克陶县建立了 **118个** [快递服务点](http://x.cn)。\n\n![图](a.png)\n", encoding="utf-8")
    (a,) = load_corpus(tmp_path).articles
    assert (a.id, a.title, a.paragraphs) == ("m#1", "快递进村", ("阿克陶县建立了118个快递服务点。",))


def test_html_inside_txt_passage(tmp_path):
    (tmp_path / "h.txt").write_text(
        "<div>阿克陶县建立了&nbsp;118个快递服务点。<script>track('广告')</script></div>\n"
        "<p>村民在家门口取件&amp;寄件。</p>", encoding="utf-8")
    c = load_corpus(tmp_path)
    text = " ".join(p.text for p in c.passages)
    assert "广告" not in text and "track" not in text and "<" not in text
    assert "118个快递服务点" in text and "取件&寄件" in text


def test_same_document_id_from_two_files(tmp_path):
    (tmp_path / "a.txt").write_text("甲。", encoding="utf-8")
    (tmp_path / "a.md").write_text("乙。", encoding="utf-8")
    with pytest.raises(ValueError, match="a.md|a.txt"):
        load_documents(tmp_path)


def test_load_file_unknown_extension(tmp_path, caplog):
    p = tmp_path / "x.pptx"
    p.write_bytes(b"PK")
    with caplog.at_level(logging.WARNING):
        assert load_file(p, tmp_path) == []
    assert "x.pptx" in caplog.text


def test_fingerprint_stable_and_sensitive(tmp_path):
    (tmp_path / "a.txt").write_text("甲文章。", encoding="utf-8")
    f1 = corpus_fingerprint(tmp_path)
    assert f1 == corpus_fingerprint(tmp_path) and len(f1) == 64
    assert load_corpus(tmp_path).fingerprint == f1
    (tmp_path / "notes.pptx").write_bytes(b"x")  # unsupported files do not count
    assert corpus_fingerprint(tmp_path) == f1
    (tmp_path / "a.txt").write_text("甲文章！", encoding="utf-8")
    assert corpus_fingerprint(tmp_path) != f1


def test_corpus_lookup_and_immutability(seed_file, tmp_path):
    shutil.copy(seed_file, tmp_path / seed_file.name)
    c = load_corpus(tmp_path)
    a = c.articles[2]
    assert c.article(a.id) is a
    assert c.passage(c.passages[0].id) is c.passages[0]
    with pytest.raises(KeyError, match="no article 'nope#1'"):
        c.article("nope#1")
    with pytest.raises(Exception):
        c.fingerprint = "x"  # frozen


def test_cli_show(repo_root, capsys):
    assert cli_main(["show", "--seeds", str(repo_root / "seeds")]) == 0
    out = capsys.readouterr().out
    assert "000_a77ed823f95b9e33#2\t“五送”快递员 为旺季生产加油——贵州邮政旺季慰问助推寄递业务发展" in out
    assert "byline: 本报通讯员 韩艳锋 张升" in out
    assert "7 articles" in out


def test_cli_show_missing_dir(tmp_path, capsys):
    assert cli_main(["show", "--seeds", str(tmp_path / "none")]) == 2
    assert "not found" in capsys.readouterr().err
