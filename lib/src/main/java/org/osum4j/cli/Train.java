package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.osum4j.audio.LogMel;
import org.osum4j.data.DataList;
import org.osum4j.data.DynamicBatcher;
import org.osum4j.data.Examples;
import org.osum4j.data.Filter;
import org.osum4j.data.TaskRegistry;
import org.osum4j.data.Utterance;
import org.osum4j.infer.Osum;
import org.osum4j.model.OsumModel;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.text.Tokenizer;
import org.osum4j.text.TokenizerBuilder;
import org.osum4j.train.BatchSource;
import org.osum4j.train.OsumBatch;
import org.osum4j.train.OsumCollator;
import org.osum4j.train.OsumTrainable;
import org.osum4j.train.StepLog;
import org.osum4j.train.TrainConfig;
import org.osum4j.train.Trainer;
import org.osum4j.train.WeightedMixSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./osum train --config FILE [--resume] [--out DIR] [--steps N] [--quiet]}: trains an OSUM model with
 * {@link Trainer} and writes the result in this project's layout ({@code <out>/model}, loadable by
 * {@code Osum.load}). The YAML/JSON file has four sections, paths relative to the file's folder:
 * <pre>
 * model:     {dir: OSUM_MODEL_DIR}  or  {init: random, config: FILE_OR_MAPPING (own-format OsumConfig), seed, std}
 * tokenizer: {vocab_size: N}        (init: random only: BPE built from the train lists' texts and the prompts)
 * data:      {train: [{list: X.jsonl, weight: W}, ...], dev: Y.jsonl, max_frames_in_batch, max_seq_in_batch, augment,
 *             dev_decode_per_task: N (each validation also decodes N dev utterances per task, greedy, and scores
 *             them: WER, label accuracy, AAS, answer accuracy per task; 0 = loss only, the default)}
 * train:     TrainConfig keys (seed, steps, optimizer, schedule, stage, output_dir, ...)
 * objective: {ctc_weight: W}   (optional, not OSUM: an auxiliary CTC loss on the adapter's speech frames against
 *            the transcript, scored with the LLM's token table; see OsumTrainable; default 0 = OSUM's loss only)
 * </pre>
 * This class reads files and wires the parts; the step is {@link OsumTrainable}, the loop {@link Trainer}.
 */
public final class Train implements Main.Command {

    /** The final model's folder inside the output folder. */
    public static final String MODEL_DIR = "model";
    /** A tokenizer built for a from-scratch model, kept beside the checkpoints so a resumed run uses the same one. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    private static final Set<String> SECTIONS = Set.of("model", "tokenizer", "data", "train", "objective");
    private static final Set<String> MODEL_KEYS = Set.of("dir", "init", "config", "seed", "std");
    private static final Set<String> DATA_KEYS = Set.of("train", "dev", "max_frames_in_batch", "max_seq_in_batch", "augment",
            "dev_decode_per_task");
    private static final double DEFAULT_INIT_STD = 0.02;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    public Train() {
        this(System.out);
    }

    Train(PrintStream out) {
        this.out = out;
    }

    @Override
    public String summary() {
        return "train an OSUM model from a config (model, tokenizer, data lists, TrainConfig); --resume continues";
    }

    private static final String USAGE = """
            usage: ./osum train --config FILE [--resume] [--out DIR] [--steps N] [--quiet]
              --config  YAML/JSON with sections model, tokenizer, data, train (see models/tiny/train.yaml)
              --resume  continue from <output_dir>/checkpoints/latest (same seed and stage)
              --out     output folder (overrides train.output_dir)
              --steps   total optimizer steps (overrides train.steps)
              --quiet   no progress bar
            Writes checkpoints, train.csv/jsonl, validation.csv/jsonl and run.json into the output folder, and the
            final model (this project's layout, loadable with Osum.load) into <output_dir>/model.""";

    @Override
    public int run(String[] args) throws Exception {
        Path configFile = null, outDir = null;
        Long steps = null;
        boolean resume = false, quiet = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--config" -> configFile = Path.of(value(args, ++i, "--config"));
                case "--out" -> outDir = Path.of(value(args, ++i, "--out"));
                case "--steps" -> steps = Long.parseLong(value(args, ++i, "--steps"));
                case "--resume" -> resume = true;
                case "--quiet" -> quiet = true;
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (configFile == null) throw new IllegalArgumentException("--config is required\n" + USAGE);
        Path model = train(configFile, outDir, steps, resume, quiet);
        out.println("model written to " + model);
        return 0;
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) throw new IllegalArgumentException(opt + " needs a value");
        return args[i];
    }

    /** Runs the whole training described by {@code configFile}; returns the final model's folder. */
    public Path train(Path configFile, Path outOverride, Long stepsOverride, boolean resume, boolean quiet) throws IOException {
        String where = configFile.toString();
        Map<String, Object> root = readYaml(configFile);
        checkKeys(root, SECTIONS, where, "");
        Path base = configFile.toAbsolutePath().getParent();

        // --- train config (output_dir relative to the config's folder unless overridden)
        Map<String, Object> tm = new LinkedHashMap<>(section(root, "train", where));
        if (outOverride != null) tm.put("output_dir", outOverride.toString());
        else if (tm.get("output_dir") instanceof String s) tm.put("output_dir", base.resolve(s).normalize().toString());
        if (stepsOverride != null) tm.put("steps", stepsOverride);
        TrainConfig tc = TrainConfig.fromMap(tm, where + " train");
        Path outDir = tc.outputDir();
        Files.createDirectories(outDir);

        // --- data lists
        Map<String, Object> dm = section(root, "data", where);
        checkKeys(dm, DATA_KEYS, where, "data.");
        Map<String, Path> trainLists = new LinkedHashMap<>();
        Map<String, Double> weights = new LinkedHashMap<>();
        if (!(dm.get("train") instanceof List<?> tl) || tl.isEmpty())
            throw new IllegalArgumentException(where + ": data.train must be a non-empty list of {list, weight}");
        for (Object o : tl) {
            if (!(o instanceof Map<?, ?> e) || !(e.get("list") instanceof String l))
                throw new IllegalArgumentException(where + ": data.train entry " + o + " needs 'list: FILE.jsonl'");
            Path p = base.resolve(l).normalize();
            String name = p.getFileName().toString() + "#" + trainLists.size();
            trainLists.put(name, p);
            Object w = e.containsKey("weight") ? e.get("weight") : 1.0;
            if (!(w instanceof Number n) || n.doubleValue() <= 0)
                throw new IllegalArgumentException(where + ": data.train weight of " + l + " must be a positive number, got " + w);
            weights.put(name, n.doubleValue());
        }
        Path dev = dm.get("dev") instanceof String d ? base.resolve(d).normalize() : null;
        DynamicBatcher.Config osumBatching = DynamicBatcher.Config.osum();
        DynamicBatcher.Config batching = new DynamicBatcher.Config(
                intOr(dm, "max_frames_in_batch", osumBatching.maxFramesInBatch(), where),
                intOr(dm, "max_seq_in_batch", (int) osumBatching.maxSeqInBatch(), where),
                osumBatching.sortBuffer(), osumBatching.shuffleBuffer());
        boolean augment = !(dm.get("augment") instanceof Boolean b) || b;
        int decodePerTask = dm.containsKey("dev_decode_per_task") ? nonNegativeInt(dm, "dev_decode_per_task", where) : 0;

        // --- model and tokenizer
        Map<String, Object> mm = section(root, "model", where);
        checkKeys(mm, MODEL_KEYS, where, "model.");
        OsumModel model;
        Tokenizer tokenizer;
        String modelLabel;
        if (mm.get("dir") instanceof String dir) {
            Osum loaded = Osum.load(base.resolve(dir).normalize());
            model = loaded.model();
            tokenizer = loaded.tokenizer();
            modelLabel = loaded.source().toString();
        } else if ("random".equals(mm.get("init"))) {
            OsumConfig cfg = readModelConfig(mm.get("config"), base, where);
            tokenizer = tokenizerFor(root, cfg, trainLists.values(), outDir, where);
            if (tokenizer.vocabSize() > cfg.llm().vocabSize())
                throw new IllegalArgumentException(where + ": the tokenizer has " + tokenizer.vocabSize() + " ids, the LLM's vocab_size is "
                        + cfg.llm().vocabSize());
            int eod = tokenizer.endOfTextId();
            cfg = new OsumConfig(cfg.encoder(), cfg.adapter(), cfg.llm(), cfg.lora(), cfg.speechTokenNum(), eod, eod);
            long seed = mm.get("seed") instanceof Number n ? n.longValue() : tc.seed();
            double std = mm.get("std") instanceof Number n ? n.doubleValue() : DEFAULT_INIT_STD;
            model = OsumModel.random(cfg, seed, std);
            modelLabel = "random init (seed " + seed + ", std " + std + ")";
        } else {
            throw new IllegalArgumentException(where + ": model needs 'dir: OSUM_MODEL_DIR' or 'init: random' with 'config'");
        }

        // --- data pipeline
        LogMel logMel = LogMel.of(model.config().encoder().numMelBins());
        Examples examples = new Examples(TaskRegistry.osum(), tokenizer, false);
        Map<String, BatchSource<OsumBatch>> sources = new LinkedHashMap<>();
        trainLists.forEach((name, p) -> sources.put(name, OsumCollator.of(p, logMel, examples, Filter.osum(), batching).source()));
        BatchSource<OsumBatch> source = sources.size() == 1 ? sources.values().iterator().next() : new WeightedMixSource<>(sources, weights);

        double ctcWeight = 0;
        if (root.containsKey("objective")) {
            Map<String, Object> om = section(root, "objective", where);
            checkKeys(om, Set.of("ctc_weight"), where, "objective.");
            if (om.containsKey("ctc_weight")) {
                if (!(om.get("ctc_weight") instanceof Number n) || !(n.doubleValue() >= 0))
                    throw new IllegalArgumentException(where + ": objective.ctc_weight must be a number >= 0, got " + om.get("ctc_weight"));
                ctcWeight = ((Number) om.get("ctc_weight")).doubleValue();
            }
        }
        OsumTrainable trainable = (augment ? OsumTrainable.osum(model) : new OsumTrainable(model, null, null)).withCtcWeight(ctcWeight);
        Trainer.Builder<OsumBatch> b = Trainer.builder(trainable, source, tc)
                .runRecord(RuntimeInfo.runRecord("osum", modelLabel, Map.of()));
        if (quiet) b.quiet();
        List<OsumBatch> devBatches = dev == null ? List.of()
                : OsumCollator.of(dev, logMel, examples, Filter.osum(), batching).singles(tc.seed());
        Trainer<OsumBatch>[] self = new Trainer[1];
        DecodeValidator decodeValidator = dev != null && decodePerTask > 0
                ? new DecodeValidator(model, tokenizer, TaskRegistry.osum(), dev, decodePerTask) : null;
        if (!devBatches.isEmpty()) b.validator(step -> {
            Map<String, Map<String, Double>> m = new LinkedHashMap<>(self[0].lossValidator(devBatches, OsumBatch::task).validate(step));
            if (decodeValidator != null) {
                decodeValidator.validate(step).forEach((task, metrics) -> m.merge(task, metrics, (a, c) -> {
                    Map<String, Double> both = new LinkedHashMap<>(a);
                    both.putAll(c);
                    return both;
                }));
            }
            return m;
        });
        Trainer<OsumBatch> trainer = b.build();
        self[0] = trainer;
        if (resume && !trainer.resumeIfPossible())
            throw new IllegalArgumentException("--resume: no checkpoint in " + outDir.resolve("checkpoints"));
        out.println(RuntimeInfo.summary());
        StringBuilder lists = new StringBuilder();
        trainLists.forEach((name, p) -> lists.append(lists.length() == 0 ? "" : ", ").append(name).append(" (weight ").append(weights.get(name)).append(')'));
        out.println("data: " + lists + (sources.size() > 1 ? ", mixed by weight" : "") + (dev != null ? "; dev " + dev : ""));
        out.println("training " + trainer.trainable().size() + " of " + trainable.parameters().size() + " tensors (stage "
                + tc.stage() + ") from step " + trainer.step() + " to " + tc.steps() + ", output " + outDir);
        List<StepLog> log = trainer.run();
        if (!log.isEmpty()) {
            StepLog last = log.get(log.size() - 1);
            out.printf("step %d: loss %.4f, lr %.3g%n", last.step(), last.loss(), last.lr());
        }
        Path modelDir = outDir.resolve(MODEL_DIR);
        trainable.save(modelDir, tokenizer.json());
        return modelDir;
    }

    /** The model config of a train file with {@code model.init: random} (for inspecting it without training). */
    public static OsumConfig modelConfig(Path configFile) throws IOException {
        Map<String, Object> mm = section(readYaml(configFile), "model", configFile.toString());
        return readModelConfig(mm.get("config"), configFile.toAbsolutePath().getParent(), configFile.toString());
    }

    /**
     * The tokenizer of a from-scratch model: {@code <out>/tokenizer.json} when a previous run built it, else a
     * byte-level BPE trained on the train lists' texts and OSUM's prompts (deterministic), saved there.
     */
    private static Tokenizer tokenizerFor(Map<String, Object> root, OsumConfig cfg, Iterable<Path> lists, Path outDir, String where)
            throws IOException {
        Path saved = outDir.resolve(TOKENIZER_FILE);
        if (Files.isRegularFile(saved)) return Tokenizer.load(saved);
        Map<String, Object> tk = root.containsKey("tokenizer") ? section(root, "tokenizer", where) : Map.of();
        checkKeys(tk, Set.of("vocab_size"), where, "tokenizer.");
        int vocab = tk.get("vocab_size") instanceof Number n ? n.intValue() : cfg.llm().vocabSize();
        Set<String> texts = new LinkedHashSet<>(TaskRegistry.osum().allPrompts());
        for (Path l : lists) for (Utterance u : DataList.read(l)) if (u.txt() != null) texts.add(u.txt());
        String json = TokenizerBuilder.create().vocabSize(vocab).trainJson(new ArrayList<>(texts));
        Path tmp = outDir.resolve(TOKENIZER_FILE + ".tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, saved, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return Tokenizer.load(saved);
    }

    /** model.config: a path to an own-format config.json, or the same object inline. */
    private static OsumConfig readModelConfig(Object c, Path base, String where) throws IOException {
        if (c instanceof String file) {
            Path p = base.resolve(file).normalize();
            return OsumConfig.fromOwnJson(JSON.readTree(p.toFile()), p.toString());
        }
        if (c instanceof Map<?, ?> m) {
            JsonNode n = JSON.valueToTree(m);
            if (!n.has("format")) ((com.fasterxml.jackson.databind.node.ObjectNode) n).put("format", OsumConfig.OWN_FORMAT);
            return OsumConfig.fromOwnJson(n, where + " model.config");
        }
        throw new IllegalArgumentException(where + ": model.config must be a file name or a mapping (own-format OsumConfig), got " + c);
    }

    private static Map<String, Object> readYaml(Path file) throws IOException {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not valid YAML/JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> m)) throw new IllegalArgumentException(file + ": expected a mapping at the top");
        @SuppressWarnings("unchecked") Map<String, Object> out = (Map<String, Object>) m;
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> root, String key, String where) {
        Object v = root.get(key);
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException(where + ": section '" + key + "' is missing or not a mapping");
    }

    private static void checkKeys(Map<String, Object> m, Set<String> known, String where, String prefix) {
        for (String k : m.keySet())
            if (!known.contains(k)) throw new IllegalArgumentException(where + ": unknown key '" + prefix + k + "' (known: "
                    + new java.util.TreeSet<>(known) + ")");
    }

    private static int nonNegativeInt(Map<String, Object> m, String key, String where) {
        if (m.get(key) instanceof Integer i && i >= 0) return i;
        throw new IllegalArgumentException(where + ": data." + key + " must be a non-negative integer, got " + m.get(key));
    }

    private static int intOr(Map<String, Object> m, String key, int def, String where) {
        Object v = m.get(key);
        if (v == null) return def;
        if (v instanceof Integer i && i > 0) return i;
        throw new IllegalArgumentException(where + ": data." + key + " must be a positive integer, got " + v);
    }
}
