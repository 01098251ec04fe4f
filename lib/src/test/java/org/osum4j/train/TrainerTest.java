package org.osum4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.run.RunRecord;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.osum4j.model.io.SafeTensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training loop on a toy MLP: learning, determinism, exact resume, stages, accumulation, clipping, NaNs, logs. */
class TrainerTest {

    private static final long INIT_SEED = 11;
    private static final List<ToyModel.ToyBatch> DATA = ToyModel.data(5, 12, 8);

    @TempDir
    Path tmp;

    /** A small config: constant lr 1e-2, no weight decay, no clipping, accumulation 1. */
    private TrainConfig config(Path out, long steps) {
        return TrainConfig.osum(out).with("steps", steps).with("accumulation", 1).with("clip", 0.0)
                .with("optimizer.lr", 1e-2).with("optimizer.weight_decay", 0.0)
                .with("schedule.kind", "constant").with("schedule.warmup_steps", 0)
                .with("checkpoint_every", 1000).with("validate_every", 0).with("stage", "all");
    }

    private static Trainer<ToyModel.ToyBatch> trainer(ToyModel m, List<ToyModel.ToyBatch> data, TrainConfig c) {
        return Trainer.builder(m, ListBatchSource.shuffled(data), c).quiet().build();
    }

    private static long[] lossBits(List<StepLog> logs) {
        return logs.stream().mapToLong(s -> Double.doubleToRawLongBits(s.loss())).toArray();
    }

    private static int[] bits(INDArray a) {
        float[] f = a.dup('c').data().asFloat();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    private static Map<String, float[]> snapshot(Map<String, INDArray> m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.dup('c').data().asFloat()));
        return out;
    }

    @Test
    void run_toyRegression_lossGoesDown() {
        List<StepLog> logs = trainer(new ToyModel(INIT_SEED, 0), DATA, config(tmp, 120)).run();
        double first = logs.subList(0, 10).stream().mapToDouble(StepLog::loss).average().orElseThrow();
        double last = logs.subList(110, 120).stream().mapToDouble(StepLog::loss).average().orElseThrow();
        assertTrue(last < 0.5 * first, "loss " + first + " → " + last);
    }

    @Test
    void run_sameSeed_identicalLossCurves_otherSeedDiffers() {
        TrainConfig c = config(tmp.resolve("a"), 15).with("schedule.kind", "cosine").with("schedule.warmup_steps", 3);
        long[] a = lossBits(trainer(new ToyModel(INIT_SEED, 0.1), DATA, c).run());
        long[] b = lossBits(trainer(new ToyModel(INIT_SEED, 0.1), DATA, c.with("output_dir", tmp.resolve("b").toString())).run());
        long[] other = lossBits(trainer(new ToyModel(INIT_SEED, 0.1), DATA,
                c.with("output_dir", tmp.resolve("c").toString()).with("seed", 778)).run());
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, other), "another seed must change data order and noise");
    }

    /** A source that fails once at one position, as a crash in the middle of a step. */
    private static final class CrashingSource implements BatchSource<ToyModel.ToyBatch> {
        final BatchSource<ToyModel.ToyBatch> inner;
        final Position crashAt;
        boolean armed = true;

        CrashingSource(BatchSource<ToyModel.ToyBatch> inner, Position crashAt) {
            this.inner = inner;
            this.crashAt = crashAt;
        }

        @Override
        public ToyModel.ToyBatch batch(long seed, Position p) {
            if (armed && p.equals(crashAt)) {
                armed = false;
                throw new IllegalStateException("simulated crash at " + p);
            }
            return inner.batch(seed, p);
        }

        @Override
        public Position next(long seed, Position p) { return inner.next(seed, p); }

        @Override
        public String manifestHash() { return inner.manifestHash(); }
    }

    @Test
    void resume_afterCrash_bitIdenticalLossesWeightsAndMoments() throws Exception {
        // accumulation 2 over 12 batches: steps 7..10 cross into epoch 1 (a reshuffle); noise draws from the rng.
        TrainConfig base = config(tmp.resolve("whole"), 10).with("accumulation", 2).with("clip", 0.5)
                .with("optimizer.weight_decay", 0.01).with("schedule.kind", "cosine").with("schedule.warmup_steps", 2)
                .with("checkpoint_every", 3);
        ToyModel whole = new ToyModel(INIT_SEED, 0.1);
        Trainer<ToyModel.ToyBatch> uninterrupted = trainer(whole, DATA, base);
        List<StepLog> expected = uninterrupted.run();

        TrainConfig cut = base.with("output_dir", tmp.resolve("cut").toString());
        // step 8 reads batches 14 and 15 = epoch 1, index 2 and 3: crash after step 7 was logged
        CrashingSource crashing = new CrashingSource(ListBatchSource.shuffled(DATA), new BatchSource.Position(1, 2));
        Trainer<ToyModel.ToyBatch> first = Trainer.builder(new ToyModel(INIT_SEED, 0.1), crashing, cut).quiet().build();
        assertThrows(IllegalStateException.class, first::run);
        assertEquals(7, first.history().size(), "steps 1..7 ran before the crash");

        ToyModel restarted = new ToyModel(999, 0.1);                    // other init: resume must overwrite it
        Trainer<ToyModel.ToyBatch> second = trainer(restarted, DATA, cut);
        assertTrue(second.resumeIfPossible());
        assertEquals(6, second.step(), "latest checkpoint is step 6");
        List<StepLog> resumed = second.run();

        assertArrayEquals(lossBits(expected.subList(6, 10)), lossBits(resumed));
        for (String name : whole.parameters().keySet())
            assertArrayEquals(bits(whole.parameters().get(name)), bits(restarted.parameters().get(name)), name);
        Map<String, INDArray> mA = uninterrupted.optimizerState(), mB = second.optimizerState();
        assertEquals(mA.keySet(), mB.keySet());
        for (String name : mA.keySet()) assertArrayEquals(bits(mA.get(name)), bits(mB.get(name)), name);

        List<String> csv = Files.readAllLines(tmp.resolve("cut").resolve(TrainLog.CSV));
        assertEquals(11, csv.size(), "header + one row per step 1..10, no duplicate of step 7: " + csv);
        for (int s = 1; s <= 10; s++) assertTrue(csv.get(s).startsWith(s + ","), csv.get(s));
    }

    @Test
    void customStage_frozenParametersUnchangedAndWithoutOptimizerState() throws Exception {
        ToyModel m = new ToyModel(INIT_SEED, 0);
        Map<String, float[]> before = snapshot(m.parameters());
        TrainConfig c = config(tmp, 5).withStage(Stages.CUSTOM, List.of("layer2\\..*"));
        Trainer<ToyModel.ToyBatch> t = trainer(m, DATA, c);
        t.run();
        assertArrayEquals(before.get("layer1.weight"), m.parameters().get("layer1.weight").dup('c').data().asFloat());
        assertArrayEquals(before.get("layer1.bias"), m.parameters().get("layer1.bias").dup('c').data().asFloat());
        assertFalse(java.util.Arrays.equals(before.get("layer2.weight"), m.parameters().get("layer2.weight").dup('c').data().asFloat()));
        assertEquals(List.of("m.layer2.weight", "m.layer2.bias", "v.layer2.weight", "v.layer2.bias"), new ArrayList<>(t.optimizerState().keySet()));
        Path ckpt = TrainCheckpoint.latestIn(tmp).orElseThrow();
        assertEquals(4, SafeTensors.read(ckpt.resolve(TrainCheckpoint.MODEL)).names().size(), "all parameters are saved");
        assertEquals(4, SafeTensors.read(ckpt.resolve(TrainCheckpoint.OPTIMIZER)).names().size(), "moments of the 2 trainable only");
    }

    @Test
    void accumulation_twoMicroBatches_equalsOneDoubleBatch() {
        ToyModel.ToyBatch b1 = DATA.get(0), b2 = DATA.get(1);
        ToyModel accumulated = new ToyModel(INIT_SEED, 0), whole = new ToyModel(INIT_SEED, 0);
        List<StepLog> la = Trainer.builder(accumulated, ListBatchSource.inOrder(List.of(b1, b2)),
                config(tmp.resolve("a"), 3).with("accumulation", 2)).quiet().build().run();
        List<StepLog> lb = Trainer.builder(whole, ListBatchSource.inOrder(List.of(ToyModel.ToyBatch.concat(b1, b2))),
                config(tmp.resolve("b"), 3)).quiet().build().run();
        for (int i = 0; i < 3; i++) assertEquals(lb.get(i).loss(), la.get(i).loss(), 1e-6, "step " + (i + 1));
        for (String n : whole.parameters().keySet())
            assertArrayEquals(whole.parameters().get(n).dup('c').data().asFloat(), accumulated.parameters().get(n).dup('c').data().asFloat(), 1e-6f, n);
        assertEquals(16, la.get(0).tokens());
    }

    @Test
    void clip_scalesAveragedGradientBeforeAdamW() {
        double clip = 0.01;
        // eps = 1 makes the AdamW step proportional to the gradient's size, so clipping shows in the weights
        TrainConfig c = config(tmp, 1).with("clip", clip).with("optimizer.eps", 1.0).with("optimizer.lr", 0.1);
        ToyModel trained = new ToyModel(INIT_SEED, 0);
        Trainer<ToyModel.ToyBatch> t = Trainer.builder(trained, ListBatchSource.inOrder(DATA), c).quiet().build();
        StepLog s = t.run().get(0);

        ToyModel clipped = new ToyModel(INIT_SEED, 0), unclipped = new ToyModel(INIT_SEED, 0);
        Map<String, INDArray> g = clipped.lossAndGradients(DATA.get(0), clipped.parameters().keySet(), true, new TrainRandom(0)).gradients();
        Map<String, INDArray> g2 = new LinkedHashMap<>();
        g.forEach((k, v) -> g2.put(k, v.dup()));
        double norm = GradClip.clip(g, clip);
        assertTrue(norm > 10 * clip, "clipping must be active: norm " + norm);
        assertEquals(norm, s.gradNorm(), 1e-6, "logged norm is the pre-clip norm");
        new AdamW(c.optimizer()).step(clipped.parameters(), g, 0.1);
        new AdamW(c.optimizer()).step(unclipped.parameters(), g2, 0.1);
        for (String n : trained.parameters().keySet()) {
            float[] got = trained.parameters().get(n).dup('c').data().asFloat();
            assertArrayEquals(clipped.parameters().get(n).dup('c').data().asFloat(), got, 1e-7f, n);
        }
        assertNotEquals(unclipped.parameters().get("layer2.weight").getFloat(0), trained.parameters().get("layer2.weight").getFloat(0));
    }

    @Test
    void nonFinite_singleBatchSkippedWithKeysNamed() {
        List<ToyModel.ToyBatch> data = List.of(DATA.get(0), ToyModel.nanBatch("X", 8), DATA.get(1), DATA.get(2));
        List<String> warnings = new ArrayList<>();
        ToyModel m = new ToyModel(INIT_SEED, 0);
        Trainer<ToyModel.ToyBatch> t = Trainer.builder(m, ListBatchSource.inOrder(data), config(tmp, 4).with("max_non_finite", 2))
                .quiet().warnings(warnings::add).build();
        List<StepLog> logs = t.run();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("badX-0") && warnings.get(0).contains("step 2"), warnings.get(0));
        assertTrue(logs.get(1).skipped());
        assertFalse(logs.get(2).skipped());
        assertEquals(3, t.optimizerSteps(), "4 steps, one skipped");
        for (float f : m.parameters().get("layer1.weight").dup('c').data().asFloat()) assertTrue(Float.isFinite(f), "weights stay finite");
    }

    @Test
    void nonFinite_maxInARow_stopsWithClearError() {
        List<ToyModel.ToyBatch> data = List.of(DATA.get(0), ToyModel.nanBatch("1", 8), ToyModel.nanBatch("2", 8),
                ToyModel.nanBatch("3", 8), DATA.get(1));
        Trainer<ToyModel.ToyBatch> t = Trainer.builder(new ToyModel(INIT_SEED, 0), ListBatchSource.inOrder(data),
                config(tmp, 5).with("max_non_finite", 3)).quiet().warnings(w -> { }).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, t::run);
        assertTrue(e.getMessage().contains("3 non-finite steps in a row") && e.getMessage().contains("bad3-0")
                && e.getMessage().contains("step 4"), e.getMessage());
    }

    @Test
    void logs_oneRowPerStep_validationAndRunRecordWritten() throws Exception {
        RunRecord record = RunRecord.start("toy", null, Map.of()).withRuntime(Map.of("threads", "2", "OPENBLAS_CORETYPE", "default"));
        ToyModel m = new ToyModel(INIT_SEED, 0);
        Trainer.Builder<ToyModel.ToyBatch> b = Trainer.builder(m, ListBatchSource.shuffled(DATA),
                config(tmp, 10).with("validate_every", 5).with("checkpoint_every", 4).with("keep_checkpoints", 2)).runRecord(record);
        ByteArrayOutputStream term = new ByteArrayOutputStream();
        Trainer<ToyModel.ToyBatch>[] holder = new Trainer[1];
        holder[0] = b.progressTerminal(new PrintStream(term, true, StandardCharsets.UTF_8))
                .validator(step -> holder[0].lossValidator(DATA.subList(0, 2), x -> "toy").validate(step)).build();
        holder[0].run();

        List<String> csv = Files.readAllLines(tmp.resolve(TrainLog.CSV));
        assertEquals(TrainLog.CSV_HEADER, csv.get(0));
        assertEquals(11, csv.size());
        assertEquals(10, Files.readAllLines(tmp.resolve(TrainLog.JSONL)).size());
        List<String> val = Files.readAllLines(tmp.resolve(TrainLog.VALIDATION_JSONL));
        assertEquals(2, val.size(), "validation at steps 5 and 10");
        JsonNode v = new ObjectMapper().readTree(val.get(1));
        assertEquals(10, v.get("step").asLong());
        assertTrue(v.path("tasks").path("toy").path("loss").isNumber());

        assertEquals(List.of(8L, 10L), new TrainCheckpoint(tmp, 2).steps(), "every 4 steps and at the end, last 2 kept");
        JsonNode run = new ObjectMapper().readTree(TrainCheckpoint.latestIn(tmp).orElseThrow().resolve(TrainCheckpoint.RUN).toFile());
        assertEquals(10, run.get("step").asLong());
        assertEquals(TrainConfig.OSUM_SEED, run.path("extra").path("seed").asLong());
        assertEquals(ListBatchSource.keysHash(DATA), run.path("extra").path("data_manifest_sha256").asText());
        assertEquals(10, run.path("extra").path("train_config").path("steps").asLong());
        assertEquals("2", run.path("runtime").path("threads").asText());
        assertTrue(Files.isRegularFile(tmp.resolve("run.json")));
        String bar = term.toString(StandardCharsets.UTF_8);
        assertTrue(bar.contains("train") && bar.contains("10/10") && bar.contains("loss="), bar);
    }

    @Test
    void saveFrozenFalse_checkpointHoldsTrainableOnly_andResumesOverBaseWeights() throws Exception {
        TrainConfig c = config(tmp, 3).withStage(Stages.CUSTOM, List.of("layer2\\..*")).with("save_frozen", false);
        ToyModel trained = new ToyModel(INIT_SEED, 0);
        trainer(trained, DATA, c).run();
        Path ckpt = TrainCheckpoint.latestIn(tmp).orElseThrow();
        assertEquals(java.util.Set.of("layer2.weight", "layer2.bias"), new java.util.HashSet<>(SafeTensors.read(ckpt.resolve(TrainCheckpoint.MODEL)).names()));
        ToyModel base = new ToyModel(INIT_SEED, 0);                     // frozen layer1 comes from the base weights
        trainer(base, DATA, c).resume(tmp);
        for (String n : trained.parameters().keySet())
            assertArrayEquals(bits(trained.parameters().get(n)), bits(base.parameters().get(n)), n);
        ToyModel next = new ToyModel(INIT_SEED, 0);                     // a next stage training everything starts from it
        trainer(next, DATA, config(tmp.resolve("stage2"), 3)).loadWeights(tmp);
        assertArrayEquals(bits(trained.parameters().get("layer2.weight")), bits(next.parameters().get("layer2.weight")));
    }

    @Test
    void run_intoFolderWithCheckpoints_withoutResume_isAnError() {
        trainer(new ToyModel(INIT_SEED, 0), DATA, config(tmp, 2)).run();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer(new ToyModel(INIT_SEED, 0), DATA, config(tmp, 2)).run());
        assertTrue(e.getMessage().contains("resume"), e.getMessage());
    }

    @Test
    void modelReturningGradientForFrozenName_isAnErrorNamingIt() {
        TrainConfig c = config(tmp, 1).withStage(Stages.CUSTOM, List.of("layer2\\.bias"));
        ToyModel m = new ToyModel(INIT_SEED, 0) {
            @Override
            public StepResult lossAndGradients(ToyBatch batch, java.util.Set<String> trainable, boolean training, java.util.random.RandomGenerator rng) {
                return super.lossAndGradients(batch, parameters().keySet(), training, rng);   // ignores the stage
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer(m, DATA, c).run());
        assertTrue(e.getMessage().contains("layer1.weight"), e.getMessage());
    }
}
