package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.golden.FixtureChecker;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.Qwen2Config;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.osum4j.golden.Check;
import org.osum4j.model.io.LoraConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parity of {@link Qwen2Model} with HF {@code Qwen2ForCausalLM} on a golden fixture of kind
 * {@code qwen2_causal_lm} (golden/README.md §3): logits and hidden states at valid positions, default
 * position ids, KV-cache prefix + greedy steps (logits, cached keys/values, tokens), the inputs_embeds
 * path, and one training step (loss and the gradient of every parameter). Sizes come from the fixture.
 */
public final class Qwen2Parity implements FixtureChecker {

    /** Logits, hidden states, step logits at valid positions (README: abs ≤ 1e-4). */
    public static final double TOL_LOGITS = 1e-4;
    /** Cached keys / values at valid positions (README: abs ≤ 2e-4). */
    public static final double TOL_CACHE = 2e-4;
    /** Training loss (README: abs ≤ 1e-5). */
    public static final double TOL_LOSS = 1e-5;
    /** Gradients: max|g − g_ref| ≤ TOL_GRAD_REL·max|g_ref| + TOL_GRAD_ABS per tensor. */
    public static final double TOL_GRAD_REL = 1e-4;
    public static final double TOL_GRAD_ABS = 1e-7;

    public static final String KIND = "qwen2_causal_lm";

    @Override
    public String name() {
        return "qwen2";
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        return KIND.equals(kind);
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName().toString();
        Qwen2Model m = Qwen2Model.fromTensors(Qwen2Config.read(dir.resolve("config.json")),
                SafeTensors.read(dir.resolve("model.safetensors")), "", null);
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));
        int layers = m.config().numLayers();

        // ---- 3a: plain forward with explicit and with default position ids
        INDArray ids = longs(io, "input_ids");                                                    // [B, L]
        INDArray mask = longs(io, "attention_mask");                                              // [B, L]
        INDArray pos = longs(io, "position_ids");                                                 // [B, L]
        boolean[] valid = valid(mask);                                                            // [B·L]
        Qwen2Output out = m.forward(m.embed(ids), mask, pos, null, true);
        compareRows(report, fx, io, "logits", out.logits(), valid, TOL_LOGITS);
        for (int i = 0; i <= layers; i++) {
            compareRows(report, fx, io, "hidden_states." + i, out.hiddenStates().get(i), valid, TOL_LOGITS);
        }
        compareRows(report, fx, io, "logits_default_position_ids", m.forwardIds(ids, mask, null).logits(), valid, TOL_LOGITS);

        // ---- 3b: KV cache, prefix then greedy steps
        INDArray kvIds = longs(io, "kv.input_ids");                                               // [B, P + steps]
        INDArray kvMask = longs(io, "kv.attention_mask");
        int b = (int) kvIds.size(0), total = (int) kvIds.size(1);
        int p = (int) io.get("kv.prefix_logits").shape()[1];
        int steps = (int) io.get("kv.step_logits").shape()[0];
        report.compareExact(fx, "kv.position_ids (generate-style, ours)", io.get("kv.position_ids").toLongs(),
                Qwen2Model.generatePositions(kvMask).data().asLong(), io.get("kv.position_ids").shape());
        INDArray prefixIds = kvIds.get(NDArrayIndex.all(), NDArrayIndex.interval(0, p)).dup('c');
        INDArray prefixMask = kvMask.get(NDArrayIndex.all(), NDArrayIndex.interval(0, p)).dup('c');
        INDArray prefixPos = longs(io, "kv.position_ids").get(NDArrayIndex.all(), NDArrayIndex.interval(0, p)).dup('c');
        KvCache cache = m.newCache(b, total);
        Qwen2Output pre = m.forward(m.embed(prefixIds), prefixMask, prefixPos, cache, false);
        compareRows(report, fx, io, "kv.prefix_logits", pre.logits(), valid(prefixMask), TOL_LOGITS);
        for (int l = 0; l < layers; l++) {
            compareCache(report, fx, io, "kv.prefix_cache.key." + l, cache.keys(l), prefixMask);
            compareCache(report, fx, io, "kv.prefix_cache.value." + l, cache.values(l), prefixMask);
        }
        cache.clear();
        List<INDArray> stepLogits = new ArrayList<>();
        long[][] tokens = m.greedy(prefixIds, prefixMask, prefixPos, steps + 1, cache, stepLogits);
        long[] fedRef = kvIds.get(NDArrayIndex.all(), NDArrayIndex.interval(p, total)).dup('c').data().asLong();
        long[] fed = new long[b * steps];
        long[] nextOurs = new long[b];
        for (int r = 0; r < b; r++) {
            System.arraycopy(tokens[r], 0, fed, r * steps, steps);
            nextOurs[r] = tokens[r][steps];
        }
        report.compareExact(fx, "kv.input_ids[:, P:] (greedy tokens)", fedRef, fed, new long[]{b, steps});
        report.compareExact(fx, "kv.next_token_after_last_step", io.get("kv.next_token_after_last_step").toLongs(), nextOurs, new long[]{b});
        INDArray ours = Nd4j.stack(0, stepLogits.subList(1, steps + 1).toArray(new INDArray[0])); // [steps, B, V]
        TensorData ref = io.get("kv.step_logits");
        report.compare(fx, "kv.step_logits", ref.toFloats(), floats(ours), ref.shape(), TOL_LOGITS);
        for (int l = 0; l < layers; l++) {
            compareCache(report, fx, io, "kv.final_cache.key." + l, cache.keys(l), kvMask);
            compareCache(report, fx, io, "kv.final_cache.value." + l, cache.values(l), kvMask);
        }

        // ---- 3b again with the plain-Java decode steps (ND4J prefill, float[] steps)
        List<float[]> fastLogits = new ArrayList<>();
        long[][] fastTokens = Qwen2FastDecoder.greedy(m, m.embed(prefixIds), prefixMask, prefixPos, steps + 1, fastLogits);
        long[] fastFed = new long[b * steps];
        float[] fastSteps = new float[steps * b * m.config().vocabSize()];
        for (int r = 0; r < b; r++) System.arraycopy(fastTokens[r], 0, fastFed, r * steps, steps);
        for (int s = 0; s < steps; s++) {
            float[] l = fastLogits.get(s + 1);
            System.arraycopy(l, 0, fastSteps, s * l.length, l.length);
        }
        report.compareExact(fx, "kv.input_ids[:, P:] (plain-Java decoder)", fedRef, fastFed, new long[]{b, steps});
        report.compare(fx, "kv.step_logits (plain-Java decoder)", ref.toFloats(), fastSteps, ref.shape(), TOL_LOGITS);

        // ---- 3c: inputs_embeds path (positions 0…T−1, no padding)
        INDArray embeds = floatsArray(io, "embeds.inputs_embeds");                                // [B, T, D]
        Qwen2Output eo = m.forward(embeds, null, null, null, false);
        compareRows(report, fx, io, "embeds.logits", eo.logits(), null, TOL_LOGITS);
        compareRows(report, fx, io, "embeds.last_hidden_state", eo.lastHidden(), null, TOL_LOGITS);

        // ---- 3d: one training step, every parameter trainable
        Qwen2Gradients g = m.lossAndGradients(m.embed(ids), mask, pos, longs(io, "train.labels"), ids, n -> true);
        TensorData lossRef = io.get("train.loss");
        report.compare(fx, "train.loss", lossRef.toFloats(), new float[]{(float) g.loss()}, lossRef.shape(), TOL_LOSS);
        int gradCount = 0;
        for (String name : io.names()) {
            if (!name.startsWith("grad.")) continue;
            gradCount++;
            String param = name.substring("grad.".length());
            if (!g.byName().containsKey(param)) {
                report.add(Check.failed(fx, name, "no gradient computed for parameter '" + param + "'"));
                continue;
            }
            compareGrad(report, fx, io, name, floats(g.get(param)));
        }
        for (String param : m.parameters().keySet()) {
            if (!io.has("grad." + param)) {
                report.add(Check.failed(fx, "grad." + param, "the fixture has no gradient for this parameter"));
            }
        }
        if (gradCount == 0) report.add(Check.failed(fx, "grad.*", "fixture holds no gradients"));
    }

    // ================================================================== OSUM's LoRA-adapted LLM

    /** Where OSUM's checkpoint keeps the peft-wrapped Qwen2 (spec §1.8). */
    public static final String OSUM_LLM_PREFIX = "llama_model.base_model.model.";

    /**
     * The LLM part of an OSUM fixture (golden README §4), fed the stored {@code llm.inputs_embeds}: Qwen2
     * through peft names with LoRA (alpha, r from meta.json), logits and hidden states at valid positions,
     * the loss, the gradient of every LoRA tensor, the gradient reaching the speech embeddings (checked
     * through {@code speech_token_emded} bos/eos rows and {@code speech_llama_proj}), greedy generation
     * from {@code generate.i.inputs_embeds}, and the merged-LoRA logits. Not registered as a checker for
     * the OSUM kind (the OSUM model's checker owns that fixture); it calls this.
     */
    public static void checkOsumLlm(Path dir, ParityReport report) throws IOException {
        String fx = dir.getFileName() + "/llm";
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
        JsonNode lj = meta.path("spec").path("lora");
        if (!lj.has("lora_rank") || !lj.has("lora_alpha")) throw new IOException(dir.resolve("meta.json") + ": no spec.lora.{lora_rank, lora_alpha}");
        LoraConfig lora = new LoraConfig(lj.get("lora_rank").asInt(), lj.get("lora_alpha").asDouble(), 0.0, LoraConfig.osum().targetModules());
        Qwen2Model m = Qwen2Model.fromTensors(Qwen2Config.read(dir.resolve("llm").resolve("config.json")),
                SafeTensors.read(dir.resolve("model.safetensors")), OSUM_LLM_PREFIX, lora);
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));
        INDArray embeds = floatsArray(io, "llm.inputs_embeds");                                   // [B, T, Hd]
        INDArray mask = longs(io, "llm.attention_mask");                                          // [B, T]
        INDArray pos = longs(io, "llm.position_ids");                                             // [B, T]
        boolean[] valid = valid(mask);
        Qwen2Output out = m.forward(embeds, mask, pos, null, true);
        compareRows(report, fx, io, "llm.logits", out.logits(), valid, TOL_LOGITS);
        for (int i = 0; i <= m.config().numLayers(); i++) {
            compareRows(report, fx, io, "llm.hidden_states." + i, out.hiddenStates().get(i), valid, TOL_LOGITS);
        }

        // ---- training: base frozen, LoRA trainable, gradient flows back into the embeddings
        Qwen2Gradients g = m.lossAndGradients(embeds, mask, pos, longs(io, "llm.labels"), null, Qwen2Model.loraOnly());
        TensorData lossRef = io.get("loss");
        report.compare(fx, "loss", lossRef.toFloats(), new float[]{(float) g.loss()}, lossRef.shape(), TOL_LOSS);
        int loraGrads = 0;
        for (String name : io.names()) {
            if (!name.startsWith("grad." + OSUM_LLM_PREFIX)) continue;
            loraGrads++;
            String param = name.substring("grad.".length());
            if (!g.byName().containsKey(param)) {
                report.add(Check.failed(fx, name, "no gradient computed for '" + param + "'"));
                continue;
            }
            compareGrad(report, fx, io, name, floats(g.get(param)));
        }
        if (loraGrads == 0) report.add(Check.failed(fx, "grad." + OSUM_LLM_PREFIX + "*", "fixture holds no LLM gradients"));
        for (String param : g.byName().keySet()) {
            if (!io.has("grad." + param)) report.add(Check.failed(fx, "grad." + param, "we train it but the fixture has no gradient"));
        }
        compareEmbeddingGradients(report, fx, meta, io, g.inputsEmbeds());

        // ---- greedy generation from embeddings (KV cache)
        for (int i = 0; io.has("generate." + i + ".inputs_embeds"); i++) {
            INDArray e = floatsArray(io, "generate." + i + ".inputs_embeds");                     // [1, T, Hd]
            TensorData ids = io.get("generate." + i + ".output_ids");
            int n = (int) ids.numel();
            List<INDArray> chosen = new ArrayList<>();
            long[][] toks = m.greedyFromEmbeds(e, null, null, n, m.newCache(1, (int) e.size(1) + n), chosen);
            report.compareExact(fx, "generate." + i + ".output_ids", ids.toLongs(), toks[0], ids.shape());
            TensorData sl = io.get("generate." + i + ".step_logits");
            report.compare(fx, "generate." + i + ".step_logits", sl.toFloats(), floats(Nd4j.concat(0, chosen.toArray(new INDArray[0]))),
                    sl.shape(), TOL_LOGITS);
        }

        // ---- the plain-Java decoder (LoRA merged into its own weight copy) picks the same tokens
        for (int i = 0; io.has("generate." + i + ".inputs_embeds"); i++) {
            TensorData ids = io.get("generate." + i + ".output_ids");
            List<float[]> chosen = new ArrayList<>();
            long[][] toks = Qwen2FastDecoder.greedy(m, floatsArray(io, "generate." + i + ".inputs_embeds"), null, null,
                    (int) ids.numel(), chosen);
            report.compareExact(fx, "generate." + i + ".output_ids (plain-Java decoder)", ids.toLongs(), toks[0], ids.shape());
            float[] all = new float[chosen.size() * chosen.get(0).length];
            for (int s = 0; s < chosen.size(); s++) System.arraycopy(chosen.get(s), 0, all, s * chosen.get(0).length, chosen.get(0).length);
            TensorData sl = io.get("generate." + i + ".step_logits");
            report.compare(fx, "generate." + i + ".step_logits (plain-Java decoder)", sl.toFloats(), all, sl.shape(), TOL_LOGITS);
        }

        // ---- merged LoRA gives the same logits
        m.mergeLora();
        compareRows(report, fx + " merged", io, "llm.logits", m.forward(embeds, mask, pos, null, false).logits(), valid, TOL_LOGITS);
        m.unmergeLora();
    }

    /**
     * dL/d(inputs_embeds) checked through the fixture's parameter gradients that are pure functions of it:
     * {@code speech_token_emded} rows N (bos) and N+1 (eos) sum it over the batch at the bos/eos columns;
     * {@code speech_llama_proj} (bias, weight) sums it (times the adapter output) over the speech columns.
     */
    private static void compareEmbeddingGradients(ParityReport report, String fx, JsonNode meta, SafeTensors io, INDArray dX) {
        JsonNode lay = meta.path("sequence_layout");
        int n = meta.path("spec").path("speech_token_num").asInt(-1);
        if (n < 0 || !lay.has("speech_bos") || !lay.has("speech") || !lay.has("speech_eos")) {
            report.add(Check.failed(fx, "d inputs_embeds", "meta.json lacks spec.speech_token_num / sequence_layout"));
            return;
        }
        int b = (int) dX.size(0), d = (int) dX.size(2);
        int bos = lay.get("speech_bos").get(0).asInt(), eos = lay.get("speech_eos").get(0).asInt();
        int s0 = lay.get("speech").get(0).asInt(), s1 = lay.get("speech").get(1).asInt();
        TensorData tok = io.get("grad.speech_token_emded.weight");                                // [N + 2, Hd]
        INDArray ours = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, tok.shape());
        ours.getRow(n).assign(dX.get(NDArrayIndex.all(), NDArrayIndex.point(bos), NDArrayIndex.all()).sum(0));
        ours.getRow(n + 1).assign(dX.get(NDArrayIndex.all(), NDArrayIndex.point(eos), NDArrayIndex.all()).sum(0));
        compareGrad(report, fx, io, "grad.speech_token_emded.weight", floats(ours));
        INDArray dSpeech = dX.get(NDArrayIndex.all(), NDArrayIndex.interval(s0, s1), NDArrayIndex.all()).dup('c')
                .reshape('c', (long) b * (s1 - s0), d);                                           // [B·S, Hd]
        compareGrad(report, fx, io, "grad.speech_llama_proj.bias", floats(dSpeech.sum(0)));
        INDArray adapter = floatsArray(io, "adapter.speech_transformer");                         // [B, S, Da]
        INDArray a2 = adapter.reshape('c', adapter.size(0) * adapter.size(1), adapter.size(2));   // [B·S, Da]
        compareGrad(report, fx, io, "grad.speech_llama_proj.weight", floats(Nd4j.gemm(dSpeech, a2, true, false)));  // [Hd, Da]
    }

    private static void compareGrad(ParityReport report, String fx, SafeTensors io, String name, float[] ours) {
        TensorData gr = io.get(name);
        float[] ref = gr.toFloats();
        double maxRef = 0;
        for (float x : ref) maxRef = Math.max(maxRef, Math.abs(x));
        report.compare(fx, name, ref, ours, gr.shape(), TOL_GRAD_REL * maxRef + TOL_GRAD_ABS);
    }

    private static void compareRows(ParityReport report, String fx, SafeTensors io, String name, INDArray ours,
                                    boolean[] validRows, double tol) {
        TensorData ref = io.get(name);
        long[] shape = ref.shape();
        float[] o = floats(ours);
        if (validRows == null) {
            report.compare(fx, name, ref.toFloats(), o, shape, tol);
            return;
        }
        int inner = (int) (TensorData.numel(shape) / validRows.length);
        boolean[] keep = new boolean[o.length];
        for (int i = 0; i < keep.length && i / inner < validRows.length; i++) keep[i] = validRows[i / inner];
        report.compareMasked(fx, name + " (valid positions)", ref.toFloats(), o, keep, shape, tol);
    }

    /** Cache tensors [B, KV, S, hd] compared where the token at (b, s) is real. */
    private static void compareCache(ParityReport report, String fx, SafeTensors io, String name, INDArray ours, INDArray mask) {
        TensorData ref = io.get(name);
        long[] sh = ref.shape();
        long[] m = mask.dup('c').data().asLong();
        boolean[] keep = new boolean[(int) TensorData.numel(sh)];
        int kv = (int) sh[1], s = (int) sh[2], hd = (int) sh[3];
        for (int i = 0; i < keep.length; i++) {
            int bb = i / (kv * s * hd), ss = (i / hd) % s;
            keep[i] = ss < mask.size(1) && m[(int) (bb * mask.size(1) + ss)] != 0;
        }
        report.compareMasked(fx, name + " (valid positions)", ref.toFloats(), floats(ours), keep, sh, TOL_CACHE);
    }

    private static boolean[] valid(INDArray mask) {
        long[] m = mask.dup('c').data().asLong();
        boolean[] v = new boolean[m.length];
        for (int i = 0; i < m.length; i++) v[i] = m[i] != 0;
        return v;
    }

    private static INDArray longs(SafeTensors io, String name) {
        TensorData t = io.get(name);
        return Nd4j.createFromArray(t.toLongs()).reshape(t.shape());
    }

    private static INDArray floatsArray(SafeTensors io, String name) {
        TensorData t = io.get(name);
        return Nd4j.create(t.toFloats(), t.shape(), 'c');
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }
}
