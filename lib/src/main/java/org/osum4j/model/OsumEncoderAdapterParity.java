package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.golden.Check;
import org.osum4j.golden.FixtureChecker;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.io.WhisperConfig;
import org.osum4j.model.nn.FrameMask;
import org.osum4j.model.nn.Params;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Golden parity of OSUM's speech side, {@link WhisperEncoder} (wenet names) + {@link OsumAdapter}, against
 * OSUM's own code ({@code osum_tiny} fixture, golden/README.md §4): the padded batch ({@code batch.feats}
 * with lengths) through every stored intermediate and mask, compared at valid frames within 2e-5·max|ref|;
 * then each utterance alone against the speech segment of {@code generate.i.inputs_embeds}. The LLM part
 * of the fixture is checked elsewhere.
 */
public final class OsumEncoderAdapterParity implements FixtureChecker {

    /** README §4: encoder / adapter / embedding tensors, valid frames: max|Δ| ≤ 2e-5·max|ref|. */
    private static final double ABS_FLOOR = 1e-7;

    @Override
    public String name() {
        return "osum-encoder-adapter";
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        return "osum_tiny".equals(kind);
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName().toString();
        SafeTensors weights = SafeTensors.read(dir.resolve("model.safetensors"));
        int positions = (int) weights.get("encoder.embed.pos_enc.pe").shape()[1];            // table rows, from the file
        WhisperConfig ec = WhisperConfig.fromOsumConfig(dir.resolve("config.json")).withMaxSourcePositions(positions);
        AdapterConfig ac = AdapterConfig.fromOsumFixtureConfig(dir.resolve("config.json"));
        WhisperEncoder encoder = WhisperEncoder.loadOsum(ec, weights);
        OsumAdapter adapter = OsumAdapter.load(ac, weights, "");
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));

        // 1. the padded batch, as LLMASR_Model.forward runs it
        INDArray feats = Params.toArray(io.get("batch.feats"));                               // [B, T, n_mels]
        long[] lengths = io.get("batch.feats_lengths").toLongs();                              // [B]
        WhisperEncoder.Output enc = encoder.forwardFrames(feats, lengths, true);
        OsumAdapter.Output ad = adapter.forward(enc.lastHiddenState(), enc.mask());

        boolean[] encValid = validOf(io.get("encoder.mask"), ec.dModel());
        WhisperEncoderParity.compare(report, fx, io.get("encoder.after_embed"), enc.hiddenStates().get(0), encValid, ABS_FLOOR);
        report.compareExact(fx, "encoder.mask", io.get("encoder.mask").toLongs(), enc.mask().toLongs(), io.get("encoder.mask").shape());
        WhisperEncoderParity.compare(report, fx, io.get("encoder.out"), enc.lastHiddenState(), encValid, ABS_FLOOR);

        boolean[] adValid = validOf(io.get("adapter.speech_mask"), ac.dModel());
        boolean[] projValid = validOf(io.get("adapter.speech_mask"), ac.llmHidden());
        WhisperEncoderParity.compare(report, fx, io.get("adapter.down_sample_2"), ad.downSampled(), adValid, ABS_FLOOR);
        report.compareExact(fx, "adapter.down_sample_2.mask", io.get("adapter.down_sample_2.mask").toLongs(),
                ad.mask().toLongs(), io.get("adapter.down_sample_2.mask").shape());
        WhisperEncoderParity.compare(report, fx, io.get("adapter.speech_transformer.after_embed"), ad.afterEmbed(), adValid, ABS_FLOOR);
        WhisperEncoderParity.compare(report, fx, io.get("adapter.speech_transformer"), ad.transformerOut(), adValid, ABS_FLOOR);
        report.compareExact(fx, "adapter.speech_mask", io.get("adapter.speech_mask").toLongs(), ad.mask().toLongs(),
                io.get("adapter.speech_mask").shape());
        WhisperEncoderParity.compare(report, fx, io.get("adapter.speech_llama_proj"), ad.speech(), projValid, ABS_FLOOR);

        // 2. each utterance alone (LLMASR_Model.generate): unpadded features, no mask
        for (int i = 0; io.has("features." + i) && io.has("generate." + i + ".inputs_embeds"); i++) {
            checkSingle(report, fx, io, i, encoder, adapter);
        }
    }

    /**
     * generate.i.inputs_embeds = [prompt (P)][speech bos][speech (S)][speech eos]: our speech embeddings of
     * features.i must equal rows P+1 … P+S.
     */
    private static void checkSingle(ParityReport report, String fx, SafeTensors io, int i, WhisperEncoder encoder, OsumAdapter adapter) {
        String name = "generate." + i + ".inputs_embeds[speech]";
        TensorData featsRef = io.get("features." + i);                                          // [T, n_mels]
        INDArray feats = Params.toArray(featsRef).reshape(1, featsRef.shape()[0], featsRef.shape()[1]);
        INDArray speech = adapter.forward(encoder.forwardFrames(feats, null, false).lastHiddenState(), null).speech(); // [1, S, Hd]
        long p = io.get("generate." + i + ".prompt_ids").numel();
        TensorData embeds = io.get("generate." + i + ".inputs_embeds");                         // [1, L, Hd]
        long[] es = embeds.shape();
        long s = speech.size(1);
        if (es.length != 3 || es[1] != p + s + 2 || es[2] != speech.size(2)) {
            report.add(Check.failed(fx, name, "inputs_embeds " + Arrays.toString(es) + " does not hold prompt " + p
                    + " + bos + our " + s + " speech frames + eos (width " + speech.size(2) + ")"));
            return;
        }
        INDArray ref = Params.toArray(embeds).get(NDArrayIndex.all(), NDArrayIndex.interval(p + 1, p + 1 + s), NDArrayIndex.all());
        WhisperEncoderParity.compare(report, fx, name, WhisperEncoderParity.flat(ref), ref.shape(), speech, null, ABS_FLOOR);
    }

    /** An I64 frame mask [B, T] widened to one boolean per element of a [B, T, features] tensor. */
    private static boolean[] validOf(TensorData mask, long features) {
        long[] m = mask.toLongs();
        boolean[] out = new boolean[Math.toIntExact(m.length * features)];
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0) Arrays.fill(out, (int) (i * features), (int) ((i + 1) * features), true);
        }
        return out;
    }

}
