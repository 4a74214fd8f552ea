"""The documents view in a real browser (Playwright + Debian Chromium, as tests/test_app_browser.py):
upload a generated two-column PDF and a DOCX, see them in the documents table with their
article counts, ask a question only the PDF answers and get it cited, delete the PDF, ask
again and get a refusal: all in one running app.  Screenshots go to tmp_path and to
``<repo>/.cache/screenshots/documents-*.png``."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.docgen import cjk_font, docx_file, two_column_pdf
from tests.test_app_browser import _open, _wait_sources

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 180_000
MARS = """火星邮局开业一周年

    本报讯 2099年10月，中国邮政在火星乌托邦平原开设的火星邮局迎来开业一周年。一年来，火星邮局
累计收寄地火往来邮件12.8万件，日均处理邮件350件，
为火星基地的科研人员送去了家书和生活用品。

    火星邮局局长王星河介绍，由于地球与火星之间的通信延迟最长
达22分钟，邮局开发了离线寄递系统，保证每一件邮件都能
准确投递。□本报记者 李火
"""
QUESTION = "地球与火星之间的通信延迟最长是多少分钟？"


def _table_text(page) -> str:
    return page.locator("#documents-table").inner_text()


def _row(page, name: str) -> list[str]:
    """The cells of the documents-table row of ``name`` (name, format, articles, ...)."""
    cells = [c.strip() for c in _table_text(page).split("\n") if c.strip()]
    k = cells.index(name)
    return cells[k:k + 7]


def _shot(page, tmp_path: Path, repo_root: Path, name: str) -> None:
    shot = tmp_path / f"documents-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    out = repo_root / ".cache" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, out / shot.name)


def test_upload_ask_delete_refuse(browser, repo_root, tmp_path):  # noqa: F811
    if cjk_font() is None:
        pytest.skip("no CJK font (apt-get install fonts-wqy-microhei)")
    try:
        from retrieval.embedder import load_encoder

        encoder = load_encoder("e5")
        encoder.encode_queries(["测试"])
    except (ImportError, OSError, ValueError, RuntimeError) as e:
        pytest.skip(f"the e5 model is needed for the evidence gate's refusal ({e})")
    import app
    from answering.pipeline import Assistant
    from retrieval.index import IndexManager
    from tests.test_app_api import launch

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(repo_root / "seeds" / "000_a77ed823f95b9e33.txt", seeds)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    pdf = two_column_pdf(MARS, uploads / "mars.pdf")
    docx = docx_file(uploads / "notes.docx", [("邮政网点服务提升", ["某市邮政分公司优化网点布局，新增便民服务点。"]),
                                               ("快递包装绿色化", ["推广可循环快递箱，减少一次性包装。"])])
    manager = IndexManager.open(tmp_path / "index", seeds, encoder)
    demo = app.build_demo(Assistant(manager), corpus=manager, manager=manager)
    url = launch(demo)
    try:
        page, dialogs = _open(browser, url)
        page.get_by_role("tab", name="文档 Documents").click()
        page.wait_for_selector("#documents-table", timeout=TIMEOUT_MS)
        assert "000_a77ed823f95b9e33.txt" in _table_text(page)
        page.locator("#documents-upload input[type=file]").set_input_files([str(pdf), str(docx)])
        page.wait_for_timeout(1500)  # the upload reaches the server
        page.locator("#documents-add").click()
        page.wait_for_function(
            "() => { const t = document.querySelector('#documents-table');"
            " return t && t.innerText.includes('mars.pdf') && t.innerText.includes('notes.docx'); }",
            timeout=TIMEOUT_MS)
        status = page.locator("#documents-status").inner_text()
        assert "mars.pdf" in status and "notes.docx" in status, status
        assert _row(page, "mars.pdf")[1:3] == ["pdf", "1"], _table_text(page)
        assert _row(page, "notes.docx")[1:3] == ["docx", "2"], _table_text(page)
        assert "indexed" in _row(page, "mars.pdf")[6]
        _shot(page, tmp_path, repo_root, "uploaded")
        # the corpus line under the title follows the upload, and a reload shows the current
        # corpus in it, the table and the dropdown (seen: the startup corpus until Refresh)
        page.wait_for_function("() => document.querySelector('#corpus-overview').innerText.includes('3 个文档')",
                               timeout=TIMEOUT_MS)
        page.reload(wait_until="load")
        page.wait_for_selector("#question textarea", timeout=TIMEOUT_MS)
        page.get_by_role("tab", name="文档 Documents").click()
        page.wait_for_function(
            "() => { const t = document.querySelector('#documents-table');"
            " return t && t.innerText.includes('mars.pdf') && t.innerText.includes('notes.docx'); }",
            timeout=TIMEOUT_MS)
        assert "3 个文档 documents" in page.locator("#corpus-overview").inner_text()
        assert "Corpus: 3 documents" in page.locator("#documents-summary").inner_text()

        # the chat answers from the new PDF, citing it
        page.get_by_role("tab", name="对话 Chat").click()
        box = page.locator("#question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        _wait_sources(page, 1)
        bot = page.locator("#chatbot [data-testid='bot']").last
        assert "22" in bot.inner_text() and bot.locator("sup.cite").count() >= 1, bot.inner_text()
        card = page.locator("#sources .source-card").first
        assert "火星邮局开业一周年" in card.inner_text()
        _shot(page, tmp_path, repo_root, "answered")

        # delete it in the documents view
        page.get_by_role("tab", name="文档 Documents").click()
        pick = page.locator("#documents-pick input")
        pick.click()
        page.get_by_role("option", name="mars.pdf").click()
        page.locator("#documents-delete").click()  # the first click asks to confirm
        page.wait_for_function("() => document.querySelector('#documents-delete').innerText.includes('Confirm')",
                               timeout=TIMEOUT_MS)
        assert "mars.pdf" in _table_text(page) and (seeds / "mars.pdf").exists()
        assert "again" in page.locator("#documents-status").inner_text()
        page.locator("#documents-delete").click()
        page.wait_for_function(
            "() => !document.querySelector('#documents-table').innerText.includes('mars.pdf')",
            timeout=TIMEOUT_MS)
        assert "notes.docx" in _table_text(page) and not (seeds / "mars.pdf").exists()
        _shot(page, tmp_path, repo_root, "deleted")

        # the same question is refused now
        page.get_by_role("tab", name="对话 Chat").click()
        box.fill(QUESTION)
        box.press("Enter")
        _wait_sources(page, 2)
        bot = page.locator("#chatbot [data-testid='bot']").last
        assert "没有找到" in bot.inner_text() and bot.locator("sup.cite").count() == 0, bot.inner_text()
        _shot(page, tmp_path, repo_root, "refused")
        assert not dialogs
        page.close()
    finally:
        demo.close()
