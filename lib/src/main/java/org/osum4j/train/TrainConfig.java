package org.osum4j.train;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything that decides a training run, as one immutable record; read from YAML or JSON (JSON is YAML) with
 * snake_case keys, where an unknown or mistyped key is an error naming the file and key. Defaults are OSUM's
 * shipped recipe (osum-spec §4.1). Not the model or data configuration: those belong to their owners.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.read(Path.of("train.yaml"));            // or TrainConfig.osum(out).with("steps", 200)
 * }</pre>
 *
 * @param seed              one seed for everything random: data order, augmentation, dropout (OSUM: 777)
 * @param steps             optimizer steps to run in total (a resumed run continues up to it)
 * @param accumulation      micro-batches per optimizer step; gradients and losses are their MEAN (OSUM: 4,
 *                          as DeepSpeed, which averages micro-batch gradients)
 * @param clip              max global L2 norm of the averaged gradient; ≤ 0 disables (OSUM/DeepSpeed: 5)
 * @param optimizer         AdamW hyper-parameters (OSUM: lr 5e-5, betas 0.9/0.99, eps 1e-6, wd 0.01)
 * @param schedule          learning-rate schedule (OSUM: WarmupLR 8000)
 * @param checkpointEvery   optimizer steps between checkpoints; one is always written at the end (OSUM: 1250)
 * @param keepCheckpoints   how many most-recent checkpoints to keep (older ones are deleted); ≥ 1
 * @param validateEvery     optimizer steps between validations; ≤ 0 disables (it also runs at the end)
 * @param maxNonFinite      non-finite steps in a row that stop the run (a single one is skipped with a warning)
 * @param outputDir         where logs and checkpoints go
 * @param stage             what trains: a {@link Stages} preset or {@code custom}
 * @param trainablePatterns name regexes for {@code stage: custom}, else empty
 * @param saveFrozen        write frozen weights into every checkpoint too (self-contained folders); false for
 *                          big models whose frozen part (e.g. the 7B LLM, ≈ 30 GB in fp32) is loaded from the
 *                          base model anyway: then a checkpoint holds the trainable tensors only
 */
public record TrainConfig(long seed, long steps, int accumulation, double clip, AdamW.Options optimizer,
                          Schedule schedule, long checkpointEvery, int keepCheckpoints, long validateEvery,
                          int maxNonFinite, Path outputDir, String stage, List<String> trainablePatterns,
                          boolean saveFrozen) {

    /** OSUM's seed (run_huawei_2p_master.sh). */
    public static final long OSUM_SEED = 777;

    /**
     * The learning-rate schedule.
     *
     * @param kind        {@code warmup} (WeNet WarmupLR), {@code cosine} (linear warm-up then cosine) or {@code constant}
     * @param warmupSteps steps of the linear ramp (warmup: the peak step; cosine: may be 0)
     * @param minLr       cosine only: the rate reached at the last step
     */
    public record Schedule(String kind, long warmupSteps, double minLr) {
        public static final Set<String> KINDS = Set.of("warmup", "cosine", "constant");

        public Schedule {
            if (!KINDS.contains(kind)) throw new IllegalArgumentException("schedule kind '" + kind + "': expected one of " + KINDS);
            if (warmupSteps < 0) throw new IllegalArgumentException("schedule warmup_steps must be ≥ 0, got " + warmupSteps);
        }

        /** The schedule for a run of {@code totalSteps} at base rate {@code lr}. */
        public LrSchedule build(double lr, long totalSteps) {
            return switch (kind) {
                case "warmup" -> LrSchedule.warmup(lr, warmupSteps);
                case "cosine" -> LrSchedule.cosine(lr, warmupSteps, totalSteps, minLr);
                default -> LrSchedule.constant(lr);
            };
        }
    }

    public TrainConfig {
        if (steps < 1) throw new IllegalArgumentException("steps must be ≥ 1, got " + steps);
        if (accumulation < 1) throw new IllegalArgumentException("accumulation must be ≥ 1, got " + accumulation);
        if (checkpointEvery < 1) throw new IllegalArgumentException("checkpoint_every must be ≥ 1, got " + checkpointEvery);
        if (keepCheckpoints < 1) throw new IllegalArgumentException("keep_checkpoints must be ≥ 1, got " + keepCheckpoints);
        if (maxNonFinite < 1) throw new IllegalArgumentException("max_non_finite must be ≥ 1, got " + maxNonFinite);
        if (outputDir == null) throw new IllegalArgumentException("output_dir is required");
        if (optimizer == null || schedule == null) throw new IllegalArgumentException("optimizer and schedule are required");
        trainablePatterns = List.copyOf(trainablePatterns == null ? List.of() : trainablePatterns);
        Stages.of(stage, trainablePatterns);                  // validates the stage now, not at step 1
        if ("warmup".equals(schedule.kind()) && schedule.warmupSteps() == 0)
            throw new IllegalArgumentException("schedule 'warmup' needs warmup_steps > 0");
        if ("cosine".equals(schedule.kind()) && steps <= schedule.warmupSteps())
            throw new IllegalArgumentException("cosine schedule: steps (" + steps + ") must exceed warmup_steps (" + schedule.warmupSteps() + ")");
    }

    /** OSUM's shipped final stage (adapter+encoder+LoRA), 10 000 steps, writing to {@code outputDir}. */
    public static TrainConfig osum(Path outputDir) {
        return new TrainConfig(OSUM_SEED, 10_000, 4, 5.0, AdamW.Options.osum(), new Schedule("warmup", 8000, 0),
                1250, 3, 1250, 10, outputDir, Stages.ADAPTER_ENCODER_LORA, List.of(), true);
    }

    /** The learning-rate schedule of this run. */
    public LrSchedule lrSchedule() {
        return schedule.build(optimizer.lr(), steps);
    }

    /** The trainable-name predicate of this run. */
    public java.util.function.Predicate<String> trainable() {
        return Stages.of(stage, trainablePatterns);
    }

    /** A copy training {@code stage}; {@code patterns} only with {@link Stages#CUSTOM}. */
    public TrainConfig withStage(String newStage, List<String> patterns) {
        return new TrainConfig(seed, steps, accumulation, clip, optimizer, schedule, checkpointEvery, keepCheckpoints,
                validateEvery, maxNonFinite, outputDir, newStage, patterns, saveFrozen);
    }

    /** A copy with one key (as in the file, e.g. {@code "steps"}, {@code "optimizer.lr"}) set. */
    public TrainConfig with(String key, Object value) {
        Map<String, Object> m = toMap();
        String[] path = key.split("\\.", 2);
        if (path.length == 2) {
            Object inner = m.get(path[0]);
            if (!(inner instanceof Map<?, ?> im)) throw new IllegalArgumentException("train config: '" + path[0] + "' has no sub-keys");
            @SuppressWarnings("unchecked") Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) im);
            if (!copy.containsKey(path[1])) throw new IllegalArgumentException("train config: unknown key '" + key + "'");
            copy.put(path[1], value);
            m.put(path[0], copy);
        } else {
            if (!m.containsKey(key)) throw new IllegalArgumentException("train config: unknown key '" + key + "'");
            m.put(key, value instanceof Path p ? p.toString() : value);
        }
        return fromMap(m, "with(" + key + ")");
    }

    /** The config as plain values (the file form, snake_case), for run records and {@code with}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("steps", steps);
        m.put("accumulation", accumulation);
        m.put("clip", clip);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("lr", optimizer.lr());
        o.put("betas", List.of(optimizer.beta1(), optimizer.beta2()));
        o.put("eps", optimizer.eps());
        o.put("weight_decay", optimizer.weightDecay());
        m.put("optimizer", o);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", schedule.kind());
        s.put("warmup_steps", schedule.warmupSteps());
        s.put("min_lr", schedule.minLr());
        m.put("schedule", s);
        m.put("checkpoint_every", checkpointEvery);
        m.put("keep_checkpoints", keepCheckpoints);
        m.put("validate_every", validateEvery);
        m.put("max_non_finite", maxNonFinite);
        m.put("output_dir", outputDir.toString());
        m.put("stage", stage);
        m.put("trainable_patterns", new ArrayList<>(trainablePatterns));
        m.put("save_frozen", saveFrozen);
        return m;
    }

    /** Reads a YAML or JSON file; keys missing from it keep OSUM's defaults except {@code output_dir}. */
    public static TrainConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("train config " + file + ": cannot read: " + e.getMessage(), e);
        }
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("train config " + file + ": not valid YAML/JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) throw new IllegalArgumentException("train config " + file + ": expected a mapping at the top");
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) map;
        return fromMap(m, file.toString());
    }

    /** Builds a config from file-form values over OSUM's defaults; {@code where} names the source in errors. */
    public static TrainConfig fromMap(Map<String, Object> m, String where) {
        Map<String, Object> d = osum(Path.of(".")).toMap();
        checkKeys(m, d.keySet(), where, "");
        Map<String, Object> od = sub(d, "optimizer"), sd = sub(d, "schedule");
        Map<String, Object> o = m.containsKey("optimizer") ? map(m.get("optimizer"), where, "optimizer") : od;
        Map<String, Object> s = m.containsKey("schedule") ? map(m.get("schedule"), where, "schedule") : sd;
        checkKeys(o, od.keySet(), where, "optimizer.");
        checkKeys(s, sd.keySet(), where, "schedule.");
        if (!m.containsKey("output_dir")) throw new IllegalArgumentException("train config " + where + ": 'output_dir' is required");
        List<?> betas = list(o.getOrDefault("betas", od.get("betas")), where, "optimizer.betas");
        if (betas.size() != 2) throw new IllegalArgumentException("train config " + where + ": 'optimizer.betas' needs 2 numbers, got " + betas);
        AdamW.Options opt = new AdamW.Options(num(o.getOrDefault("lr", od.get("lr")), where, "optimizer.lr"),
                num(betas.get(0), where, "optimizer.betas[0]"), num(betas.get(1), where, "optimizer.betas[1]"),
                num(o.getOrDefault("eps", od.get("eps")), where, "optimizer.eps"),
                num(o.getOrDefault("weight_decay", od.get("weight_decay")), where, "optimizer.weight_decay"));
        Schedule sched = new Schedule(str(s.getOrDefault("kind", sd.get("kind")), where, "schedule.kind"),
                integer(s.getOrDefault("warmup_steps", sd.get("warmup_steps")), where, "schedule.warmup_steps"),
                num(s.getOrDefault("min_lr", sd.get("min_lr")), where, "schedule.min_lr"));
        List<String> patterns = new ArrayList<>();
        for (Object p : list(m.getOrDefault("trainable_patterns", List.of()), where, "trainable_patterns"))
            patterns.add(str(p, where, "trainable_patterns[]"));
        try {
            return new TrainConfig(integer(get(m, d, "seed"), where, "seed"), integer(get(m, d, "steps"), where, "steps"),
                    (int) integer(get(m, d, "accumulation"), where, "accumulation"), num(get(m, d, "clip"), where, "clip"),
                    opt, sched, integer(get(m, d, "checkpoint_every"), where, "checkpoint_every"),
                    (int) integer(get(m, d, "keep_checkpoints"), where, "keep_checkpoints"),
                    integer(get(m, d, "validate_every"), where, "validate_every"),
                    (int) integer(get(m, d, "max_non_finite"), where, "max_non_finite"),
                    Path.of(str(m.get("output_dir"), where, "output_dir")), str(get(m, d, "stage"), where, "stage"), patterns,
                    bool(get(m, d, "save_frozen"), where, "save_frozen"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("train config " + where + ": " + e.getMessage(), e);
        }
    }

    private static Object get(Map<String, Object> m, Map<String, Object> defaults, String key) {
        return m.containsKey(key) ? m.get(key) : defaults.get(key);
    }

    private static void checkKeys(Map<String, Object> m, Set<String> known, String where, String prefix) {
        for (String k : m.keySet())
            if (!known.contains(k)) throw new IllegalArgumentException("train config " + where + ": unknown key '" + prefix + k
                    + "' (known: " + new java.util.TreeSet<>(known) + ")");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sub(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String where, String key) {
        if (v instanceof Map<?, ?> mm) return (Map<String, Object>) mm;
        throw new IllegalArgumentException("train config " + where + ": '" + key + "' must be a mapping, got " + v);
    }

    private static List<?> list(Object v, String where, String key) {
        if (v instanceof List<?> l) return l;
        throw new IllegalArgumentException("train config " + where + ": '" + key + "' must be a list, got " + v);
    }

    private static double num(Object v, String where, String key) {
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s) {                       // YAML 1.1 reads "5e-5" (no dot) as a string
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException ignored) { /* fall through to the error */ }
        }
        throw new IllegalArgumentException("train config " + where + ": '" + key + "' must be a number, got " + v);
    }

    private static long integer(Object v, String where, String key) {
        if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) return ((Number) v).longValue();
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.longValue();
        throw new IllegalArgumentException("train config " + where + ": '" + key + "' must be an integer, got " + v);
    }

    private static boolean bool(Object v, String where, String key) {
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("train config " + where + ": '" + key + "' must be true or false, got " + v);
    }

    private static String str(Object v, String where, String key) {
        if (v instanceof String s) return s;
        throw new IllegalArgumentException("train config " + where + ": '" + key + "' must be a string, got " + v);
    }
}
