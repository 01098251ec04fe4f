package org.osum4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.audio.LogMel;
import org.osum4j.golden.Check;
import org.osum4j.golden.FixtureChecker;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.nn.Params;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The primary checker of OSUM end-to-end fixtures ({@code osum_tiny} layout, golden README §4): the front end
 * from {@code waveform.i}, then {@link OsumEncoderAdapterParity} (encoder/adapter intermediates) and
 * {@link Qwen2Parity#checkOsumLlm} (the LLM from the stored inputs, its LoRA gradients, greedy, merged LoRA),
 * then the assembled {@link OsumModel} loaded from {@code infer.pt}: sequence assembly (inputs_embeds, mask,
 * positions, labels), logits and hidden states at valid positions, loss, the speech bos/eos gradient, greedy
 * ids from features + prompt ids (LoRA unmerged and merged, alone and as a left-padded batch), and the whole
 * chain from the waveform. Encoder/adapter gradients are not checked here (no backward yet). Sizes come from
 * the fixture, so any fixture of this layout works. (It imports {@code audio.LogMel} for the front-end rows:
 * the only {@code model → audio} edge, confined to this checker.)
 */
public final class OsumParity implements FixtureChecker {

    /** meta.json {@code "fixture"} of the OSUM end-to-end layout. */
    public static final String KIND = "osum_tiny";
    /** README §4: log-mel features abs ≤ 2e-4. */
    public static final double TOL_FEATURES = 2e-4;
    /** Smallest absolute tolerance of the relative (2e-5·max|ref|) embedding rule. */
    private static final double EMBED_ABS_FLOOR = 1e-7;

    @Override
    public String name() {
        return "osum";
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        return KIND.equals(kind);
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName().toString();
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));

        // 1. front end: our log-mel of each waveform vs OSUM's features, and the padded batch built from them
        List<INDArray> ourFeatures = checkFeatures(report, fx, io);

        // 2. the parts, from the fixture's own inputs (reused checkers)
        new OsumEncoderAdapterParity().check(dir, report);
        Qwen2Parity.checkOsumLlm(dir, report);

        // 3. the assembled model, loaded as OSUM ships it
        OsumConfig cfg = OsumConfig.read(dir);
        Path pt = dir.resolve("infer.pt");
        OsumModel model = OsumModel.fromOsumTensors(cfg, Files.isRegularFile(pt) ? Checkpoints.open(pt) : Checkpoints.open(dir), dir);
        String mx = fx + "/model";
        long[][] prompts = unpad(io.get("batch.prompt"), io.get("batch.prompt_lengths"));
        long[][] targets = unpad(io.get("batch.target"), io.get("batch.target_lengths"));
        OsumModel.Speech speech = model.encodeSpeech(Params.toArray(io.get("batch.feats")), io.get("batch.feats_lengths").toLongs());
        OsumModel.Inputs in = model.buildInputs(prompts, speech, targets);
        checkInputs(report, mx, io, in);
        Qwen2Output out = model.forward(in, true);
        boolean[] valid = valid(in.attentionMask());
        compareValid(report, mx, io, "llm.logits", out.logits(), valid);
        for (int i = 0; i < out.hiddenStates().size(); i++) {
            compareValid(report, mx, io, "llm.hidden_states." + i, out.hiddenStates().get(i), valid);
        }
        TensorData lossRef = io.get("loss");
        report.compare(mx, "loss", lossRef.toFloats(), new float[]{(float) OsumModel.shiftedCrossEntropy(out.logits(), in.labels())},
                lossRef.shape(), Qwen2Parity.TOL_LOSS);
        checkBosEosGradient(report, mx, io, model, in);

        // 4. generation from features + prompt ids
        checkGeneration(report, mx, io, model, false);
        model.mergeLora();
        try {
            compareValid(report, mx + " merged", io, "llm.logits", model.logits(in), valid);
            checkGeneration(report, mx + " merged", io, model, true);
        } finally {
            model.unmergeLora();
        }

        // 5. the whole chain from the waveform (README: the same tolerances hold)
        if (ourFeatures != null && io.has("batch.feats")) {
            long[] lengths = ourFeatures.stream().mapToLong(f -> f.size(0)).toArray();
            OsumModel.Speech ws = model.encodeSpeech(padBatch(ourFeatures), lengths);
            OsumModel.Inputs wi = model.buildInputs(prompts, ws, targets);
            INDArray wl = model.logits(wi);
            String wx = mx + " from waveform";
            compareValid(report, wx, io, "llm.logits", wl, valid(wi.attentionMask()));
            report.compare(wx, "loss", lossRef.toFloats(), new float[]{(float) OsumModel.shiftedCrossEntropy(wl, wi.labels())},
                    lossRef.shape(), Qwen2Parity.TOL_LOSS);
        }
    }

    /** features.i vs our log-mel of waveform.i ([T, n_mels]); batch.feats vs their zero-padded batch. */
    private static List<INDArray> checkFeatures(ParityReport report, String fx, SafeTensors io) {
        if (!io.has("waveform.0") || !io.has("features.0")) {
            report.add(Check.failed(fx, "features.*", "fixture lacks waveform.0 / features.0"));
            return null;
        }
        int nMels = (int) io.get("features.0").shape()[1];
        LogMel fe = LogMel.of(nMels);
        List<INDArray> ours = new ArrayList<>();
        for (int i = 0; io.has("waveform." + i) && io.has("features." + i); i++) {
            TensorData ref = io.get("features." + i);                                             // [T, n_mels]
            float[] mine = fe.compute(io.get("waveform." + i).toFloats()).transposed();
            report.compare(fx, "features." + i + " (log-mel of waveform." + i + ")", ref.toFloats(), mine, ref.shape(), TOL_FEATURES);
            if (mine.length != ref.numel()) return null;
            ours.add(Nd4j.create(mine, ref.shape(), 'c'));
        }
        TensorData batch = io.get("batch.feats");                                                 // [B, T, n_mels]
        if (batch.shape()[0] != ours.size()) {
            report.add(Check.failed(fx, "batch.feats", "batch of " + batch.shape()[0] + " but " + ours.size() + " waveforms"));
            return null;
        }
        INDArray padded = padBatch(ours);
        if (!Arrays.equals(padded.shape(), batch.shape())) {
            report.add(Check.failed(fx, "batch.feats (padded log-mel)", "shape " + Arrays.toString(batch.shape()) + " vs ours "
                    + Params.shape(padded)));
            return null;
        }
        report.compare(fx, "batch.feats (padded log-mel)", batch.toFloats(), padded.data().asFloat(), batch.shape(), TOL_FEATURES);
        return ours;
    }

    /** Zero-padded [B, T_max, n_mels] from per-item [T_i, n_mels] (OSUM's {@code padding()}). */
    static INDArray padBatch(List<INDArray> items) {
        int t = items.stream().mapToInt(x -> (int) x.size(0)).max().orElse(0);
        long m = items.get(0).size(1);
        INDArray out = Nd4j.zeros(DataType.FLOAT, items.size(), t, m);
        for (int b = 0; b < items.size(); b++) {
            out.get(NDArrayIndex.point(b), NDArrayIndex.interval(0, items.get(b).size(0)), NDArrayIndex.all()).assign(items.get(b));
        }
        return out;
    }

    private static void checkInputs(ParityReport report, String fx, SafeTensors io, OsumModel.Inputs in) {
        for (String name : List.of("llm.attention_mask", "llm.position_ids", "llm.labels")) {
            TensorData ref = io.get(name);
            INDArray ours = switch (name) {
                case "llm.attention_mask" -> in.attentionMask();
                case "llm.position_ids" -> in.positionIds();
                default -> in.labels();
            };
            if (!Arrays.equals(ref.shape(), ours.shape())) {
                report.add(Check.failed(fx, name, "shape: reference " + Arrays.toString(ref.shape()) + ", ours " + Params.shape(ours)));
                continue;
            }
            report.compareExact(fx, name, ref.toLongs(), ours.dup('c').data().asLong(), ref.shape());
        }
        TensorData e = io.get("llm.inputs_embeds");                                                 // [B, L, H]
        WhisperEncoderParity.compare(report, fx, "llm.inputs_embeds (valid positions)", e.toFloats(), e.shape(), in.embeds(),
                widen(valid(in.attentionMask()), (int) e.shape()[2]), EMBED_ABS_FLOOR);
    }

    /** grad.speech_token_emded.weight: only rows N (bos) and N + 1 (eos) are non-zero; ours from our layout. */
    private static void checkBosEosGradient(ParityReport report, String fx, SafeTensors io, OsumModel model, OsumModel.Inputs in) {
        String name = "grad.speech_token_emded.weight";
        if (!io.has(name)) return;
        Qwen2Gradients g = model.llmLossAndGradients(in, Qwen2Model.loraOnly());
        INDArray rows = OsumModel.speechBosEosGradient(in, g.inputsEmbeds());                   // [2, H]
        TensorData ref = io.get(name);                                                             // [N + 2, H]
        INDArray ours = Nd4j.zeros(DataType.FLOAT, ref.shape());
        ours.get(NDArrayIndex.interval(model.config().speechBosRow(), model.config().speechEosRow() + 1), NDArrayIndex.all()).assign(rows);
        float[] r = ref.toFloats();
        double maxRef = 0;
        for (float x : r) maxRef = Math.max(maxRef, Math.abs(x));
        report.compare(fx, name + " (bos/eos columns of our layout)", r, ours.data().asFloat(), ref.shape(),
                Qwen2Parity.TOL_GRAD_REL * maxRef + Qwen2Parity.TOL_GRAD_ABS);
        // speech_llama_proj.bias receives the speech-embedding gradient summed over batch and frames
        String bias = "grad.speech_llama_proj.bias";
        if (!io.has(bias)) return;
        INDArray dSpeech = OsumModel.speechGradient(in, g.inputsEmbeds());                      // [B, S, H]
        TensorData br = io.get(bias);                                                              // [H]
        float[] bref = br.toFloats();
        double bmax = 0;
        for (float x : bref) bmax = Math.max(bmax, Math.abs(x));
        report.compare(fx, bias + " (speech columns of our layout)", bref, dSpeech.sum(0, 1).dup('c').data().asFloat(), br.shape(),
                Qwen2Parity.TOL_GRAD_REL * bmax + Qwen2Parity.TOL_GRAD_ABS);
    }

    /**
     * Per item: our prefill of features.i + generate.i.prompt_ids vs generate.i.inputs_embeds, greedy ids and
     * the logits that chose them; then all items as one left-padded batch (same ids expected).
     */
    private static void checkGeneration(ParityReport report, String fx, SafeTensors io, OsumModel model, boolean merged) {
        List<long[]> prompts = new ArrayList<>();
        List<INDArray> feats = new ArrayList<>();
        List<TensorData> refIds = new ArrayList<>();
        for (int i = 0; io.has("generate." + i + ".prompt_ids") && io.has("features." + i); i++) {
            String p = "generate." + i + ".";
            long[] prompt = io.get(p + "prompt_ids").toLongs();
            INDArray f = Params.toArray(io.get("features." + i));                                // [T, n_mels]
            TensorData ids = io.get(p + "output_ids");
            prompts.add(prompt);
            feats.add(f);
            refIds.add(ids);
            OsumModel.Prefill pre = model.prefill(new long[][]{prompt}, List.of(f));
            if (!merged) {
                TensorData e = io.get(p + "inputs_embeds");                                       // [1, L, H]
                WhisperEncoderParity.compare(report, fx, p + "inputs_embeds (prefill)", e.toFloats(), e.shape(), pre.embeds(), null, EMBED_ABS_FLOOR);
            }
            List<INDArray> chosen = new ArrayList<>();
            long[][] toks = model.greedy(pre, (int) ids.numel(), chosen);
            report.compareExact(fx, p + "output_ids", ids.toLongs(), toks[0], ids.shape());
            TensorData sl = io.get(p + "step_logits");
            report.compare(fx, p + "step_logits", sl.toFloats(), Nd4j.concat(0, chosen.toArray(new INDArray[0])).dup('c').data().asFloat(),
                    sl.shape(), Qwen2Parity.TOL_LOGITS);
        }
        if (prompts.size() < 2) return;
        int steps = refIds.stream().mapToInt(t -> (int) t.numel()).min().orElse(0);
        long[][] toks = model.greedy(model.prefill(prompts.toArray(new long[0][]), feats), steps, null);
        long[] ref = new long[prompts.size() * steps];
        long[] ours = new long[ref.length];
        for (int b = 0; b < prompts.size(); b++) {
            System.arraycopy(refIds.get(b).toLongs(), 0, ref, b * steps, steps);
            System.arraycopy(toks[b], 0, ours, b * steps, steps);
        }
        report.compareExact(fx, "generate.*.output_ids (one left-padded batch)", ref, ours, new long[]{prompts.size(), steps});
    }

    private static void compareValid(ParityReport report, String fx, SafeTensors io, String name, INDArray ours, boolean[] validRows) {
        TensorData ref = io.get(name);
        if (!Arrays.equals(ref.shape(), ours.shape())) {
            report.add(Check.failed(fx, name, "shape: reference " + Arrays.toString(ref.shape()) + ", ours " + Params.shape(ours)));
            return;
        }
        report.compareMasked(fx, name + " (valid positions)", ref.toFloats(), ours.dup('c').data().asFloat(),
                widen(validRows, (int) ref.shape()[ref.shape().length - 1]), ref.shape(), Qwen2Parity.TOL_LOGITS);
    }

    /** Rows of a padded id tensor [B, W] cut to their lengths. */
    static long[][] unpad(TensorData padded, TensorData lengths) {
        long[] v = padded.toLongs();
        long[] len = lengths.toLongs();
        int w = (int) padded.shape()[1];
        long[][] out = new long[len.length][];
        for (int b = 0; b < len.length; b++) out[b] = Arrays.copyOfRange(v, b * w, (int) (b * w + len[b]));
        return out;
    }

    private static boolean[] valid(INDArray mask) {
        long[] m = mask.dup('c').data().asLong();
        boolean[] v = new boolean[m.length];
        for (int i = 0; i < m.length; i++) v[i] = m[i] != 0;
        return v;
    }

    private static boolean[] widen(boolean[] rows, int inner) {
        boolean[] out = new boolean[rows.length * inner];
        for (int i = 0; i < rows.length; i++) if (rows[i]) Arrays.fill(out, i * inner, (i + 1) * inner, true);
        return out;
    }
}
