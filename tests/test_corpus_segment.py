"""Segmentation of the seed page (what a careful reader sees) and of small synthetic pages."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from corpus.segment import derive_title, segment_document, segment_markdown, segment_page
from corpus.types import Document

SEED_ID = "000_a77ed823f95b9e33"

# (title, byline, title_derived) in reading order, as read by a person from the PDF text
EXPECTED = [
    ("今年10月，阿克陶县政府推进“快递进村”服务全覆盖", "李莎", True),
    ("“五送”快递员 为旺季生产加油——贵州邮政旺季慰问助推寄递业务发展", "何云祥", False),
    ("邵阳市分公司助力“放管服”改革", "李文 张耿群", False),
    ("严把进口国际邮件防疫关", "查叶娟 吴敏 摄影报道", False),
    ("十年牵手 共向未来——河北衡水市分公司服务衡水湖国际马拉松赛10周年巡礼", "本报通讯员 韩艳锋 张升", False),
    ("中国邮政进一步加强科技创新体系建设", None, False),
    ("江苏省邮政分公司召开电视电话会议", "宗合", True),
]


@pytest.fixture(scope="module")
def seed_articles(seed_file):
    return segment_page(seed_file.read_text(encoding="utf-8"), SEED_ID, seed_file.name)


def test_seed_page_has_seven_articles_with_real_titles_and_bylines(seed_articles):
    got = [(a.title, a.byline, a.title_derived) for a in seed_articles]
    assert got == EXPECTED
    assert [a.id for a in seed_articles] == [f"{SEED_ID}#{n}" for n in range(1, 8)]
    assert all(a.source == "000_a77ed823f95b9e33.txt" for a in seed_articles)


def _where(arts, needle):
    return [k for k, a in enumerate(arts) if needle in a.text]


@pytest.mark.parametrize(
    "fact, k",
    [
        ("118个快递服务点", 0),
        ("喀斯木·尧力达西说。", 0),
        ("4329.7万元", 1),
        ("1794.6万件", 1),
        ("1600个口罩", 1),
        ("口罩、手套、消毒液等防疫物资", 1),
        ("兴仁县邮件处理中心，给员工带去企业的温暖", 1),
        ("群众满意度达100%", 2),
        ("本报讯 湖南省邵阳市邮政分公司", 2),
        ("进口国际邮件", 3),
        ("六面消杀", 3),
        ("2012年", 4),
        ("路面清、绿地清", 4),
        ("“双金”赛事", 4),
        ("科技创新体系", 5),
        ("专家解读十九届六中全会精神", 6),
        ("甘肃行政学院", 6),
    ],
)
def test_facts_land_in_the_right_article(seed_articles, fact, k):
    assert _where(seed_articles, fact) == [k]


def test_subheadings_are_paragraphs_inside_their_articles(seed_articles):
    gz, hs = seed_articles[1], seed_articles[4]
    for sub in ("慰问工作全面开花", "送温暖结合防疫情", "营造旺季生产氛围"):
        assert sub in gz.paragraphs
    for sub in ("保障到位 服务获赞", "绿色理念 服务升级", "业务协同 深入融合"):
        assert sub in hs.paragraphs
    # sub-heading order: it precedes the paragraph it heads
    assert gz.paragraphs.index("慰问工作全面开花") == 2
    assert gz.paragraphs[3].startswith("贵州省分公司工会、贵阳邮区中心及各市（州）分公司")


def test_lead_after_headline_belongs_to_hengshui(seed_articles):
    hs = seed_articles[4]
    assert hs.paragraphs[0].startswith("2021衡水湖国际马拉松赛暨全国马拉松锦标赛")
    assert any(p.startswith("衡水湖国际马拉松赛是经国家体育总局批准") for p in hs.paragraphs)


def test_markers_bylines_and_headlines_are_not_body_text(seed_articles):
    for a in seed_articles:
        for p in a.paragraphs:
            assert p and p == p.strip()
            assert "□" not in p and "上接" not in p
            assert not p.startswith("——")
    titles = {a.title for a in seed_articles if not a.title_derived}
    for a in seed_articles:
        assert not titles & set(a.paragraphs)
    assert seed_articles[5].paragraphs[0].startswith("《意见》提出")
    assert seed_articles[6].paragraphs[0].startswith("江苏省邮政分公司召开电视电话会议")


def test_no_layout_spaces_left_in_body(seed_articles):
    cjk_space = re.compile(r"[\u4e00-\u9fff，。、] [\u4e00-\u9fff0-9，。、]|[0-9] [\u4e00-\u9fff]")
    for a in seed_articles:
        for p in a.paragraphs:
            if p.startswith("本报讯 "):
                p = p[4:]
            if len(p) < 20:  # sub-headings keep their phrase space
                continue
            assert not cjk_space.search(p), p


def test_no_text_dropped(seed_file, seed_articles):
    raw = seed_file.read_text(encoding="utf-8")
    han = lambda s: Counter(c for c in s if "\u4e00" <= c <= "\u9fff")
    expected = han(raw) - han("（上接第1版）（上接第1版）")
    got = Counter()
    for a in seed_articles:
        got += han("".join(a.paragraphs)) + han(a.byline or "")
        if not a.title_derived:
            got += han(a.title)
    assert got == expected


def test_segmentation_is_deterministic(seed_file, seed_articles):
    again = segment_page(seed_file.read_text(encoding="utf-8"), SEED_ID, seed_file.name)
    assert [a.to_dict() for a in again] == [a.to_dict() for a in seed_articles]


# --- synthetic pages -------------------------------------------------------------------

BODY_A = ("阿克陶县邮政分公司在全县118个行政村建立了快递服务点，村民在家门口就能取到快件。\n"
          "服务点统一配备标识牌和货柜，负责人接受了线上培训。")
BODY_B = ("常州市邮政分公司开辟独立密闭场地处理进口国际邮件，\n"
          "由专人严格按照防疫要求对邮件进行六面消杀。")


def test_dateline_starts_a_new_article():
    text = f"{BODY_A}\n\n本报讯 {BODY_B}"
    arts = segment_page(text, "p")
    assert len(arts) == 2
    assert arts[1].paragraphs[0].startswith("本报讯 常州市")


def test_inline_byline_closes_article_and_standalone_byline_opens_next():
    text = f"{BODY_A} □李莎\n\n□何云祥\n\n{BODY_B}"
    arts = segment_page(text, "p")
    assert [(a.byline, a.paragraphs[0][:3]) for a in arts] == [("李莎", "阿克陶"), ("何云祥", "常州市")]


def test_headline_after_body_and_byline_goes_to_that_article():
    text = f"{BODY_B}\n\n□查叶娟 吴敏 摄影报道\n\n严把进口国际邮件\n防疫关\n\n□王五\n\n{BODY_A}"
    arts = segment_page(text, "p")
    assert arts[0].title == "严把进口国际邮件防疫关" and not arts[0].title_derived
    assert arts[0].byline == "查叶娟 吴敏 摄影报道"
    assert arts[1].byline == "王五" and arts[1].title_derived


def test_headline_cluster_is_distributed_by_content():
    text = (f"{BODY_A} □甲\n\n本报讯 {BODY_B} □乙\n\n"
            "严把进口国际邮件防疫关\n\n快递服务点 进村入户\n——阿克陶县邮政建成118个服务点")
    arts = segment_page(text, "p")
    assert arts[0].title == "快递服务点 进村入户——阿克陶县邮政建成118个服务点"
    assert arts[1].title == "严把进口国际邮件防疫关"


def test_continuation_marker_starts_article_and_headline_above_it_is_its_title():
    text = (f"{BODY_A}\n\n中国邮政加强科技创新体系建设\n（上接第1版）\n\n"
            "《意见》提出，要强化科技创新体系，加强创新基础设施建设。\n\n"
            "（上接第1版）\n江苏省邮政分公司召开电视电话会议，学习全会精神。")
    arts = segment_page(text, "p")
    assert [a.title for a in arts][1:] == ["中国邮政加强科技创新体系建设", "江苏省邮政分公司召开电视电话会议，学习全会精神"]
    assert arts[2].title_derived
    assert all("上接" not in p for a in arts for p in a.paragraphs)


def test_jump_marker_is_dropped():
    arts = segment_page(f"{BODY_A}（下转第2版）\n\n（下转第2版）", "p")
    assert len(arts) == 1 and arts[0].paragraphs[-1].endswith("培训。")


def test_single_article_page_takes_headline_above_body_even_without_overlap():
    arts = segment_page(f"今日要闻\n\n{BODY_A}", "p")
    assert len(arts) == 1 and arts[0].title == "今日要闻" and not arts[0].title_derived


def test_page_without_body_gives_no_articles():
    assert segment_page("", "p") == []
    assert segment_page("□李莎\n\n（上接第1版）", "p") == []


def test_derive_title_prefers_short_sentence_not_opening_with_quote():
    paras = ["“这是快递单号，麻烦您找一下我的快递，谢谢。”接过网购产品，新疆维吾尔自治区阿克陶县村民阿里耶开心地笑了，这是他第一次在家门口取到快件。",
             "今年10月，阿克陶县政府推进服务全覆盖。阿克陶县邮政分公司积极加强合作。"]
    assert derive_title(paras) == "今年10月，阿克陶县政府推进服务全覆盖"


def test_derive_title_falls_back_to_first_clause_and_strips_dateline():
    para = "本报讯 江苏省邮政分公司召开电视电话会议，邀请中共江苏省委党校专家解读十九届六中全会精神，要求全省邮政切实加强组织领导和统筹协调推动。"
    t = derive_title([para])
    assert t == "江苏省邮政分公司召开电视电话会议"
    assert len(derive_title(["一" * 80 + "。"])) == 30


# --- other document kinds ----------------------------------------------------------------

def test_markdown_top_level_headings_start_articles():
    md = ("# 快递进村\n\n阿克陶县 **118** 个行政村建立了[快递服务点](http://x.cn)。\n\n"
          "## 培训\n\n- 服务点负责人接受培训。\n\n# 防疫关\n\n<b>常州</b>邮政开展六面消杀。\n")
    arts = segment_markdown(md, "m", "m.md")
    assert [a.title for a in arts] == ["快递进村", "防疫关"]
    assert arts[0].paragraphs == ("阿克陶县118个行政村建立了快递服务点。", "培训", "服务点负责人接受培训。")
    assert arts[1].paragraphs == ("常州邮政开展六面消杀。",)


def test_jsonl_document_is_one_article_with_blank_line_paragraphs():
    doc = Document(source="n.jsonl", doc_id="n:7", title="快递 进村", kind="article",
                   text="今年 10 月，阿克陶县推进服务。\n\n第二段<script>x()</script>内容。")
    (a,) = segment_document(doc)
    assert a.id == "n:7#1" and a.title == "快递 进村" and not a.title_derived
    assert a.paragraphs == ("今年10月，阿克陶县推进服务。", "第二段内容。")


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="kind"):
        segment_document(Document(source="x.txt", doc_id="x", text="正文。", kind="book"))


def test_page_of_only_short_lines_keeps_them_as_body():
    arts = segment_page("快递进村服务全覆盖\n\n邮政助力乡村振兴", "p")
    assert len(arts) == 1 and arts[0].paragraphs == ("快递进村服务全覆盖", "邮政助力乡村振兴")
    assert arts[0].title_derived


def test_short_english_sentences_are_body_not_headlines():
    arts = segment_page("Nexon 开发 the game.\n\nIt was released in 2005. Players liked it.", "p")
    assert len(arts) == 1
    assert arts[0].paragraphs == ("Nexon 开发 the game.", "It was released in 2005. Players liked it.")


def test_unrelated_headline_is_not_a_title_but_text_is_kept():
    arts = segment_page(f"{BODY_A} □甲\n\n{BODY_B} □乙\n\n天气晴朗", "p")
    assert len(arts) == 2 and all(a.title_derived for a in arts)
    assert arts[1].paragraphs[-1] == "天气晴朗"


def test_headline_directly_above_byline_and_body_is_its_title():
    arts = segment_page(f"{BODY_A} □甲\n\n天气晴朗\n\n□乙\n\n{BODY_B}", "p")
    assert [a.title_derived for a in arts] == [True, False]
    assert arts[1].title == "天气晴朗" and arts[1].byline == "乙"


def test_long_file_of_many_pages_is_segmented_page_by_page(seed_file):
    """A 40-page file (the seed page repeated; the input that took minutes when headline
    scoring compared every headline with every article): each page in the middle is
    segmented exactly like its neighbours, and the count is 7 per page."""
    page = seed_file.read_text(encoding="utf-8")
    arts = segment_page("\n\n".join([page] * 40), "many")
    assert len(arts) == 7 * 40
    key = [(a.title, a.paragraphs, a.byline) for a in arts]
    assert key[7 * 10:7 * 11] == key[7 * 30:7 * 31]
    assert [a.title for a in arts[7 * 20:7 * 21]][:2] == [t for t, _, _ in EXPECTED][:2]
