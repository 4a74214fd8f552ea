"""LLM backends for the opt-in generative answerer.

A backend is any object with

* ``name: str``
* ``complete(prompt: str, max_new_tokens: int = 512) -> str``
* ``stream(prompt: str, max_new_tokens: int = 512) -> Iterator[str]`` (text pieces; joined
  they equal ``complete``'s output; a piece never ends inside a multi-byte character, since
  both backends work on decoded ``str``)

``load_llm(spec, base_url=None)`` builds one from a spec:

* ``openai:<model>``: an OpenAI-compatible ``/v1/chat/completions`` endpoint (Ollama, vLLM,
  llama.cpp server ...). Base URL: ``base_url`` argument, else env ``OPENAI_BASE_URL``, else
  ``http://127.0.0.1:11434/v1`` (Ollama). API key: env ``OPENAI_API_KEY`` (optional). Greedy
  (temperature 0). Streaming uses server-sent events (``stream: true``), decoded incrementally
  by httpx.
* ``transformers:<dir or file.gguf>``: a local causal LM loaded with
  ``AutoModelForCausalLM``/``AutoTokenizer`` (a ``.gguf`` file is loaded with ``gguf_file=``,
  which needs the ``gguf`` package). The tokenizer's chat template is used when it has one.
  Greedy decoding, ``max_new_tokens`` bound; streaming with ``TextIteratorStreamer``.
  Nothing is downloaded: the path must exist.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Iterator

DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1"
DEFAULT_MAX_NEW_TOKENS = 512
SYSTEM_PROMPT = "You are a careful assistant that answers only from the given passages and cites them."


class LLMError(RuntimeError):
    """The LLM backend failed (connection, HTTP status, malformed response)."""


def parse_spec(spec: str) -> tuple[str, str]:
    """``"openai:qwen2.5"`` -> ``("openai", "qwen2.5")``. Raises ValueError for another
    backend or an empty model name."""
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"LLM spec must be 'openai:<model>' or 'transformers:<path>', got {spec!r}")
    kind, _, target = spec.partition(":")
    kind, target = kind.strip().lower(), target.strip()
    if kind not in ("openai", "transformers"):
        raise ValueError(f"unknown LLM backend {kind!r} in {spec!r} (use openai: or transformers:)")
    if not target:
        raise ValueError(f"LLM spec {spec!r} names no model")
    return kind, target


def load_llm(spec: str, base_url: str | None = None, **kwargs):
    """Build the backend named by ``spec`` (module docstring). Raises ValueError for a bad
    spec, FileNotFoundError for a missing transformers path."""
    kind, target = parse_spec(spec)
    if kind == "openai":
        return OpenAIChatLLM(target, base_url=base_url, **kwargs)
    return TransformersLLM(target, **kwargs)


class OpenAIChatLLM:
    """OpenAI-compatible chat completions client (httpx).

    Args:
        model: model name sent to the server.
        base_url: e.g. ``http://127.0.0.1:11434/v1`` (module docstring for the default).
        api_key: bearer token; default env ``OPENAI_API_KEY`` (may be absent).
        timeout: seconds per request (default 120).
    """

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float = 120.0) -> None:
        import httpx

        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.name = f"openai:{model}"
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers, trust_env=False)

    def _body(self, prompt: str, max_new_tokens: int, stream: bool) -> dict:
        return {"model": self.model, "temperature": 0, "max_tokens": max_new_tokens,
                "stream": stream,
                "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                             {"role": "user", "content": prompt}]}

    def complete(self, prompt: str, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> str:
        """One non-streaming completion; returns the message content. Raises LLMError."""
        import httpx

        url = f"{self.base_url}/chat/completions"
        try:
            r = self._client.post(url, json=self._body(prompt, max_new_tokens, False))
        except httpx.HTTPError as e:
            raise LLMError(f"cannot reach {url}: {e}") from e
        if r.status_code != 200:
            raise LLMError(f"{url} answered HTTP {r.status_code}: {r.text[:200]}")
        try:
            return r.json()["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise LLMError(f"malformed completion from {url}: {r.text[:200]}") from e

    def stream(self, prompt: str, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> Iterator[str]:
        """Streaming completion over server-sent events; yields content deltas. Raises LLMError."""
        import httpx

        url = f"{self.base_url}/chat/completions"
        try:
            with self._client.stream("POST", url, json=self._body(prompt, max_new_tokens, True)) as r:
                if r.status_code != 200:
                    r.read()
                    raise LLMError(f"{url} answered HTTP {r.status_code}: {r.text[:200]}")
                for line in r.iter_lines():  # incremental UTF-8 decoding: whole characters
                    line = line.strip()
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    try:
                        choice = json.loads(data)["choices"][0]
                    except (ValueError, KeyError, IndexError, TypeError) as e:
                        raise LLMError(f"malformed SSE event from {url}: {data[:200]}") from e
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        yield piece
        except httpx.HTTPError as e:
            raise LLMError(f"cannot reach {url}: {e}") from e


class TransformersLLM:
    """Local causal LM through transformers (greedy decoding). Thread-safe (one generation at
    a time).

    Args:
        path: a model directory, or a ``.gguf`` file (loaded with ``gguf_file=``).
        max_input_tokens: prompts are cut to their last this-many tokens (default 3072).
    Raises:
        FileNotFoundError: when ``path`` does not exist.
    """

    def __init__(self, path: str | Path, max_input_tokens: int = 3072) -> None:
        p = Path(path).expanduser()
        if not p.exists():
            raise FileNotFoundError(f"transformers model path not found: {p}")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if p.is_file():
            if p.suffix.lower() != ".gguf":
                raise ValueError(f"a model file must be .gguf, got {p.name}")
            kw = {"gguf_file": p.name}
            src = str(p.parent)
        else:
            kw, src = {}, str(p)
        self.tokenizer = AutoTokenizer.from_pretrained(src, **kw)
        self.model = AutoModelForCausalLM.from_pretrained(src, **kw)
        self.model.eval()
        self.name = f"transformers:{p}"
        self.max_input_tokens = max_input_tokens
        self._lock = threading.Lock()

    def _inputs(self, prompt: str):
        tok = self.tokenizer
        if getattr(tok, "chat_template", None):
            msgs = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]
            text = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        else:
            text = prompt
        enc = tok(text, return_tensors="pt")
        ids = enc["input_ids"][:, -self.max_input_tokens:]
        return {"input_ids": ids, "attention_mask": enc["attention_mask"][:, -ids.shape[1]:]}

    def _gen_kwargs(self, max_new_tokens: int) -> dict:
        tok = self.tokenizer
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        kw = {"max_new_tokens": max_new_tokens, "do_sample": False}
        if pad is not None:
            kw["pad_token_id"] = pad
        return kw

    def complete(self, prompt: str, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> str:
        """Greedy completion of at most ``max_new_tokens`` tokens (special tokens removed)."""
        import torch

        with self._lock, torch.no_grad():
            inputs = self._inputs(prompt)
            out = self.model.generate(**inputs, **self._gen_kwargs(max_new_tokens))
        new = out[0, inputs["input_ids"].shape[1]:]
        return self.tokenizer.decode(new, skip_special_tokens=True)

    def stream(self, prompt: str, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> Iterator[str]:
        """Greedy streaming via ``TextIteratorStreamer`` (generation runs in a thread). Text
        ending in U+FFFD (an incomplete byte sequence) is held back until completed."""
        import torch
        from transformers import TextIteratorStreamer

        with self._lock:
            inputs = self._inputs(prompt)
            streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
            err: list[BaseException] = []

            def run() -> None:
                try:
                    with torch.no_grad():
                        self.model.generate(**inputs, **self._gen_kwargs(max_new_tokens), streamer=streamer)
                except BaseException as e:  # surfaced to the consumer below
                    err.append(e)
                    streamer.end()

            t = threading.Thread(target=run, daemon=True)
            t.start()
            held = ""
            for piece in streamer:
                held += piece
                cut = len(held.rstrip("\ufffd"))
                if cut:
                    yield held[:cut]
                    held = held[cut:]
            t.join()
            if held:
                yield held
            if err:
                raise LLMError(f"generation failed: {err[0]}") from err[0]
