"""Issue #9 defects, each reproduced first: honest refusals and the one text policy.

Fast: HashingEncoder, hand-built passages (tests/test_answering_fakes.py); the gate runs
with thresholds for the fake encoder (HASH_GATE), so what is tested is the rule logic.
"""
from __future__ import annotations

import pytest

from answering.answer_type import TYPE_RULES, expected_type, matches
from answering.gate import EvidenceGate, RULES, WAIVERS, describe_rules
from answering.pipeline import Assistant
from answering.query import content_problem, locate_question, parse_query
from corpus.types import Passage
from tests.test_answering_fakes import FakeRetriever, hits_of, make_passages
from tests.test_answering_pipeline import HASH_GATE


def _assistant(passages=None, **gate):
    r = FakeRetriever(passages or make_passages())
    return Assistant(r, gate=EvidenceGate(**{**HASH_GATE, **gate})), r


def _passage(pid: str, title: str, text: str) -> Passage:
    return Passage(id=f"{pid}:1", article_id=pid, title=title, paragraph_no=1, start=0,
                   end=len(text), text=text)


@pytest.mark.parametrize("message", ["！！！", "🙂🙂", "qwerty", "DROP TABLE x;", "？", "asdf jkl",
                                     "123", "你好", "print(1); import os"])
def test_input_with_nothing_to_ask_gets_a_clarifying_reply_and_no_search(message):
    a, r = _assistant()
    ans = a.ask(message)
    assert ans.refused and ans.citations == () and r.calls == []
    assert "问题" in ans.text or "question" in ans.text
    assert content_problem(message)


@pytest.mark.parametrize("message", ["贵州邮政双11期间快递业务收入是多少？", "How tall is Mount Everest?",
                                     "衡水湖的水有多深？", "12月8日有什么活动？"])
def test_real_questions_have_content(message):
    assert content_problem(message) == ""


@pytest.mark.parametrize("message, term", [
    ("蓍是什么？", "蓍"),              # a plant; jieba tags 蓍 g (a morpheme), not a noun
    ("蓍的叶子有什么特点？", "蓍"),
    ("鲷有哪些种类？", "鲷"),          # a fish, g
])
def test_a_one_character_name_jieba_tags_as_a_morpheme_is_a_key_term(message, term):
    """CMRC 蓍的别名是什么？ was refused on coverage 0 over its own article (蓍 no key
    term), and 蓍是什么？ got the reply for a message with nothing to ask."""
    from answering.terms import key_terms

    assert term in [t.text for t in key_terms(message)]
    assert content_problem(message) == ""


def test_a_long_message_is_tagged_in_pieces(monkeypatch):
    """10,000 random Han characters took 15 s in content_problem: jieba tagged them as one run
    (cold review). It now tags pieces of CONTENT_SCAN_CHARS, and stops at one with content."""
    import random

    import answering.query as query_mod

    seen: list[int] = []
    real = query_mod.key_terms

    def recording(text):
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(query_mod, "key_terms", recording)
    rng = random.Random(1)
    noise = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(10_000))
    assert content_problem(noise) == "" and max(seen) <= 2 * query_mod.CONTENT_SCAN_CHARS
    seen.clear()
    # no content in the first pieces: the scan goes on to the one that has some
    late = "呢" * 5_000 + "贵州邮政快递业务收入是多少？"
    assert content_problem(late) == "" and max(seen) <= 2 * query_mod.CONTENT_SCAN_CHARS
    assert content_problem("呢" * 5_000) == "no_content_words"
    # a content word across a piece boundary is still found
    step = query_mod.CONTENT_SCAN_CHARS
    assert content_problem("呢" * (step - 1) + "徘徊" + "呢" * step) == ""    # 徘 or 徊 alone: no term


def test_half_a_stop_word_at_a_piece_boundary_is_no_content():
    """``时间`` is a stop word, ``时`` alone a key term. With ``时`` the last character of a
    piece's overlap, the piece saw ``时`` and called the message content (second cold review,
    stop 30); a piece now counts only the terms that a piece running further also finds."""
    import answering.query as query_mod

    step = query_mod.CONTENT_SCAN_CHARS
    assert content_problem("呢" * 50 + "时间" + "呢" * 10) == "no_content_words"
    cut = "呢" * (step + query_mod.CONTENT_SCAN_OVERLAP - 1) + "时间" + "呢" * 10
    assert content_problem(cut) == "no_content_words"
    # a real term inside the overlap is still found, by the next piece
    assert content_problem("呢" * (step + 5) + "邮政" + "呢" * 10) == ""
    # the same stop word whole earlier in the piece does not make the cut half count (cold review)
    twice = "呢" * 10 + "时间" + "呢" * (step + query_mod.CONTENT_SCAN_OVERLAP - 13) + "时间" + "呢" * 10
    assert content_problem(twice) == "no_content_words"


def test_off_topic_english_question_is_refused_by_the_cross_language_rule():
    a, _ = _assistant(min_top_dense_cross=-1.0)  # the cosine alone would let it through
    ans = a.ask("How tall is Mount Everest?")
    assert ans.refused and ans.citations == ()
    assert ans.decision.reason == "cross_names"
    assert ans.text.startswith("The documents")  # refusal in the question's language


def test_english_question_naming_a_corpus_place_passes_the_cross_language_rule():
    a, _ = _assistant(min_top_dense_cross=-1.0)
    q = parse_query("How many parcel service points did the Akto county branch set up?")
    hits = hits_of(make_passages(), [2])  # the 阿克陶县 passage
    d = a.gate.decide(q, hits, a.scorer.score_hits(q, hits))
    assert d.result("cross_names").passed and "akto" in d.result("cross_names").value


@pytest.mark.parametrize("word, pinyin", [("Beijing", True), ("Guizhou", True), ("Hengshui", True),
                                          ("Marathon", False), ("Double", False), ("Akto", False),
                                          ("Amazon", False), ("Everest", False)])
def test_pinyin_names_are_told_from_english_words(word, pinyin):
    from answering.crosslingual import is_pinyin_name

    assert is_pinyin_name(word) is pinyin


def test_english_question_naming_a_pinyin_place_the_passages_lack_is_refused():
    # es-13 was answered from the Hengshui marathon page: the cosine (0.80) let it through
    a, _ = _assistant(min_top_dense_cross=-1.0, min_top_dense_cross_unnamed=-1.0)
    q = parse_query("How many medals did China Post mail for the Beijing Marathon?")
    hits = hits_of(make_passages(), [2])
    d = a.gate.decide(q, hits, a.scorer.score_hits(q, hits))
    r = d.result("cross_names")
    assert not d.answerable and not r.passed and "beijing" in r.detail


def test_pinyin_names_are_the_question_s_names_written_in_pinyin():
    from answering.crosslingual import pinyin_names

    assert pinyin_names("Which app platform did Guangdong Post use for its audio study sessions?") == ["guangdong"]
    assert pinyin_names("How many parcel service points did the Akto county branch set up?") == []
    assert pinyin_names("By how much did the Guiyang mail hub grow during Double 11?") == ["guiyang"]


def test_names_first_puts_the_passages_naming_the_place_first_and_renumbers_ranks():
    from answering.crosslingual import names_first

    hits = hits_of(make_passages())          # gz, gz, xj (阿克陶), hs (衡水), cz (常州)
    out = names_first(["hengshui"], hits)
    assert [h.passage.article_id for h in out] == ["hs#5", "gz#2", "gz#2", "xj#1", "cz#4"]
    assert [h.rank for h in out] == [1, 2, 3, 4, 5]
    both = names_first(["changzhou", "hengshui"], hits)
    assert {both[0].passage.article_id, both[1].passage.article_id} == {"hs#5", "cz#4"}
    assert [h.passage.id for h in names_first(["beijing"], hits)] == [h.passage.id for h in hits]
    assert [h.passage.id for h in names_first([], hits)] == [h.passage.id for h in hits]


def test_an_english_question_reads_the_passage_naming_its_place_though_the_cosine_ranks_it_low():
    # the seed page: Which app platform did Guangdong Post use…? was refused (missing:
    # guangdong) because e5's flat cross-lingual cosines ranked the only 广东 passage 8th
    from answering.crosslingual import NAME_CANDIDATES

    a, retriever = _assistant(min_top_dense_cross=-1.0)
    q = "How many points did the Changzhou branch set up?"
    ranked = [h.passage.article_id for h in retriever.search(q, top_k=NAME_CANDIDATES)]
    assert ranked.index("cz#4") >= 1          # the hashing cosine alone does not put it first
    ans = a.ask(q, top_k=1)
    assert [h.passage.article_id for h in ans.passages] == ["cz#4"]
    assert ans.passages[0].rank == 1


def test_an_english_question_whose_place_no_passage_names_gets_the_plain_top_k():
    # review of 8eace46: searching 20 hits deepens each leg's candidate list, which may
    # change the top 5 even when no passage names the place
    class Deeper(FakeRetriever):  # a deeper search orders the passages otherwise
        def search(self, query, top_k=5, mode="hybrid"):
            hits = super().search(query, top_k, mode)
            return hits[::-1] if top_k > 5 else hits

    retriever = Deeper(make_passages())
    a = Assistant(retriever, gate=EvidenceGate(**{**HASH_GATE, "min_top_dense_cross": -1.0}))
    q = "How many points did the Beijing branch set up?"
    ans = a.ask(q, top_k=3)
    assert [h.passage.id for h in ans.passages] == [h.passage.id for h in retriever.search(q, top_k=3)]
    assert ans.refused and "beijing" in ans.decision.reason


def test_an_english_question_asking_for_more_hits_than_the_corpus_holds():
    a, _ = _assistant(min_top_dense_cross=-1.0)
    ans = a.ask("How many points did the Changzhou branch set up?", top_k=50)
    assert ans.passages[0].passage.article_id == "cz#4"
    assert [h.rank for h in ans.passages] == list(range(1, len(make_passages()) + 1))


def test_an_english_answer_quotes_the_passages_that_name_most_of_its_places():
    a, _ = _assistant(min_top_dense_cross=-1.0)
    q = parse_query("Did the Changzhou branch or the Hengshui branch set up more?")
    hits = hits_of(make_passages())
    kept = a.gate.focus(q, a.scorer.score_hits(q, hits))
    assert {s.hit.passage.article_id for s in kept} <= {"cz#4", "hs#5"} and kept


def test_names_held_counts_the_names_a_passage_or_its_title_holds():
    from answering.crosslingual import names_held

    hs = next(p for p in make_passages() if p.article_id == "hs#5")
    assert names_held(["hengshui", "changzhou"], hs) == 1
    assert names_held([], hs) == 0


def test_an_imperative_opening_is_no_pinyin_name():
    from answering.crosslingual import pinyin_names

    assert pinyin_names("Name the app Guangdong Post used.") == ["guangdong"]


def test_an_english_answer_quotes_the_passages_that_name_its_place():
    a, _ = _assistant(min_top_dense_cross=-1.0)
    q = parse_query("What did the Changzhou branch set up?")
    hits = hits_of(make_passages())
    scored = a.scorer.score_hits(q, hits)
    kept = a.gate.focus(q, scored)
    assert kept and all(s.hit.passage.article_id == "cz#4" for s in kept)
    assert {s.hit.passage.article_id for s in a.gate.focus(parse_query("What did the branch set up?"), scored)} != {"cz#4"}


@pytest.mark.parametrize("question", ["衡水湖的水有多深？", "阿克陶县的县长是谁？",
                                      "黔西南州分公司采购了多少辆汽车？"])
def test_near_miss_attribute_is_refused(question):
    # the corpus names the entity (衡水湖, 阿克陶县, 黔西南州) but not the attribute asked
    text = ("黔西南州分公司采购了600副手套、1000个医用口罩、200份盒饭。阿克陶县分公司在全县118个行政村建立了"
            "118个快递服务点。衡水湖国际马拉松赛全程42.195公里，自2012年开始每年举办一届。")
    p = _passage("mix#1", "邮政动态", text)
    a, _ = _assistant([p], min_top_dense=-1.0, min_best_sentence=-1.0, min_coverage=0.0)
    ans = a.ask(question)
    assert ans.refused, (question, ans.text)
    assert ans.decision.reason == "answer_type"


def test_traditional_question_over_a_traditional_passage_is_judged_like_its_simplified_copy():
    # issue #9: the gate compared the folded question with unfolded passage text ("missing: 台湾")
    trad = _passage("tw#1", "臺灣郵政", "今年臺灣郵政快遞業務量增長了12.5%，創歷史新高。")
    simp = _passage("cn#1", "台湾邮政", "今年台湾邮政快递业务量增长了12.5%，创历史新高。")
    for p in (trad, simp):
        a, _ = _assistant([p], min_top_dense=-1.0, min_best_sentence=-1.0)
        for q in ("臺灣郵政快遞業務量增長了多少？", "台湾邮政快递业务量增长了多少？"):
            ans = a.ask(q)
            assert not ans.refused, (p.id, q, ans.decision)
            assert "12.5%" in ans.text


def test_money_in_other_currencies_counts_and_the_right_amount_is_quoted():
    # issue #9: only 元/块 counted; "海外营收是多少？" returned the 300亿元 sentence
    p = _passage("fin#1", "某公司年报", "公司海外营收为12亿美元。国内营收为300亿元。欧洲市场投资5亿欧元。")
    a, _ = _assistant([p], min_top_dense=-1.0, min_best_sentence=-1.0)
    ans = a.ask("海外营收是多少？")
    assert not ans.refused and "12亿美元" in ans.text and "300亿元" not in ans.text
    t = expected_type("海外营收是多少？")
    for s in ("海外营收为12亿美元", "营收$5", "营收约€3.5 million", "营收达¥200万", "营收1.2万港元", "营收300亿日元"):
        assert matches(t, s), s


def test_an_area_question_is_not_answered_with_a_date():
    # issue #9: "占地多少亩？" was answered with a date sentence
    t = expected_type("新园区占地多少亩？")
    assert t.rule == "area"
    assert not matches(t, "园区于2021年12月8日开工建设")
    assert matches(t, "园区占地300亩")


def test_a_standalone_question_after_another_is_not_glued_to_it():
    stamp = _passage("st#1", "纪念邮票首发", "《中国共产党成立100周年》纪念邮票于12月1日首发。")
    volume = _passage("vol#1", "行业数据", "上月全国快递业务量完成100亿件，同比增长20%。")
    a, r = _assistant([stamp, volume], min_top_dense=-1.0, min_best_sentence=-1.0, min_coverage=0.0)
    first = a.ask("纪念邮票哪天首发？")
    ans = a.ask("上月快递业务量是多少？", history=[(first.question, first.text)])
    assert not ans.refused and "100亿件" in ans.text and "邮票" not in ans.text
    assert r.calls[-1] == "上月快递业务量是多少？"


def test_a_long_input_is_never_cut_silently():
    pasted = "背景：" + "这是一段与问题无关的说明文字。" * 60 + "阿克陶县建立了多少个快递服务点？"
    part, cut = locate_question(pasted)
    assert cut and part == "阿克陶县建立了多少个快递服务点？"
    q = parse_query(pasted)
    assert q.truncated and q.notices and q.text == part


def test_every_answer_type_rule_matches_its_examples():
    for rule in TYPE_RULES:
        for ex in rule.examples:
            t = expected_type(ex)
            assert t is not None and t.rule == rule.name, (rule.name, ex, t)


def test_gate_rules_are_named_listed_and_can_be_switched_off():
    names = [r.name for r in RULES]
    assert names[:5] == ["hits", "names", "unlisted_names", "rare_characters", "numbers"] and "answer_type" in names and "reader" in names
    assert [d["rule"] for d in describe_rules()] == names + [w.name for w in WAIVERS]
    p = make_passages()
    q = parse_query("特斯拉在阿克陶县建立了多少个快递服务点？")
    scored = []
    on = EvidenceGate(**HASH_GATE).decide(q, hits_of(p, [2]), scored)
    assert not on.answerable and "特斯拉" in on.reason
    r = on.result("names")
    assert r.passed is False and (r.value, r.threshold) == (1, 2)  # 阿克陶县 found, 特斯拉 not
    off = EvidenceGate(**HASH_GATE, disabled={"names"}).decide(q, hits_of(p, [2]), scored)
    assert off.result("names") is None
    with pytest.raises(ValueError, match="unknown gate rule"):
        EvidenceGate(disabled={"no_such_rule"})


def test_the_decision_travels_with_the_answer():
    a, _ = _assistant()
    ans = a.ask("阿克陶县建立了多少个快递服务点？")
    assert ans.decision is not None and ans.decision.answerable
    assert {r.name for r in ans.decision.rules} >= {"hits", "names", "top_dense", "answer_type"}
    assert ans.parsed.answer_type.rule == "count" and ans.to_dict()["decision"]["answerable"]


def test_markup_in_a_question_is_not_read_as_its_words():
    """``<script>alert(1)</script><b>贵州邮政</b>双11…`` was refused with ``missing: script,
    alert`` (new-user trial): the tag names and the script's code were read as Latin names.
    The question is read without its markup (``corpus.clean.strip_html_elements``: a
    script's contents go too), so it is the question typed between the tags. Angle brackets
    that are no HTML element are text (cold review: ``<Nature>`` was dropped), and a message
    that is only a script is code."""
    q = parse_query("<script>alert(1)</script><b>贵州邮政</b>双11期间快递业务收入是多少？")
    assert q.has_content and q.own == "贵州邮政双11期间快递业务收入是多少？"
    assert not any(n.lower() in ("script", "alert", "b") for n in q.names)
    assert parse_query("**贵州邮政**双11期间快递业务收入是多少？").own.startswith("**")  # Markdown is text
    assert parse_query("<Nature>杂志发表了什么？").own == "<Nature>杂志发表了什么？"
    assert parse_query("Who wrote <Harry Potter>?").own == "Who wrote <Harry Potter>?"
    assert parse_query("收入x<y and y>z是多少？").own == "收入x<y and y>z是多少？"
    only = parse_query("<script>alert('贵州邮政双11期间快递业务收入是多少？')</script>")
    assert not only.has_content and only.content_problem == "code"


def test_a_message_of_only_markup_is_answered_in_chinese():
    """``<script>alert(1)</script>`` got the English no-content reply (second new-user trial):
    the language was read from the tag names and the script's code, which are no words of
    the user's. A message with nothing left once its markup is gone is answered in the
    page's language, Chinese; an English message with markup stays English."""
    only = parse_query("<script>alert(1)</script>")
    assert not only.has_content and only.language == "zh"
    assert parse_query("<b></b>").language == "zh"
    english = parse_query("<b>hello</b> <script>x()</script>")
    assert english.language == "en"
