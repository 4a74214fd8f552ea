"""The web chat in a real browser: Playwright driving Debian Chromium (never `playwright install`).

* ``test_browser_chat_cites_seed_article``: the app over the seed corpus (real e5 model and
  the span reader, as ``app.py`` runs by default, when they can be loaded, else the
  HashingEncoder), asks about the Guizhou article, waits for the streamed answer, checks the
  bold exact answer (with e5), the badge, the sources panel and the full article, and saves a
  screenshot under tmp_path and to ``<repo>/.cache/screenshots/chat.png`` for humans.
* ``test_browser_xss_passage_inert``: a throwaway corpus holding ``<script>``, ``<img onerror>``,
  Markdown and ``$`` amounts; the page shows them literally and runs nothing.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEED_QUESTION = "贵州邮政双11期间快递业务收入是多少？"
TIMEOUT_MS = 120_000


def _serve(assistant, tmp_path):
    from tests.fakes import launch
    from ui.layout import build_demo

    demo = build_demo(assistant, feedback_dir=tmp_path / "feedback", runs_dir=tmp_path / "runs")
    return demo, launch(demo)


def _seed_assistant(repo_root: Path):
    """Real Assistant over the seed corpus, as ``app.py`` builds it: e5 and the span reader
    when they load, else HashingEncoder + its gate (no reader)."""
    from answering.pipeline import Assistant
    from corpus.pipeline import load_corpus
    from retrieval.searcher import Retriever

    corpus = load_corpus(repo_root / "seeds")
    try:
        from retrieval.embedder import load_encoder

        enc = load_encoder("e5")
        enc.encode_queries(["测试"])  # converts the bundled weights once if needed
        return Assistant(Retriever.from_corpus(corpus, enc), reader="auto"), "e5"
    except (ImportError, OSError, ValueError, RuntimeError) as e:  # model not available here
        from answering.gate import EvidenceGate
        from retrieval.encoder import HashingEncoder

        gate = EvidenceGate(min_top_dense=0.12, min_best_sentence=0.4, min_coverage=0.5)
        print(f"e5 unavailable ({e}); using the HashingEncoder")
        return Assistant(Retriever.from_corpus(corpus, HashingEncoder(256)), gate=gate), "hashing"


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    # count every alert() from the first script on (a dialog would also be recorded below)
    page.add_init_script("window.__xss = 0; window.__stacks = [];"
                         " window.alert = function () { window.__xss += 1;"
                         " window.__stacks.push(String(new Error().stack)); };")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    page.wait_for_selector("#question textarea", timeout=TIMEOUT_MS)
    return page, dialogs


def _ask(page, question: str, turn: int) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    _wait_sources(page, turn)


def _wait_sources(page, turn: int) -> None:
    page.wait_for_function(
        "n => { const s = document.querySelector('#sources');"
        " return s && s.innerText.includes('Sources of answer #' + n); }",
        arg=turn, timeout=TIMEOUT_MS)


def test_browser_chat_cites_seed_article(browser, repo_root, tmp_path):
    assistant, which = _seed_assistant(repo_root)
    corpus = assistant.retriever.corpus
    demo, url = _serve(assistant, tmp_path)
    try:
        page, dialogs = _open(browser, url)
        assert "新闻问答助手" in page.title() or "新闻问答" in page.locator("#app-title").inner_text()
        # the first question is asked by clicking its example
        page.locator("button", has_text=SEED_QUESTION).first.click()
        _wait_sources(page, 1)
        assert SEED_QUESTION in page.locator("#chatbot [data-testid='user']").first.inner_text()
        bot = page.locator("#chatbot [data-testid='bot']").last
        answer_text = bot.inner_text()
        assert "4329.7" in answer_text, answer_text
        if which == "e5":  # the span reader's exact answer leads, in bold, and is marked in its sentence
            assert bot.locator("strong.short-answer").first.inner_text().strip() == "4329.7万元", answer_text
            assert "4329.7万元" in bot.locator("mark.span").first.inner_text()
        badges = bot.locator("sup.cite")
        assert badges.count() >= 1
        # the first citation's article is the Guizhou welfare article
        final = assistant.ask(SEED_QUESTION)
        cited = corpus.article(final.citations[0].article_id)
        assert "4329.7" in cited.text and "贵州" in cited.text
        src = page.locator("#sources")
        card = src.locator(".source-card").first
        assert cited.title in card.locator(".source-title").inner_text()
        assert "4329.7" in card.locator("blockquote.passage").inner_text()
        assert card.locator("mark").count() >= 1
        # open the full article
        card.locator("details.full-article summary").click()
        body = card.locator(".article-body")
        body.wait_for(state="visible", timeout=10_000)
        assert body.locator("p").count() == len(cited.paragraphs)
        # a second question: the panel follows the latest answer, the picker can go back
        _ask(page, "衡水市分公司服务衡水湖国际马拉松赛多少年了？", 2)
        assert "马拉松" in src.locator(".source-card").first.inner_text()
        page.locator("#chatbot [data-testid='bot']").first.click()
        page.wait_for_function(
            "() => document.querySelector('#sources').innerText.includes('Sources of answer #1')",
            timeout=TIMEOUT_MS)
        assert cited.title in src.locator(".source-card").first.inner_text()
        src.locator(".source-card").first.locator("details.full-article summary").click()
        page.wait_for_timeout(300)
        assert not dialogs
        shot = tmp_path / "chat.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        out = repo_root / ".cache" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, out / "chat.png")
        print(f"encoder: {which}; screenshot: {shot} and {out / 'chat.png'}")
        page.close()
    finally:
        demo.close()


def test_browser_xss_passage_inert(browser, tmp_path):
    from retrieval.encoder import HashingEncoder
    from tests.fakes import XSS_QUESTION, real_assistant, write_seeds

    demo, url = _serve(real_assistant(write_seeds(tmp_path), HashingEncoder(256)), tmp_path)
    try:
        page, dialogs = _open(browser, url)
        _ask(page, XSS_QUESTION, 1)
        page.wait_for_timeout(500)
        src = page.locator("#sources")
        text = src.inner_text()
        assert "<script>alert(1)</script>" in text
        assert "<img src=x onerror=alert(1)>" in text
        assert "**bold**" in text and "$100 and $200" in text
        assert "<b>网店</b>价格公告" in text
        assert page.locator("img[src='x']").count() == 0
        assert src.locator("script").count() == 0 and src.locator("b", has_text="网店").count() == 0
        bot = page.locator("#chatbot [data-testid='bot']").last
        bot_text = bot.inner_text()
        assert "$100 and $200" in bot_text and "**bold**" in bot_text, bot_text
        assert bot.locator("strong, em, .katex, script, img").count() == 0
        src.locator("details.full-article summary").first.click()
        page.wait_for_timeout(300)
        assert page.evaluate("window.__xss") == 0 and not dialogs, page.evaluate("window.__stacks")
        page.screenshot(path=str(tmp_path / "xss.png"), full_page=True)
        page.close()
    finally:
        demo.close()
