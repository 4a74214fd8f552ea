"""The span reader: multilingual-e5-small + trained LoRA deltas + a span head, on CPU.

``SpanReader.load()`` builds a Hugging Face ``BertForQuestionAnswering`` from the
project's converted e5 checkpoint (``retrieval/_e5_convert.py``; nothing is downloaded)
and adds the committed parameters of ``reader/checkpoint/``:

* ``reader.safetensors`` (fp16): for each adapted linear layer ``<name>`` the LoRA
  factors ``<name>.lora_A`` ``(r, in)`` and ``<name>.lora_B`` ``(out, r)`` (Hu et al.,
  2021, "LoRA"), merged once at load time as ``W += scaling * B @ A``, and the span head
  ``qa_outputs.weight`` ``(2, 384)`` / ``qa_outputs.bias`` ``(2,)``;
* ``config.json``: LoRA scaling, window settings and the calibrated ``no_answer_threshold``.

Decoding follows the SQuAD 2.0 BERT recipe (Devlin et al., 2019, section 4.3): a span's
score is ``start_logit + end_logit``; a window's null score is the same at the ``<s>``
token; the reader's ``no_answer_score`` is the smallest window null score minus the best
span score (as in Hugging Face's ``postprocess_qa_predictions`` with
``version_2_with_negative``); the caller refuses when it exceeds ``NO_ANSWER_THRESHOLD``.
"""
from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from reader import windows as W
from text.chars import whole_runs

DEFAULT_CHECKPOINT = Path(__file__).resolve().parent / "checkpoint"
WEIGHTS_FILE = "reader.safetensors"
CONFIG_FILE = "config.json"
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
#: Candidate starts/ends per window considered when pairing spans (HF's n_best_size).
N_BEST = 20


def _read_threshold(checkpoint_dir: Path = DEFAULT_CHECKPOINT) -> float:
    try:
        return float(json.loads((checkpoint_dir / CONFIG_FILE).read_text(encoding="utf-8"))
                     ["no_answer_threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0


#: Refuse when ``ReaderResult.no_answer_score > NO_ANSWER_THRESHOLD``. Calibrated on the
#: validation split by ``reader.train`` (false refusals <= 3% on answerable questions with
#: their gold passage), stored in ``reader/checkpoint/config.json``.
NO_ANSWER_THRESHOLD: float = _read_threshold()


@dataclass(frozen=True)
class Span:
    """One answer span.

    Attributes:
        text: exactly ``passages[passage_index][start:end]``.
        passage_index: index into the ``passages`` argument.
        start / end: character offsets in that passage (end exclusive).
        score: ``start_logit + end_logit`` of the span.
    """

    text: str
    passage_index: int
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class ReaderResult:
    """What the reader found.

    Attributes:
        spans: best first, non-overlapping, at most ``top_n``.
        no_answer_score: SQuAD 2.0 null margin: the best (smallest) window null score minus
            the best span score; higher = more likely no answer; ``+inf`` when nothing
            was read.
        windows: windows read.
        ms: wall time, milliseconds.
    """

    spans: tuple[Span, ...]
    no_answer_score: float
    windows: int
    ms: float

    @property
    def best(self) -> Span | None:
        return self.spans[0] if self.spans else None


def _as_text(x: Any) -> str:
    return x if isinstance(x, str) else ""


class SpanReader:
    """Extractive reader over question + passage windows (see the module docstring).

    Build with :meth:`load`; ``SpanReader(model, tokenizer, ...)`` wraps any
    ``BertForQuestionAnswering``-like module (training uses it for validation).

    Args:
        model: callable ``model(input_ids=(b, L) long, attention_mask=(b, L) long)``
            returning an object with ``start_logits``/``end_logits`` ``(b, L)``.
        tokenizer: the XLM-R fast tokenizer of the base model.
        max_len / stride / max_query_tokens: window settings (tokens), see
            :mod:`reader.windows`.
        autocast_bf16: run the forward pass under CPU bfloat16 autocast.
        batch_size: windows per forward pass.
    """

    def __init__(self, model, tokenizer, max_len: int = W.MAX_LEN, stride: int = W.STRIDE,
                 max_query_tokens: int = W.MAX_QUERY_TOKENS, autocast_bf16: bool = False,
                 batch_size: int = 32, no_answer_threshold: float | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.max_len = max_len
        self.stride = stride
        self.max_query_tokens = max_query_tokens
        self.autocast_bf16 = autocast_bf16
        self.batch_size = batch_size
        self.no_answer_threshold = NO_ANSWER_THRESHOLD if no_answer_threshold is None else no_answer_threshold

    # -- loading -------------------------------------------------------------------
    @classmethod
    def load(cls, checkpoint_dir: str | Path = DEFAULT_CHECKPOINT, base: Any = None,
             dtype: str | None = None) -> "SpanReader":
        """Load the trained reader, offline.

        Args:
            checkpoint_dir: directory with ``reader.safetensors`` and ``config.json``.
            base: ``None`` (read the converted e5 checkpoint from disk), or the retrieval
                ``retrieval.embedder.E5Encoder`` (or its SentenceTransformer, or its HF
                ``BertModel``): its word-embedding matrix (250,037 x 384) is SHARED, not
                copied, and its other weights are copied (they get the LoRA deltas). The
                reader then runs in the base's dtype. An encoder's or SentenceTransformer's
                tokenizer is shared too (a second XLM-R tokenizer costs ~370 MB of RSS);
                calls to it hold the encoder's lock (:class:`LockedTokenizer`).
            dtype: ``"float32"``/``"bfloat16"``/``"auto"`` when ``base`` is None
                (``retrieval.embedder.resolve_dtype``: bfloat16 where the CPU has it).
        Raises:
            FileNotFoundError: the checkpoint or the base model is missing.
            ValueError: the checkpoint does not fit the base model.
        """
        import torch
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoTokenizer, BertForQuestionAnswering

        from retrieval import _e5_convert
        from retrieval.embedder import resolve_dtype

        ckpt = Path(checkpoint_dir)
        if not (ckpt / WEIGHTS_FILE).is_file() or not (ckpt / CONFIG_FILE).is_file():
            raise FileNotFoundError(f"no reader checkpoint in {ckpt} ({WEIGHTS_FILE} + {CONFIG_FILE})")
        cfg = json.loads((ckpt / CONFIG_FILE).read_text(encoding="utf-8"))
        bert = _base_bert(base)
        if bert is None:
            base_dir = _e5_convert.default_model_dir()
            if not _e5_convert.is_valid(base_dir):
                _e5_convert.convert(base_dir)
            tdtype = torch.bfloat16 if resolve_dtype(dtype) == "bfloat16" else torch.float32
            hf_cfg = AutoConfig.from_pretrained(base_dir, local_files_only=True)
            model = BertForQuestionAnswering.from_pretrained(base_dir, config=hf_cfg,
                                                             local_files_only=True)
            model = model.to(tdtype)
        else:
            base_dir = _e5_convert.default_model_dir() if getattr(base, "model_path", None) is None \
                else Path(base.model_path)
            tdtype = bert.embeddings.word_embeddings.weight.dtype
            hf_cfg = bert.config
            with torch.device("meta"):
                model = BertForQuestionAnswering(hf_cfg)
            shared = bert.embeddings.word_embeddings.weight
            state = {f"bert.{k}": v.detach().clone() for k, v in bert.state_dict().items()
                     if not k.startswith("pooler.") and k != "embeddings.word_embeddings.weight"}
            state["qa_outputs.weight"] = torch.zeros(2, hf_cfg.hidden_size, dtype=tdtype)
            state["qa_outputs.bias"] = torch.zeros(2, dtype=tdtype)
            state[WORD_EMBEDDINGS] = shared
            missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
            missing = [m for m in missing if not m.endswith("position_ids")]
            if missing or unexpected:
                raise ValueError(f"base model does not fit the reader: missing {missing}, "
                                 f"unexpected {unexpected}")
            model.bert.embeddings.word_embeddings.weight = shared
            # non-persistent buffers (position_ids, token_type_ids) are not in state dicts:
            # copy them from the base, else they stay uninitialised (meta)
            mods = dict(model.bert.named_modules())
            for name, buf in bert.named_buffers():
                mod, _, attr = name.rpartition(".")
                if mod in mods:
                    mods[mod].register_buffer(attr, buf.detach().clone(), persistent=False)
        _apply_delta(model, load_file(str(ckpt / WEIGHTS_FILE)), float(cfg["lora_scaling"]))
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        tok = _base_tokenizer(base)
        if tok is None:
            tok = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
        return cls(model, tok, max_len=int(cfg.get("max_len", W.MAX_LEN)),
                   stride=int(cfg.get("stride", W.STRIDE)),
                   max_query_tokens=int(cfg.get("max_query_tokens", W.MAX_QUERY_TOKENS)),
                   no_answer_threshold=float(cfg.get("no_answer_threshold", NO_ANSWER_THRESHOLD)))

    # -- reading -------------------------------------------------------------------
    def read(self, question: str, passages: Sequence[str], top_n: int = 3,
             max_answer_tokens: int = 30) -> ReaderResult:
        """Read every window of every passage.

        Args:
            question: any string (empty, very long, emoji...); only its last
                ``max_query_tokens`` tokens are read.
            passages: passage texts (non-strings read as empty).
            top_n: spans returned at most.
            max_answer_tokens: longest span, tokens.
        Returns:
            :class:`ReaderResult`; no passages → no spans and ``no_answer_score = +inf``.
            A span is stripped of outer whitespace and never starts or ends inside a
            number or Latin word (``text.chars.whole_runs``: ``345人`` of ``12345人`` is
            read as ``12345人``).
        """
        t0 = time.perf_counter()
        q = W.encode_question(self.tokenizer, _as_text(question), self.max_query_tokens)
        texts = [_as_text(p) for p in passages]
        wins: list[W.Window] = []
        for i, p in enumerate(texts):
            if p:
                wins += W.passage_windows(self.tokenizer, q, W.encode_passage(self.tokenizer, p),
                                          i, self.max_len, self.stride)
        return self._decode(wins, texts, top_n, max_answer_tokens, t0)

    def read_focused(self, question: str, passages: Sequence[str],
                     focus: Sequence[tuple[int, int, int]], top_n: int = 3,
                     max_answer_tokens: int = 30, focus_len: int | None = None) -> ReaderResult:
        """Read only windows centred on the given sentences (for speed).

        Args:
            focus: ``(passage_index, char_start, char_end)`` of sentences (e.g. the gate's
                best-scored ones); a window is centred on each, unless the sentence lies
                inside a window already read; out-of-range entries are ignored; windows
                repeated for two focus sentences are read once.
            focus_len: tokens of a focus window (question included); None: ``max_len``.
        Returns:
            as :meth:`read` (spans may lie anywhere in the windows read).
        """
        t0 = time.perf_counter()
        q = W.encode_question(self.tokenizer, _as_text(question), self.max_query_tokens)
        texts = [_as_text(p) for p in passages]
        encs: dict[int, W.Encoded] = {}
        wins: list[W.Window] = []
        seen: set[tuple[int, int, int]] = set()
        for f in focus or ():
            try:
                pi, cs, ce = (int(x) for x in f)
            except (TypeError, ValueError):
                continue
            if not 0 <= pi < len(texts) or not texts[pi] or ce <= cs:
                continue
            if pi not in encs:
                encs[pi] = W.encode_passage(self.tokenizer, texts[pi])
            if any(w.passage_index == pi and w.offsets and w.offsets[0][0] <= cs
                   and max(e for _, e in w.offsets) >= ce for w in wins):
                continue  # the sentence lies inside a window already read
            for w in W.focus_windows(self.tokenizer, q, encs[pi], pi, cs, ce, focus_len or self.max_len):
                key = (pi, *w.ctx_tok)
                if key not in seen:
                    seen.add(key)
                    wins.append(w)
        return self._decode(wins, texts, top_n, max_answer_tokens, t0)

    # -- internals -----------------------------------------------------------------
    def logits(self, wins: Sequence[W.Window]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Start/end logits ``[(L_i,), (L_i,)]`` float32 per window (one forward pass per
        ``batch_size`` windows, padded to the longest)."""
        import torch

        out = []
        for b in range(0, len(wins), self.batch_size):
            chunk = wins[b:b + self.batch_size]
            L = max(len(w.input_ids) for w in chunk)
            ids = torch.full((len(chunk), L), self.tokenizer.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(chunk), L), dtype=torch.long)
            for i, w in enumerate(chunk):
                ids[i, :len(w.input_ids)] = torch.tensor(w.input_ids)
                mask[i, :len(w.input_ids)] = 1
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                        enabled=self.autocast_bf16):
                res = self.model(input_ids=ids, attention_mask=mask)
            s = res.start_logits.float().numpy()
            e = res.end_logits.float().numpy()
            out += [(s[i, :len(w.input_ids)], e[i, :len(w.input_ids)]) for i, w in enumerate(chunk)]
        return out

    def _decode(self, wins: list[W.Window], texts: list[str], top_n: int, max_answer_tokens: int,
                t0: float) -> ReaderResult:
        if not wins:
            return ReaderResult((), math.inf, 0, (time.perf_counter() - t0) * 1000)
        cands: list[tuple[float, int, int, int]] = []
        null = math.inf
        for w, (s, e) in zip(wins, self.logits(wins)):
            null = min(null, float(s[0] + e[0]))
            cands += _window_spans(w, s, e, max_answer_tokens)
        spans: list[Span] = []
        cands.sort(key=lambda c: -c[0])
        for score, pi, cs, ce in cands:
            if len(spans) >= top_n:
                break
            text = texts[pi]
            while cs < ce and text[cs].isspace():
                cs += 1
            while ce > cs and text[ce - 1].isspace():
                ce -= 1
            cs, ce = whole_runs(text, cs, ce)
            if ce <= cs or any(sp.passage_index == pi and cs < sp.end and ce > sp.start for sp in spans):
                continue
            spans.append(Span(text[cs:ce], pi, cs, ce, score))
        best = cands[0][0] if cands else -math.inf
        return ReaderResult(tuple(spans), null - best, len(wins), (time.perf_counter() - t0) * 1000)


def _window_spans(w: W.Window, s: np.ndarray, e: np.ndarray, max_answer_tokens: int):
    """Candidate spans of one window: ``[(score, passage_index, char_start, char_end)]``."""
    n = len(w.offsets)
    if n == 0:
        return []
    valid = np.array([b > a for a, b in w.offsets], dtype=bool)
    cs = np.where(valid, s[w.ctx_start:w.ctx_start + n], -np.inf)
    ce = np.where(valid, e[w.ctx_start:w.ctx_start + n], -np.inf)
    k = min(N_BEST, n)
    top_s = np.argsort(-cs)[:k]
    top_e = np.argsort(-ce)[:k]
    out = []
    for i in top_s:
        if not np.isfinite(cs[i]):
            continue
        for j in top_e:
            if j < i or j - i + 1 > max_answer_tokens or not np.isfinite(ce[j]):
                continue
            out.append((float(cs[i] + ce[j]), w.passage_index, w.offsets[i][0], w.offsets[j][1]))
    return out


class LockedTokenizer:
    """A Hugging Face tokenizer shared between threads: every call holds ``lock``.

    A fast tokenizer's call may reset its truncation and padding state, so two threads
    calling one tokenizer with different settings can fail ("Already borrowed", tokenizers
    issue #537) or read each other's settings. The retrieval encoder holds its lock while
    it tokenises and embeds; the reader's calls take the same lock. Attributes
    (``cls_token_id``, ``pad_token_id``...) are the wrapped tokenizer's.
    """

    def __init__(self, tokenizer: Any, lock: Any = None) -> None:
        self._tokenizer = tokenizer
        self._lock = lock if lock is not None else threading.RLock()

    def __call__(self, *args, **kwargs):
        with self._lock:
            return self._tokenizer(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._tokenizer, name)


def _base_tokenizer(base: Any) -> "LockedTokenizer | None":
    """The tokenizer of an E5Encoder (with its lock) or SentenceTransformer, else None."""
    if base is None:
        return None
    lock = None
    if hasattr(base, "_load") and hasattr(base, "model_path"):  # our SentenceTransformerEncoder
        lock = getattr(base, "_lock", None)
        base = base._load()
    tok = getattr(base, "tokenizer", None)
    if tok is None or not callable(tok) or not getattr(tok, "is_fast", False):
        return None
    return LockedTokenizer(tok, lock)


def _base_bert(base: Any):
    """The HF BertModel inside ``base`` (E5Encoder, SentenceTransformer or BertModel)."""
    if base is None:
        return None
    if hasattr(base, "_load") and hasattr(base, "model_path"):  # our SentenceTransformerEncoder
        base = base._load()
    if hasattr(base, "embeddings") and hasattr(base, "encoder"):
        return base
    try:
        return base[0].auto_model
    except (TypeError, IndexError, AttributeError, KeyError) as e:
        raise ValueError(f"cannot find a BERT model inside base {type(base).__name__}") from e


def _apply_delta(model, tensors: dict, scaling: float) -> None:
    """Merge LoRA factors into their linear layers and set the span head (in place)."""
    import torch

    modules = dict(model.named_modules())
    for name, a in tensors.items():
        if not name.endswith(".lora_A"):
            continue
        mod = name[: -len(".lora_A")]
        b = tensors[mod + ".lora_B"]
        lin = modules.get(mod)
        if lin is None:
            raise ValueError(f"checkpoint adapts {mod!r}, which the base model lacks")
        w = lin.weight
        merged = w.detach().float() + scaling * (b.float() @ a.float())
        lin.weight = torch.nn.Parameter(merged.to(w.dtype), requires_grad=False)
    with torch.no_grad():
        head = model.qa_outputs
        dt = head.weight.dtype
        head.weight = torch.nn.Parameter(tensors["qa_outputs.weight"].to(dt), requires_grad=False)
        head.bias = torch.nn.Parameter(tensors["qa_outputs.bias"].to(dt), requires_grad=False)
