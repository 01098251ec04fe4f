// Per-component timings of the Java side at the tiny bench sizes (encoder parts, GEMM, decode steps): a profile
// companion of ./osum bench, not a benchmark of the protocol. Run: ./osum jshell scripts/bench/profile_parts.jsh
// Compare with: /usr/bin/python3 scripts/bench/profile_parts_torch.py (same shapes). Medians of 9 runs, noisy on a shared machine.
import org.osum4j.model.*;
import org.osum4j.model.io.*;
import org.osum4j.model.nn.*;
double ms(Runnable r, int reps) { for (int i = 0; i < 2; i++) r.run(); long[] t = new long[reps]; for (int i = 0; i < reps; i++) { long t0 = System.nanoTime(); r.run(); t[i] = System.nanoTime() - t0; } Arrays.sort(t); return t[reps / 2] / 1e6; }
RandomInit init = new RandomInit(new Random(1), 0.02);
INDArray feats = Nd4j.randn(new long[]{1, 3000, 80});
Conv1d c1 = init.conv1d(256, 80, 3, 1, 1, 1);
Conv1d c2 = init.conv1d(256, 256, 3, 2, 1, 1);
INDArray a1 = Activation.GELU_ERF.apply(c1.apply(feats));
INDArray a2 = Activation.GELU_ERF.apply(c2.apply(a1));
PreLnBlock blk = init.block(256, 1024, 4, false, Activation.GELU_ERF, 1e-5);
LayerNorm ln = init.layerNorm(256, 1e-5);
INDArray lnx = ln.apply(a2);
System.out.printf("conv1+gelu [1,3000,80]->[1,3000,256]: %.1f ms%n", ms(() -> Activation.GELU_ERF.apply(c1.apply(feats)), 9));
System.out.printf("conv2+gelu ->[1,1500,256]: %.1f ms%n", ms(() -> Activation.GELU_ERF.apply(c2.apply(a1)), 9));
System.out.printf("gelu alone on [1,3000,256]: %.1f ms%n", ms(() -> Activation.GELU_ERF.apply(c1.apply(feats).dup()), 5) - ms(() -> c1.apply(feats).dup(), 9));
System.out.printf("one encoder block [1,1500,256]: %.1f ms%n", ms(() -> blk.apply(a2, null), 9));
System.out.printf("  attention (q,k,v,softmax,out) alone: %.1f ms%n", ms(() -> blk.attn().apply(lnx, null), 9));
System.out.printf("  ffn fc1+gelu+fc2 alone: %.1f ms%n", ms(() -> blk.fc2().apply(Activation.GELU_ERF.apply(blk.fc1().apply(lnx))), 9));
System.out.printf("  layernorm: %.2f ms%n", ms(() -> ln.apply(a2), 9));
INDArray A = Nd4j.randn(new long[]{1500, 256}), B = Nd4j.randn(new long[]{256, 1024});
System.out.printf("  raw gemm 1500x256x1024 (fc1 size): %.1f ms%n", ms(() -> A.mmul(B), 9));
INDArray C = Nd4j.randn(new long[]{1024, 1024});
System.out.printf("  raw gemm 1024^3: %.1f ms%n", ms(() -> C.mmul(C), 9));
// decode: plain-Java step vs ND4J step, tiny LLM
Qwen2Config qc = new Qwen2Config(512, 256, 704, 4, 4, 2, 1e-6, 1e6, false, 32768);
Qwen2Model llm = Qwen2Model.random(qc, null, 0.02, 1);
INDArray emb = Nd4j.randn(new long[]{1, 167, 256}).muli(0.02);
KvCache cache = llm.newCache(1, 167 + 2000);
llm.prefillLastLogits(emb, null, null, cache);
Qwen2FastDecoder fd = Qwen2FastDecoder.of(llm, 1, 167 + 2000);
fd.load(cache);
for (int i = 0; i < 600; i++) fd.step(new long[]{i % 512}, new long[]{fd.validCount(0)});
long t0 = System.nanoTime(); for (int i = 0; i < 640; i++) fd.step(new long[]{i % 512}, new long[]{fd.validCount(0)});
System.out.printf("fast decoder step (context ~1000-1600, warmed 600 steps): %.3f ms%n", (System.nanoTime() - t0) / 1e6 / 640);
fd.load(cache);
for (int i = 0; i < 64; i++) fd.step(new long[]{i % 512}, new long[]{fd.validCount(0)});
fd.load(cache);
t0 = System.nanoTime(); for (int i = 0; i < 64; i++) fd.step(new long[]{i % 512}, new long[]{fd.validCount(0)});
System.out.printf("fast decoder step (context 167-231, warmed): %.3f ms%n", (System.nanoTime() - t0) / 1e6 / 64);
KvCache c2c = llm.newCache(1, 167 + 200);
llm.prefillLastLogits(emb, null, null, c2c);
for (int i = 0; i < 50; i++) llm.forward(llm.embed(Nd4j.createFromArray(new long[]{i}).reshape(1, 1)), null, null, c2c, false);
t0 = System.nanoTime(); for (int i = 0; i < 64; i++) llm.forward(llm.embed(Nd4j.createFromArray(new long[]{i}).reshape(1, 1)), null, null, c2c, false);
System.out.printf("ND4J decode step (context ~220-280): %.3f ms%n", (System.nanoTime() - t0) / 1e6 / 64);
KvCache c3 = llm.newCache(1, 170);
System.out.printf("ND4J prefill 167 positions: %.1f ms%n", ms(() -> { c3.clear(); llm.prefillLastLogits(emb, null, null, c3); }, 9));
/exit
