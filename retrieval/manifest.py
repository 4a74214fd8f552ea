"""The index manifest: what an index was built from, and whether it still matches.

``manifest.json`` is the last file written into a new index (``retrieval.build``); a
loader compares it with the encoder and the corpus at hand (``stale_reasons``) and checks
every file against the sha256 recorded in ``files`` (``retrieval.store``).
"""
from __future__ import annotations

import functools
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

#: Bump when the on-disk layout or the indexed text changes; an index with another
#: format version is rebuilt (or rejected) on load.
FORMAT_VERSION = 1

_LIBRARIES = ("faiss-cpu", "bm25s", "rjieba", "OpenCC", "numpy", "sentence-transformers", "torch")


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape the index (missing ones omitted;
    read once per process, a copy returned)."""
    return dict(_library_versions())


@functools.lru_cache(maxsize=1)
def _library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


@dataclass(frozen=True)
class IndexManifest:
    """Description of one built index (persisted as ``manifest.json``).

    Attributes:
        format_version: ``FORMAT_VERSION`` of the code that wrote it.
        model_id, dim: the encoder's ``model_id`` and vector size.
        corpus_fingerprint: ``corpus.pipeline.corpus_fingerprint(seeds_dir)`` (or the
            in-memory Corpus's fingerprint).
        passage_count, article_count: sizes of the passage and article stores.
        built_at: UTC build time, ISO 8601 (``2021-12-14T08:00:00+00:00``).
        build_seconds: wall time of the build, seconds.
        bm25_scheme: ``retrieval.tokenize`` scheme of the BM25 index.
        dense_index: ``"flat-ip"`` or ``"hnsw-ip"``.
        index_text: what was indexed per passage (``"title+passage"``).
        embedded: distinct passage texts embedded by this build; reused: passages whose
            vector was not computed anew (from the embeddings cache, or a duplicate text).
        versions: library versions (``library_versions()``).
        fusion: the hybrid fusion rule (``retrieval.fusion.FusionConfig.to_dict()``): the
            default at build time in ``manifest.json``; in a ``Retriever.manifest``, the
            rule that Retriever was constructed with.
        files: relative path → sha256 hex of every file of the index but the manifest.
    """

    model_id: str
    dim: int
    corpus_fingerprint: str
    passage_count: int
    article_count: int
    built_at: str
    build_seconds: float = 0.0
    bm25_scheme: str = "words+bigrams"
    dense_index: str = "flat-ip"
    index_text: str = "title+passage"
    embedded: int = 0
    reused: int = 0
    format_version: int = FORMAT_VERSION
    versions: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    fusion: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "IndexManifest":
        """Build from a dict; unknown keys are ignored.

        Raises:
            ValueError: when a required key is missing or has the wrong type.
        """
        if not isinstance(d, dict):
            raise ValueError(f"manifest must be a JSON object, got {type(d).__name__}")
        known = {f for f in cls.__dataclass_fields__}
        required = ("model_id", "dim", "corpus_fingerprint", "passage_count", "article_count",
                    "built_at")
        missing = [k for k in required if k not in d]
        if missing:
            raise ValueError(f"manifest lacks {', '.join(missing)}")
        m = cls(**{k: v for k, v in d.items() if k in known})
        for name in ("dim", "passage_count", "article_count", "format_version"):
            if not isinstance(getattr(m, name), int) or getattr(m, name) < 0:
                raise ValueError(f"manifest field {name} must be a non-negative integer")
        if not isinstance(m.files, dict):
            raise ValueError("manifest field files must be an object")
        return m


def stale_reasons(manifest: IndexManifest, model_id: str | None = None, dim: int | None = None,
                  corpus_fingerprint: str | None = None) -> list[str]:
    """Why ``manifest`` does not fit the given encoder/corpus (empty list: it fits).

    Arguments left None are not checked.
    """
    reasons = []
    if manifest.format_version != FORMAT_VERSION:
        reasons.append(f"index format {manifest.format_version} != {FORMAT_VERSION}")
    if model_id is not None and manifest.model_id != model_id:
        reasons.append(f"built with model {manifest.model_id!r}, asked for {model_id!r}")
    if dim is not None and manifest.dim != dim:
        reasons.append(f"vector dimension {manifest.dim} != encoder's {dim}")
    if corpus_fingerprint is not None and manifest.corpus_fingerprint != corpus_fingerprint:
        reasons.append("the corpus changed since the index was built "
                       f"(fingerprint {manifest.corpus_fingerprint[:12]}… != {corpus_fingerprint[:12]}…)")
    return reasons
