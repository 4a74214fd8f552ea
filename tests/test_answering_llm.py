"""The generative path for real, without network: a local OpenAI-compatible HTTP server
started by the test, and a tiny randomly initialised transformers causal LM built by the test
(plumbing, not prose)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from answering.gate import EvidenceGate
from answering.llm import LLMError, OpenAIChatLLM, TransformersLLM, load_llm, parse_spec
from answering.pipeline import Assistant
from tests.test_answering_fakes import FakeRetriever, make_passages
from tests.test_answering_pipeline import HASH_GATE

QUESTION = "贵州邮政双11期间快递业务收入是多少？"
# canned LLM output in the spellings LLMs use: 【1】, [1,2], an out-of-range [9], an uncited sentence
CANNED = ("今年“双11”期间，贵州邮政快递业务收入达4329.7万元【1】。"
          "贵阳邮区中心累计处理邮件1794.6万件[1,9]。"
          "贵州省邮政分公司累计慰问寄递人员5.8万余人次，发放慰问补贴61万余元。")


class _Handler(BaseHTTPRequestHandler):
    requests: list = []
    status = 200

    def log_message(self, *a):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body,
                                    "auth": self.headers.get("Authorization")})
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.end_headers()
            self.wfile.write(b'{"error": "boom"}')
            return
        if not body.get("stream"):
            out = json.dumps({"choices": [{"message": {"role": "assistant", "content": CANNED}}]})
            data = out.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i in range(0, len(CANNED), 4):
            ev = json.dumps({"choices": [{"delta": {"content": CANNED[i:i + 4]}}]}, ensure_ascii=False)
            raw = f"data: {ev}\n\n".encode("utf-8")
            cut = raw.index("双".encode()) + 1 if "双" in CANNED[i:i + 4] else len(raw) // 2
            # split the event mid-character: the client must decode incrementally
            self.wfile.write(raw[:cut])
            self.wfile.flush()
            time.sleep(0.002)
            self.wfile.write(raw[cut:])
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


@pytest.fixture()
def server():
    _Handler.requests = []
    _Handler.status = 200
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def test_parse_spec():
    assert parse_spec("openai:qwen2.5:0.5b") == ("openai", "qwen2.5:0.5b")
    assert parse_spec("transformers:/m/x.gguf") == ("transformers", "/m/x.gguf")
    for bad in ("qwen", "ollama:x", "openai:", ""):
        with pytest.raises(ValueError):
            parse_spec(bad)
    with pytest.raises(FileNotFoundError):
        load_llm("transformers:/nonexistent/model.gguf")


def test_openai_backend_complete_and_stream(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    llm = load_llm("openai:tiny", base_url=server)
    assert llm.complete("hi") == CANNED
    pieces = list(llm.stream("hi"))
    assert "".join(pieces) == CANNED and len(pieces) > 10
    assert all("\ufffd" not in p for p in pieces)
    r = _Handler.requests[0]
    assert r["path"] == "/v1/chat/completions" and r["body"]["model"] == "tiny"
    assert r["auth"] == "Bearer sk-test" and r["body"]["temperature"] == 0
    assert _Handler.requests[1]["body"]["stream"] is True


def test_openai_backend_errors_are_clear(server):
    _Handler.status = 500
    with pytest.raises(LLMError, match="HTTP 500"):
        OpenAIChatLLM("tiny", base_url=server).complete("hi")
    with pytest.raises(LLMError, match="cannot reach"):
        OpenAIChatLLM("tiny", base_url="http://127.0.0.1:9/v1", timeout=2).complete("hi")


def test_assistant_over_openai_server_normalises_binds_and_checks(server):
    a = Assistant(FakeRetriever(make_passages()), llm="openai:tiny", llm_base_url=server,
                  gate=EvidenceGate(**HASH_GATE))
    ans = a.ask(QUESTION, top_k=3)
    prompt = _Handler.requests[-1]["body"]["messages"][-1]["content"]
    assert QUESTION in prompt and "[1]" in prompt and "4329.7" in prompt  # numbered passages
    assert not ans.refused and "【" not in ans.text and "[9]" not in ans.text
    assert ans.text.startswith("今年“双11”期间，贵州邮政快递业务收入达4329.7万元[1]。")
    assert "贵阳邮区中心累计处理邮件1794.6万件[1]。" in ans.text
    # the uncited last sentence is bound to the passage that supports it
    assert ans.text.endswith("61万余元[1]。") and ans.unsupported == ()
    assert [c.number for c in ans.citations] == [1]
    c = ans.citations[0]
    p = next(h.passage for h in ans.passages if h.passage.id == c.passage_id)
    assert p.text[c.quote_start:c.quote_end] == c.quote and "4329.7" in c.quote
    streamed = list(a.stream(QUESTION, top_k=3))
    texts = [s.text for s in streamed]
    assert all(b.startswith(x) or len(b) >= len(x) for x, b in zip(texts, texts[1:]))
    final = streamed[-1].to_dict()
    expect = ans.to_dict()
    final.pop("timings"), expect.pop("timings")
    assert final == expect


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A 2-layer Llama with random weights and a byte-level BPE tokenizer, saved to disk."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    d = tmp_path_factory.mktemp("tiny-llm")
    bt = ByteLevelBPETokenizer()
    bt.train_from_iterator([CANNED, "Passages question answer [1] [2]"] * 10, vocab_size=300,
                           min_frequency=1, special_tokens=["<|endoftext|>"])
    tok = PreTrainedTokenizerFast(tokenizer_object=bt._tokenizer, eos_token="<|endoftext|>",
                                  pad_token="<|endoftext|>")
    tok.save_pretrained(d)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                      num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                      max_position_embeddings=4096, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    LlamaForCausalLM(cfg).save_pretrained(d)
    return d


def test_transformers_backend_complete_and_stream(tiny_model):
    llm = load_llm(f"transformers:{tiny_model}")
    assert isinstance(llm, TransformersLLM)
    out = llm.complete("贵州邮政快递业务收入是多少？", max_new_tokens=12)
    assert isinstance(out, str) and out  # greedy: deterministic
    assert llm.complete("贵州邮政快递业务收入是多少？", max_new_tokens=12) == out
    pieces = list(llm.stream("贵州邮政快递业务收入是多少？", max_new_tokens=12))
    assert "".join(pieces) == out
    assert all(not p.endswith("\ufffd") for p in pieces[:-1])  # no half character mid-stream


def test_assistant_with_tiny_transformers_model(tiny_model):
    a = Assistant(FakeRetriever(make_passages()), llm=f"transformers:{tiny_model}",
                  gate=EvidenceGate(**HASH_GATE), max_new_tokens=12)
    ans = a.ask(QUESTION, top_k=3)
    # random weights write no supported text: nothing may be shown as cited fact
    assert ans.passages and set(ans.timings) >= {"retrieve", "answer", "total"}
    for c in ans.citations:
        assert c.support >= 0.7
    assert ans.refused or ans.unsupported or ans.citations
    parts = list(a.stream(QUESTION, top_k=3))
    assert parts[-1].text == ans.text
