"""CPU speed study for training the span reader: tiny timed runs of a few steps.

``python -m reader.speed_study [--steps 3] [--batch 16]`` prints one JSON line per
configuration: median seconds per optimiser step (forward + backward + update) of a
batch of ``batch`` windows of ``max_len`` tokens (random token ids; speed does not
depend on the text). Set ``OMP_WAIT_POLICY=PASSIVE`` (or not) in the environment before
starting: it must be set before torch is imported.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def run_config(base_dir, *, max_len, batch, steps, bf16, attn_dropout, hidden_dropout,
               freeze_below, lora_rank, threads):
    import torch
    from transformers import AutoConfig, AutoModelForQuestionAnswering

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    cfg = AutoConfig.from_pretrained(base_dir, local_files_only=True)
    cfg.attention_probs_dropout_prob = attn_dropout
    cfg.hidden_dropout_prob = hidden_dropout
    model = AutoModelForQuestionAnswering.from_pretrained(base_dir, config=cfg, local_files_only=True)
    for p in model.parameters():
        p.requires_grad = False
    if lora_rank:
        from peft import LoraConfig, get_peft_model
        layers = [i for i in range(cfg.num_hidden_layers) if i >= freeze_below]
        lc = LoraConfig(r=lora_rank, lora_alpha=2 * lora_rank, lora_dropout=0.0,
                        target_modules=["query", "key", "value", "attention.output.dense",
                                        "intermediate.dense", "output.dense"],
                        layers_to_transform=layers, modules_to_save=["qa_outputs"])
        model = get_peft_model(model, lc)
    else:
        for i, layer in enumerate(model.bert.encoder.layer):
            if i >= freeze_below:
                for p in layer.parameters():
                    p.requires_grad = True
        for p in model.qa_outputs.parameters():
            p.requires_grad = True
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    model.train()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, 250000, (batch, max_len), generator=g)
    mask = torch.ones_like(ids)
    sp = torch.randint(0, max_len, (batch,), generator=g)
    ep = torch.randint(0, max_len, (batch,), generator=g)
    times = []
    for s in range(steps + 1):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model(input_ids=ids, attention_mask=mask, start_positions=sp, end_positions=ep)
        out.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if s:  # first step warms up
            times.append(time.perf_counter() - t)
    return statistics.median(times), sum(p.numel() for p in params)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--configs", default="default",
                    help="comma-separated config names from CONFIGS, or 'all'")
    args = ap.parse_args(argv)
    from retrieval._e5_convert import default_model_dir

    base = str(default_model_dir())
    d = dict(max_len=256, bf16=True, attn_dropout=0.0, hidden_dropout=0.1, freeze_below=0,
             lora_rank=16, threads=2)
    configs = {
        "default": {},
        "fp32": dict(bf16=False),
        "attn_dropout": dict(attn_dropout=0.1),
        "len192": dict(max_len=192),
        "len384": dict(max_len=384),
        "freeze4": dict(freeze_below=4),
        "freeze6": dict(freeze_below=6),
        "threads1": dict(threads=1),
        "full_top2": dict(lora_rank=0, freeze_below=10),
        "full_all": dict(lora_rank=0, freeze_below=0),
    }
    names = list(configs) if args.configs == "all" else args.configs.split(",")
    for name in names:
        c = dict(d, **configs[name])
        sec, n = run_config(base, batch=args.batch, steps=args.steps, **c)
        print(json.dumps({"config": name, **c, "batch": args.batch, "s_per_step": round(sec, 3),
                          "windows_per_s": round(args.batch / sec, 2), "trainable": n,
                          "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}), flush=True)


if __name__ == "__main__":
    main()
