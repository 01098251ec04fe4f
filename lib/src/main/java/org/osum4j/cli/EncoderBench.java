package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.model.OsumAdapter;
import org.osum4j.model.WhisperEncoder;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.WhisperConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./osum bench encoder}: Whisper encoder + OSUM adapter over random log-mel features
 * [B, n_mels, frames] for every B in {@code bench.encoder.batches}, no padding masks; one result line
 * {@code encoder_b<B>} each, value = milliseconds per 30 s window (call time / B). Random weights per the
 * protocol (N(0, init_std), biases 0, norms 1, sinusoid tables). Not a parity check (see the golden suite).
 */
final class EncoderBench implements Bench.Workload {

    /** HotSpot needs a few calls before the Java-side glue is compiled; the math itself is native. */
    private static final int MIN_WARMUP = 2;

    @Override
    public List<Bench.Measurement> setup(JsonNode cfg, int threads) {
        WhisperConfig wc = BenchModels.whisper(cfg);
        AdapterConfig ac = BenchModels.adapter(cfg);
        long seed = BenchModels.seed(cfg);
        double std = BenchModels.initStd(cfg);
        Random rng = new Random(seed);
        WhisperEncoder encoder = WhisperEncoder.random(wc, rng, std);
        OsumAdapter adapter = OsumAdapter.random(ac, rng, std);
        JsonNode sec = BenchModels.section(BenchModels.section(cfg, "bench"), "encoder");
        int frames = sec.path("frames").asInt(3000);
        List<Bench.Measurement> out = new ArrayList<>();
        for (JsonNode bn : BenchModels.section(sec, "batches")) {
            int b = bn.asInt();
            INDArray feats = BenchModels.gaussian(new Random(seed + b), b, wc.numMelBins(), frames);   // [B, n_mels, T]
            out.add(new Measurement(encoder, adapter, feats, b, frames));
        }
        return out;
    }

    /** One batch size: encoder → adapter on fixed features, output [B, S, llm hidden]. */
    private static final class Measurement implements Bench.Measurement {
        private final WhisperEncoder encoder;
        private final OsumAdapter adapter;
        private final INDArray feats;          // [B, n_mels, T]
        private final int batch, frames;
        private long[] outputShape;

        Measurement(WhisperEncoder encoder, OsumAdapter adapter, INDArray feats, int batch, int frames) {
            this.encoder = encoder;
            this.adapter = adapter;
            this.feats = feats;
            this.batch = batch;
            this.frames = frames;
        }

        @Override public String bench() { return "encoder_b" + batch; }
        @Override public String unit() { return "ms_per_window"; }
        @Override public String section() { return "encoder"; }
        @Override public int minWarmup() { return MIN_WARMUP; }

        @Override
        public Map<String, Object> run() {
            long t0 = System.nanoTime();
            INDArray enc = encoder.encode(feats);                                      // [B, ⌈T/2⌉, D]
            long t1 = System.nanoTime();
            INDArray speech = adapter.forward(enc, null).speech();                     // [B, S, Hd]
            long t2 = System.nanoTime();
            outputShape = speech.shape();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("encoder_ms", (t1 - t0) / 1e6);
            d.put("adapter_ms", (t2 - t1) / 1e6);
            d.put("median_ms_per_call", (t2 - t0) / 1e6);
            return d;
        }

        @Override
        public double valueOf(double seconds, Map<String, Object> d) {
            return seconds * 1000 / batch;
        }

        @Override
        public Map<String, Object> detail() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("batch", batch);
            d.put("frames", frames);
            d.put("encoder_frames", WhisperConfig.outputFrames(frames));
            d.put("output_shape", outputShape == null ? List.of() : List.of(outputShape[0], outputShape[1], outputShape[2]));
            d.put("params_encoder_without_positions", encoder.parameterCount());
            d.put("path", "ND4J (WhisperEncoder.encode + OsumAdapter.forward, no masks)");
            return d;
        }
    }
}
