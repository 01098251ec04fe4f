"""Per-component timings of the torch baseline at the tiny encoder sizes, the same shapes as
scripts/bench/profile_parts.jsh (a profile companion of the benchmarks, not part of the protocol).
Run from anywhere: /usr/bin/python3 scripts/bench/profile_parts_torch.py  (needs ../shared/bench beside the repo)."""
import os, sys, time
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench")))
import torch, osum_torch as ot
torch.set_num_threads(2)
def ms(f, reps=9):
    for _ in range(2): f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    ts.sort(); return 1e3 * ts[reps // 2]
with torch.inference_mode():
    feats = torch.randn(1, 80, 3000)
    c1 = torch.nn.Conv1d(80, 256, 3, padding=1); c2 = torch.nn.Conv1d(256, 256, 3, stride=2, padding=1)
    a1 = ot.gelu(c1(feats)); a2 = ot.gelu(c2(a1)).transpose(1, 2).contiguous()
    blk = ot.TransformerLayer(256, 4, 1024, "gelu", key_bias=False)
    ln = torch.nn.LayerNorm(256); lnx = ln(a2)
    print("conv1+gelu: %.1f ms" % ms(lambda: ot.gelu(c1(feats))))
    print("conv2+gelu: %.1f ms" % ms(lambda: ot.gelu(c2(a1))))
    print("one encoder block [1,1500,256]: %.1f ms" % ms(lambda: blk(a2)))
    print("  attention alone: %.1f ms" % ms(lambda: blk.self_attn(lnx)))
    print("  ffn alone: %.1f ms" % ms(lambda: blk.fc2(ot.gelu(blk.fc1(lnx)))))
    A = torch.randn(1500, 256); B = torch.randn(256, 1024)
    print("  raw gemm 1500x256x1024: %.1f ms" % ms(lambda: A @ B))
    C = torch.randn(1024, 1024)
    print("  raw gemm 1024^3: %.1f ms" % ms(lambda: C @ C))
