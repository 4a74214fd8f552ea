"""Cleaning rules of corpus/clean.py, each with its exceptions, on small inputs."""
from __future__ import annotations

import pytest

from corpus.clean import (
    clean_paragraph,
    clean_text,
    join_lines,
    merge_broken_blocks,
    normalize_chars,
    split_blocks,
    squeeze_spaces,
    strip_html,
)


# --- rule 1: character normalisation -------------------------------------------------

def test_fullwidth_digits_and_letters_become_halfwidth():
    assert normalize_chars("１０月ＡＢｃ") == "10月ABc"


def test_chinese_punctuation_stays_fullwidth():
    s = "，。：；！？（）“”、《》"
    assert normalize_chars(s) == s


def test_percent_decimal_point_and_ideographic_space():
    assert normalize_chars("４６．８％") == "46.8%"
    assert normalize_chars("甲\u3000乙") == "甲 乙"
    # a full-width full stop that is not between digits stays
    assert normalize_chars("完．") == "完．"


def test_kangxi_radical_and_compat_ideograph_folded():
    assert normalize_chars("⽇期") == "日期"  # U+2F47 KANGXI RADICAL SUN
    assert normalize_chars("\uf900") == "豈"


def test_normalize_chars_preserves_length():
    s = "ＮＥＸＯＮ　１２３，⽇\uf900abc"
    assert len(normalize_chars(s)) == len(s)


# --- rule 2: HTML -----------------------------------------------------------------

def test_script_contents_removed_and_tags_stripped():
    out = strip_html("<p>快递<b>进村</b></p><script>var x = '广告';</script><style>p{}</style>服务")
    assert "广告" not in out and "var" not in out and "<" not in out
    assert "快递进村" in out and "服务" in out


def test_entities_unescaped_and_block_tags_break_paragraphs():
    out = strip_html("甲&amp;乙&#12290;<br>丙</p>丁")
    assert out.startswith("甲&乙。\n丙")
    assert "\n\n丁" in out


def test_text_without_tags_unchanged():
    s = "《人民邮电》报道 a < b 且 c > d，R&D 投入"
    assert strip_html(s) == s


# --- rule 7: joining wrapped lines ---------------------------------------------------

def test_join_cjk_lines_without_space():
    assert join_lines(["新疆维吾尔自治区阿克陶县木吉乡布拉克村村民阿里耶·", "阿不都热依木"]) == (
        "新疆维吾尔自治区阿克陶县木吉乡布拉克村村民阿里耶·阿不都热依木"
    )


def test_join_numbers_split_by_wrap():
    assert join_lines(["邮件 1794.", "6 万件"]) == "邮件 1794.6 万件"
    assert clean_paragraph(["今年 10", "月，阿克陶县"]) == "今年10月，阿克陶县"
    assert clean_paragraph(["12 月 8", "日中午"]) == "12月8日中午"


def test_join_latin_words_with_space():
    assert join_lines(["deep", "learning"]) == "deep learning"
    assert join_lines(["It works.", "Then"]) == "It works. Then"


# --- rule 8: spaces ----------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("邮 件 处 理 中 心", "邮件处理中心"),
        ("口 罩 、手 套", "口罩、手套"),
        ("了 口 罩 、手 套 、消 毒 液 等 防 疫 物 资 。", "了口罩、手套、消毒液等防疫物资。"),
        ("今年 10 月", "今年10月"),
        ("1794.6 万件", "1794.6万件"),
        ("同比增长 46.8%；贵阳", "同比增长46.8%；贵阳"),
        ("件 处 理 中 心 ，给 员 工", "件处理中心，给员工"),
    ],
)
def test_layout_spaces_removed(raw, expected):
    assert squeeze_spaces(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["由韩国 Nexon 开发与发行", "machine learning 模型", "跑了100 km", "Nexon 开发"],
)
def test_meaningful_spaces_kept(raw):
    assert squeeze_spaces(raw) == raw


def test_letter_spacing_between_digits_is_removed_in_a_letter_spaced_run():
    """Sixth news trial: a letter-spaced line spaces digits too (``1 1 月 2 2 日``); the date was
    read ``2日``. Between digits a space is layout only inside a run of single characters;
    two numbers written apart stay apart."""
    assert squeeze_spaces("未 支 付 工 资 。 1 1 月 2 2 日 ， 4 6 名 农") == "未支付工资。11月22日，46名农"
    assert squeeze_spaces("1 2") == "1 2"
    assert squeeze_spaces("2019 2020年") == "2019 2020年"
    assert squeeze_spaces("第 3 版 共 1 2 页") == "第3版共12页"


def test_space_runs_collapse():
    assert squeeze_spaces("deep    learning   model") == "deep learning model"


def test_heading_mode_keeps_phrase_spaces_only():
    assert squeeze_spaces("十年牵手 共向未来", heading=True) == "十年牵手 共向未来"
    assert squeeze_spaces("十年牵手 共向未来") == "十年牵手共向未来"
    assert squeeze_spaces("邮 件 处 理", heading=True) == "邮件处理"
    assert squeeze_spaces("衡水湖国际马拉松赛 10周年巡礼", heading=True) == "衡水湖国际马拉松赛10周年巡礼"
    assert squeeze_spaces("本报通讯员 韩艳锋 张升", heading=True) == "本报通讯员 韩艳锋 张升"


# --- rule 6: blank lines that are not paragraph breaks --------------------------------

def _merge(text: str) -> list[str]:
    return ["".join(x.strip() for x in b) for b in merge_broken_blocks(split_blocks(text))]


@pytest.mark.parametrize(
    "text, joined",
    [
        ("贵州省分公司工会、贵阳邮区中\n\n心及各市（州）分公司工会分别制定\n了“五送”快递员活动慰问方案。省",
         "贵州省分公司工会、贵阳邮区中心及各市"),
        ("导为播州区邮件处理中心的员工带去\n了方便面、牛奶、自热米饭等慰问品和\n\n1600 个口罩，还为余庆县邮政分公司\n的投递员送去了保温杯。",
         "慰问品和1600 个口罩"),
        ("1600 个口罩，还为余庆县邮政分公司\n的投递员送去了保温杯。其他各区\n\n（县）分公司工会相继启动“五送”快递\n员活动。",
         "其他各区（县）分公司"),
        ("的神经中枢。11 月 11 日，贵州省分\n\n公司党委领导与工会同志一同慰问\n了贵阳邮区中心的干部职工。",
         "贵州省分公司党委领导"),
        ("场快，赛后回收工作做到物资清、路面\n\n清、绿地清，保证比赛过后环衡水湖赛\n道周边没有抛弃物。",
         "路面清、绿地清"),
        ("础上，逐步增加了补给饮料、配重沙袋、\n休息垫等。同时，衡水市政府提出了\n\n“绿色马拉松”的理念，组委会对衡水邮\n政的物流服务工作也提出了更高的要\n求。",
         "提出了“绿色马拉松”"),
        ("江苏省邮政分公司召开电视电话会议，邀请中共江苏省委党校专家解\n\n读十九届六中全会精神，要求全省邮政切实加强组织领导，及时研究制定学\n习计划和方案。",
         "专家解读十九届"),
    ],
)
def test_column_break_blank_lines_are_glued(text, joined):
    blocks = _merge(text)
    assert len(blocks) == 1, blocks
    assert joined in blocks[0]


def test_subheading_is_not_glued_to_body():
    text = ("员工准备了慰问品。\n\n慰问工作全面开花\n\n贵州省分公司工会、贵阳邮区中\n\n"
            "心及各市（州）分公司工会分别制定\n了“五送”快递员活动慰问方案。省")
    blocks = _merge(text)
    assert blocks[0] == "员工准备了慰问品。"
    assert blocks[1] == "慰问工作全面开花"
    assert blocks[2].startswith("贵州省分公司工会、贵阳邮区中心及")


def test_sentence_final_block_keeps_its_break():
    for end in ("。", "！", "？", "；", "。”", "……", "）"):
        text = f"一二三四五六七八九十一二三四五{end}\n\n一二三四五六七八九十一二三四五六。"
        assert len(_merge(text)) == 2, end


def test_comma_end_is_not_a_paragraph_end():
    text = "一二三四五六七八九十一二三四，\n\n一二三四五六七八九十一二三四五。"
    assert len(_merge(text)) == 1


def test_narrow_last_line_is_a_real_paragraph_end():
    text = "一二三四五六七八九十一二三四五六\n七八九十\n\n一二三四五六七八九十一二三四五六\n七八九十。"
    assert len(_merge(text)) == 2


def test_bylines_markers_subtitles_datelines_never_glued():
    body = "一二三四五六七八九十一二三四五六七八\n一二三四五六七八九十一二三四五六七八"
    for nxt in ("□李莎", "（上接第1版）", "——贵州邮政旺季慰问助推寄递业务发展", "本报讯 湖南省邵阳市邮政分公司聚焦一件事。"):
        assert len(_merge(f"{body}\n\n{nxt}")) == 2, nxt
    assert len(_merge(f"□本报通讯员 韩艳锋 张升\n\n{body}。")) == 2


def test_paragraph_breaks_kept_end_to_end():
    paras = clean_text("今年 10 月，阿克陶县政府推进服务全覆盖。\n\n木吉乡布拉克村距离县城近 250 公里。\n")
    assert paras == ["今年10月，阿克陶县政府推进服务全覆盖。", "木吉乡布拉克村距离县城近250公里。"]


def test_clean_text_of_blank_input_is_empty():
    assert clean_text("") == []
    assert clean_text(" \n\n \n") == []


# --- rule 3: control characters ----------------------------------------------------

def test_control_characters_removed_and_page_breaks_become_paragraph_breaks():
    from corpus.clean import strip_control_chars

    assert strip_control_chars("邮政\x00快\x07递\x1b[0m\x7f\x85。") == "邮政快递[0m。"
    assert strip_control_chars("上一页。\f下一页。") == "上一页。\n\n下一页。"
    assert strip_control_chars("行一\n\t行二") == "行一\n\t行二"
    # end to end: no control character reaches a paragraph
    assert clean_text("第一段\x01内容。\x0c第二段\x02内容。") == ["第一段内容。", "第二段内容。"]


# --- rule 4: folio (page-number) lines ---------------------------------------------

@pytest.mark.parametrize("line", ["— 3 —", "- 12 -", "·3·", "－ 7 －", "第3版", "第 3 版 要闻",
                                  "2021年12月14日 星期二 第三版", "第 3 页 共 8 页", "Page 3",
                                  "page 3 of 8"])
def test_folio_lines_are_page_furniture(line):
    from corpus.clean import is_folio_line

    assert is_folio_line(line)


@pytest.mark.parametrize("line", ["（上接第1版）", "（下转第2版）", "在第3版刊登了相关报道",
                                  "详见本报第3版", "第三版块建设，", "10", "—— 河北衡水市分公司服务",
                                  "Page three of the report says"])
def test_text_lines_are_not_folios(line):
    from corpus.clean import is_folio_line

    assert not is_folio_line(line)


def test_folio_lines_never_become_paragraphs():
    text = "木吉乡布拉克村距离县城近250\n— 3 —\n公里，是全县最偏远的乡村。\n\n第3版\n\n本报讯 新的一篇。"
    paras = clean_text(text)
    assert paras == ["木吉乡布拉克村距离县城近250公里，是全县最偏远的乡村。", "本报讯新的一篇。"]


def test_strip_html_elements_keeps_angle_brackets_that_are_text():
    from corpus.clean import strip_html_elements

    assert strip_html_elements("<b>贵州邮政</b><br/>双11") == "贵州邮政双11"
    assert strip_html_elements("<script>alert(1)</script><!-- x -->问题") == "问题"
    assert strip_html_elements("<Nature>杂志") == "<Nature>杂志"
    assert strip_html_elements("x<y and y>z") == "x<y and y>z"
