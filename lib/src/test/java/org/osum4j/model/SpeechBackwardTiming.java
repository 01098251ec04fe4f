package org.osum4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.WhisperConfig;
import org.osum4j.model.nn.RandomInit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Manual timing (not a test): encoder + adapter inference forward vs training forward (trace) and backward
 * on one window of a bench config's size (default shared/bench/configs/tiny.json), random weights, batch 1;
 * median ms per phase. Run: java -cp lib/target/classes:lib/target/test-classes:$CP
 * org.osum4j.model.SpeechBackwardTiming [config] [repeats]
 */
public final class SpeechBackwardTiming {

    public static void main(String[] args) throws Exception {
        Path cfgPath = args.length > 0 ? Path.of(args[0]) : GoldenSuite.repoRoot().resolve("../shared/bench/configs/tiny.json");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        JsonNode root = new ObjectMapper().readTree(cfgPath.toFile());
        JsonNode e = root.get("encoder"), a = root.get("adapter");
        WhisperConfig ec = new WhisperConfig(root.get("n_mels").asInt(), e.get("d_model").asInt(), e.get("encoder_layers").asInt(),
                e.get("encoder_attention_heads").asInt(), e.get("encoder_ffn_dim").asInt(), e.get("max_source_positions").asInt(),
                e.get("layer_norm_eps").asDouble());
        List<Integer> strides = new ArrayList<>();
        a.get("conv_strides").forEach(x -> strides.add(x.asInt()));
        AdapterConfig ac = new AdapterConfig(a.get("d_model").asInt(), a.get("conv_kernel_size").asInt(), strides,
                a.get("conv_left_pad").asInt(), a.get("num_layers").asInt(), a.get("num_attention_heads").asInt(),
                a.get("ffn_dim").asInt(), a.get("activation_function").asText(), a.get("max_position_embeddings").asInt(),
                a.get("layer_norm_eps").asDouble(), root.get("llm").get("hidden_size").asInt());
        SplittableRandom rng = new SplittableRandom(1234);
        WhisperEncoder enc = WhisperEncoder.random(ec, rng, 0.02);
        OsumAdapter ad = OsumAdapter.random(ac, rng, 0.02);
        int frames = root.get("bench").get("encoder").get("frames").asInt();
        RandomInit init = new RandomInit(rng, 1.0);
        INDArray feats = init.normal(1, frames, ec.numMelBins());                                // [1, T, n_mels]
        String[] phases = {"inference forward", "training forward (trace)", "adapter backward", "encoder backward"};
        double[][] ms = new double[phases.length][repeats];
        INDArray dSpeech = null;
        for (int r = -2; r < repeats; r++) {
            long t0 = System.nanoTime();
            ad.forward(enc.forwardFrames(feats, null, false).lastHiddenState(), null).speech().getFloat(0);
            long t1 = System.nanoTime();
            WhisperEncoder.Trace et = enc.trace(feats, null);
            OsumAdapter.Trace at = ad.trace(et.output().lastHiddenState(), et.output().mask());
            long t2 = System.nanoTime();
            if (dSpeech == null) dSpeech = init.normal(at.output().speech().shape());
            Map<String, INDArray> grads = new LinkedHashMap<>();
            INDArray dEnc = ad.backward(at, dSpeech, grads);
            long t3 = System.nanoTime();
            enc.backward(et, dEnc, grads).getFloat(0);
            long t4 = System.nanoTime();
            if (r < 0) continue;
            long[] t = {t0, t1, t2, t3, t4};
            for (int i = 0; i < phases.length; i++) ms[i][r] = (t[i + 1] - t[i]) / 1e6;
        }
        System.out.println(enc + "; " + frames + " frames, batch 1, " + repeats + " repeats");
        for (int i = 0; i < phases.length; i++) {
            double[] v = ms[i].clone();
            Arrays.sort(v);
            System.out.printf("%-26s median %8.1f ms (min %.1f, max %.1f)%n", phases[i], v[repeats / 2], v[0], v[repeats - 1]);
        }
    }
}
