#!/usr/bin/env python3
"""Phase split of the torch baseline's train_step (companion of ./osum bench train_step -Dosum.bench.train.profile=N):
speech forward alone (encoder + adapter, no grad), whole forward with autograd, backward, AdamW step. A profile, not
the benchmark. Run: /usr/bin/python3 scripts/bench/profile_train_step_torch.py ../shared/bench/configs/tiny.json [steps]
Uses ../shared/bench/osum_torch.py (resolved beside this repository) and the benchmark's tuning (set the same
environment as bench_torch.py: OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736)."""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "../../../shared/bench")))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import osum_torch as ot  # noqa: E402

cfg = ot.load_config(sys.argv[1])
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
bc, BC = cfg["bench"]["train_step"], cfg["bench"]
torch.manual_seed(BC["seed"])
model = ot.init_random(ot.OSUM(cfg), BC["seed"], BC["init_std"]).train()
params = model.set_trainable()
oc = bc["optimizer"]
opt = torch.optim.AdamW(params, lr=oc["lr"], betas=tuple(oc["betas"]), eps=oc["eps"], weight_decay=oc["weight_decay"])
g = np.random.default_rng(BC["seed"])
B, V = bc["batch"], cfg["llm"]["vocab_size"]
feats = torch.from_numpy(g.standard_normal((B, cfg["n_mels"], bc["audio_frames"])).astype(np.float32))
prompt = torch.from_numpy(g.integers(0, V, (B, bc["prompt_tokens"]), dtype=np.int64))
target = torch.from_numpy(g.integers(0, V, (B, bc["target_tokens"]), dtype=np.int64))
phases = {"speech_fwd_nograd": [], "forward": [], "backward": [], "adamw": []}
for i in range(steps + 2):
    t0 = time.perf_counter()
    with torch.no_grad():
        model.encode_speech(feats)
    t1 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = model(feats, prompt, target)
    t2 = time.perf_counter()
    loss.backward()
    t3 = time.perf_counter()
    opt.step()
    t4 = time.perf_counter()
    if i >= 2:  # two warm-up steps
        for k, a, b in (("speech_fwd_nograd", t0, t1), ("forward", t1, t2), ("backward", t2, t3), ("adamw", t3, t4)):
            phases[k].append(1e3 * (b - a))
print(cfg["name"], {k: round(statistics.median(v), 1) for k, v in phases.items()})
