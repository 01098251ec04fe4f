package org.osum4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.OsumModel;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.NameMapping;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OsumTrainable: golden gradients of the whole step, and training behaviour on a tiny random OSUM. */
class OsumTrainableTest {

    private static final double TOL_GRAD_REL = 1e-4, TOL_GRAD_ABS = 1e-7, TOL_LOSS = 1e-4;

    @Test
    void fullStepGradients_matchOsumGoldenGradients() throws Exception {
        List<Path> fixtures = GoldenSuite.fixtures(GoldenSuite.defaultDir(), (d, k) -> k.equals("osum_tiny"));
        assertFalse(fixtures.isEmpty(), "no osum_tiny fixture under " + GoldenSuite.defaultDir());
        for (Path fx : fixtures) {
            OsumConfig cfg = OsumConfig.read(fx);
            OsumModel model = OsumModel.fromOsumTensors(cfg, Checkpoints.open(fx.resolve("infer.pt")), fx);
            OsumTrainable t = new OsumTrainable(model, null, null);
            SafeTensors io = SafeTensors.read(fx.resolve("io.safetensors"));
            OsumBatch batch = fixtureBatch(io);

            // every parameter the fixture has a gradient for, by canonical name
            Set<String> trainable = new LinkedHashSet<>();
            for (String n : io.names()) {
                if (!n.startsWith("grad.")) continue;
                String c = NameMapping.osumToCanonical(n.substring(5));
                assertNotNull(c, n);
                assertTrue(t.parameters().containsKey(c), "no parameter " + c + " for " + n);
                trainable.add(c);
            }
            assertTrue(trainable.size() > 100, "expected the fixture's full set of gradients, got " + trainable.size());
            Trainable.StepResult r = t.lossAndGradients(batch, trainable, false, new TrainRandom(1));
            assertEquals(io.get("loss").toFloats()[0], r.loss(), TOL_LOSS, fx + " loss");
            assertEquals(trainable, r.gradients().keySet());
            int speechRows = cfg.speechTokenNum();
            double worst = 0;
            for (String n : io.names()) {
                if (!n.startsWith("grad.")) continue;
                TensorData ref = io.get(n);
                float[] want = ref.toFloats();
                float[] got = r.gradients().get(NameMapping.osumToCanonical(n.substring(5))).dup('c').data().asFloat();
                if (n.equals("grad." + NameMapping.SPEECH_TABLE)) {                       // only rows N, N+1 are used
                    int h = (int) ref.shape()[1];
                    want = Arrays.copyOfRange(want, speechRows * h, (speechRows + 2) * h);
                }
                assertEquals(want.length, got.length, n);
                double maxRef = 0, maxDiff = 0;
                for (int i = 0; i < want.length; i++) {
                    maxRef = Math.max(maxRef, Math.abs(want[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
                }
                assertTrue(maxDiff <= TOL_GRAD_REL * maxRef + TOL_GRAD_ABS, n + ": max|Δ| " + maxDiff + " vs max|g| " + maxRef);
                worst = Math.max(worst, maxDiff / (TOL_GRAD_REL * maxRef + TOL_GRAD_ABS));
            }
            System.out.printf("%s: %d gradients match, loss %.6f, worst max|Δ| / tolerance %.3f%n", fx.getFileName(), trainable.size(), r.loss(), worst);
        }
    }

    /** The fixture's padded batch as an OsumBatch (features [B, T, n_mels] → per item [n_mels, frames]). */
    static OsumBatch fixtureBatch(SafeTensors io) {
        TensorData f = io.get("batch.feats");
        int b = (int) f.shape()[0], t = (int) f.shape()[1], n = (int) f.shape()[2];
        float[] v = f.toFloats();
        long[] lengths = io.get("batch.feats_lengths").toLongs();
        List<LogMelFeatures> feats = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            int frames = (int) lengths[i];
            float[] d = new float[n * frames];
            for (int m = 0; m < n; m++) for (int k = 0; k < frames; k++) d[m * frames + k] = v[(i * t + k) * n + m];
            feats.add(new LogMelFeatures(n, frames, d));
            keys.add("fixture-" + i);
        }
        return new OsumBatch(keys, java.util.Collections.nCopies(b, "<TRANSCRIBE>"), feats, unpad(io, "batch.prompt"), unpad(io, "batch.target"));
    }

    private static long[][] unpad(SafeTensors io, String name) {
        long[] v = io.get(name).toLongs();
        long[] len = io.get(name + "_lengths").toLongs();
        int w = (int) io.get(name).shape()[1];
        long[][] out = new long[len.length][];
        for (int b = 0; b < len.length; b++) out[b] = Arrays.copyOfRange(v, b * w, (int) (b * w + len[b]));
        return out;
    }

    // ================================================================== training a tiny random OSUM

    private static TrainConfig config(Path out, long steps, String stage, double lr) {
        return new TrainConfig(7, steps, 1, 5.0, new AdamW.Options(lr, 0.9, 0.99, 1e-6, 0.0),
                new TrainConfig.Schedule("constant", 0, 0), 1000, 2, 0, 3, out, stage, List.of(), true);
    }

    private static long[] lossBits(List<StepLog> logs) {
        return logs.stream().mapToLong(s -> Double.doubleToRawLongBits(s.loss())).toArray();
    }

    private static int[] bits(INDArray a) {
        float[] f = a.dup('c').data().asFloat();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) out[i] = Float.floatToRawIntBits(f[i]);
        return out;
    }

    @Test
    void fixedBatch_lossFallsWhenOverfitting(@TempDir Path tmp) throws Exception {
        TinyOsum tiny = TinyOsum.get();
        OsumTrainable model = new OsumTrainable(tiny.model(1), null, null);
        OsumBatch batch = tiny.collator.firstBatch(7, TinyOsum.UTTERANCES);
        Trainer<OsumBatch> t = Trainer.builder(model, ListBatchSource.inOrder(List.of(batch)), config(tmp, 20, Stages.ALL, 3e-3))
                .quiet().build();
        long t0 = System.nanoTime();
        List<StepLog> log = t.run();
        double msPerStep = (System.nanoTime() - t0) / 1e6 / log.size();
        double first = log.get(0).loss(), last = log.get(log.size() - 1).loss();
        System.out.printf("overfit 8 utterances: loss %.3f -> %.3f in %d steps (%.0f ms/step)%n", first, last, log.size(), msPerStep);
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        for (StepLog s : log) assertFalse(s.skipped(), "step " + s.step() + " skipped");
    }

    @Test
    void interruptedAndResumed_bitIdenticalToUninterrupted(@TempDir Path tmp) throws Exception {
        TinyOsum tiny = TinyOsum.get();
        // augmentation on and dynamic batches over epochs: every random draw must come from the trainer's generator
        TrainConfig whole = config(tmp.resolve("whole"), 8, Stages.ADAPTER_ENCODER_LORA, 1e-3).with("checkpoint_every", 4L);
        OsumTrainable a = OsumTrainable.osum(tiny.model(1));
        List<StepLog> expected = Trainer.builder(a, tiny.collator.source(), whole).quiet().build().run();

        TrainConfig cut = whole.with("output_dir", tmp.resolve("cut").toString());
        Trainer<OsumBatch> first = Trainer.builder(OsumTrainable.osum(tiny.model(1)), tiny.collator.source(), cut).quiet().build();
        List<StepLog> part1 = first.run(4);
        OsumTrainable b = OsumTrainable.osum(tiny.model(2));                       // other init: resume overwrites it
        Trainer<OsumBatch> second = Trainer.builder(b, tiny.collator.source(), cut).quiet().build();
        assertTrue(second.resumeIfPossible());
        List<StepLog> part2 = second.run();

        List<StepLog> joined = new ArrayList<>(part1);
        joined.addAll(part2);
        assertEquals(8, joined.size());
        assertArrayEquals(lossBits(expected), lossBits(joined));
        for (String n : a.parameters().keySet()) assertArrayEquals(bits(a.parameters().get(n)), bits(b.parameters().get(n)), n);
    }

    @Test
    void adapterStage_keepsEncoderAndLlmBitIdentical(@TempDir Path tmp) throws Exception {
        TinyOsum tiny = TinyOsum.get();
        OsumTrainable model = OsumTrainable.osum(tiny.model(1));
        Map<String, int[]> before = new java.util.LinkedHashMap<>();
        model.parameters().forEach((n, a) -> before.put(n, bits(a)));
        Trainer<OsumBatch> t = Trainer.builder(model, tiny.collator.source(), config(tmp, 3, Stages.ADAPTER, 1e-3)).quiet().build();
        t.run();
        int changed = 0;
        for (Map.Entry<String, INDArray> e : model.parameters().entrySet()) {
            boolean same = Arrays.equals(before.get(e.getKey()), bits(e.getValue()));
            if (t.trainable().contains(e.getKey())) changed += same ? 0 : 1;
            else assertTrue(same, e.getKey() + " is frozen in stage adapter but changed");
        }
        assertTrue(t.trainable().stream().allMatch(n -> n.startsWith("adapter.") || n.equals(NameMapping.SPEECH_EMBED)));
        assertTrue(changed > t.trainable().size() / 2, "only " + changed + " of " + t.trainable().size() + " adapter tensors changed");
    }

    @Test
    void validation_isTheTrainingLossWithoutAugmentationAndGradients() throws Exception {
        TinyOsum tiny = TinyOsum.get();
        OsumTrainable model = OsumTrainable.osum(tiny.model(1));
        OsumBatch batch = tiny.collator.firstBatch(7, 3);
        Trainable.StepResult v = model.lossAndGradients(batch, Set.of(), false, new TrainRandom(3));
        Trainable.StepResult g = model.lossAndGradients(batch, Set.of("adapter.proj.weight"), false, new TrainRandom(3));
        assertTrue(v.gradients().isEmpty());
        assertEquals(g.loss(), v.loss(), 1e-6);
        assertEquals(g.tokens(), v.tokens());
        long targets = Arrays.stream(batch.targets()).mapToLong(x -> x.length).sum();
        assertEquals(targets, v.tokens(), "loss counts target tokens (eod included) only");
        Trainable.StepResult aug = model.lossAndGradients(batch, Set.of(), true, new TrainRandom(3));
        assertTrue(aug.loss() != v.loss(), "training mode must augment the features");
    }

    /**
     * Stage "all" trains the LLM base weights too, whose gradients the golden fixture does not hold (OSUM
     * freezes them): central finite differences in a few entries of the token table, a base projection and a norm.
     */
    @Test
    void baseLlmGradients_matchFiniteDifferences() throws Exception {
        TinyOsum tiny = TinyOsum.get();
        OsumTrainable model = new OsumTrainable(tiny.model(1), null, null);
        OsumBatch batch = tiny.collator.firstBatch(7, 2);
        String embed = "llm.model.embed_tokens.weight", q = "llm.model.layers.0.self_attn.q_proj.weight",
                norm = "llm.model.layers.0.post_attention_layernorm.weight";
        Trainable.StepResult r = model.lossAndGradients(batch, Set.of(embed, q, norm), false, new TrainRandom(1));
        int h = tiny.config.llm().hiddenSize();
        long promptId = batch.prompts()[0][0], targetId = batch.targets()[1][0];
        long[][] spots = {{promptId * h + 3}, {targetId * h + 5}};
        check(model, batch, embed, r, promptId * h + 3);
        check(model, batch, embed, r, targetId * h + 5);
        check(model, batch, q, r, 7);
        check(model, batch, norm, r, 2);
        assertEquals(2, spots.length);
    }

    /** Asserts r's gradient of one entry of {@code name} against the central difference of the loss; returns that difference. */
    static double check(Trainable<OsumBatch> model, OsumBatch batch, String name, Trainable.StepResult r, long flat) {
        INDArray p = model.parameters().get(name);
        INDArray view = p.reshape(p.length());
        float orig = view.getFloat(flat);
        double eps = 1e-2;
        view.putScalar(flat, orig + eps);
        double up = model.lossAndGradients(batch, Set.of(), false, new TrainRandom(1)).loss();
        view.putScalar(flat, orig - eps);
        double down = model.lossAndGradients(batch, Set.of(), false, new TrainRandom(1)).loss();
        view.putScalar(flat, orig);
        double fd = (up - down) / (2 * eps);
        double ours = r.gradients().get(name).reshape(p.length()).getDouble(flat);
        assertEquals(fd, ours, 0.05 * Math.abs(fd) + 2e-4, name + "[" + flat + "]: finite difference " + fd + ", ours " + ours);
        return fd;
    }

    /**
     * The auxiliary CTC objective: the gradient it adds to an adapter and an encoder weight (step with weight w
     * minus step without) equals w times the finite difference of {@link OsumTrainable#ctcLoss}, so the speech-frame
     * gradient reaches the right rows through the adapter and encoder backward.
     */
    @Test
    void ctcObjective_addsWeightTimesTheCtcGradient_throughAdapterAndEncoder() throws Exception {
        TinyOsum tiny = TinyOsum.get();
        double w = 0.5;
        OsumTrainable plain = new OsumTrainable(tiny.model(1), null, null);
        OsumTrainable ctc = plain.withCtcWeight(w);
        OsumBatch batch = tiny.collator.firstBatch(7, 2);
        assertTrue(batch.transcripts() != null && batch.transcripts()[0].length > 0, "the collator supplies transcript ids");
        String adapterW = "adapter.proj.weight", encoderW = "encoder.layers.0.fc1.weight";
        assertTrue(plain.parameters().containsKey(encoderW), plain.parameters().keySet().toString());
        Set<String> names = Set.of(adapterW, encoderW);
        Trainable.StepResult without = plain.lossAndGradients(batch, names, true, new TrainRandom(1));
        Trainable.StepResult with = ctc.lossAndGradients(batch, names, true, new TrainRandom(1));
        assertEquals(without.loss(), with.loss(), 0.0, "the reported loss stays the LLM cross-entropy");
        double base = ctc.ctcLoss(batch);
        assertTrue(Double.isFinite(base) && base > 0, "CTC loss " + base);
        double largest = 0;
        for (String name : names) {
            INDArray p = ctc.parameters().get(name);
            INDArray view = p.reshape(p.length());
            for (long flat : new long[]{3, p.length() / 2 + 1}) {
                float orig = view.getFloat(flat);
                double eps = 1e-2;
                view.putScalar(flat, orig + eps);
                double up = ctc.ctcLoss(batch);
                view.putScalar(flat, orig - eps);
                double down = ctc.ctcLoss(batch);
                view.putScalar(flat, orig);
                double fd = w * (up - down) / (2 * eps);
                double added = with.gradients().get(name).reshape(p.length()).getDouble(flat)
                        - without.gradients().get(name).reshape(p.length()).getDouble(flat);
                assertEquals(fd, added, 0.05 * Math.abs(fd) + 2e-4, name + "[" + flat + "]: w * finite difference " + fd + ", added " + added);
                largest = Math.max(largest, Math.abs(fd));
            }
        }
        System.out.printf("CTC loss %.4f per token; largest checked w*dCTC/dθ %.4g%n", base, largest);
        assertTrue(largest > 2e-3, "the checked entries must carry a real CTC gradient, largest " + largest);
        assertThrows(IllegalArgumentException.class, () -> plain.withCtcWeight(-1));
    }

    @Test
    void save_loadsBackWithIdenticalLoss(@TempDir Path tmp) throws Exception {
        TinyOsum tiny = TinyOsum.get();
        OsumTrainable model = new OsumTrainable(tiny.model(5), null, null);
        OsumBatch batch = tiny.collator.firstBatch(7, 3);
        double loss = model.lossAndGradients(batch, Set.of(), false, new TrainRandom(1)).loss();
        model.save(tmp.resolve("m"), tiny.tokenizer.json());
        try (org.osum4j.infer.Osum o = org.osum4j.infer.Osum.load(tmp.resolve("m"))) {
            assertEquals(org.osum4j.infer.Osum.Layout.OWN, o.layout());
            OsumTrainable back = new OsumTrainable(o.model(), null, null);
            assertEquals(model.parameters().keySet(), back.parameters().keySet());
            assertEquals(loss, back.lossAndGradients(batch, Set.of(), false, new TrainRandom(1)).loss(), 0.0);
            assertArrayEquals(tiny.tokenizer.encode("hello world"), o.tokenizer().encode("hello world"));
        }
    }

    /** After trainer steps the in-memory model (inference path, no step in between) equals the model saved and reloaded. */
    @Test
    void afterTraining_inMemoryForwardMatchesSavedModel(@TempDir Path tmp) throws Exception {
        TinyOsum tiny = TinyOsum.get();
        OsumTrainable model = new OsumTrainable(tiny.model(4), null, null);
        OsumBatch batch = tiny.collator.firstBatch(7, 2);
        Trainer.builder(model, ListBatchSource.inOrder(List.of(batch)), config(tmp.resolve("run"), 2, Stages.ADAPTER_ENCODER, 1e-2))
                .quiet().build().run();
        model.save(tmp.resolve("m"), tiny.tokenizer.json());
        long[] lengths = new long[batch.size()];
        INDArray x = OsumTrainable.pad(batch.features(), 80, lengths);
        float[] trained = model.model().encodeSpeech(x, lengths).embeds().dup('c').data().asFloat();
        try (org.osum4j.infer.Osum o = org.osum4j.infer.Osum.load(tmp.resolve("m"))) {
            float[] reloaded = o.model().encodeSpeech(x, lengths).embeds().dup('c').data().asFloat();
            assertArrayEquals(reloaded, trained, "in-memory encoder/adapter must use the updated conv weights");
        }
    }
}
