"""ONNX Runtime as the passage-embedding engine: throughput and parity with fp32 torch.

sentence-transformers' own ``backend="onnx"`` needs ``optimum`` (``optimum-onnx``), which
pins ``transformers<4.58`` and would downgrade this project's transformers 5.x, so it is not
installable here.  This probe instead exports the encoder's transformer with
``torch.onnx.export`` (TorchScript exporter) and runs it with plain ``onnxruntime`` (mean
pooling over the attention mask + L2 normalisation, as multilingual-e5's sentence-transformers
config does), in fp32 and with ONNX Runtime's dynamic int8 quantisation of the weights
(``onnxruntime.quantization.quantize_dynamic``).

Used by ``benchmarks.embed_bench`` when ``onnxruntime`` and ``onnx`` import; otherwise
skipped.  To try it without touching the project's environment::

    pip install --target /tmp/ortpkgs --no-deps onnxruntime==1.32.0 onnx==1.23.2 \
        flatbuffers==25.12.19 ml_dtypes==0.6.0 protobuf==7.36.2
    PYTHONPATH=/tmp/ortpkgs python -m benchmarks.onnx_probe --merge benchmarks/out/results.json
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np


class OrtEncoder:
    """``encode(texts, batch_size)`` → ``(n, dim)`` float32 L2-normalised, via ONNX Runtime.

    Inputs are sorted by length before batching (as sentence-transformers does) and
    truncated to ``max_seq_length`` tokens.
    """

    def __init__(self, onnx_path: Path, tokenizer: Any, max_seq_length: int, threads: int) -> None:
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        self.names = {i.name for i in self.sess.get_inputs()}
        self.tok = tokenizer
        self.max_len = max_seq_length

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 0), dtype=np.float32)
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        for i in range(0, len(texts), batch_size):
            idx = order[i:i + batch_size]
            enc = self.tok([texts[j] for j in idx], padding=True, truncation=True, max_length=self.max_len,
                           return_tensors="np")
            feed = {k: v.astype(np.int64) for k, v in enc.items() if k in self.names}
            hidden = self.sess.run(None, feed)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            v = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            parts.append((idx, v.astype(np.float32)))
        dim = parts[0][1].shape[1] if parts else 0
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for idx, v in parts:
            out[idx] = v
        return out


def export(model: Any, dest: Path) -> Path:
    """Export the transformer inside a SentenceTransformer ``model`` to ``dest/model.onnx``
    (dynamic batch and sequence axes)."""
    import torch

    hf = model[0].auto_model.eval()
    tok = model.tokenizer
    enc = tok(["passage: 示例文本", "passage: 另一个更长一点的示例文本"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in enc]
    path = dest / "model.onnx"

    class Wrap(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, *args):
            return self.m(**dict(zip(names, args))).last_hidden_state

    axes = {n: {0: "batch", 1: "seq"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "seq"}
    with torch.no_grad():
        torch.onnx.export(Wrap(hf), tuple(enc[n] for n in names), str(path), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17,
                          dynamo=False)
    return path


def bench_onnx(encoder: Any, ptexts: Sequence[str], ref: np.ndarray, base_s: float,
               seed_passages: Sequence[str], seed_questions: Sequence[str]) -> dict[str, Any]:
    """Time ONNX Runtime fp32 and int8 on ``ptexts`` (prefixed) against the fp32 torch
    vectors ``ref`` that took ``base_s`` seconds.  Returns ``{name: {...}}``."""
    import time

    import onnxruntime  # noqa: F401
    import torch

    from benchmarks.common import st_model
    from benchmarks.embed_bench import _parity, top1_stats

    model = st_model(encoder)
    pp = getattr(encoder, "_passage_prefix", "") or ""
    qp = getattr(encoder, "_query_prefix", "") or ""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-onnx-") as d:
        path = export(model, Path(d))
        variants = {"onnxruntime_fp32_b32": path}
        try:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            qpath = Path(d) / "model-int8.onnx"
            quantize_dynamic(str(path), str(qpath), weight_type=QuantType.QInt8)
            variants["onnxruntime_int8_b32"] = qpath
        except Exception as e:  # noqa: BLE001
            out["onnxruntime_int8_b32"] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
        chars = sum(len(t) for t in ptexts) - len(pp) * len(ptexts)
        for name, p in variants.items():
            enc = OrtEncoder(p, model.tokenizer, model.max_seq_length, torch.get_num_threads())
            enc.encode(list(ptexts[:8]))
            times = []
            for _ in range(2):
                t = time.perf_counter()
                v = enc.encode(list(ptexts))
                times.append(time.perf_counter() - t)
            t = float(np.median(times))
            pa = model.encode([pp + x for x in seed_passages], normalize_embeddings=True, convert_to_numpy=True)
            qa = model.encode([qp + x for x in seed_questions], normalize_embeddings=True, convert_to_numpy=True)
            pb = enc.encode([pp + x for x in seed_passages])
            qb = enc.encode([qp + x for x in seed_questions])
            out[name] = {"s": round(t, 3), "runs": [round(x, 3) for x in times],
                         "passages_per_s": round(len(ptexts) / t, 2), "chars_per_s": round(chars / t, 1),
                         "speedup": round(base_s / t, 3), **_parity(v, ref),
                         **top1_stats(qa, pa, qb, pb),
                         "model_bytes": p.stat().st_size}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Add ONNX Runtime rows to an existing results.json and re-render the Markdown."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.onnx_probe")
    ap.add_argument("--merge", type=Path, required=True, help="results.json of benchmarks.run")
    ap.add_argument("--md", type=Path, default=None, help="markdown to re-render (default: BENCHMARKS.md)")
    a = ap.parse_args(argv)
    from benchmarks.common import REPO, timed, write_json
    from benchmarks.embed_bench import _enc
    from benchmarks.report import render
    from benchmarks.run import _seed_questions
    from corpus.pipeline import load_corpus
    from retrieval.build import dense_text
    from retrieval.embedder import load_encoder

    res = json.loads(a.merge.read_text(encoding="utf-8"))
    e = res.get("embedding") or {}
    if "options" not in e:
        print("no embedding section to merge into", file=sys.stderr)
        return 1
    encoder = load_encoder(res.get("model_spec"))
    from benchmarks.common import st_model

    model = st_model(encoder)
    work = a.merge.parent / "work"
    big = load_corpus(work / "seeds-cmrc") if (work / "seeds-cmrc").is_dir() else load_corpus(work / "seeds-seed")
    texts = [dense_text(p) for p in big.passages]
    while len(texts) < e["passages"]:
        texts = texts + texts
    ptexts = [encoder._passage_prefix + t for t in texts[:e["passages"]]]
    _enc(model, ptexts[:8])
    times, ref = [], None
    for _ in range(2):
        t, ref = timed(lambda: _enc(model, ptexts, 32))
        times.append(t)
    base = float(np.median(times))
    seed = load_corpus(work / "seeds-seed")
    rows = bench_onnx(encoder, ptexts, ref, base, [dense_text(p) for p in seed.passages], _seed_questions())
    e["options"]["fp32_b32_reference_for_onnx"] = {"s": round(base, 3), "runs": [round(x, 3) for x in times],
                                                    "passages_per_s": round(len(ptexts) / base, 2),
                                                    "chars_per_s": round(e["chars"] / base, 1), "speedup": 1.0}
    e["options"].pop("onnx_b32", None)
    e["options"].update(rows)
    import onnxruntime
    import onnx

    res["machine"]["libraries"]["onnxruntime (probe, not installed in the venv)"] = onnxruntime.__version__
    res["machine"]["libraries"]["onnx (probe)"] = onnx.__version__
    write_json(a.merge, res)
    md = a.md or (REPO / "BENCHMARKS.md")
    md.write_text(render(res), encoding="utf-8")
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
