package org.osum4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.WhisperConfig;
import org.osum4j.model.nn.RandomInit;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Manual timing (not a test): encoder + adapter on one 30 s window with random weights at the dimensions
 * of a bench config (default shared/bench/configs/tiny.json), batch B; prints the median ms per window.
 * Run: java -cp lib/target/classes:lib/target/test-classes:$CP org.osum4j.model.SpeechEncoderTiming [config] [B] [repeats]
 */
public final class SpeechEncoderTiming {

    public static void main(String[] args) throws Exception {
        Path cfgPath = args.length > 0 ? Path.of(args[0]) : GoldenSuite.repoRoot().resolve("../shared/bench/configs/tiny.json");
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        JsonNode root = new ObjectMapper().readTree(cfgPath.toFile());
        JsonNode e = root.get("encoder"), a = root.get("adapter");
        WhisperConfig ec = new WhisperConfig(root.get("n_mels").asInt(), e.get("d_model").asInt(), e.get("encoder_layers").asInt(),
                e.get("encoder_attention_heads").asInt(), e.get("encoder_ffn_dim").asInt(), e.get("max_source_positions").asInt(),
                e.get("layer_norm_eps").asDouble());
        AdapterConfig ac = new AdapterConfig(a.get("d_model").asInt(), a.get("conv_kernel_size").asInt(),
                toList(a.get("conv_strides")), a.get("conv_left_pad").asInt(),
                a.get("num_layers").asInt(), a.get("num_attention_heads").asInt(), a.get("ffn_dim").asInt(),
                a.get("activation_function").asText(), a.get("max_position_embeddings").asInt(), a.get("layer_norm_eps").asDouble(),
                root.get("llm").get("hidden_size").asInt());
        SplittableRandom rng = new SplittableRandom(1234);
        WhisperEncoder enc = WhisperEncoder.random(ec, rng, 0.02);
        OsumAdapter ad = OsumAdapter.random(ac, rng, 0.02);
        int frames = root.get("bench").get("encoder").get("frames").asInt();
        INDArray feats = new RandomInit(rng, 1.0).normal(batch, ec.numMelBins(), frames);   // [B, n_mels, T]
        System.out.println(enc + "; frames " + frames + ", batch " + batch);
        double[] ms = new double[repeats];
        for (int r = -3; r < repeats; r++) {
            long t0 = System.nanoTime();
            INDArray y = ad.forward(enc.encode(feats), null).speech();
            y.getFloat(0);                                                                  // force completion
            double dt = (System.nanoTime() - t0) / 1e6 / batch;
            if (r >= 0) ms[r] = dt;
            if (System.getenv("TIMING_VERBOSE") != null) System.out.printf("  run %d: %.1f ms%n", r, dt);
            else System.out.printf("warmup %.1f ms/window, out %s%n", dt, Arrays.toString(y.shape()));
        }
        Arrays.sort(ms);
        System.out.printf("encoder+adapter: median %.1f ms/window (min %.1f, max %.1f) over %d repeats%n",
                ms[repeats / 2], ms[0], ms[repeats - 1], repeats);
    }

    private static java.util.List<Integer> toList(JsonNode n) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        n.forEach(x -> out.add(x.asInt()));
        return out;
    }
}
