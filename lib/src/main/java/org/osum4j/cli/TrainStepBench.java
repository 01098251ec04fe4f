package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.model.NativeMemory;
import org.osum4j.model.OsumModel;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.Qwen2Config;
import org.osum4j.train.AdamW;
import org.osum4j.train.OsumBatch;
import org.osum4j.train.OsumTrainable;
import org.osum4j.train.Stages;
import org.osum4j.train.Trainable;
import org.osum4j.train.TrainRandom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code ./osum bench train_step}: one OSUM training step on the training engine ({@link OsumTrainable} +
 * {@link AdamW}), protocol in {@code ../shared/bench/README.md}: B utterances of random features
 * [B, n_mels, frames], random prompt and target ids, sequence {@code [prompt][bos][speech][eos][target]}, loss =
 * mean cross-entropy over the target tokens, explicit backward, AdamW step. Trainable: OSUM's
 * {@code link_and_encoder_and_lora} stage (this project's {@value Stages#ADAPTER_ENCODER_LORA}). Value =
 * milliseconds per step; peak resident set (VmHWM) and parameter counts in the detail. Not a training run:
 * no data pipeline, no augmentation, no LoRA dropout, no clipping, no checkpoints.
 */
final class TrainStepBench implements Bench.Workload {

    /** The Java glue (collation, cross-entropy loop, gradient scatter) is compiled after a couple of steps. */
    private static final int MIN_WARMUP = 2;
    private static final double MIB = 1024.0 * 1024.0;

    @Override
    public List<Bench.Measurement> setup(JsonNode cfg, int threads) {
        JsonNode sec = BenchModels.section(BenchModels.section(cfg, "bench"), "train_step");
        Setup s = build(cfg);
        return List.of(new Measurement(s, inputs(cfg, s), optimizer(sec), BenchModels.seed(cfg)));
    }

    /**
     * The protocol's batch from {@code bench.train_step}: features [B, n_mels, frames] ~ N(0, 1), then per item
     * {@code prompt_tokens} and {@code target_tokens} uniform ids (no eod appended, no padding), from {@code bench.seed}.
     */
    static OsumBatch inputs(JsonNode cfg, Setup s) {
        JsonNode sec = BenchModels.section(BenchModels.section(cfg, "bench"), "train_step");
        int batch = intOf(sec, "batch"), frames = intOf(sec, "audio_frames");
        int promptLen = intOf(sec, "prompt_tokens"), targetLen = intOf(sec, "target_tokens");
        Random rng = new Random(BenchModels.seed(cfg));
        int nMels = s.model.config().encoder().numMelBins(), vocab = s.model.config().llm().vocabSize();
        INDArray feats = BenchModels.gaussian(rng, batch, nMels, frames);                          // [B, n_mels, T]
        List<String> keys = new ArrayList<>();
        List<LogMelFeatures> perItem = new ArrayList<>();
        long[][] prompts = new long[batch][], targets = new long[batch][];
        for (int b = 0; b < batch; b++) {
            keys.add("bench-" + b);
            perItem.add(new LogMelFeatures(nMels, frames, feats.slice(b).dup('c').data().asFloat())); // [n_mels, T]
            prompts[b] = BenchModels.tokenIds(rng, promptLen, vocab).data().asLong();
            targets[b] = BenchModels.tokenIds(rng, targetLen, vocab).data().asLong();
        }
        return new OsumBatch(keys, Collections.nCopies(batch, "bench"), perItem, prompts, targets);
    }

    /** The model, its trainable view and the trainable names of a bench config (no inputs): also for tests. */
    record Setup(OsumModel model, OsumTrainable trainable, Set<String> trainableNames) {
        /** Elements of the trainable tensors. */
        long paramsTrainable() {
            long n = 0;
            for (String name : trainableNames) n += trainable.parameters().get(name).length();
            return n;
        }

        /**
         * Elements of every parameter, counted as the torch baseline's {@code model.parameters()} does: each
         * tensor once (a tied lm_head is the embedding), the Whisper positional table included (a frozen
         * parameter there), the adapter's positional table not (a buffer there).
         */
        long paramsTotal() {
            long n = model.encoder().positionTable().length();
            for (INDArray p : trainable.parameters().values()) n += p.length();
            return n;
        }
    }

    /** Builds the random model of a bench config and selects the {@value Stages#ADAPTER_ENCODER_LORA} stage. */
    static Setup build(JsonNode cfg) {
        Qwen2Config qc = BenchModels.qwen2(cfg);
        // speech_token_num 0: the model keeps only the two boundary rows; eod / prompt pad are never used here
        // (no eod is appended and nothing is padded) but must lie inside the vocabulary.
        int lastId = qc.vocabSize() - 1;
        OsumConfig oc = new OsumConfig(BenchModels.whisper(cfg), BenchModels.adapter(cfg), qc, BenchModels.lora(cfg), 0, lastId, lastId);
        OsumModel model = OsumModel.random(oc, BenchModels.seed(cfg), BenchModels.initStd(cfg));
        OsumTrainable trainable = new OsumTrainable(model, null, null);                            // no SpecAugment / SpecSub
        Set<String> names = Stages.select(trainable.parameters().keySet(), Stages.preset(Stages.ADAPTER_ENCODER_LORA),
                Stages.ADAPTER_ENCODER_LORA);
        return new Setup(model, trainable, names);
    }

    /** {@code bench.train_step.optimizer}: AdamW hyper-parameters (the protocol fixes OSUM's values). */
    static AdamW.Options optimizer(JsonNode sec) {
        JsonNode o = BenchModels.section(sec, "optimizer");
        if (!"adamw".equals(o.path("name").asText())) {
            throw new IllegalArgumentException("bench config: bench.train_step.optimizer.name must be adamw, got " + o.get("name"));
        }
        JsonNode betas = o.get("betas");
        if (betas == null || !betas.isArray() || betas.size() != 2) {
            throw new IllegalArgumentException("bench config: bench.train_step.optimizer.betas must be a list of 2 numbers, got " + betas);
        }
        return new AdamW.Options(number(o, "lr"), betas.get(0).asDouble(), betas.get(1).asDouble(), number(o, "eps"),
                number(o, "weight_decay"));
    }

    /** Peak resident set of this process (Linux {@code VmHWM}) in MiB, or -1 where /proc is not there. */
    static double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {                                                   // "VmHWM:   123456 kB"
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024 / MIB;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static int intOf(JsonNode sec, String key) {
        JsonNode v = sec.get(key);
        if (v == null || !v.isIntegralNumber() || v.asInt() <= 0) {
            throw new IllegalArgumentException("bench config: bench.train_step." + key + " must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException("bench config: bench.train_step.optimizer." + key + " must be a number, got " + v);
        return v.asDouble();
    }

    /** {@code -Dosum.bench.train.profile=N}: after the timed runs, N more steps split into phases (untimed by the protocol). */
    static final String PROFILE_PROPERTY = "osum.bench.train.profile";

    /**
     * The step of {@link OsumTrainable#lossAndGradients} taken apart with the same public calls (no augmentation,
     * no padding): medians over {@code steps} steps of each phase's milliseconds, then the peak growth of one
     * step in MiB ({@link #stepPeakGrowth}) as it runs and with a collection after every phase. A profile, not
     * the benchmark: the optimizer state is a fresh one, the LLM forward is timed separately with full logits.
     */
    static Map<String, Object> profile(Setup s, OsumBatch batch, AdamW.Options options, int steps) {
        int b = batch.size(), t = batch.features().get(0).frames(), nMels = batch.features().get(0).nMels();
        float[] x = new float[b * t * nMels];
        for (int i = 0; i < b; i++) System.arraycopy(batch.features().get(i).transposed(), 0, x, i * t * nMels, t * nMels);
        INDArray feats = Nd4j.create(x, new long[]{b, t, nMels}, 'c');                               // [B, T, n_mels]
        long[] lengths = new long[b];
        java.util.Arrays.fill(lengths, t);
        Set<String> llmTrainable = new java.util.HashSet<>();
        for (String n : s.trainableNames) if (n.startsWith("llm.")) llmTrainable.add(s.trainable.internalName(n));
        AdamW opt = new AdamW(options);
        String[] phases = {"encoder_fwd", "adapter_fwd", "assemble", "llm_fwd_only", "llm_fwd_bwd", "adapter_bwd", "encoder_bwd",
                "adamw"};
        double[][] ms = new double[phases.length][steps];
        for (int k = 0; k < steps; k++) {
            System.gc();
            long[] clock = runPhases(s, batch, feats, lengths, llmTrainable, opt, options, false);
            for (int i = 0; i < phases.length; i++) ms[i][k] = (clock[i + 1] - clock[i]) / 1e6;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", steps);
        // the peak of one step above the resident set before it: as the step runs (ND4J frees a temporary only at
        // a GC, so this is roughly what the step allocates in all), and with a collection after every phase
        out.put("step_peak_growth_mib", stepPeakGrowth(() -> runPhases(s, batch, feats, lengths, llmTrainable, opt, options, false)));
        out.put("step_peak_growth_gc_between_phases_mib",
                stepPeakGrowth(() -> runPhases(s, batch, feats, lengths, llmTrainable, opt, options, true)));
        for (int i = 0; i < phases.length; i++) {
            out.put(phases[i] + "_ms", median(ms[i]));
        }
        return out;
    }

    /** One step taken apart (see {@link #profile}); returns the clock before and after each phase; gc: collect after each. */
    private static long[] runPhases(Setup s, OsumBatch batch, INDArray feats, long[] lengths, Set<String> llmTrainable, AdamW opt,
                                    AdamW.Options options, boolean gc) {
        OsumModel m = s.model;
        long[] clock = new long[9];
        int p = 0;
        clock[p] = System.nanoTime();
        var encTrace = m.encoder().trace(feats, lengths);
        clock[++p] = phaseEnd(gc);
        var adTrace = m.adapter().trace(encTrace.output().lastHiddenState(), encTrace.output().mask());
        clock[++p] = phaseEnd(gc);
        long[] valid = java.util.Arrays.stream(adTrace.output().mask().valid()).asLongStream().toArray();
        OsumModel.Inputs in = m.buildInputs(batch.prompts(), new OsumModel.Speech(adTrace.output().speech(), valid,
                encTrace.output(), adTrace.output()), batch.targets());
        clock[++p] = phaseEnd(gc);
        m.llm().forward(in.embeds(), in.attentionMask(), in.positionIds(), null, false);             // full logits: an upper bound
        clock[++p] = phaseEnd(gc);
        var g = m.llm().lossAndGradients(in.embeds(), in.attentionMask(), in.positionIds(), in.labels(), null,
                llmTrainable::contains, null);
        clock[++p] = phaseEnd(gc);
        Map<String, INDArray> grads = new LinkedHashMap<>(g.byName());
        grads.put(s.trainable.internalName("speech_embed.weight"), OsumModel.speechBosEosGradient(in, g.inputsEmbeds()));
        INDArray dEnc = m.adapter().backward(adTrace, OsumModel.speechGradient(in, g.inputsEmbeds()), grads);
        clock[++p] = phaseEnd(gc);
        m.encoder().backward(encTrace, dEnc, grads);
        clock[++p] = phaseEnd(gc);
        Map<String, INDArray> canonical = new LinkedHashMap<>();
        for (String n : s.trainableNames) canonical.put(n, grads.get(s.trainable.internalName(n)));
        opt.step(s.trainable.parameters(), canonical, options.lr());
        s.trainable.parametersChanged();
        clock[++p] = phaseEnd(gc);
        return clock;
    }

    private static long phaseEnd(boolean gc) {
        if (gc) System.gc();
        return System.nanoTime();
    }

    /**
     * VmHWM − VmRSS around {@code step}: collects, waits for ND4J's deallocator, resets the peak (Linux
     * {@code /proc/self/clear_refs} = 5), runs, reads the peak. −1 where the peak cannot be reset.
     */
    private static double stepPeakGrowth(Runnable step) {
        System.gc();
        try {
            Thread.sleep(2000);                             // jemalloc (OSUM_MALLOC=jemalloc) returns freed pages within 1 s
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        double before = NativeMemory.residentBytes() / MIB;
        step.run();
        return Math.round((peakRssMib() - before) * 10) / 10.0;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return Math.round(Bench.median(c) * 10) / 10.0;
    }

    /** zero_grad → forward → backward → AdamW step, on fixed inputs; the optimizer state carries over between runs. */
    private static final class Measurement implements Bench.Measurement {
        private final Setup s;
        private final OsumBatch batch;
        private final AdamW optimizer;
        private final TrainRandom rng;          // the Trainable contract wants a generator; unused without augmentation
        private final double rssBeforeFirstStep;
        private final List<Double> losses = new ArrayList<>();
        private long tokens, speechTokens, seqLen;

        Measurement(Setup s, OsumBatch batch, AdamW.Options options, long seed) {
            this.s = s;
            this.batch = batch;
            this.optimizer = new AdamW(options);
            this.rng = new TrainRandom(seed);
            this.rssBeforeFirstStep = peakRssMib();
            System.err.printf("  train_step setup: %d trainable tensors, resident %.0f MiB, peak %.0f MiB%n",
                    s.trainableNames.size(), NativeMemory.residentBytes() / MIB, rssBeforeFirstStep);
        }

        @Override public String bench() { return "train_step"; }
        @Override public String unit() { return "ms_per_step"; }
        @Override public String section() { return "train_step"; }
        @Override public int minWarmup() { return MIN_WARMUP; }

        @Override
        public Map<String, Object> run() {
            long t0 = System.nanoTime();
            // zero_grad: gradients are fresh arrays of each step (the Trainable contract), nothing to clear
            Trainable.StepResult r = s.trainable.lossAndGradients(batch, s.trainableNames, false, rng);
            long t1 = System.nanoTime();
            optimizer.step(s.trainable.parameters(), r.gradients(), optimizer.options().lr());
            s.trainable.parametersChanged();
            long t2 = System.nanoTime();
            NativeMemory.relieve();                 // as the Trainer does after every step: frees dead native buffers
            long t3 = System.nanoTime();
            losses.add(r.loss());
            System.err.printf("  train_step step %d: %.1f ms (forward+backward %.1f, AdamW %.1f), loss %.5f, resident %.0f MiB, peak %.0f MiB%n",
                    losses.size(), (t3 - t0) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, r.loss(), NativeMemory.residentBytes() / MIB, peakRssMib());
            tokens = r.tokens();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("forward_backward_ms", (t1 - t0) / 1e6);
            d.put("optimizer_ms", (t2 - t1) / 1e6);
            d.put("native_memory_relief_ms", (t3 - t2) / 1e6);
            return d;
        }

        @Override
        public double valueOf(double seconds, Map<String, Object> runDetail) {
            return seconds * 1000;
        }

        @Override
        public Map<String, Object> detail() {
            OsumModel m = s.model;
            // speech tokens of one utterance: the encoder halves the frames, the adapter's strides divide further
            LogMelFeatures f = batch.features().get(0);
            speechTokens = m.encodeUtterance(Nd4j.create(f.transposed(), new long[]{f.frames(), f.nMels()}, 'c')).size(0);
            seqLen = batch.prompts()[0].length + 2 + speechTokens + batch.targets()[0].length;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("batch", batch.size());
            d.put("audio_frames", batch.features().get(0).frames());
            d.put("speech_tokens", speechTokens);
            d.put("prompt_tokens", batch.prompts()[0].length);
            d.put("target_tokens", batch.targets()[0].length);
            d.put("seq_len", seqLen);
            d.put("loss_tokens", tokens);
            d.put("peak_rss_mib", Math.round(peakRssMib() * 10) / 10.0);
            d.put("peak_rss_mib_before_first_step", Math.round(rssBeforeFirstStep * 10) / 10.0);
            d.put("params_trainable", s.paramsTrainable());
            d.put("params_total", s.paramsTotal());
            d.put("trainable_tensors", s.trainableNames.size());
            d.put("stage", Stages.ADAPTER_ENCODER_LORA + " (OSUM link_and_encoder_and_lora)");
            d.put("optimizer", "adamw");
            d.put("lora", "unmerged");
            d.put("loss_first", Math.round(losses.get(0) * 1e5) / 1e5);
            d.put("loss_last", Math.round(losses.get(losses.size() - 1) * 1e5) / 1e5);
            d.put("native_memory_collections", NativeMemory.collections());
            int profiled = Integer.getInteger(PROFILE_PROPERTY, 0);
            if (profiled > 0) d.put("profile", profile(s, batch, optimizer.options(), profiled));
            return d;
        }
    }
}
