package org.osum4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.golden.Check;
import org.osum4j.golden.FixtureChecker;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.LoraConfig;
import org.osum4j.model.io.Qwen2Config;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.io.WhisperConfig;
import org.osum4j.model.nn.Params;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Golden parity of OSUM's whole training backward ({@code osum_tiny} fixtures, golden README §4
 * "Gradients"): the LoRA-adapted Qwen2's loss and backward on the stored {@code llm.*} inputs, its
 * dL/d(inputs_embeds) routed through the speech assembly ({@link SpeechSegment}) into
 * {@code speech_token_emded} (bos/eos rows) and back through {@link OsumAdapter} and {@link WhisperEncoder}
 * (traced forward on {@code batch.feats} with the batch's masks). Every {@code grad.*} tensor of the fixture
 * is compared at max|Δ| ≤ 1e-4·max|g_ref| + 1e-7. Secondary: the forward numbers belong to
 * {@link OsumEncoderAdapterParity} and {@link Qwen2Parity#checkOsumLlm}.
 */
public final class OsumGradientParity implements FixtureChecker {

    @Override
    public String name() {
        return "osum-gradients";
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        return "osum_tiny".equals(kind);
    }

    @Override
    public boolean primary() {
        return false;
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName() + "/grad";
        SafeTensors weights = SafeTensors.read(dir.resolve("model.safetensors"));
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));
        Result r = run(dir, weights, io);

        TensorData lossRef = io.get("loss");
        report.compare(fx, "loss", lossRef.toFloats(), new float[]{(float) r.loss()}, lossRef.shape(), Qwen2Parity.TOL_LOSS);
        int compared = 0;
        for (String name : io.names()) {
            if (!name.startsWith("grad.")) continue;
            String param = name.substring("grad.".length());
            INDArray ours = r.gradients().get(param);
            if (ours == null) {
                report.add(Check.failed(fx, name, "no gradient computed for '" + param + "'"));
                continue;
            }
            compareGrad(report, fx, io.get(name), ours);
            compared++;
        }
        if (compared == 0) report.add(Check.failed(fx, "grad.*", "fixture holds no gradients"));
        for (String param : r.gradients().keySet()) {
            if (!io.has("grad." + param)) report.add(Check.failed(fx, "grad." + param, "we compute it but the fixture has no gradient"));
        }
    }

    /**
     * One training step's loss and every trainable gradient by OSUM checkpoint name.
     *
     * @param loss      token-mean cross-entropy
     * @param gradients encoder, adapter, speech_token_emded and LoRA gradients
     */
    public record Result(double loss, Map<String, INDArray> gradients) {
    }

    /** The fixture's three models, loaded once (the timing harness repeats {@link #step} on them). */
    record Models(WhisperEncoder encoder, OsumAdapter adapter, Qwen2Model llm, int speechTokenNum) {
    }

    static Result run(Path dir, SafeTensors weights, SafeTensors io) throws IOException {
        return step(load(dir, weights), io, dir);
    }

    /** Loads the encoder, adapter and LoRA-adapted LLM of a fixture, as the forward checkers do. */
    static Models load(Path dir, SafeTensors weights) throws IOException {
        // --- models, as OsumEncoderAdapterParity and Qwen2Parity.checkOsumLlm load them
        int positions = (int) weights.get("encoder.embed.pos_enc.pe").shape()[1];
        WhisperConfig ec = WhisperConfig.fromOsumConfig(dir.resolve("config.json")).withMaxSourcePositions(positions);
        AdapterConfig ac = AdapterConfig.fromOsumFixtureConfig(dir.resolve("config.json"));
        WhisperEncoder encoder = WhisperEncoder.loadOsum(ec, weights);
        OsumAdapter adapter = OsumAdapter.load(ac, weights, "");
        JsonNode lj = new ObjectMapper().readTree(dir.resolve("meta.json").toFile()).path("spec").path("lora");
        if (!lj.has("lora_rank") || !lj.has("lora_alpha")) {
            throw new IOException(dir.resolve("meta.json") + ": no spec.lora.{lora_rank, lora_alpha}");
        }
        LoraConfig lora = new LoraConfig(lj.get("lora_rank").asInt(), lj.get("lora_alpha").asDouble(), 0.0, LoraConfig.osum().targetModules());
        Qwen2Model llm = Qwen2Model.fromTensors(Qwen2Config.read(dir.resolve("llm").resolve("config.json")), weights,
                Qwen2Parity.OSUM_LLM_PREFIX, lora);
        int speechTokenNum = (int) weights.get("speech_token_emded.weight").shape()[0] - 2;      // rows N (bos), N+1 (eos)
        return new Models(encoder, adapter, llm, speechTokenNum);
    }

    /**
     * The fixture's training step, in the order of OSUM's backward: LLM (LoRA only trainable) → split of
     * dL/d(inputs_embeds) → adapter → encoder. Sizes come from the fixture's tensors.
     */
    static Result step(Models m, SafeTensors io, Path dir) throws IOException {
        WhisperEncoder encoder = m.encoder();
        OsumAdapter adapter = m.adapter();
        Qwen2Model llm = m.llm();
        // --- speech side forward, keeping activations (the padded batch with its masks)
        INDArray feats = Params.toArray(io.get("batch.feats"));                                  // [B, T, n_mels]
        long[] lengths = io.get("batch.feats_lengths").toLongs();                                 // [B]
        WhisperEncoder.Trace enc = encoder.trace(feats, lengths);
        OsumAdapter.Trace ad = adapter.trace(enc.output().lastHiddenState(), enc.output().mask());

        // --- LLM loss and backward on the stored assembled rows
        INDArray embeds = Params.toArray(io.get("llm.inputs_embeds"));                            // [B, L, Hd]
        Qwen2Gradients g = llm.lossAndGradients(embeds, longs(io, "llm.attention_mask"), longs(io, "llm.position_ids"),
                longs(io, "llm.labels"), null, Qwen2Model.loraOnly());

        // --- where the speech sits: P from the padded prompt, S from our adapter (checked against the fixture)
        int p = (int) io.get("batch.prompt").shape()[1];
        int s = (int) ad.output().speech().size(1);
        long tt = io.get("batch.target").shape()[1];
        long[] maskShape = io.get("adapter.speech_mask").shape();
        if (maskShape[1] != s || embeds.size(1) != p + s + 2 + tt) {
            throw new IOException(dir + ": llm.inputs_embeds " + java.util.Arrays.toString(embeds.shape()) + " is not prompt " + p
                    + " + bos + " + s + " speech (adapter.speech_mask " + java.util.Arrays.toString(maskShape) + ") + eos + target " + tt);
        }
        SpeechSegment seg = new SpeechSegment(p, s);

        Map<String, INDArray> grads = new LinkedHashMap<>(g.byName());
        grads.put("speech_token_emded.weight", seg.tokenTableGradient(g.inputsEmbeds(), m.speechTokenNum()));
        INDArray dEnc = adapter.backward(ad, seg.speechGradient(g.inputsEmbeds()), grads);        // [B, T', D]
        encoder.backward(enc, dEnc, grads);
        return new Result(g.loss(), grads);
    }

    private static void compareGrad(ParityReport report, String fx, TensorData ref, INDArray ours) {
        float[] r = ref.toFloats();
        double maxRef = 0;
        for (float x : r) maxRef = Math.max(maxRef, Math.abs(x));
        report.compare(fx, ref.name(), r, ours.dup('c').data().asFloat(), ref.shape(),
                Qwen2Parity.TOL_GRAD_REL * maxRef + Qwen2Parity.TOL_GRAD_ABS);
    }

    private static INDArray longs(SafeTensors io, String name) {
        TensorData t = io.get(name);
        return Nd4j.createFromArray(t.toLongs()).reshape(t.shape());
    }
}
