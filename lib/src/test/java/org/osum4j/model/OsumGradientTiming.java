package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.nn.Params;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Manual timing (not a test): one OSUM training step (forward + backward, every phase) on an osum_tiny
 * fixture (default golden/osum_tiny), median ms per phase over the repeats, next to the inference forward.
 * Run: java -cp lib/target/classes:lib/target/test-classes:$CP org.osum4j.model.OsumGradientTiming [fixture] [repeats]
 */
public final class OsumGradientTiming {

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : GoldenSuite.defaultDir().resolve("osum_tiny");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        SafeTensors weights = SafeTensors.read(dir.resolve("model.safetensors"));
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));
        OsumGradientParity.Models m = OsumGradientParity.load(dir, weights);
        INDArray feats = Params.toArray(io.get("batch.feats"));                                   // [B, T, n_mels]
        long[] lengths = io.get("batch.feats_lengths").toLongs();
        INDArray embeds = Params.toArray(io.get("llm.inputs_embeds"));                             // [B, L, Hd]
        INDArray mask = longs(io, "llm.attention_mask"), pos = longs(io, "llm.position_ids"), labels = longs(io, "llm.labels");
        int p = (int) io.get("batch.prompt").shape()[1];

        String[] phases = {"inference forward (enc+adapter)", "encoder trace", "adapter trace", "LLM loss+backward",
                "adapter backward", "encoder backward", "training step total"};
        double[][] ms = new double[phases.length][repeats];
        for (int r = -5; r < repeats; r++) {
            long t0 = System.nanoTime();
            m.adapter().forward(m.encoder().forwardFrames(feats, lengths, false).lastHiddenState(), null).speech().getFloat(0);
            long t1 = System.nanoTime();
            WhisperEncoder.Trace enc = m.encoder().trace(feats, lengths);
            long t2 = System.nanoTime();
            OsumAdapter.Trace ad = m.adapter().trace(enc.output().lastHiddenState(), enc.output().mask());
            long t3 = System.nanoTime();
            Qwen2Gradients g = m.llm().lossAndGradients(embeds, mask, pos, labels, null, Qwen2Model.loraOnly());
            long t4 = System.nanoTime();
            SpeechSegment seg = new SpeechSegment(p, (int) ad.output().speech().size(1));
            Map<String, INDArray> grads = new LinkedHashMap<>(g.byName());
            grads.put("speech_token_emded.weight", seg.tokenTableGradient(g.inputsEmbeds(), m.speechTokenNum()));
            INDArray dEnc = m.adapter().backward(ad, seg.speechGradient(g.inputsEmbeds()), grads);
            long t5 = System.nanoTime();
            m.encoder().backward(enc, dEnc, grads).getFloat(0);
            long t6 = System.nanoTime();
            if (r < 0) continue;
            long[] t = {t0, t1, t2, t3, t4, t5, t6};
            for (int i = 0; i < 6; i++) ms[i][r] = (t[i + 1] - t[i]) / 1e6;
            ms[6][r] = (t6 - t1) / 1e6;
        }
        System.out.println("fixture " + dir.getFileName() + ", batch.feats " + Arrays.toString(feats.shape()) + ", llm.inputs_embeds "
                + Arrays.toString(embeds.shape()) + ", " + repeats + " repeats, " + Nd4j.getEnvironment().maxMasterThreads() + " threads");
        for (int i = 0; i < phases.length; i++) {
            double[] v = ms[i].clone();
            Arrays.sort(v);
            System.out.printf("%-34s median %7.2f ms (min %.2f, max %.2f)%n", phases[i], v[repeats / 2], v[0], v[repeats - 1]);
        }
    }

    private static INDArray longs(SafeTensors io, String name) {
        TensorData t = io.get(name);
        return Nd4j.createFromArray(t.toLongs()).reshape(t.shape());
    }
}
