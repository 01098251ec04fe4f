package org.osum4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.model.io.TensorData;
import org.osum4j.notebook.DisplaySink;
import org.osum4j.notebook.Progress;
import org.osum4j.run.RunRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The training loop over a {@link Trainable} model and a {@link BatchSource}: per optimizer step it reads
 * {@code accumulation} micro-batches, averages their losses and gradients, skips the step when either is not
 * finite (stopping after {@code max_non_finite} in a row), clips by global norm, applies AdamW at the
 * schedule's rate to the trainable parameters only, logs a row, and every N steps checkpoints and validates.
 * One seed drives data order and every random draw of the model; with a fixed thread count, a run stopped and
 * {@link #resume resumed} gives bit-identical losses, weights and moments to one that was not.
 *
 * <pre>{@code
 * Trainer<OsumBatch> t = Trainer.builder(model, source, TrainConfig.read(Path.of("train.yaml")))
 *         .runRecord(RuntimeInfo.runRecord("osum", modelDir, Map.of()))
 *         .validator(t -> evalOnDev()).build();
 * t.resumeIfPossible();          // continue from <out>/checkpoints/latest when there is one
 * t.run();
 * }</pre>
 * Not here: the model's forward/backward, batching and features (the source's), mixed precision.
 */
public final class Trainer<B extends Batch> {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final double NANOS_PER_SECOND = 1e9;
    /** Validation draws from its own stream so it never shifts the training stream. */
    private static final long VALIDATION_STREAM = 0x7A11_DA7EL;

    /** Per-task validation metrics of the model at a step: task → metric → value. */
    @FunctionalInterface
    public interface Validator {
        Map<String, Map<String, Double>> validate(long step);
    }

    private final Trainable<B> model;
    private final BatchSource<B> source;
    private final TrainConfig config;
    private final Set<String> trainable;
    private final LrSchedule schedule;
    private final AdamW optimizer;
    private final TrainCheckpoint checkpoints;
    private final TrainLog log;
    private final RunRecord runRecord;
    private final Validator validator;
    private final Consumer<String> warnings;
    private final PrintStream progressTerminal;   // null: default (stderr or notebook)
    private final DisplaySink progressSink;
    private final boolean showProgress;
    private final List<StepLog> history = new ArrayList<>();

    private TrainRandom rng;
    private BatchSource.Position position = BatchSource.Position.start();
    private long step;
    private int nonFiniteInARow;
    private long lastCheckpointStep = -1;
    private long lastValidationStep = -1;
    private boolean resumed;

    private Trainer(Builder<B> b) {
        this.model = b.model;
        this.source = b.source;
        this.config = b.config;
        this.trainable = Collections.unmodifiableSet(Stages.select(model.parameters().keySet(), config.trainable(), config.stage()));
        this.schedule = config.lrSchedule();
        this.optimizer = new AdamW(config.optimizer());
        this.checkpoints = new TrainCheckpoint(config.outputDir(), config.keepCheckpoints());
        this.log = new TrainLog(config.outputDir());
        this.validator = b.validator;
        this.warnings = b.warnings;
        this.progressTerminal = b.progressTerminal;
        this.progressSink = b.progressSink;
        this.showProgress = b.showProgress;
        this.rng = new TrainRandom(config.seed());
        RunRecord r = b.runRecord != null ? b.runRecord : RunRecord.start("model", null, Map.of());
        if (r.runtime().isEmpty()) r = r.withRuntime(minimalRuntime());
        this.runRecord = r.withExtra("train_config", config.toMap()).withExtra("seed", config.seed())
                .withExtra("data_manifest_sha256", source.manifestHash())
                .withExtra("trainable_parameters", trainable.size())
                .withExtra("trainable_elements", trainable.stream().mapToLong(n -> model.parameters().get(n).length()).sum());
    }

    public static <B extends Batch> Builder<B> builder(Trainable<B> model, BatchSource<B> source, TrainConfig config) {
        return new Builder<>(model, source, config);
    }

    // ------------------------------------------------------------------------------------------------ accessors

    public TrainConfig config() { return config; }

    /** Names that train (and have optimizer state), in parameter order. */
    public Set<String> trainable() { return trainable; }

    /** Optimizer steps done (skipped ones included). */
    public long step() { return step; }

    public BatchSource.Position position() { return position; }

    /** AdamW updates applied (steps minus skipped ones). */
    public long optimizerSteps() { return optimizer.steps(); }

    /** AdamW moments ({@code m.<name>}, {@code v.<name>}); live arrays. */
    public Map<String, INDArray> optimizerState() { return optimizer.state(); }

    /** Every step logged by this trainer object (not those before a resume). */
    public List<StepLog> history() { return Collections.unmodifiableList(history); }

    /** The run record written into {@code run.json} files. */
    public RunRecord runRecord() { return runRecord; }

    // ------------------------------------------------------------------------------------------------ the loop

    /** Runs until {@code config.steps()}; returns the steps logged in this call. */
    public List<StepLog> run() {
        return run(config.steps());
    }

    /**
     * Runs until step {@code untilStep} (≤ config steps), then writes a checkpoint (and validates) unless
     * that step already had one.
     */
    public List<StepLog> run(long untilStep) {
        if (untilStep > config.steps()) throw new IllegalArgumentException("run until step " + untilStep + " > configured steps " + config.steps());
        if (step == 0 && !resumed) checkFreshOutput();
        writeRunJson();
        List<StepLog> logged = new ArrayList<>();
        long firstStep = step;                                      // the bar counts this call's steps (honest rate/ETA after a resume)
        try (Progress progress = startProgress(untilStep - firstStep)) {
            while (step < untilStep) {
                StepLog s = trainStep();
                org.osum4j.model.NativeMemory.relieve();             // free dead native buffers when RSS grows
                logged.add(s);
                if (progress != null) {
                    progress.metric("step", step).metric("loss", s.loss()).metric("lr", s.lr())
                            .metric("tok/s", s.tokensPerSecond()).metric("audio-s/s", s.audioSecondsPerSecond()).set(step - firstStep);
                }
                if (step % config.checkpointEvery() == 0) checkpoint();
                if (config.validateEvery() > 0 && step % config.validateEvery() == 0) validate();
            }
        }
        if (lastCheckpointStep != step) checkpoint();
        if (config.validateEvery() > 0 && validator != null && lastValidationStep != step) validate();
        return logged;
    }

    /** One optimizer step: accumulation micro-batches → mean gradient → (skip | clip → AdamW) → log row. */
    private StepLog trainStep() {
        long t0 = System.nanoTime();
        step++;
        double lr = schedule.lr(step);
        Map<String, INDArray> params = model.parameters();
        Map<String, INDArray> grad = new LinkedHashMap<>();        // name → Σ micro-batch gradients, then the mean
        List<String> keys = new ArrayList<>();
        List<String> nonFiniteKeys = new ArrayList<>();            // keys of micro-batches whose loss is NaN/∞
        double lossSum = 0;
        long tokens = 0;
        double audio = 0;
        for (int micro = 0; micro < config.accumulation(); micro++) {
            B batch = source.batch(config.seed(), position);
            position = source.next(config.seed(), position);
            keys.addAll(batch.keys());
            Trainable.StepResult r = model.lossAndGradients(batch, trainable, true, rng);
            checkGradientNames(r.gradients().keySet(), batch);
            if (!Double.isFinite(r.loss())) nonFiniteKeys.addAll(batch.keys());
            lossSum += r.loss();
            tokens += r.tokens();
            audio += r.audioSeconds();
            for (Map.Entry<String, INDArray> e : r.gradients().entrySet()) {
                INDArray acc = grad.get(e.getKey());
                if (acc == null) grad.put(e.getKey(), e.getValue());   // owned by us (Trainable contract): no copy
                else acc.addi(e.getValue());
            }
        }
        if (config.accumulation() > 1) for (INDArray g : grad.values()) g.divi(config.accumulation());
        double loss = lossSum / config.accumulation();
        double norm = GradClip.globalNorm(grad);

        boolean skipped = !Double.isFinite(loss) || !Double.isFinite(norm);
        List<String> blamed = nonFiniteKeys.isEmpty() ? keys : nonFiniteKeys;   // gradient-only NaN: name them all
        if (skipped) {
            nonFiniteInARow++;
            String msg = "step " + step + ": non-finite " + (!Double.isFinite(loss) ? "loss " + loss : "gradient (norm " + norm + ")")
                    + ", step skipped (" + nonFiniteInARow + " in a row, limit " + config.maxNonFinite() + "); batch keys: " + blamed;
            warnings.accept(msg);
        } else {
            nonFiniteInARow = 0;
            if (config.clip() > 0) GradClip.clip(grad, config.clip());
            optimizer.step(params, grad, lr);
            model.parametersChanged();
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - t0) / NANOS_PER_SECOND);
        StepLog s = new StepLog(step, loss, lr, norm, tokens, audio, tokens / seconds, audio / seconds, skipped, keys);
        log.step(s);
        history.add(s);
        if (nonFiniteInARow >= config.maxNonFinite()) {
            throw new IllegalStateException("training stopped at step " + step + ": " + nonFiniteInARow
                    + " non-finite steps in a row (max_non_finite = " + config.maxNonFinite() + "); last batch keys: " + blamed
                    + ". Check those utterances, or lower optimizer.lr / clip, then resume from "
                    + checkpoints.latest().map(Path::toString).orElse("the start (no checkpoint yet)"));
        }
        return s;
    }

    private void checkGradientNames(Set<String> names, B batch) {
        if (names.equals(trainable)) return;
        Set<String> missing = new TreeSet<>(trainable);
        missing.removeAll(names);
        Set<String> extra = new TreeSet<>(names);
        extra.removeAll(trainable);
        throw new IllegalStateException("model returned gradients for the wrong names at step " + step + " (batch " + batch.keys()
                + "): missing " + head(missing) + ", not trainable " + head(extra));
    }

    private static String head(Set<String> s) {
        return s.size() <= 5 ? s.toString() : new ArrayList<>(s).subList(0, 5) + " … (" + s.size() + ")";
    }

    // ------------------------------------------------------------------------------------------------ validation

    /** Runs the validator now and logs its metrics; returns them (empty without a validator). */
    public Map<String, Map<String, Double>> validate() {
        lastValidationStep = step;
        if (validator == null) return Map.of();
        Map<String, Map<String, Double>> m = validator.validate(step);
        log.validation(step, m);
        LOG.info("validation at step {}: {}", step, m);
        return m;
    }

    /**
     * A validator computing the token-weighted mean loss per task over {@code batches} (no augmentation, no
     * gradients, a fixed random stream), as {@code task → {loss, tokens}}.
     */
    public Validator lossValidator(List<B> batches, Function<B, String> task) {
        return atStep -> {
            TrainRandom r = TrainRandom.derive(config.seed(), VALIDATION_STREAM, 0);
            Map<String, double[]> sums = new LinkedHashMap<>();          // task → {Σ loss·tokens, Σ tokens}
            for (B b : batches) {
                Trainable.StepResult res = model.lossAndGradients(b, Set.of(), false, r);
                double[] s = sums.computeIfAbsent(task.apply(b), k -> new double[2]);
                s[0] += res.loss() * res.tokens();
                s[1] += res.tokens();
            }
            Map<String, Map<String, Double>> out = new LinkedHashMap<>();
            sums.forEach((t, s) -> out.put(t, Map.of("loss", s[1] > 0 ? s[0] / s[1] : Double.NaN, "tokens", s[1])));
            return out;
        };
    }

    // ------------------------------------------------------------------------------------------------ checkpoints

    /** Writes a checkpoint of the current state now; returns its folder. */
    public Path checkpoint() {
        TrainCheckpoint.State st = new TrainCheckpoint.State(step, optimizer.steps(), rng.state(), position, nonFiniteInARow);
        ObjectNode run = runRecord.toJson();
        run.put("step", step);
        Map<String, INDArray> weights = model.parameters();
        if (!config.saveFrozen()) {
            weights = new LinkedHashMap<>();
            for (String n : trainable) weights.put(n, model.parameters().get(n));
        }
        Path dir = checkpoints.write(st, weights, optimizer.state(), run, model.configJson());
        lastCheckpointStep = step;
        return dir;
    }

    /**
     * Restores everything from a checkpoint folder or an output folder's latest checkpoint: weights (assigned
     * into the model's arrays), optimizer moments and step, RNG state, data position, step and non-finite
     * count; log rows after the checkpoint's step are dropped. The seed and trainable set must match.
     */
    public Trainer<B> resume(Path dirOrOutput) {
        TrainCheckpoint.Loaded c = TrainCheckpoint.load(dirOrOutput);
        long savedSeed = c.run().path("extra").path("seed").asLong(config.seed());
        if (savedSeed != config.seed())
            throw new IllegalArgumentException("resume from " + c.dir() + ": it was trained with seed " + savedSeed + ", this config has "
                    + config.seed() + "; a resumed run must keep the seed");
        assignWeights(c, true);
        Map<String, INDArray> moments = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : c.optimizer().entrySet()) {
            String name = e.getKey().substring(2);
            if (!trainable.contains(name))
                throw new IllegalArgumentException("resume from " + c.dir() + ": optimizer state for '" + name
                        + "', which is not trainable in stage '" + config.stage() + "' (a new stage starts with loadWeights, not resume)");
            moments.put(e.getKey(), TrainCheckpoint.toArray(e.getValue()).castTo(model.parameters().get(name).dataType()));
        }
        optimizer.restore(moments, c.state().optimizerSteps());
        rng = TrainRandom.ofState(c.state().rng());
        position = c.state().data();
        step = c.state().step();
        nonFiniteInARow = c.state().nonFiniteInARow();
        lastCheckpointStep = step;
        lastValidationStep = step;
        log.truncateAfter(step);
        resumed = true;
        LOG.info("resumed from {} at step {} ({})", c.dir(), step, position);
        return this;
    }

    /** {@link #resume} from {@code <out>/checkpoints/latest} when it exists; returns whether it did. */
    public boolean resumeIfPossible() {
        if (TrainCheckpoint.latestIn(config.outputDir()).isEmpty()) return false;
        resume(config.outputDir());
        return true;
    }

    /**
     * Loads only the weights of a checkpoint (a new stage starting from the previous one, as OSUM's
     * {@code init_step: true}): optimizer, step, RNG and data position start fresh.
     */
    public Trainer<B> loadWeights(Path dirOrOutput) {
        assignWeights(TrainCheckpoint.load(dirOrOutput), false);
        return this;
    }

    /**
     * Assigns the checkpoint's tensors into the model. A checkpoint written with {@code save_frozen: false}
     * lacks the frozen tensors of its stage: those keep the model's (base) values; with {@code requireTrainable}
     * (resume) every tensor trainable now must be there.
     */
    private void assignWeights(TrainCheckpoint.Loaded c, boolean requireTrainable) {
        Map<String, INDArray> params = model.parameters();
        boolean frozenSaved = c.run().path("extra").path("train_config").path("save_frozen").asBoolean(true);
        Set<String> unknown = new TreeSet<>(c.model().keySet());
        unknown.removeAll(params.keySet());
        if (!unknown.isEmpty()) throw new IllegalArgumentException("checkpoint " + c.dir() + " holds tensors the model lacks: " + head(unknown));
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            TensorData t = c.model().get(e.getKey());
            if (t == null && !frozenSaved && !(requireTrainable && trainable.contains(e.getKey()))) continue;   // base value stays
            if (t == null) throw new IllegalArgumentException("checkpoint " + c.dir() + " lacks parameter '" + e.getKey() + "'");
            INDArray p = e.getValue();
            if (!Arrays.equals(p.shape(), t.shape()))
                throw new IllegalArgumentException("checkpoint " + c.dir() + ": '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", the model's is " + Arrays.toString(p.shape()));
            p.assign(TrainCheckpoint.toArray(t).castTo(p.dataType()));
        }
        model.parametersChanged();
    }

    // ------------------------------------------------------------------------------------------------ files

    private void checkFreshOutput() {
        if (TrainCheckpoint.latestIn(config.outputDir()).isPresent())
            throw new IllegalStateException("output folder " + config.outputDir() + " already holds checkpoints: call resume() "
                    + "(or resumeIfPossible()) to continue that run, or choose another output_dir");
    }

    /** {@code <out>/run.json}: the run record beside the logs. */
    private void writeRunJson() {
        try {
            Files.createDirectories(config.outputDir());
            Path tmp = config.outputDir().resolve("run.json.tmp");
            Files.writeString(tmp, JSON.writeValueAsString(runRecord.toJson()), StandardCharsets.UTF_8);
            Files.move(tmp, config.outputDir().resolve("run.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing run record into " + config.outputDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Thread/BLAS settings when the caller gave none (the full set comes from {@code cli.RuntimeInfo.settings()},
     * which this package may not import).
     */
    private static Map<String, String> minimalRuntime() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("java", System.getProperty("java.version"));
        m.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        m.put("OPENBLAS_CORETYPE", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "default"));
        m.put("source", "trainer fallback (no runtime settings passed in)");
        return m;
    }

    private Progress startProgress(long total) {
        if (!showProgress) return null;
        Progress.Builder b = Progress.builder("train", total);
        if (progressTerminal != null) b.terminal(progressTerminal);
        if (progressSink != null) b.sink(progressSink);
        return b.start();
    }

    /** Options of a {@link Trainer}; {@link #build()} makes it. */
    public static final class Builder<B extends Batch> {
        private final Trainable<B> model;
        private final BatchSource<B> source;
        private final TrainConfig config;
        private RunRecord runRecord;
        private Validator validator;
        private Consumer<String> warnings = LOG::warn;
        private PrintStream progressTerminal;
        private DisplaySink progressSink;
        private boolean showProgress = true;

        private Builder(Trainable<B> model, BatchSource<B> source, TrainConfig config) {
            this.model = java.util.Objects.requireNonNull(model, "model");
            this.source = java.util.Objects.requireNonNull(source, "source");
            this.config = java.util.Objects.requireNonNull(config, "config");
        }

        /** The run record (model, git commit, runtime settings from {@code cli.RuntimeInfo}); config, seed and data hash are added. */
        public Builder<B> runRecord(RunRecord r) { this.runRecord = r; return this; }

        /** Called every {@code validate_every} steps and at the end. */
        public Builder<B> validator(Validator v) { this.validator = v; return this; }

        /** Where non-finite-step warnings go (default: the slf4j logger, i.e. stderr). */
        public Builder<B> warnings(Consumer<String> w) { this.warnings = java.util.Objects.requireNonNull(w); return this; }

        /** Terminal stream for the progress bar (default stderr; in a notebook the bar is live HTML). */
        public Builder<B> progressTerminal(PrintStream s) { this.progressTerminal = s; return this; }

        /** Display sink for the progress bar (tests, custom front ends). */
        public Builder<B> progressSink(DisplaySink s) { this.progressSink = s; return this; }

        /** No progress bar. */
        public Builder<B> quiet() { this.showProgress = false; return this; }

        public Trainer<B> build() { return new Trainer<>(this); }
    }
}
