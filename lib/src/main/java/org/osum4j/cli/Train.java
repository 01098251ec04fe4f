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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.audio.SpecAugment;
import org.osum4j.audio.SpecSub;
import org.osum4j.eval.ErrorRate;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.train.BatchSource;
import org.osum4j.train.EncoderCtcTrainable;
import org.osum4j.train.Trainable;
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
 *            encoder_from: MODEL_DIR (optional: replace the encoder's weights by another model's, e.g. the output of
 *            an encoder_ctc stage; shapes must match)
 * tokenizer: {vocab_size: N}        (init: random only: BPE built from the train lists' texts and the prompts)
 * data:      {train: [{list: X.jsonl, weight: W}, ...], dev: Y.jsonl, max_frames_in_batch, max_seq_in_batch, augment,
 *             dev_decode_per_task: N (each validation also decodes N dev utterances per task, greedy, and scores
 *             them: WER, label accuracy, AAS, answer accuracy per task; 0 = loss only, the default),
 *             spec_augment: {time_masks, max_time_width, freq_masks, max_freq_width} (default OSUM's 2, 50, 2, 10),
 *             spec_sub: true|false (OSUM's SpecSub with augment; default true)}
 * train:     TrainConfig keys (seed, steps, optimizer, schedule, stage, output_dir, ...)
 * objective: {ctc_weight: W}   (optional, not OSUM: an auxiliary CTC loss on the adapter's speech frames against
 *            the transcript, scored with the LLM's token table; see OsumTrainable; default 0 = OSUM's loss only)
 *            {kind: encoder_ctc}  (not OSUM: pre-train the encoder alone by CTC on the transcript's letters, see
 *            EncoderCtcTrainable; validation adds greedy letter/word error rates; the model written is the whole
 *            OSUM model with the trained encoder, and its letter head beside it)
 * </pre>
 * This class reads files and wires the parts; the step is {@link OsumTrainable}, the loop {@link Trainer}.
 */
public final class Train implements Main.Command {

    /** The final model's folder inside the output folder. */
    public static final String MODEL_DIR = "model";
    /** A tokenizer built for a from-scratch model, kept beside the checkpoints so a resumed run uses the same one. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    private static final Set<String> SECTIONS = Set.of("model", "tokenizer", "data", "train", "objective");
    private static final Set<String> MODEL_KEYS = Set.of("dir", "init", "config", "seed", "std", "encoder_from");
    private static final Set<String> DATA_KEYS = Set.of("train", "dev", "max_frames_in_batch", "max_seq_in_batch", "augment",
            "spec_augment", "spec_sub", "dev_decode_per_task");
    private static final Set<String> SPEC_AUGMENT_KEYS = Set.of("time_masks", "max_time_width", "freq_masks", "max_freq_width");
    /** objective.kind: OSUM's loss (optionally + CTC on the adapter frames), or the encoder's CTC pre-training stage. */
    public static final String OBJECTIVE_OSUM = "osum";
    public static final String OBJECTIVE_ENCODER_CTC = "encoder_ctc";
    /** The letter head of an encoder CTC stage, written beside its model (not part of OSUM; Osum.load ignores it). */
    public static final String CTC_HEAD_FILE = "ctc_head.safetensors";
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
        SpecAugment.Config specAugment = specAugmentConfig(dm.get("spec_augment"), where);
        Object specSubFlag = dm.getOrDefault("spec_sub", Boolean.TRUE);
        if (!(specSubFlag instanceof Boolean)) throw new IllegalArgumentException(where + ": data.spec_sub must be true or false, got " + specSubFlag);
        SpecSub specSub = (Boolean) specSubFlag ? SpecSub.osum() : null;
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

        if (mm.get("encoder_from") instanceof String from) {
            modelLabel += ", encoder from " + copyEncoder(model, base.resolve(from).normalize());
        } else if (mm.containsKey("encoder_from")) {
            throw new IllegalArgumentException(where + ": model.encoder_from must be a model folder, got " + mm.get("encoder_from"));
        }

        // --- data pipeline
        LogMel logMel = LogMel.of(model.config().encoder().numMelBins());
        Examples examples = new Examples(TaskRegistry.osum(), tokenizer, false);
        Map<String, BatchSource<OsumBatch>> sources = new LinkedHashMap<>();
        trainLists.forEach((name, p) -> sources.put(name, OsumCollator.of(p, logMel, examples, Filter.osum(), batching).source()));
        BatchSource<OsumBatch> source = sources.size() == 1 ? sources.values().iterator().next() : new WeightedMixSource<>(sources, weights);

        double ctcWeight = 0;
        String kind = OBJECTIVE_OSUM;
        if (root.containsKey("objective")) {
            Map<String, Object> om = section(root, "objective", where);
            checkKeys(om, Set.of("ctc_weight", "kind"), where, "objective.");
            if (om.containsKey("ctc_weight")) {
                if (!(om.get("ctc_weight") instanceof Number n) || !(n.doubleValue() >= 0))
                    throw new IllegalArgumentException(where + ": objective.ctc_weight must be a number >= 0, got " + om.get("ctc_weight"));
                ctcWeight = ((Number) om.get("ctc_weight")).doubleValue();
            }
            if (om.containsKey("kind")) {
                kind = String.valueOf(om.get("kind"));
                if (!Set.of(OBJECTIVE_OSUM, OBJECTIVE_ENCODER_CTC).contains(kind))
                    throw new IllegalArgumentException(where + ": objective.kind must be '" + OBJECTIVE_OSUM + "' or '" + OBJECTIVE_ENCODER_CTC
                            + "', got '" + kind + "'");
                if (kind.equals(OBJECTIVE_ENCODER_CTC) && ctcWeight > 0)
                    throw new IllegalArgumentException(where + ": objective.ctc_weight belongs to kind '" + OBJECTIVE_OSUM
                            + "' (the auxiliary loss on the adapter frames); an encoder_ctc stage is CTC only");
            }
        }
        boolean encoderCtc = kind.equals(OBJECTIVE_ENCODER_CTC);
        OsumTrainable osumTrainable = (augment ? new OsumTrainable(model, new SpecAugment(specAugment), specSub)
                : new OsumTrainable(model, null, null)).withCtcWeight(ctcWeight);
        long headSeed = mm.get("seed") instanceof Number n ? n.longValue() : tc.seed();
        EncoderCtcTrainable ctcTrainable = encoderCtc ? new EncoderCtcTrainable(model.encoder(), augment ? new SpecAugment(specAugment) : null,
                ids -> tokenizer.decode(ids), headSeed, DEFAULT_INIT_STD) : null;
        Trainable<OsumBatch> trainable = encoderCtc ? ctcTrainable : osumTrainable;
        Trainer.Builder<OsumBatch> b = Trainer.builder(trainable, source, tc)
                .runRecord(RuntimeInfo.runRecord("osum", modelLabel, Map.of()));
        if (quiet) b.quiet();
        List<OsumBatch> devBatches = dev == null ? List.of()
                : OsumCollator.of(dev, logMel, examples, Filter.osum(), batching).singles(tc.seed());
        Trainer<OsumBatch>[] self = new Trainer[1];
        DecodeValidator decodeValidator = dev != null && decodePerTask > 0 && !encoderCtc
                ? new DecodeValidator(model, tokenizer, TaskRegistry.osum(), dev, decodePerTask) : null;
        if (!devBatches.isEmpty()) b.validator(step -> {
            Map<String, Map<String, Double>> m = new LinkedHashMap<>(self[0].lossValidator(devBatches, OsumBatch::task).validate(step));
            if (encoderCtc) m.put("all", greedyCtcErrorRates(ctcTrainable, devBatches));
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
        osumTrainable.save(modelDir, tokenizer.json());
        if (encoderCtc) {
            List<TensorData> head = new ArrayList<>();
            for (String n : List.of(EncoderCtcTrainable.HEAD_WEIGHT, EncoderCtcTrainable.HEAD_BIAS)) {
                INDArray a = ctcTrainable.parameters().get(n);
                head.add(TensorData.ofFloats(n, a.shape(), a.dup('c').data().asFloat()));
            }
            SafeTensors.write(modelDir.resolve(CTC_HEAD_FILE), head, Map.of("alphabet", EncoderCtcTrainable.ALPHABET.substring(1)));
        }
        return modelDir;
    }

    /**
     * Greedy CTC letter and word error rates of the encoder stage on the dev batches, as percentages (the
     * validation log's "all" row): whether the encoder listens, before any LLM is involved.
     */
    static Map<String, Double> greedyCtcErrorRates(EncoderCtcTrainable ctc, List<OsumBatch> batches) {
        List<String> refs = new ArrayList<>(), hyps = new ArrayList<>();
        for (OsumBatch b : batches) {
            refs.addAll(ctc.references(b));
            hyps.addAll(ctc.greedy(b));
        }
        return ctcErrorRates(refs, hyps);
    }

    /** Letter error rate ("cer") and word error rate ("wer") of parallel letter transcripts, in %. */
    static Map<String, Double> ctcErrorRates(List<String> refs, List<String> hyps) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("cer", 100 * ErrorRate.score(spelled(refs), spelled(hyps)).rate());
        m.put("wer", 100 * ErrorRate.score(refs, hyps).rate());
        return m;
    }

    /** Texts as letter sequences for the word scorer: each letter a token, word spaces as "|". */
    private static List<String> spelled(List<String> texts) {
        List<String> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            StringBuilder sb = new StringBuilder();
            for (char ch : t.toCharArray()) sb.append(sb.length() == 0 ? "" : " ").append(ch == ' ' ? '|' : ch);
            out.add(sb.toString());
        }
        return out;
    }

    /**
     * Replaces {@code model}'s encoder weights by those of the model in {@code dir} (same names and shapes, else an
     * error naming the tensor); returns the folder, for the run record.
     */
    static Path copyEncoder(OsumModel model, Path dir) throws IOException {
        Map<String, INDArray> from = Osum.load(dir).model().encoder().parameters();
        Map<String, INDArray> to = model.encoder().parameters();
        if (!from.keySet().equals(to.keySet()))
            throw new IllegalArgumentException("model.encoder_from " + dir + ": encoder tensors " + new java.util.TreeSet<>(from.keySet())
                    + " differ from this model's " + new java.util.TreeSet<>(to.keySet()));
        for (Map.Entry<String, INDArray> e : to.entrySet()) {
            INDArray src = from.get(e.getKey());
            if (!java.util.Arrays.equals(src.shape(), e.getValue().shape()))
                throw new IllegalArgumentException("model.encoder_from " + dir + ": tensor '" + e.getKey() + "' has shape "
                        + java.util.Arrays.toString(src.shape()) + ", this model's is " + java.util.Arrays.toString(e.getValue().shape()));
            e.getValue().assign(src.castTo(e.getValue().dataType()));
        }
        model.encoder().weightsChanged();
        return dir;
    }

    /** data.spec_augment: mask counts and widths, each defaulting to OSUM's. */
    private static SpecAugment.Config specAugmentConfig(Object v, String where) {
        SpecAugment.Config osum = SpecAugment.Config.osum();
        if (v == null) return osum;
        if (!(v instanceof Map<?, ?> raw)) throw new IllegalArgumentException(where + ": data.spec_augment must be a mapping of "
                + new java.util.TreeSet<>(SPEC_AUGMENT_KEYS) + ", got " + v);
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) raw;
        checkKeys(m, SPEC_AUGMENT_KEYS, where, "data.spec_augment.");
        int[] x = {osum.timeMasks(), osum.maxTimeWidth(), osum.freqMasks(), osum.maxFreqWidth()};
        String[] keys = {"time_masks", "max_time_width", "freq_masks", "max_freq_width"};
        for (int i = 0; i < keys.length; i++) {
            Object o = m.get(keys[i]);
            if (o == null) continue;
            if (!(o instanceof Integer n) || n < 0) throw new IllegalArgumentException(where + ": data.spec_augment." + keys[i]
                    + " must be a non-negative integer, got " + o);
            x[i] = n;
        }
        try {
            return new SpecAugment.Config(x[0], x[1], x[2], x[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": data.spec_augment: " + e.getMessage(), e);
        }
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
