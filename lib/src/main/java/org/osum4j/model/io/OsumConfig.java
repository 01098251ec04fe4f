package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Every dimension of an assembled OSUM model (spec §1): Whisper encoder, gxl adapter, Qwen2 LLM, LoRA and the
 * speech boundary rows, read from OSUM's own config ({@code osum_tiny}'s {@code config.json}, or a release YAML
 * beside the Qwen2 folder) or from this project's converted layout ({@value #OWN_FORMAT}). Also the expected
 * state-dict shapes in OSUM's names and {@link #describe()} (counts and memory from shapes, nothing
 * allocated). A plain record, no ND4J; the model is {@code org.osum4j.model.OsumModel}.
 *
 * @param encoder        speech encoder (Whisper-medium in OSUM)
 * @param adapter        downsampler + speech transformer + projection to the LLM width
 * @param llm            the Qwen2 decoder
 * @param lora           LoRA on the LLM, or null for a model without LoRA
 * @param speechTokenNum N of {@code speech_token_emded} [N + 2, H]: rows N and N + 1 are speech bos / eos
 *                       (OSUM: 4097); the other rows and {@code speaker_head} are never used for text
 * @param eodId          id appended to every training target ({@code dataset_conf.eod_id}; Qwen2: 151643)
 * @param promptPadId    id whose embedding fills prompt padding (OSUM: the tokenizer's eos, {@code <|endoftext|>})
 */
public record OsumConfig(WhisperConfig encoder, AdapterConfig adapter, Qwen2Config llm, LoraConfig lora,
                         int speechTokenNum, int eodId, int promptPadId) {

    /** {@code "format"} value of this project's converted layout ({@code ./osum convert}). */
    public static final String OWN_FORMAT = "osum4j-osum";
    /** Qwen2's {@code <|endoftext|>}, OSUM's eod and eos when a config does not say otherwise. */
    public static final int QWEN2_ENDOFTEXT = 151643;
    /** OSUM's LLM folder name inside a release / fixture folder when the config gives none. */
    public static final String DEFAULT_LLM_DIR = "llm";
    /** The OSUM-7B configuration (spec §1), a resource: whisper-medium encoder, gxl adapter, Qwen2-7B, LoRA r 8. */
    public static final String OSUM_7B_RESOURCE = "osum-7b.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public OsumConfig {
        if (encoder.dModel() != adapter.dModel()) {
            throw new IllegalArgumentException("OSUM config: encoder width " + encoder.dModel() + " != adapter width " + adapter.dModel());
        }
        if (adapter.llmHidden() != llm.hiddenSize()) {
            throw new IllegalArgumentException("OSUM config: adapter projects to " + adapter.llmHidden() + " but the LLM is "
                    + llm.hiddenSize() + " wide");
        }
        if (speechTokenNum < 0) throw new IllegalArgumentException("OSUM config: speech_token_num must be >= 0, got " + speechTokenNum);
        if (eodId < 0 || eodId >= llm.vocabSize()) {
            // OSUM hard-codes Qwen2's eod; a model whose vocabulary lacks it could never be trained on its targets.
            throw new IllegalArgumentException("OSUM config: eod_id " + eodId + " is outside the LLM vocabulary [0, " + llm.vocabSize() + ")");
        }
        if (promptPadId < 0 || promptPadId >= llm.vocabSize()) {
            throw new IllegalArgumentException("OSUM config: prompt pad id " + promptPadId + " is outside [0, " + llm.vocabSize() + ")");
        }
    }

    /** Row of {@code speech_token_emded} that opens the speech segment (OSUM {@code _add_bos_eos(0 + N, 1 + N)}). */
    public int speechBosRow() {
        return speechTokenNum;
    }

    /** Row that closes the speech segment. */
    public int speechEosRow() {
        return speechTokenNum + 1;
    }

    // ================================================================== reading

    /**
     * The config of a model folder in any supported layout: this project's {@code config.json} with
     * {@code "format": "osum4j-osum"}; OSUM's fixture / export {@code config.json} with an {@code "osum"}
     * section; or a folder holding one OSUM YAML (release layout) and the Qwen2 folder its {@code llm_path} names.
     */
    public static OsumConfig read(Path dir) throws IOException {
        Path json = dir.resolve("config.json");
        if (Files.isRegularFile(json)) {
            JsonNode root = readJson(json);
            if (OWN_FORMAT.equals(root.path("format").asText())) return fromOwnJson(root, json.toString());
            if (root.has("osum")) return readOsum(json, dir);
        }
        List<Path> yamls = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().forEach(yamls::add);
        }
        if (yamls.size() == 1) return readOsum(yamls.get(0), dir);
        throw new IOException(dir + ": no OSUM config: expected config.json (\"format\": \"" + OWN_FORMAT
                + "\" or an \"osum\" section) or exactly one OSUM *.yaml, found " + yamls);
    }

    /**
     * From an OSUM config file (JSON with an {@code "osum"} section, or OSUM's YAML). The Qwen2 dimensions come
     * from the file's {@code qwen2_config} section when present, else from {@code <llm_path>/config.json}
     * resolved against {@code dir} (falling back to {@code dir/llm} when llm_path is absolute or absent there).
     */
    public static OsumConfig readOsum(Path file, Path dir) throws IOException {
        String where = file.toString();
        Map<String, Object> root = SpeechConfigKeys.readMap(file);
        Map<String, Object> osum = root.get("osum") instanceof Map<?, ?> ? SpeechConfigKeys.section(root, "osum", where) : root;
        Qwen2Config llm;
        if (root.get("qwen2_config") instanceof Map<?, ?> q) {
            llm = Qwen2Config.fromJson(JSON.valueToTree(q), where + " qwen2_config");
        } else {
            llm = Qwen2Config.read(llmDir(osum, dir).resolve("config.json"));
        }
        WhisperConfig enc = WhisperConfig.fromOsum(osum, WhisperConfig.OSUM_MAX_SOURCE_POSITIONS, where);
        AdapterConfig ad = root.get("derived") instanceof Map<?, ?>
                ? AdapterConfig.fromOsumFixtureConfig(file)           // sizes OSUM hard-codes, overridden and recorded
                : AdapterConfig.fromOsum(osum, llm.hiddenSize(), where);
        LoraConfig lora = null;
        if (Boolean.TRUE.equals(osum.get("use_lora"))) {
            LoraConfig d = LoraConfig.osum();
            Set<String> targets = d.targetModules();
            if (root.get("peft_lora_config") instanceof Map<?, ?> peft && peft.get("target_modules") instanceof List<?> t) {
                targets = new TreeSet<>();
                for (Object o : t) targets.add(String.valueOf(o));
            }
            lora = new LoraConfig(intOr(osum, "lora_rank", d.r(), where), doubleOr(osum, "lora_alpha", d.alpha(), where),
                    doubleOr(osum, "lora_dropout", d.dropout(), where), targets);
        }
        Object n = osum.get("speech_token_num");
        if (!(n instanceof Number)) throw new IllegalArgumentException(where + ": no integer 'speech_token_num' (OSUM: 4097)");
        int eod = QWEN2_ENDOFTEXT;
        if (osum.get("dataset_conf") instanceof Map<?, ?> dc && dc.get("eod_id") instanceof Number e) eod = e.intValue();
        int pad = eod;
        if (root.get("derived") instanceof Map<?, ?> der) {
            for (Map.Entry<?, ?> e : der.entrySet()) {
                if (String.valueOf(e.getKey()).startsWith("prompt_pad_id") && e.getValue() instanceof Number p) pad = p.intValue();
            }
        }
        return new OsumConfig(enc, ad, llm, lora, ((Number) n).intValue(), eod, pad);
    }

    /** Where the LLM (config + tokenizer) of an OSUM folder lives. */
    public static Path llmDir(Map<String, Object> osum, Path dir) {
        Object p = osum.get("llm_path");
        if (p == null && osum.get("tokenizer_conf") instanceof Map<?, ?> tc) p = tc.get("llm_path");
        if (p != null) {
            Path c = dir.resolve(String.valueOf(p));
            if (Files.isDirectory(c)) return c;
        }
        return dir.resolve(DEFAULT_LLM_DIR);
    }

    /** The OSUM-7B configuration of spec §1 (resource {@value #OSUM_7B_RESOURCE}). */
    public static OsumConfig osum7b() {
        try (InputStream in = OsumConfig.class.getResourceAsStream(OSUM_7B_RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource " + OSUM_7B_RESOURCE + " missing beside " + OsumConfig.class.getName());
            return fromOwnJson(JSON.readTree(in), OSUM_7B_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException(OSUM_7B_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Parses this project's own config JSON (see {@link #toOwnJson()}). */
    public static OsumConfig fromOwnJson(JsonNode root, String where) {
        try {
            WhisperConfig enc = JSON.treeToValue(need(root, "encoder", where), WhisperConfig.class);
            AdapterConfig ad = JSON.treeToValue(need(root, "adapter", where), AdapterConfig.class);
            Qwen2Config llm = Qwen2Config.fromJson(need(root, "llm", where), where + " llm");
            JsonNode l = root.get("lora");
            LoraConfig lora = null;
            if (l != null && !l.isNull()) {
                Set<String> t = new TreeSet<>();
                need(l, "target_modules", where + " lora").forEach(x -> t.add(x.asText()));
                lora = new LoraConfig(need(l, "r", where + " lora").asInt(), need(l, "alpha", where + " lora").asDouble(),
                        l.path("dropout").asDouble(0), t);
            }
            return new OsumConfig(enc, ad, llm, lora, need(root, "speech_token_num", where).asInt(),
                    need(root, "eod_id", where).asInt(), need(root, "prompt_pad_id", where).asInt());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": " + e.getOriginalMessage(), e);
        }
    }

    // ================================================================== writing

    /** This project's config JSON: the four records plus the speech rows and special ids. */
    public ObjectNode toOwnJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", OWN_FORMAT);
        o.set("encoder", JSON.valueToTree(encoder));
        o.set("adapter", JSON.valueToTree(adapter));
        o.set("llm", qwen2Json(llm));
        if (lora == null) o.putNull("lora");
        else {
            ObjectNode l = o.putObject("lora");
            l.put("r", lora.r());
            l.put("alpha", lora.alpha());
            l.put("dropout", lora.dropout());
            ArrayNode t = l.putArray("target_modules");
            new TreeSet<>(lora.targetModules()).forEach(t::add);
        }
        o.put("speech_token_num", speechTokenNum);
        o.put("eod_id", eodId);
        o.put("prompt_pad_id", promptPadId);
        return o;
    }

    /**
     * OSUM's own config layout (as the {@code osum_tiny} fixture's {@code config.json}): an {@code osum} section
     * with the YAML keys OSUM's {@code init_model} reads, {@code derived} with the adapter sizes OSUM hard-codes
     * (so a non-7B adapter round-trips), {@code qwen2_config} and {@code peft_lora_config}.
     */
    public ObjectNode toOsumJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode o = root.putObject("osum");
        o.put("model", "llmasr");
        o.put("tokenizer", "huggingface");
        o.putObject("tokenizer_conf").put("llm_path", DEFAULT_LLM_DIR);
        o.put("use_lora", lora != null);
        if (lora != null) {
            o.put("lora_alpha", lora.alpha());
            o.put("lora_rank", lora.r());
            o.put("lora_dropout", lora.dropout());
        }
        o.put("speech_token_num", speechTokenNum);
        o.put("downsample_rate", 4);
        o.put("adapter_type", "gxl");
        o.put("llm_path", DEFAULT_LLM_DIR);
        o.put("encoder", "transformer");
        ObjectNode ec = o.putObject("encoder_conf");
        ec.put("activation_type", "gelu");
        ec.put("attention_heads", encoder.encoderAttentionHeads());
        ec.put("input_layer", "conv1d2");
        ec.put("key_bias", false);
        ec.put("linear_units", encoder.encoderFfnDim());
        ec.put("normalize_before", true);
        ec.put("num_blocks", encoder.encoderLayers());
        ec.put("output_size", encoder.dModel());
        ec.put("pos_enc_layer_type", "abs_pos_whisper");
        ec.put("static_chunk_size", -1);
        ec.put("use_dynamic_chunk", false);
        o.put("input_dim", encoder.numMelBins());
        o.putObject("dataset_conf").put("eod_id", eodId);
        ObjectNode d = root.putObject("derived");
        d.putObject("encoder").put("output_size", encoder.dModel());
        d.putObject("llm").put("hidden_size", llm.hiddenSize());
        ObjectNode st = d.putObject("speech_transformer");
        st.put("num_blocks", adapter.numLayers());
        st.put("attention_heads", adapter.numHeads());
        st.put("linear_units", adapter.ffnDim());
        st.put("activation", adapter.activation());
        st.put("key_bias", true);
        st.put("norm_eps", adapter.layerNormEps());
        d.put("prompt_pad_id (tokenizer.eos_token_id)", promptPadId);
        root.set("qwen2_config", qwen2Json(llm));
        if (lora != null) {
            ObjectNode p = root.putObject("peft_lora_config");
            p.put("peft_type", "LORA");
            p.put("r", lora.r());
            p.put("lora_alpha", lora.alpha());
            p.put("lora_dropout", lora.dropout());
            ArrayNode t = p.putArray("target_modules");
            new TreeSet<>(lora.targetModules()).forEach(t::add);
        }
        return root;
    }

    /** A HF {@code config.json} for the LLM (the keys {@link Qwen2Config#fromJson} reads, plus HF's identity keys). */
    public static ObjectNode qwen2Json(Qwen2Config c) {
        ObjectNode q = JSON.createObjectNode();
        q.putArray("architectures").add("Qwen2ForCausalLM");
        q.put("model_type", "qwen2");
        q.put("hidden_act", "silu");
        q.put("vocab_size", c.vocabSize());
        q.put("hidden_size", c.hiddenSize());
        q.put("intermediate_size", c.intermediateSize());
        q.put("num_hidden_layers", c.numLayers());
        q.put("num_attention_heads", c.numHeads());
        q.put("num_key_value_heads", c.numKvHeads());
        q.put("rms_norm_eps", c.rmsNormEps());
        q.put("rope_theta", c.ropeTheta());
        q.put("tie_word_embeddings", c.tieWordEmbeddings());
        q.put("max_position_embeddings", c.maxPositionEmbeddings());
        q.put("use_sliding_window", false);
        q.put("torch_dtype", "float32");
        return q;
    }

    /** Writes {@code node} as pretty JSON, atomically (temporary file in the same folder, then a rename). */
    public static void writeJson(Path file, JsonNode node) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), node);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ================================================================== shapes and describe()

    /**
     * The tensors an OSUM state dict must hold for this config, OSUM names in {@code infer.pt} order, with
     * their shapes. {@code withUnused} adds what OSUM saves but never uses ({@code ln_speech},
     * {@code speaker_head}); {@code withBuffers} the two positional tables ({@code pe}, buffers, not trained).
     * The top-level aliases {@code embed_tokens.weight} / {@code lm_head.weight} are never listed.
     */
    public Map<String, long[]> osumShapes(boolean withUnused, boolean withBuffers) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = encoder.dModel(), fe = encoder.encoderFfnDim(), n = encoder.numMelBins(), k = adapter.convKernel();
        s.put("encoder.embed.conv.0.weight", new long[]{d, n, 3});
        s.put("encoder.embed.conv.0.bias", new long[]{d});
        s.put("encoder.embed.conv.2.weight", new long[]{d, d, 3});
        s.put("encoder.embed.conv.2.bias", new long[]{d});
        if (withBuffers) s.put("encoder.embed.pos_enc.pe", new long[]{1, encoder.maxSourcePositions(), d});
        s.put("encoder.after_norm.weight", new long[]{d});
        s.put("encoder.after_norm.bias", new long[]{d});
        for (int i = 0; i < encoder.encoderLayers(); i++) block(s, "encoder.encoders." + i + ".", d, fe, false);
        if (withUnused) {
            s.put("ln_speech.weight", new long[]{d});
            s.put("ln_speech.bias", new long[]{d});
        }
        s.put("speech_transformer.embed.out.0.weight", new long[]{d, d});
        s.put("speech_transformer.embed.out.0.bias", new long[]{d});
        s.put("speech_transformer.embed.out.1.weight", new long[]{d});
        s.put("speech_transformer.embed.out.1.bias", new long[]{d});
        if (withBuffers) s.put("speech_transformer.embed.pos_enc.pe", new long[]{1, adapter.maxPositions(), d});
        s.put("speech_transformer.after_norm.weight", new long[]{d});
        s.put("speech_transformer.after_norm.bias", new long[]{d});
        for (int i = 0; i < adapter.numLayers(); i++) block(s, "speech_transformer.encoders." + i + ".", d, adapter.ffnDim(), true);
        llmShapes(s);
        for (int i = 0; i < adapter.convStrides().size(); i++) {
            s.put("down_sample_2.conv." + (3 * i + 1) + ".weight", new long[]{d, d, k});
            s.put("down_sample_2.conv." + (3 * i + 1) + ".bias", new long[]{d});
        }
        long h = llm.hiddenSize();
        s.put("speech_llama_proj.weight", new long[]{h, d});
        s.put("speech_llama_proj.bias", new long[]{h});
        s.put(NameMapping.SPEECH_TABLE, new long[]{speechTokenNum + 2L, h});
        if (withUnused) {
            s.put("speaker_head.weight", new long[]{speechTokenNum, h});
            s.put("speaker_head.bias", new long[]{speechTokenNum});
        }
        return s;
    }

    private static void block(Map<String, long[]> s, String p, long d, long f, boolean keyBias) {
        s.put(p + "self_attn.linear_q.weight", new long[]{d, d});
        s.put(p + "self_attn.linear_q.bias", new long[]{d});
        s.put(p + "self_attn.linear_k.weight", new long[]{d, d});
        if (keyBias) s.put(p + "self_attn.linear_k.bias", new long[]{d});
        s.put(p + "self_attn.linear_v.weight", new long[]{d, d});
        s.put(p + "self_attn.linear_v.bias", new long[]{d});
        s.put(p + "self_attn.linear_out.weight", new long[]{d, d});
        s.put(p + "self_attn.linear_out.bias", new long[]{d});
        s.put(p + "feed_forward.w_1.weight", new long[]{f, d});
        s.put(p + "feed_forward.w_1.bias", new long[]{f});
        s.put(p + "feed_forward.w_2.weight", new long[]{d, f});
        s.put(p + "feed_forward.w_2.bias", new long[]{d});
        s.put(p + "norm1.weight", new long[]{d});
        s.put(p + "norm1.bias", new long[]{d});
        s.put(p + "norm2.weight", new long[]{d});
        s.put(p + "norm2.bias", new long[]{d});
    }

    /** The peft-wrapped Qwen2 under {@code llama_model.base_model.model.} (plain {@code llama_model.} without LoRA). */
    private void llmShapes(Map<String, long[]> s) {
        String pre = lora != null ? NameMapping.PEFT_PREFIX : NameMapping.PLAIN_LLM_PREFIX;
        long h = llm.hiddenSize(), v = llm.vocabSize(), i = llm.intermediateSize();
        long q = (long) llm.numHeads() * llm.headDim(), kv = (long) llm.numKvHeads() * llm.headDim();
        s.put(pre + "model.embed_tokens.weight", new long[]{v, h});
        for (int l = 0; l < llm.numLayers(); l++) {
            String p = pre + "model.layers." + l + ".";
            linear(s, p + "self_attn.", "q_proj", q, h, true);
            linear(s, p + "self_attn.", "k_proj", kv, h, true);
            linear(s, p + "self_attn.", "v_proj", kv, h, true);
            linear(s, p + "self_attn.", "o_proj", h, q, false);
            linear(s, p + "mlp.", "gate_proj", i, h, false);
            linear(s, p + "mlp.", "up_proj", i, h, false);
            linear(s, p + "mlp.", "down_proj", h, i, false);
            s.put(p + "input_layernorm.weight", new long[]{h});
            s.put(p + "post_attention_layernorm.weight", new long[]{h});
        }
        s.put(pre + "model.norm.weight", new long[]{h});
        if (!llm.tieWordEmbeddings()) s.put(pre + "lm_head.weight", new long[]{v, h});
    }

    private void linear(Map<String, long[]> s, String base, String module, long out, long in, boolean bias) {
        boolean wrapped = lora != null && lora.targets(module);
        String stem = base + module + (wrapped ? ".base_layer" : "");
        s.put(stem + ".weight", new long[]{out, in});
        if (bias) s.put(stem + ".bias", new long[]{out});
        if (wrapped) {
            s.put(base + module + ".lora_A.default.weight", new long[]{lora.r(), in});
            s.put(base + module + ".lora_B.default.weight", new long[]{out, lora.r()});
        }
    }

    /** Which part of OSUM an OSUM state-dict name belongs to, for {@link #describe()}. */
    public static String partOf(String name) {
        if (name.contains(".lora_A.") || name.contains(".lora_B.")) return "lora";
        if (name.startsWith("llama_model.")) return "llm (Qwen2)";
        if (name.startsWith("encoder.")) return "encoder";
        if (name.startsWith("down_sample_2.") || name.startsWith("speech_transformer.") || name.startsWith("speech_llama_proj.")) {
            return "adapter";
        }
        if (name.startsWith("speech_token_emded.") || name.startsWith("speaker_head.")) return "speech emb + spk head";
        return "unused (ln_speech)";
    }

    /**
     * Parameter counts per part and memory per dtype of the full OSUM state dict as OSUM saves it (unused
     * modules and the two positional tables included, as in the usual "Whisper-medium encoder ≈ 307 M" count;
     * the alias entries excluded), from shapes alone: nothing is allocated, so this works for OSUM-7B anywhere.
     */
    public Describe describe() {
        Map<String, long[]> shapes = osumShapes(true, true);
        Map<String, DType> dtypes = new LinkedHashMap<>();
        shapes.keySet().forEach(k -> dtypes.put(k, DType.F32));
        return Describe.of(shapes, dtypes, (Function<String, String>) OsumConfig::partOf);
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode need(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException(where + ": no '" + key + "'");
        return v;
    }

    private static int intOr(Map<String, Object> m, String key, int dflt, String where) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number x) || x.doubleValue() != Math.rint(x.doubleValue())) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be an integer, got " + v);
        }
        return x.intValue();
    }

    private static double doubleOr(Map<String, Object> m, String key, double dflt, String where) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number x)) throw new IllegalArgumentException(where + ": '" + key + "' must be a number, got " + v);
        return x.doubleValue();
    }
}
