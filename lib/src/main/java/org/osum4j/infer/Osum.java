package org.osum4j.infer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.data.TaskRegistry;
import org.osum4j.model.OsumModel;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.NameMapping;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.nn.Sinusoids;
import org.osum4j.text.Qwen2TokenizerConverter;
import org.osum4j.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notebook entry point to a whole OSUM model: {@code Osum.load(dir)} gives the assembled {@link OsumModel},
 * its {@link Tokenizer} and the {@link TaskRegistry}. It reads two layouts:
 * <ul>
 *   <li>OSUM's release layout: {@code infer.pt} (or safetensors with OSUM's names, as {@link #export} writes)
 *       + OSUM's config ({@code config.json} with an {@code osum} section, or the YAML) + the Qwen2 folder
 *       ({@code llm/}: config and {@code vocab.json}/{@code merges.txt} or {@code tokenizer.json});</li>
 *   <li>this project's layout ({@link #convert}): sharded safetensors with canonical names
 *       ({@code NameMapping}), {@code config.json} ({@value OsumConfig#OWN_FORMAT}) and {@code tokenizer.json}.</li>
 * </ul>
 * Loading, converting and exporting only; the math is in {@code org.osum4j.model}, decoding in {@code infer.decode}.
 */
public final class Osum implements AutoCloseable {

    /** OSUM's released checkpoint file name. */
    public static final String OSUM_CHECKPOINT = "infer.pt";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String CONFIG_JSON = "config.json";

    /** Which layout a folder was loaded from. */
    public enum Layout {
        /** OSUM's names (infer.pt or exported safetensors) with OSUM's config and the Qwen2 folder. */
        OSUM,
        /** This project's canonical sharded safetensors + own config + tokenizer.json. */
        OWN
    }

    private final Path source;
    private final Layout layout;
    private final OsumModel model;
    private final Tokenizer tokenizer;
    private final TaskRegistry tasks;

    private Osum(Path source, Layout layout, OsumModel model, Tokenizer tokenizer, TaskRegistry tasks) {
        this.source = source;
        this.layout = layout;
        this.model = model;
        this.tokenizer = tokenizer;
        this.tasks = tasks;
    }

    /** Loads a model folder in either layout, with OSUM's task registry. */
    public static Osum load(Path dir) throws IOException {
        OsumConfig cfg = OsumConfig.read(dir);
        Layout layout = isOwnLayout(dir) ? Layout.OWN : Layout.OSUM;
        OsumModel m = OsumModel.fromOsumTensors(cfg, osumStateDict(dir, cfg), dir);
        return new Osum(dir, layout, m, Tokenizer.load(tokenizerPath(dir)), TaskRegistry.osum());
    }

    /**
     * A facade over a model held in memory (e.g. the one a trainer is updating), so that validation decodes with
     * exactly the inference path. {@code source} only labels it.
     */
    public static Osum of(OsumModel model, Tokenizer tokenizer, TaskRegistry tasks, Path source) {
        return new Osum(java.util.Objects.requireNonNull(source, "source"), Layout.OWN, java.util.Objects.requireNonNull(model, "model"),
                java.util.Objects.requireNonNull(tokenizer, "tokenizer"), java.util.Objects.requireNonNull(tasks, "tasks"));
    }

    public OsumModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public TaskRegistry tasks() {
        return tasks;
    }

    public OsumConfig config() {
        return model.config();
    }

    public Path source() {
        return source;
    }

    public Layout layout() {
        return layout;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "Osum[" + layout + " " + source + ", " + model + ", tokenizer " + tokenizer.vocabSize() + " ids]";
    }

    // ================================================================== one-utterance convenience

    /** A prompt as OSUM tokenizes it: no special tokens, no chat template (spec §2.4). */
    public long[] promptIds(String prompt) {
        return tokenizer.encode(prompt);
    }

    /**
     * Greedy decoding of one utterance, OSUM's {@code generate} with {@code num_beams 1, do_sample False}:
     * features [T, n_mels] (unpadded log-mel) and the prompt text; the ids up to (not including) the first eod.
     * It always runs {@code maxNewTokens} steps; beam search, sampling, penalties and early stopping are
     * {@code infer.decode}'s job.
     */
    public long[] greedyIds(String prompt, INDArray features, int maxNewTokens) {
        OsumModel.Prefill p = model.prefill(new long[][]{promptIds(prompt)}, List.of(features));
        long[] ids = model.greedy(p, maxNewTokens, null)[0];
        int n = 0;
        while (n < ids.length && ids[n] != model.config().eodId()) n++;
        return Arrays.copyOf(ids, n);
    }

    /** Batched, windowed inference over this model with deterministic defaults (greedy, default prompts). */
    public Inference inference() {
        return Inference.of(this);
    }

    /** {@link #greedyIds} decoded to text, special tokens skipped. */
    public String greedyText(String prompt, INDArray features, int maxNewTokens) {
        return tokenizer.decode(greedyIds(prompt, features, maxNewTokens), true);
    }

    // ================================================================== weights in OSUM's names

    /**
     * The weights of a model folder under OSUM's state-dict names (lazy, memory-mapped views; nothing copied):
     * {@code infer.pt} when present, else whatever checkpoint {@link Checkpoints#open} finds; canonical names
     * are mapped back with the carried-over extras, or with {@code speech_token_num} zero rows when none were kept.
     */
    public static Map<String, TensorData> osumStateDict(Path dir, OsumConfig cfg) throws IOException {
        Path pt = dir.resolve(OSUM_CHECKPOINT);
        Map<String, TensorData> w = Files.isRegularFile(pt) ? Checkpoints.open(pt) : Checkpoints.open(dir);
        if (NameMapping.isOsumNaming(w.keySet())) return withPositionTables(w, cfg);
        NameMapping.OsumImport imp = NameMapping.toCanonical(w);
        return withPositionTables(imp.speechTable() != null ? NameMapping.toOsum(imp.canonical(), imp)
                : NameMapping.toOsum(imp.canonical(), cfg.speechTokenNum()), cfg);
    }

    /** OSUM's names of the two sinusoid position buffers (encoder: Whisper layout; adapter: wenet's interleaved). */
    static final String ENCODER_POSITIONS = "encoder.embed.pos_enc.pe";
    static final String ADAPTER_POSITIONS = "speech_transformer.embed.pos_enc.pe";

    /**
     * The state dict with the two position buffers added where absent: a training checkpoint
     * ({@code checkpoints/step-N/} of {@code ./osum train}) stores only parameters, and these buffers are never
     * trained, so they are the sinusoid tables the model was initialised with. Tables present in the file are
     * kept as they are (a release or a golden fixture may carry its own).
     */
    static Map<String, TensorData> withPositionTables(Map<String, TensorData> w, OsumConfig cfg) {
        if (w.containsKey(ENCODER_POSITIONS) && w.containsKey(ADAPTER_POSITIONS)) return w;
        Map<String, TensorData> out = new LinkedHashMap<>(w);
        int encPositions = cfg.encoder().maxSourcePositions(), encD = cfg.encoder().dModel();
        int adPositions = cfg.adapter().maxPositions(), adD = cfg.adapter().dModel();
        out.putIfAbsent(ENCODER_POSITIONS, TensorData.ofFloats(ENCODER_POSITIONS, new long[]{1, encPositions, encD},   // [1, P, D]
                Sinusoids.whisper(encPositions, encD).data().asFloat()));
        out.putIfAbsent(ADAPTER_POSITIONS, TensorData.ofFloats(ADAPTER_POSITIONS, new long[]{1, adPositions, adD},      // [1, P, D]
                Sinusoids.interleaved(adPositions, adD).data().asFloat()));
        return out;
    }

    private static boolean isOwnLayout(Path dir) throws IOException {
        Path c = dir.resolve(CONFIG_JSON);
        return Files.isRegularFile(c) && Files.readString(c).contains("\"" + OsumConfig.OWN_FORMAT + "\"");
    }

    /** {@code tokenizer.json} beside the config, else the Qwen2 folder {@code llm/}. */
    private static Path tokenizerPath(Path dir) throws IOException {
        Path tj = dir.resolve(TOKENIZER_JSON);
        if (Files.isRegularFile(tj)) return tj;
        Path llm = dir.resolve(OsumConfig.DEFAULT_LLM_DIR);
        if (Files.isDirectory(llm)) return llm;
        throw new IOException(dir + ": no tokenizer: expected " + TOKENIZER_JSON + " or a " + OsumConfig.DEFAULT_LLM_DIR
                + "/ folder with tokenizer.json or vocab.json + merges.txt");
    }

    // ================================================================== convert and export

    /**
     * OSUM's release layout → this project's: canonical names in sharded safetensors (OSUM-only tensors kept
     * under {@code osum_extra.} so that {@link #export} restores the complete state dict), {@code config.json}
     * and {@code tokenizer.json}. With {@code bf16}, F32 tensors are stored as BF16 (round to nearest even).
     */
    public static void convert(Path in, Path out, boolean bf16) throws IOException {
        OsumConfig cfg = OsumConfig.read(in);
        Map<String, TensorData> osum = osumStateDict(in, cfg);
        // names without a canonical form (a newer OSUM) travel as osum_extra.* too, so nothing is lost
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        Files.createDirectories(out);
        Checkpoints.writeSharded(out, imp.withExtras().values(), Checkpoints.DEFAULT_MAX_SHARD_BYTES, bf16,
                Map.of("format", OsumConfig.OWN_FORMAT));
        OsumConfig.writeJson(out.resolve(CONFIG_JSON), cfg.toOwnJson());
        writeTokenizer(tokenizerPath(in), out.resolve(TOKENIZER_JSON));
    }

    /**
     * This project's layout → OSUM's names, for the Python tool chain: sharded safetensors keyed like
     * {@code infer.pt} (aliases included), {@code config.json} in OSUM's layout (an {@code osum} section with
     * its YAML keys, the adapter sizes OSUM hard-codes, {@code qwen2_config}), and {@code llm/} with the HF
     * config and {@code tokenizer.json}. Dtypes are kept as stored.
     */
    public static void export(Path in, Path out) throws IOException {
        OsumConfig cfg = OsumConfig.read(in);
        Map<String, TensorData> osum = osumStateDict(in, cfg);
        Files.createDirectories(out);
        Checkpoints.writeSharded(out, osum.values(), Checkpoints.DEFAULT_MAX_SHARD_BYTES, false, Map.of("format", "pt"));
        OsumConfig.writeJson(out.resolve(CONFIG_JSON), cfg.toOsumJson());
        Path llm = out.resolve(OsumConfig.DEFAULT_LLM_DIR);
        OsumConfig.writeJson(llm.resolve(CONFIG_JSON), OsumConfig.qwen2Json(cfg.llm()));
        writeTokenizer(tokenizerPath(in), llm.resolve(TOKENIZER_JSON));
    }

    /** A tokenizer.json file copied, or a Qwen2 vocab/merges folder converted to one; atomic. */
    private static void writeTokenizer(Path from, Path to) throws IOException {
        Files.createDirectories(to.toAbsolutePath().getParent());
        if (Files.isRegularFile(from)) {
            Path tmp = Files.createTempFile(to.toAbsolutePath().getParent(), "." + to.getFileName(), ".tmp");
            try {
                Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } else if (Files.isRegularFile(from.resolve(TOKENIZER_JSON))) {
            writeTokenizer(from.resolve(TOKENIZER_JSON), to);
        } else {
            Qwen2TokenizerConverter.convert(from, to);
        }
    }
}
