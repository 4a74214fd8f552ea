"""The index lifecycle (retrieval/index.py): build, add, remove, re-index, sync with the
folder, the documents table, live swap, serialised writers, and crashes (kill -9 while
embedding and while publishing)."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval import store
from retrieval.encoder import HashingEncoder
from retrieval.index import IndexManager, open_retriever
from tests.docgen import docx_file

DIM = 64
NEW_TEXT = ("火星邮局开业\n\n本报讯 火星上的第一家邮局于2099年开业，局长是张三。邮局每天处理来自地球的"
            "邮件三百件，投递员乘坐漫游车送件。\n")


class CountingEncoder(HashingEncoder):
    """HashingEncoder(64) that counts the passage texts it embeds."""

    def __init__(self) -> None:
        super().__init__(DIM)
        self.passages_encoded = 0

    def encode_passages(self, texts, batch_size=32, show_progress=False):
        self.passages_encoded += len(texts)
        return super().encode_passages(texts)


def _leftovers(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.startswith(".current.") or p.name.startswith(".tmp"))


def test_open_builds_and_lists_documents(tmp_path, seeds, seed_file):
    m = IndexManager.open(tmp_path / "index", seeds, HashingEncoder(DIM))
    (doc,) = m.documents()
    assert (doc.name, doc.format, doc.articles, doc.passages, doc.status) == (seed_file.name, "text", 7, 38, "indexed")
    assert doc.characters == sum(len(a.text) for a in m.corpus.articles)
    assert m.search("衡水湖马拉松", top_k=1)[0].passage.title.startswith("十年牵手")
    # the published index is also readable by the plain loader (CLI/evaluation path)
    r = open_retriever(tmp_path / "index", seeds, HashingEncoder(DIM), rebuild=False)
    assert len(r.corpus.passages) == 38


def test_add_embeds_only_the_new_passages_and_is_searchable_at_once(tmp_path, seeds):
    enc = CountingEncoder()
    m = IndexManager.open(tmp_path / "index", seeds, enc)
    before = enc.passages_encoded
    old_vectors = m.retriever._c.vectors.copy()
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    assert not m.search("火星邮局局长是谁", top_k=3, mode="bm25") or \
        "火星" not in m.search("火星邮局局长是谁", top_k=1, mode="bm25")[0].passage.text
    seen = []
    (r,) = m.add_files([tmp_path / "mars.txt"], progress=lambda f, msg: seen.append((f, msg)))
    assert r.ok and r.articles == 1 and r.passages >= 1 and r.embedded == r.passages
    assert enc.passages_encoded - before == r.passages  # nothing else re-embedded
    assert (seeds / "mars.txt").is_file()
    assert "火星" in m.search("火星邮局局长是谁", top_k=1)[0].passage.text
    assert np.array_equal(m.retriever._c.vectors[:38], old_vectors)
    assert m.retriever._c.dense.ntotal == 38 + r.passages
    assert [f for f, _ in seen] == sorted(f for f, _ in seen) and seen[-1][0] == 1.0
    assert {d.name: d.articles for d in m.documents()} == {"000_a77ed823f95b9e33.txt": 7, "mars.txt": 1}
    assert not _leftovers(tmp_path / "index") and not (tmp_path / "index" / ".embeddings").exists()


def test_bad_upload_is_reported_and_changes_nothing(tmp_path, seeds):
    m = IndexManager.open(tmp_path / "index", seeds, HashingEncoder(DIM))
    manifest = m.manifest
    (tmp_path / "bad.txt").write_bytes(bytes(range(128, 256)) * 20)
    (tmp_path / "prog.exe").write_bytes(b"MZ")
    (tmp_path / "ok.txt").write_text(NEW_TEXT, encoding="utf-8")
    bad, exe, ok = m.add_files([tmp_path / "bad.txt", tmp_path / "prog.exe", tmp_path / "ok.txt"])
    assert not bad.ok and "cannot decode" in bad.error
    assert not exe.ok and "unsupported file type .exe" in exe.error
    assert ok.ok
    assert sorted(p.name for p in seeds.iterdir()) == ["000_a77ed823f95b9e33.txt", "ok.txt"]
    (only_bad,) = m.add_files([tmp_path / "bad.txt"])
    assert not only_bad.ok and m.manifest.built_at >= manifest.built_at
    assert [d.name for d in m.documents()] == ["000_a77ed823f95b9e33.txt", "ok.txt"]


def test_remove_drops_rows_without_embedding(tmp_path, seeds):
    enc = CountingEncoder()
    m = IndexManager.open(tmp_path / "index", seeds, enc)
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    m.add_files([tmp_path / "mars.txt"])
    count = enc.passages_encoded
    info = m.remove("mars.txt")
    assert info.name == "mars.txt" and enc.passages_encoded == count
    assert not (seeds / "mars.txt").exists()
    assert len(m.corpus.passages) == 38 and all(p.source != "mars.txt" for p in m.corpus.passages)
    assert all("火星" not in h.passage.text for h in m.search("火星邮局局长", top_k=5))
    with pytest.raises(KeyError, match="no document"):
        m.remove("mars.txt")


def test_reindex_embeds_only_changed_text(tmp_path, seeds):
    enc = CountingEncoder()
    m = IndexManager.open(tmp_path / "index", seeds, enc)
    (tmp_path / "mars.txt").write_text(NEW_TEXT + "\n第二段：火星邮局还开通了快递业务。\n", encoding="utf-8")
    m.add_files([tmp_path / "mars.txt"])
    count = enc.passages_encoded
    text = (seeds / "mars.txt").read_text(encoding="utf-8").replace("快递业务", "航天快递业务")
    (seeds / "mars.txt").write_text(text, encoding="utf-8")
    r = m.reindex("mars.txt")
    assert r.ok and 1 <= enc.passages_encoded - count < r.passages + 1
    assert any("航天快递" in p.text for p in m.corpus.passages)


def test_docx_upload_counts_articles(tmp_path, seeds):
    m = IndexManager.open(tmp_path / "index", seeds, HashingEncoder(DIM))
    docx_file(tmp_path / "two.docx", [("甲文", ["甲文的正文。"]), ("乙文", ["乙文的正文。"])])
    (r,) = m.add_files([tmp_path / "two.docx"])
    assert r.ok and r.articles == 2
    assert {d.name: (d.format, d.articles) for d in m.documents()}["two.docx"] == ("docx", 2)


def test_open_syncs_with_the_folder(tmp_path, seeds):
    enc = CountingEncoder()
    index = tmp_path / "index"
    IndexManager.open(index, seeds, enc)
    built = store.read_manifest(store.current_dir(index)).built_at
    time.sleep(1.1)
    IndexManager.open(index, seeds, enc)  # unchanged folder: nothing published
    assert store.read_manifest(store.current_dir(index)).built_at == built
    (seeds / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    (seeds / "broken.pdf").write_bytes(b"%PDF-1.4 not a pdf")
    count = enc.passages_encoded
    m = IndexManager.open(index, seeds, enc)
    docs = {d.name: d for d in m.documents()}
    assert docs["mars.txt"].status == "indexed" and docs["broken.pdf"].status == "error"
    assert "not a readable PDF" in docs["broken.pdf"].error
    assert enc.passages_encoded - count == docs["mars.txt"].passages
    (seeds / "mars.txt").unlink()
    m = IndexManager.open(index, seeds, enc)
    assert "mars.txt" not in {d.name for d in m.documents()}
    assert len(m.corpus.passages) == 38


def test_cli_search_works_with_an_unreadable_file(tmp_path, seeds, capsys):
    from retrieval.__main__ import main

    (seeds / "zz.txt").write_bytes(bytes(range(128, 256)) * 20)
    args = ["--seeds", str(seeds), "--index", str(tmp_path / "index"), "--model", "hashing", "-q"]
    assert main(["search", "衡水湖马拉松", "-k", "1"] + args) == 0
    cap = capsys.readouterr()
    assert "skipped zz.txt: cannot decode" in cap.err and "十年牵手" in cap.out


def test_cli_add_list_remove(tmp_path, seeds, capsys):
    from retrieval.__main__ import main

    args = ["--seeds", str(seeds), "--index", str(tmp_path / "index"), "--model", "hashing", "-q"]
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    assert main(["add", str(tmp_path / "mars.txt")] + args) == 0
    assert "added mars.txt: 1 articles" in capsys.readouterr().out
    assert main(["list"] + args) == 0
    out = capsys.readouterr().out
    assert "mars.txt" in out and "2 documents" in out
    assert main(["remove", "mars.txt"] + args) == 0
    assert main(["list"] + args) == 0
    assert "1 documents" in capsys.readouterr().out
    assert main(["remove", "nope.txt"] + args) == 1


def test_manager_is_a_retriever_for_the_assistant(tmp_path, seeds):
    from answering.pipeline import Assistant

    m = IndexManager.open(tmp_path / "index", seeds, HashingEncoder(DIM))
    a = Assistant(m)
    assert a.ask("贵州邮政双11期间快递业务收入是多少？").passages
    (tmp_path / "mars.txt").write_text(NEW_TEXT, encoding="utf-8")
    m.add_files([tmp_path / "mars.txt"])
    hits = a.retriever.search("火星邮局每天处理多少件邮件", top_k=1)
    assert "火星" in hits[0].passage.text and m.article(hits[0].passage.article_id).source == "mars.txt"


def test_two_concurrent_uploads_are_serialised_not_lost(tmp_path, seeds):
    """Two managers of one index (as two processes would be), adding at the same time."""
    index = tmp_path / "index"
    m1 = IndexManager.open(index, seeds, HashingEncoder(DIM))
    m2 = IndexManager.open(index, seeds, HashingEncoder(DIM))
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(NEW_TEXT.replace("火星", f"{name}星"), encoding="utf-8")
    errors = []

    def add(m, name):
        try:
            assert m.add_files([tmp_path / f"{name}.txt"])[0].ok
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=add, args=(m1, "a")), threading.Thread(target=add, args=(m2, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    final = IndexManager.open(index, seeds, HashingEncoder(DIM), sync=False)
    assert {d.name for d in final.documents()} == {"000_a77ed823f95b9e33.txt", "a.txt", "b.txt"}


# --------------------------------------------------------------------------- crashes

CHILD = Path(__file__).resolve().parent / "index_child.py"


def _child(index: Path, seeds: Path, mode: str, *extra: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), str(index), str(seeds), mode, *map(str, extra)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(cond, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    t0 = time.monotonic()
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"child exited early: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() - t0 > timeout:
            proc.kill()
            raise AssertionError("child never reached the crash point")
        time.sleep(0.05)


def _kill9(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _segment_dirs(index: Path) -> set[str]:
    return {p.name for p in (index / "segments").iterdir()}


def _head_segments(index: Path) -> set[str]:
    import json

    head = json.loads((store.current_dir(index) / "segments.json").read_text(encoding="utf-8"))
    return {s["id"] for s in head["segments"]}


def _journal_parts(index: Path) -> list[Path]:
    return sorted((index / ".embeddings").glob("*/part-*.npz"))


def test_kill_during_build_embedding_resumes_from_the_journal(tmp_path, seed_file):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    page = seed_file.read_text(encoding="utf-8")
    for i in range(3):  # 114 passages: 4 batches of 32
        (seeds / f"p{i}.txt").write_text(page.replace("阿克陶", f"阿克陶{i}"), encoding="utf-8")
    index = tmp_path / "index"
    proc = _child(index, seeds, "build")
    _wait_for(lambda: len(_journal_parts(index)) >= 1, proc)
    _kill9(proc)
    assert not store.current_dir(index).exists()  # nothing half published
    enc = CountingEncoder()
    m = IndexManager.open(index, seeds, enc)
    total = len(m.corpus.passages)
    assert total == 3 * 38 and 0 < enc.passages_encoded < total  # resumed, not restarted
    assert not _leftovers(index) and not _journal_parts(index)


def test_kill_during_upload_embedding_keeps_the_old_corpus(tmp_path, seeds):
    index = tmp_path / "index"
    IndexManager.open(index, seeds, HashingEncoder(DIM))
    big = tmp_path / "big.txt"
    big.write_text("\n\n".join(NEW_TEXT.replace("火星", f"火星{i}号") for i in range(80)), encoding="utf-8")
    proc = _child(index, seeds, "add", big)
    _wait_for(lambda: len(_journal_parts(index)) >= 1, proc)
    _kill9(proc)
    r = open_retriever(index, encoder=HashingEncoder(DIM))  # what a reader sees now
    assert len(r.corpus.passages) == 38 and all(p.source != "big.txt" for p in r.corpus.passages)
    enc = CountingEncoder()
    m = IndexManager.open(index, seeds, enc)  # next start: cleans up the interrupted upload
    assert [d.name for d in m.documents()] == ["000_a77ed823f95b9e33.txt"]
    assert not (seeds / ".incoming").exists() and not _leftovers(index)
    (res,) = m.add_files([big])  # uploading it again resumes from the vectors already made
    assert res.ok and res.embedded < res.passages
    assert not _journal_parts(index)


def test_kill_during_publishing_serves_the_old_corpus_then_resumes(tmp_path, seeds):
    index = tmp_path / "index"
    IndexManager.open(index, seeds, HashingEncoder(DIM))
    new = tmp_path / "mars.txt"
    new.write_text(NEW_TEXT, encoding="utf-8")
    proc = _child(index, seeds, "publish", new)
    _wait_for(lambda: (tmp_path / "publishing").exists(), proc)
    assert not store.current_dir(index).exists()  # between the two renames
    _kill9(proc)
    assert len(_segment_dirs(index)) == 2  # the new segment was complete before the head swap
    r = open_retriever(index, encoder=HashingEncoder(DIM))  # recovers the swap, old corpus
    assert len(r.corpus.passages) == 38 and not _leftovers(index)
    assert _segment_dirs(index) == _head_segments(index)  # the orphan segment is collected
    enc = CountingEncoder()
    m = IndexManager.open(index, seeds, enc)  # the file reached the folder: it is added now
    assert {d.name for d in m.documents()} == {"000_a77ed823f95b9e33.txt", "mars.txt"}
    assert enc.passages_encoded == 0  # its vectors were in the journal
    assert not _leftovers(index) and not _journal_parts(index)
