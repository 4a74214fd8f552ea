"""Shared helpers of the benchmark: timing statistics, machine facts, memory, corpora,
questions, and the *bare library* baselines our pipeline is compared with.

Units: seconds (``*_s``), milliseconds (``*_ms``), bytes (``*_bytes``) or MiB (``*_mib``),
characters (``chars``).
"""
from __future__ import annotations

import json
import os
import platform
import random
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_TESTSET = REPO / "evaluation" / "testsets" / "seed.jsonl"
# The CMRC 2018 trial set lives in the workspace's shared/ folder beside the checkout (not
# committed: CC BY-SA data we only benchmark on); CNQA_CMRC_FILE points elsewhere.
CMRC_FILE = Path(os.environ.get("CNQA_CMRC_FILE")
                 or REPO.parent / "shared" / "data" / "cmrc2018-trial" / "cmrc2018_trial.json")


# -- statistics ------------------------------------------------------------------------
def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    """``{"n", "p50", "p95", "p99", "mean"}`` of ``seconds`` converted to milliseconds
    (numpy's linear-interpolation percentiles).

    Raises:
        ValueError: when ``seconds`` is empty.
    """
    if len(seconds) == 0:
        raise ValueError("no timings to summarise")
    a = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {"n": int(a.size), "p50": round(float(np.percentile(a, 50)), 3),
            "p95": round(float(np.percentile(a, 95)), 3), "p99": round(float(np.percentile(a, 99)), 3),
            "mean": round(float(a.mean()), 3)}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``fn()`` and return ``(seconds, result)`` (``time.perf_counter``)."""
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def ratio(a: float, b: float) -> float | None:
    """``a / b`` rounded to 3 places, or None when ``b`` is 0."""
    return round(a / b, 3) if b else None


# -- machine and memory ------------------------------------------------------------------
def _version(mod: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(mod)
    except Exception:  # noqa: BLE001 - not installed
        return None


def machine_facts() -> dict[str, Any]:
    """CPU model, cores usable by this process, RAM, OS, and library versions."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = psutil.virtual_memory().total
        load = [round(x, 2) for x in os.getloadavg()]
    except Exception:  # noqa: BLE001
        ram, load = None, None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cores = os.cpu_count()
    libs = {m: _version(m) for m in ("torch", "faiss-cpu", "bm25s", "sentence-transformers",
                                     "transformers", "numpy", "rjieba", "gradio", "onnxruntime", "optimum")}
    return {"cpu": cpu, "cores": cores, "ram_gib": round(ram / 2**30, 1) if ram else None,
            "load_avg_at_start": load, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}",
            "env": {k: os.environ[k] for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                               "CNQA_ENCODER", "PYTHONPATH") if k in os.environ},
            "libraries": {k: v for k, v in libs.items() if v}}


def rss_bytes() -> int:
    """Current resident set size of this process (bytes)."""
    import psutil

    return int(psutil.Process().memory_info().rss)


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (``getrusage``; Linux reports KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def mib(n: float | None) -> float | None:
    return None if n is None else round(n / 2**20, 1)


# -- corpora and questions -----------------------------------------------------------------
def make_seeds_dir(dest: Path, include_seed: bool = True, cmrc_articles: int = 0) -> Path:
    """Create a seeds folder at ``dest``: the repo's seed files and/or the first
    ``cmrc_articles`` entries of the CMRC 2018 trial set written as SQuAD JSON.

    Raises:
        ValueError: nothing to put in it, or CMRC wanted but its file is missing.
    """
    if not include_seed and cmrc_articles <= 0:
        raise ValueError("make_seeds_dir: neither the seed corpus nor CMRC articles requested")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if include_seed:
        for f in sorted(SEEDS.iterdir()):
            if f.is_file() and not f.name.startswith("."):
                shutil.copy2(f, dest / f.name)
    if cmrc_articles > 0:
        if not CMRC_FILE.is_file():
            raise ValueError(f"CMRC trial set not found at {CMRC_FILE}")
        data = json.loads(CMRC_FILE.read_text(encoding="utf-8"))
        data["data"] = data["data"][:cmrc_articles]
        (dest / "cmrc2018_trial.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return dest


def load_questions(n: int, cmrc_articles: int | None = None, seed: int = 0) -> list[str]:
    """Up to ``n`` distinct questions: the seed test set's first, then CMRC trial questions
    (of the first ``cmrc_articles`` entries when given), repeated only when fewer than ``n``
    exist (a fixed shuffle of the CMRC ones, ``seed``)."""
    qs: list[str] = []
    if SEED_TESTSET.is_file():
        for line in SEED_TESTSET.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line).get("question", "")
                if q.strip():
                    qs.append(q.strip())
    if CMRC_FILE.is_file():
        data = json.loads(CMRC_FILE.read_text(encoding="utf-8"))["data"]
        if cmrc_articles is not None:
            data = data[:max(cmrc_articles, 0)] or data
        cm = [qa["question"].strip() for e in data for p in e["paragraphs"] for qa in p["qas"]
              if qa.get("question", "").strip()]
        random.Random(seed).shuffle(cm)
        qs.extend(cm)
    qs = list(dict.fromkeys(qs))
    if not qs:
        qs = ["快递服务点有多少个？"]
    out = list(qs)
    while len(out) < n:
        out.extend(qs)
    return out[:n]


def corpus_sentences(texts: Iterable[str], min_chars: int = 8) -> list[str]:
    """Split texts into sentences ending in 。！？; (for synthetic passage text)."""
    import re

    out: list[str] = []
    for t in texts:
        for s in re.split(r"(?<=[。！？；!?])", t.replace("\n", "")):
            s = s.strip()
            if len(s) >= min_chars:
                out.append(s)
    return out


# -- the bare library baselines ------------------------------------------------------------------
def st_model(encoder: Any) -> Any | None:
    """The SentenceTransformer inside a ``SentenceTransformerEncoder``/``E5Encoder`` (loaded),
    or None for encoders without one (e.g. ``HashingEncoder``)."""
    load = getattr(encoder, "_load", None)
    return load() if callable(load) else None


def bare_passage_encoder(encoder: Any, batch_size: int) -> Callable[[list[str]], np.ndarray]:
    """``texts -> (n, dim)`` with the bare ``SentenceTransformer.encode`` (the encoder's
    passage prefix, ``batch_size``, L2-normalised) — or the encoder itself when it wraps no
    sentence-transformers model."""
    model = st_model(encoder)
    if model is None:
        return lambda texts: encoder.encode_passages(texts)
    prefix = getattr(encoder, "_passage_prefix", "") or ""

    def enc(texts: list[str]) -> np.ndarray:
        return model.encode([prefix + t for t in texts], batch_size=batch_size, convert_to_numpy=True,
                            normalize_embeddings=True, show_progress_bar=False)
    return enc


def bare_query_encoder(encoder: Any) -> Callable[[str], np.ndarray]:
    """``query -> (1, dim)`` with the bare ``SentenceTransformer.encode`` (query prefix)."""
    model = st_model(encoder)
    if model is None:
        return lambda q: encoder.encode_queries([q])
    prefix = getattr(encoder, "_query_prefix", "") or ""

    def enc(q: str) -> np.ndarray:
        return model.encode([prefix + q], convert_to_numpy=True, normalize_embeddings=True,
                            show_progress_bar=False)
    return enc


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")


def child_env() -> dict[str, str]:
    """Environment for benchmark subprocesses: offline, repo on the path."""
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_child(args: Sequence[str], timeout: float) -> dict[str, Any]:
    """Run ``python -m benchmarks.child *args`` and parse the JSON on its last stdout line;
    adds ``wall_s`` (parent-side wall time, interpreter start included).

    Raises:
        RuntimeError: non-zero exit or no JSON (stderr tail in the message).
    """
    import subprocess

    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "benchmarks.child", *args], cwd=str(REPO), env=child_env(),
                       capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark child {list(args)[:1]} failed (rc {p.returncode}): {p.stderr[-2000:]}")
    out = json.loads(lines[-1])
    out["wall_s"] = round(wall, 3)
    return out
