"""app.py start-up and helpers: options, 127.0.0.1 default, persisted index reused, history parsing."""
from __future__ import annotations

import pytest

import app
from retrieval.encoder import HashingEncoder
from tests.fakes import write_seeds


class CountingEncoder(HashingEncoder):
    """HashingEncoder that counts the passages it embeds."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.embedded = 0

    def encode_passages(self, texts, batch_size=32, show_progress=False):
        self.embedded += len(texts)
        return super().encode_passages(texts, batch_size, show_progress)


@pytest.fixture()
def started(monkeypatch):
    """Run ``app.main`` with launch captured (no server) and a counting encoder."""
    enc = CountingEncoder()
    launches: list[dict] = []
    demos: list = []
    monkeypatch.setattr("retrieval.embedder.load_encoder", lambda spec=None: enc)

    def fake_launch(self, *args, **kwargs):
        launches.append(kwargs)
        demos.append(self)

    monkeypatch.setattr(app.ChatDemo, "launch", fake_launch)
    return enc, launches, demos


def test_main_defaults_to_localhost_and_reuses_the_index(started, tmp_path):
    enc, launches, demos = started
    seeds = write_seeds(tmp_path)
    argv = ["--index", str(tmp_path / "index"), "--seeds", str(seeds), "--model", "hashing"]
    app.main(argv)
    assert launches[0]["server_name"] == "127.0.0.1" and launches[0]["server_port"] == 7860
    first = enc.embedded
    assert first > 0  # built the missing index
    app.main(argv + ["--host", "0.0.0.0", "--port", "9123"])
    assert enc.embedded == first  # unchanged corpus: loaded, not re-embedded
    assert launches[1]["server_name"] == "0.0.0.0" and launches[1]["server_port"] == 9123
    cfg = demos[1].config
    names = {d.get("api_name") for d in cfg["dependencies"]}
    assert {"chat", "ask", "evaluate", "rate", "add_to_testset"} <= names


def test_main_accepts_llm_base_url(started, tmp_path, monkeypatch):
    # seen: the README's --llm-base-url was rejected by app.py ("unrecognized arguments")
    from answering import llm as llm_mod

    made: list = []
    real = llm_mod.load_llm

    def fake_load_llm(spec, base_url=None, **kw):
        made.append(real(spec, base_url=base_url, **kw))  # builds the client, connects to nothing
        return made[-1]

    monkeypatch.setattr("answering.llm.load_llm", fake_load_llm)
    seeds = write_seeds(tmp_path)
    app.main(["--index", str(tmp_path / "index"), "--seeds", str(seeds), "--model", "hashing",
              "--llm", "openai:qwen", "--llm-base-url", "http://127.0.0.1:9/v1"])
    assert len(made) == 1 and made[0].base_url == "http://127.0.0.1:9/v1"
    with pytest.raises(SystemExit, match="needs --llm"):
        app.main(["--seeds", str(seeds), "--index", str(tmp_path / "i"), "--llm-base-url", "http://x"])


def test_main_rejects_missing_seeds_dir(started, tmp_path):
    with pytest.raises(SystemExit, match="seeds directory not found"):
        app.main(["--seeds", str(tmp_path / "nope"), "--index", str(tmp_path / "i")])


def test_parse_history_shapes_and_errors():
    assert app.parse_history("") == [] and app.parse_history(None) == []
    assert app.parse_history('[["问", "答[1]"]]') == [("问", "答[1]")]
    msgs = '[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]'
    assert app.parse_history(msgs) == [("a", "b")]
    for bad, msg in (("{x", "not valid JSON"), ('{"a":1}', "JSON list"), ('[["a"]]', "pairs"),
                     ('[{"role":"bot","content":"x"}]', "role user/assistant")):
        with pytest.raises(ValueError, match=msg):
            app.parse_history(bad)


def test_readme_history_json_examples_are_accepted(repo_root):
    """The README's `/ask` paragraph: each `history_json` example parses into (user, assistant)
    turns."""
    import re

    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    para = readme[readme.index("`history_json` is the earlier conversation"):]
    para = para[:para.index("refused with a message")]
    examples = re.findall(r"`'(\[.*?\])'`", para, re.S)
    assert len(examples) == 2, examples
    pairs, messages = (app.parse_history(e) for e in examples)
    assert pairs == [("贵州邮政双11期间快递业务收入是多少？", "4329.7万元 [1]")]
    assert messages == [("…", "…")]

def test_default_examples_follow_the_corpus(tmp_path):
    from corpus.pipeline import load_corpus

    corpus = load_corpus(write_seeds(tmp_path))
    ex = app.default_examples(corpus)
    assert ex and all(e.startswith("「") for e in ex)
    assert {e[1:e.index("」")] for e in ex} <= {a.title for a in corpus.articles}
    assert app.default_examples(None) == list(app.SEED_EXAMPLES)
