"""Chunking invariants on the seed page and on synthetic long text."""
from __future__ import annotations

import pytest

from corpus.chunk import chunk_article, split_long, split_sentences
from corpus.pipeline import load_corpus
from corpus.types import Article

FORBIDDEN_START = set("。！？；，、：”’」』）)》】,.;:!?")


def check_invariants(article: Article, passages, max_chars: int) -> None:
    text = article.text
    assert "".join(p.text for p in passages) == text
    pos = 0
    starts = []
    acc = 0
    for para in article.paragraphs:
        starts.append(acc)
        acc += len(para) + 1
    for n, p in enumerate(passages, start=1):
        assert p.id == f"{article.id}:{n}"
        assert p.article_id == article.id and p.title == article.title
        assert p.byline == article.byline and p.source == article.source
        assert p.start == pos and text[p.start : p.end] == p.text
        pos = p.end
        assert len(p.text.rstrip("\n")) <= max_chars
        assert p.text.strip(), "empty passage"
        assert p.text[0] not in FORBIDDEN_START, p.text[:10]
        # paragraph_no: the paragraph the passage starts in
        k = p.paragraph_no - 1
        assert starts[k] <= p.start < starts[k] + len(article.paragraphs[k]) + 1
    assert pos == len(text)


@pytest.fixture(scope="module")
def seed_corpus(repo_root):
    return load_corpus(repo_root / "seeds")


@pytest.mark.parametrize("max_chars", [300, 120, 50])
def test_seed_passages_tile_articles(seed_corpus, max_chars):
    for a in seed_corpus.articles:
        check_invariants(a, chunk_article(a, max_chars=max_chars), max_chars)


def test_seed_passages_in_corpus_and_ids_stable(seed_corpus, repo_root):
    for a in seed_corpus.articles:
        mine = [p for p in seed_corpus.passages if p.article_id == a.id]
        check_invariants(a, mine, 300)
    again = load_corpus(repo_root / "seeds")
    assert [p.to_dict() for p in again.passages] == [p.to_dict() for p in seed_corpus.passages]
    assert len({p.id for p in seed_corpus.passages}) == len(seed_corpus.passages)


def test_seed_subheading_is_packed_with_following_paragraph(seed_corpus):
    gz = seed_corpus.articles[1]
    ps = [p for p in seed_corpus.passages if p.article_id == gz.id]
    head = [p for p in ps if p.text.startswith("慰问工作全面开花\n")]
    assert len(head) == 1
    assert head[0].text.startswith("慰问工作全面开花\n贵州省分公司工会")
    assert head[0].paragraph_no == 3
    assert not any(p.display_text == "慰问工作全面开花" for p in ps)


def _article(*paras: str) -> Article:
    return Article(id="d#1", title="T", paragraphs=tuple(paras))


def test_long_paragraph_split_on_sentences():
    sent = "衡水市分公司独家承担了赛事的综合物流服务。"  # 21 chars
    a = _article(sent * 30)
    ps = chunk_article(a, max_chars=100)
    check_invariants(a, ps, 100)
    assert all(p.text.endswith("。") for p in ps)
    assert len(ps) == 8  # 4 sentences (84 chars) per passage: 7 full + 2 sentences
    assert [len(p.text) for p in ps] == [84] * 7 + [42]


def test_closing_quote_stays_with_its_sentence():
    s = "他说：“很方便。”该公司负责人说。“之前要开车到县城邮寄！”现在好了。"
    assert split_sentences(s) == ["他说：“很方便。”", "该公司负责人说。", "“之前要开车到县城邮寄！”", "现在好了。"]
    a = _article(("他开心地说：“这份工作我会坚持做下去。”" * 6))
    ps = chunk_article(a, max_chars=50)
    check_invariants(a, ps, 50)
    assert all(p.text.endswith("”") for p in ps)


def test_split_sentences_tiles_text():
    for s in ["", "没有句号", "一。二！三？四；五", "……。”）结尾", "a. b! c?"]:
        assert "".join(split_sentences(s)) == s


def test_long_sentence_split_at_commas():
    clause = "配送物资也在桌椅指示牌的基础上逐步增加，"  # 20 chars
    sentence = clause * 40 + "完。"
    pieces = split_long(sentence, 100)
    assert "".join(pieces) == sentence
    assert all(len(p) <= 100 for p in pieces)
    assert all(p.endswith("，") for p in pieces[:-1])


def test_sentence_without_commas_is_cut_hard_but_never_before_punctuation():
    s = "甲" * 99 + "。”" + "乙" * 150  # no sentence end inside 0..100 except at 99
    a = _article(s)
    ps = chunk_article(a, max_chars=100)
    check_invariants(a, ps, 100)
    nocomma = _article("字" * 650)
    ps = chunk_article(nocomma, max_chars=300)
    check_invariants(nocomma, ps, 300)
    assert [len(p.text) for p in ps] == [300, 300, 50]


def test_consecutive_short_paragraphs_are_packed():
    a = _article("保障到位", "服务获赞", "第一句正文内容比较长，一共有二十多个字吧。" * 3, "结尾段落也比较长，一共有二十多个字符吧。")
    ps = chunk_article(a, max_chars=300)
    check_invariants(a, ps, 300)
    assert ps[0].text.startswith("保障到位\n服务获赞\n第一句")
    assert ps[0].paragraph_no == 1
    assert ps[1].paragraph_no == 4  # long paragraphs are not packed together


def test_short_last_paragraph_stands_alone_when_nothing_follows():
    a = _article("第一段正文内容比较长，一共有二十多个字符吧。", "完")
    ps = chunk_article(a)
    check_invariants(a, ps, 300)
    assert [p.text for p in ps] == ["第一段正文内容比较长，一共有二十多个字符吧。\n", "完"]


def test_max_chars_too_small_rejected():
    with pytest.raises(ValueError, match="max_chars"):
        chunk_article(_article("正文。"), max_chars=5)
