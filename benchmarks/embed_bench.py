"""Passage-embedding throughput options of the installed libraries, with quality checks.

Options (each encodes the same passages; throughput in passages/s and characters/s):

* torch threads 1 vs all usable cores;
* batch size 8 / 16 / 32 / 64;
* length-sorted batching: sentence-transformers' ``encode`` sorts its inputs by length
  before batching (checked in its source, ``length_sorted_idx``) — compared with feeding it
  one batch at a time in corpus order, as ``retrieval.build.embed_passages`` does;
* int8 dynamic quantisation of the Linear layers (``torch.ao.quantization.quantize_dynamic``);
* bfloat16 weights (``model.to(torch.bfloat16)``; fast only on CPUs with AVX512-BF16/AMX);
* ONNX Runtime (fp32 and int8), only if ``onnxruntime`` and ``onnx`` import
  (``benchmarks.onnx_probe``; sentence-transformers' own ONNX backend needs ``optimum``).

Quality of a faster variant: cosine of its vectors to the fp32 ones (min and mean, target
≥ 0.99) and agreement of the top-1 passage for the seed questions over the seed passages.
The fp32 baseline runs first and last; its median is the reference.
"""
from __future__ import annotations

import copy
import inspect
import statistics
from typing import Any, Callable, Sequence

import numpy as np

from benchmarks.common import timed

TOP1_TIE = 0.005  # cosine


def _enc(model: Any, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    return model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                        normalize_embeddings=True, show_progress_bar=False).astype(np.float32)


def _parity(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"cos_min": round(float(cos.min()), 5), "cos_mean": round(float(cos.mean()), 5)}


def _top1_agreement(model_a: Any, model_b: Any, passages: Sequence[str], questions: Sequence[str],
                    qp: str, pp: str) -> dict[str, Any]:
    pa, pb = _enc(model_a, [pp + t for t in passages]), _enc(model_b, [pp + t for t in passages])
    qa, qb = _enc(model_a, [qp + q for q in questions]), _enc(model_b, [qp + q for q in questions])
    return top1_stats(qa, pa, qb, pb)


def top1_stats(qa: np.ndarray, pa: np.ndarray, qb: np.ndarray, pb: np.ndarray,
               tie: float = TOP1_TIE) -> dict[str, Any]:
    """Top-1 agreement of variant b with reference a: strict (same passage) and up to ties
    (b's pick scores within ``tie`` of a's pick under the reference vectors: a near-tie
    between near-duplicate passages is not a quality loss)."""
    sa = qa @ pa.T
    ta, tb = sa.argmax(1), (qb @ pb.T).argmax(1)
    rows = np.arange(len(ta))
    near = (ta == tb) | (sa[rows, tb] >= sa[rows, ta] - tie)
    return {"questions": int(len(ta)), "top1_same": int((ta == tb).sum()),
            "top1_agreement": round(float((ta == tb).mean()), 4),
            "top1_agreement_up_to_ties": round(float(near.mean()), 4)}


def bench_embedding(encoder: Any, texts: Sequence[str], seed_passages: Sequence[str],
                    seed_questions: Sequence[str], try_onnx: bool = True) -> dict[str, Any]:
    """Run the options above on ``texts`` (already as the build embeds them, no prefix).

    Returns:
        ``{"passages", "chars", "sentence_transformers_sorts_by_length", "baseline",
        "options": {name: {"s", "passages_per_s", "chars_per_s", "speedup", ...}}}``, or
        ``{"skipped": reason}`` for an encoder without a sentence-transformers model.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    from benchmarks.common import st_model

    model = st_model(encoder)
    if model is None:
        return {"skipped": f"{type(encoder).__name__} wraps no sentence-transformers model"}
    # the reference is float32 whatever dtype the project's encoder runs in (bfloat16 on
    # CPUs with native support: retrieval.embedder.resolve_dtype)
    if next(model.parameters()).dtype != torch.float32:
        model = copy.deepcopy(model).to(torch.float32)
    pp = getattr(encoder, "_passage_prefix", "") or ""
    qp = getattr(encoder, "_query_prefix", "") or ""
    ptexts = [pp + t for t in texts]
    chars = sum(len(t) for t in texts)
    # encode() is wrapped (torch.no_grad) and delegates batching to a helper of its module
    src = inspect.getsource(inspect.getmodule(inspect.unwrap(SentenceTransformer.encode)))
    sorts = "length_sorted_idx" in src
    threads0 = torch.get_num_threads()
    _enc(model, ptexts[:8])
    runs: dict[str, list[float]] = {}
    extra: dict[str, dict[str, Any]] = {}

    def run(name: str, fn: Callable[[], Any]) -> Any:
        t, out = timed(fn)
        runs.setdefault(name, []).append(t)
        return out

    ref = run("fp32_b32_threads%d" % threads0, lambda: _enc(model, ptexts, 32))
    base_name = "fp32_b32_threads%d" % threads0
    for bs in (8, 16, 64):
        run(f"fp32_b{bs}_threads{threads0}", lambda: _enc(model, ptexts, bs))
    if threads0 > 1:
        torch.set_num_threads(1)
        try:
            run("fp32_b32_threads1", lambda: _enc(model, ptexts, 32))
        finally:
            torch.set_num_threads(threads0)

    def chunked() -> np.ndarray:
        return np.vstack([_enc(model, ptexts[i:i + 32], 32) for i in range(0, len(ptexts), 32)])
    run("fp32_b32_one_call_per_batch_unsorted", chunked)

    # int8 dynamic quantisation of nn.Linear (weights int8, activations quantised on the fly)
    try:
        qmodel = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear},
                                                        dtype=torch.qint8)
        _enc(qmodel, ptexts[:8])
        v = run("int8_dynamic_b32", lambda: _enc(qmodel, ptexts, 32))
        extra["int8_dynamic_b32"] = {**_parity(v, ref),
                                     **_top1_agreement(model, qmodel, seed_passages, seed_questions, qp, pp)}
        del qmodel
    except Exception as e:  # noqa: BLE001 - report what failed
        extra["int8_dynamic_b32"] = {"error": f"{type(e).__name__}: {e}"}
    try:
        bmodel = copy.deepcopy(model).to(torch.bfloat16)
        _enc(bmodel, ptexts[:8])
        v = run("bf16_b32", lambda: _enc(bmodel, ptexts, 32))
        extra["bf16_b32"] = {**_parity(v, ref),
                             **_top1_agreement(model, bmodel, seed_passages, seed_questions, qp, pp)}
        del bmodel
    except Exception as e:  # noqa: BLE001
        extra["bf16_b32"] = {"error": f"{type(e).__name__}: {e}"}
    run(base_name, lambda: _enc(model, ptexts, 32))  # baseline again: drift check

    base = statistics.median(runs[base_name])
    options = {}
    for name, ts in runs.items():
        t = statistics.median(ts)
        options[name] = {"s": round(t, 3), "runs": [round(x, 3) for x in ts],
                         "passages_per_s": round(len(texts) / t, 2), "chars_per_s": round(chars / t, 1),
                         "speedup": round(base / t, 3), **extra.get(name, {})}
    for name, e in extra.items():
        if name not in options:
            options[name] = e
    if try_onnx:
        options.update(_onnx(encoder, ptexts, ref, base, seed_passages, seed_questions))
    return {"passages": len(texts), "chars": chars, "torch_threads": threads0,
            "sentence_transformers_sorts_by_length": sorts, "baseline": base_name, "options": options}


def _onnx(encoder: Any, ptexts: Sequence[str], ref: np.ndarray, base_s: float, seed_passages: Sequence[str],
          seed_questions: Sequence[str]) -> dict[str, Any]:
    """ONNX Runtime rows (``benchmarks.onnx_probe``) when onnxruntime and onnx import."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as e:
        return {"onnxruntime": {"skipped": f"not installed ({e.name}); sentence-transformers' ONNX backend needs "
                                           "optimum, which would downgrade transformers (see BENCHMARKS.md)"}}
    try:
        from benchmarks.onnx_probe import bench_onnx

        return bench_onnx(encoder, ptexts, ref, base_s, seed_passages, seed_questions)
    except Exception as e:  # noqa: BLE001
        return {"onnxruntime": {"error": f"{type(e).__name__}: {str(e)[:300]}"}}
