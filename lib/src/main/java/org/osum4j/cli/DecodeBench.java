package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.KvCache;
import org.osum4j.model.OsumAdapter;
import org.osum4j.model.Qwen2FastDecoder;
import org.osum4j.model.Qwen2Model;
import org.osum4j.model.WhisperEncoder;
import org.osum4j.model.io.Qwen2Config;
import org.osum4j.model.io.WhisperConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./osum bench decode}: one OSUM inference at batch 1, greedy, LoRA merged, timed in three parts per
 * repeat (protocol in {@code ../shared/bench/README.md}): encode (encoder + adapter of the speech features
 * and the assembly {@code [prompt][speech bos][speech][speech eos]}), prefill (the LLM over the assembled
 * sequence into a fresh KV cache, lm_head at the last position, argmax) and decode ({@code new_tokens}
 * steps, each feeding the previous token, full-vocabulary lm_head, argmax). Value = new tokens per second
 * of the decode part. No EOS check: the values do not matter for speed. Not the OSUM facade; random weights.
 *
 * <p>Decode path: the plain-Java {@link Qwen2FastDecoder} (tested equal to the ND4J path and the golden step
 * logits) by default; {@code -Dosum.bench.decode=nd4j} measures the ND4J single-token forward instead.
 */
final class DecodeBench implements Bench.Workload {

    /**
     * The fast decoder is plain Java: its loops must be C2-compiled before timing. Counted in layer-steps
     * (one layer of one decode step); 1280 = 5 warm-up runs of the tiny config (64 steps × 4 layers), one run of
     * a 24-layer model.
     */
    private static final int MIN_WARMUP_LAYER_STEPS = 1280;
    private static final int MIN_WARMUP_ND4J = 2;
    private static final int SPEECH_BOS = 0, SPEECH_EOS = 1;   // rows of the speech boundary table [2, Hd]

    @Override
    public List<Bench.Measurement> setup(JsonNode cfg, int threads) {
        WhisperConfig wc = BenchModels.whisper(cfg);
        Qwen2Config qc = BenchModels.qwen2(cfg);
        long seed = BenchModels.seed(cfg);
        double std = BenchModels.initStd(cfg);
        Random rng = new Random(seed);
        WhisperEncoder encoder = WhisperEncoder.random(wc, rng, std);
        OsumAdapter adapter = OsumAdapter.random(BenchModels.adapter(cfg), rng, std);
        INDArray speechEmbed = BenchModels.gaussian(rng, 2, qc.hiddenSize()).muli(std);           // [2, Hd] bos, eos
        Qwen2Model llm = Qwen2Model.random(qc, BenchModels.lora(cfg), std, seed + 1);
        llm.mergeLora();                                                                           // inference: W + s·B·A

        JsonNode sec = BenchModels.section(BenchModels.section(cfg, "bench"), "decode");
        int promptLen = sec.path("prompt_tokens").asInt(40);
        int frames = sec.path("audio_frames").asInt(1000);
        int steps = sec.path("new_tokens").asInt(64);
        Random inputs = new Random(seed);
        INDArray feats = BenchModels.gaussian(inputs, 1, wc.numMelBins(), frames);                 // [1, n_mels, T]
        INDArray prompt = BenchModels.tokenIds(inputs, promptLen, qc.vocabSize());                 // [1, P]
        String path = System.getProperty("osum.bench.decode", "fast").toLowerCase(Locale.ROOT);
        if (!path.equals("fast") && !path.equals("nd4j")) {
            throw new IllegalArgumentException("-Dosum.bench.decode=" + path + ": expected fast or nd4j");
        }
        return List.of(new Measurement(encoder, adapter, speechEmbed, llm, feats, prompt, steps, path.equals("fast")));
    }

    private static final class Measurement implements Bench.Measurement {
        private final WhisperEncoder encoder;
        private final OsumAdapter adapter;
        private final INDArray speechEmbed;    // [2, Hd]
        private final Qwen2Model llm;
        private final INDArray feats;          // [1, n_mels, T]
        private final INDArray prompt;         // [1, P] int64
        private final int steps;
        private final boolean fast;
        private Qwen2FastDecoder decoder;      // weights copied once (setup work); its cache is reloaded per run
        private int prefillLen, speechTokens;
        private long[] lastTokens = new long[0];

        Measurement(WhisperEncoder encoder, OsumAdapter adapter, INDArray speechEmbed, Qwen2Model llm, INDArray feats,
                    INDArray prompt, int steps, boolean fast) {
            this.encoder = encoder;
            this.adapter = adapter;
            this.speechEmbed = speechEmbed;
            this.llm = llm;
            this.feats = feats;
            this.prompt = prompt;
            this.steps = steps;
            this.fast = fast;
        }

        @Override public String bench() { return "decode"; }
        @Override public String unit() { return "tokens_per_s"; }
        @Override public String section() { return "decode"; }
        @Override
        public int minWarmup() {
            int layerStepsPerRun = steps * llm.config().numLayers();
            return fast ? Math.max(1, (MIN_WARMUP_LAYER_STEPS + layerStepsPerRun - 1) / layerStepsPerRun) : MIN_WARMUP_ND4J;
        }

        @Override
        public Map<String, Object> run() {
            int hd = llm.config().hiddenSize();
            long t0 = System.nanoTime();
            INDArray speech = adapter.forward(encoder.encode(feats), null).speech();               // [1, S, Hd]
            INDArray emb = Nd4j.concat(1, llm.embed(prompt),                                        // [1, P + S + 2, Hd]
                    speechEmbed.getRow(SPEECH_BOS).reshape(1, 1, hd), speech,
                    speechEmbed.getRow(SPEECH_EOS).reshape(1, 1, hd));
            long t1 = System.nanoTime();
            int len = (int) emb.size(1);
            KvCache cache = llm.newCache(1, len + steps + 1);
            INDArray last = llm.prefillLastLogits(emb, null, null, cache);                          // [1, V]
            long token = Nd4j.argMax(last, 1).getLong(0);                                          // first new token
            long t2 = System.nanoTime();
            long[] tokens = fast ? decodeFast(cache, token) : decodeNd4j(cache, token);
            long t3 = System.nanoTime();
            prefillLen = len;
            speechTokens = (int) speech.size(1);
            lastTokens = java.util.Arrays.copyOfRange(tokens, Math.max(0, tokens.length - 4), tokens.length);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("encode_ms", (t1 - t0) / 1e6);
            d.put("prefill_ms", (t2 - t1) / 1e6);
            d.put("decode_ms", (t3 - t2) / 1e6);
            return d;
        }

        /** {@code steps} plain-Java steps; loading the prefilled ND4J cache into the decoder is counted here. */
        private long[] decodeFast(KvCache cache, long token) {
            if (decoder == null) decoder = Qwen2FastDecoder.of(llm, 1, cache.maxLen());
            decoder.load(cache);
            int v = llm.config().vocabSize();
            long[] out = new long[steps];
            for (int s = 0; s < steps; s++) {
                float[] logits = decoder.step(new long[]{token}, new long[]{decoder.validCount(0)});    // [V]
                int best = 0;
                for (int i = 1; i < v; i++) if (logits[i] > logits[best]) best = i;
                token = best;
                out[s] = token;
            }
            return out;
        }

        /** {@code steps} single-token ND4J forwards with the KV cache (full lm_head each). */
        private long[] decodeNd4j(KvCache cache, long token) {
            long[] out = new long[steps];
            for (int s = 0; s < steps; s++) {
                INDArray ids = Nd4j.createFromArray(new long[]{token}).reshape(1, 1);              // [1, 1]
                INDArray pos = Nd4j.createFromArray(new long[]{cache.validCount(0)}).reshape(1, 1);
                INDArray logits = llm.forward(llm.embed(ids), null, pos, cache, false).logits();   // [1, 1, V]
                token = Nd4j.argMax(logits.reshape(1, logits.size(2)), 1).getLong(0);
                out[s] = token;
            }
            return out;
        }

        @Override
        public double valueOf(double seconds, Map<String, Object> d) {
            return steps / ((Double) d.get("decode_ms") / 1000);
        }

        @Override
        public Map<String, Object> detail() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("new_tokens", steps);
            d.put("batch", 1);
            d.put("prompt_tokens", prompt.size(1));
            d.put("audio_frames", feats.size(2));
            d.put("speech_tokens", speechTokens);
            d.put("prefill_len", prefillLen);
            d.put("final_cache_len", prefillLen + steps);
            d.put("lora", "merged");
            d.put("decode_path", fast ? "Qwen2FastDecoder (plain Java float[], prefill on ND4J)" : "Qwen2Model.forward (ND4J, KV cache)");
            d.put("decode_step_threads", fast ? "1 (plain Java)" : "ND4J/OpenBLAS pool (OMP_NUM_THREADS)");
            d.put("params_llm", llm.config().parameterCount());
            d.put("last", lastTokens);
            return d;
        }
    }
}
