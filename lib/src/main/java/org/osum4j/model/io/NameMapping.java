package org.osum4j.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tensor names of OSUM's checkpoint ({@code infer.pt}: WeNet encoder, {@code down_sample_2},
 * {@code speech_transformer}, peft-wrapped {@code llama_model}) to and from this project's canonical names,
 * which are the Hugging Face-style names of the PyTorch baseline ({@code shared/bench/osum_torch.py}):
 * <pre>
 *   encoder.{conv1,conv2}.*  encoder.embed_positions.weight [max, D]  encoder.layers.i.self_attn.{q,k,v,out}_proj.*
 *   encoder.layers.i.{self_attn_layer_norm,fc1,fc2,final_layer_norm}.*  encoder.layer_norm.*
 *   adapter.convs.{0,1,2}.*  adapter.input_linear.*  adapter.input_norm.*  adapter.embed_positions [max, D]
 *   adapter.layers.i.* (as the encoder's)  adapter.layer_norm.*  adapter.proj.*
 *   speech_embed.weight [2, H] (row 0 = speech bos, row 1 = speech eos)
 *   llm.model.embed_tokens.weight  llm.model.layers.i.{self_attn,mlp}.*_proj.{weight,bias,lora_A.weight,lora_B.weight}
 *   llm.model.layers.i.{input,post_attention}_layernorm.weight  llm.model.norm.weight  llm.lm_head.weight
 * </pre>
 * {@link #section} strips {@code encoder.} or {@code llm.} to get the plain {@code WhisperEncoder} /
 * {@code Qwen2ForCausalLM} names of the golden fixtures. Only names and two zero-copy reshapes live here
 * (the {@code [1, max, D]} positional buffers and the two used rows of {@code speech_token_emded}); no math.
 */
public final class NameMapping {

    /** OSUM modules that are created and saved but never used in the forward pass. */
    public static final List<String> UNUSED_OSUM_PREFIXES = List.of("ln_speech.", "speaker_head.");
    /** Top-level OSUM keys that alias LLM tables (same storage): alias to original, LLM-relative. */
    private static final Map<String, String> ALIAS_TARGETS = Map.of(
            "embed_tokens.weight", "model.embed_tokens.weight",
            "lm_head.weight", "lm_head.weight");
    public static final String SPEECH_TABLE = "speech_token_emded.weight";
    public static final String SPEECH_EMBED = "speech_embed.weight";
    public static final String PEFT_PREFIX = "llama_model.base_model.model.";
    public static final String PLAIN_LLM_PREFIX = "llama_model.";
    /** Prefix of OSUM tensors kept beside canonical ones only for export ({@link OsumImport#withExtras()}). */
    public static final String EXTRA_PREFIX = "osum_extra.";
    /** Key prefixes that only OSUM's naming has (the canonical names share "encoder." but not these). */
    private static final List<String> OSUM_ONLY_PREFIXES = List.of("llama_model.", "speech_token_emded.",
            "down_sample_2.", "speech_transformer.", "speech_llama_proj.", "encoder.encoders.", "encoder.embed.");

    // (OSUM fragment, canonical fragment); a fragment ending in '.' is a prefix, otherwise an exact remainder.
    private static final String[][] ENCODER_TOP = {
            {"embed.conv.0.", "conv1."}, {"embed.conv.2.", "conv2."},
            {"embed.pos_enc.pe", "embed_positions.weight"}, {"after_norm.", "layer_norm."}};
    private static final String[][] ADAPTER_TOP = {
            {"embed.out.0.", "input_linear."}, {"embed.out.1.", "input_norm."},
            {"embed.pos_enc.pe", "embed_positions"}, {"after_norm.", "layer_norm."}};
    private static final String[][] BLOCK = {
            {"self_attn.linear_q.", "self_attn.q_proj."}, {"self_attn.linear_k.", "self_attn.k_proj."},
            {"self_attn.linear_v.", "self_attn.v_proj."}, {"self_attn.linear_out.", "self_attn.out_proj."},
            {"feed_forward.w_1.", "fc1."}, {"feed_forward.w_2.", "fc2."},
            {"norm1.", "self_attn_layer_norm."}, {"norm2.", "final_layer_norm."}};
    /** Sequential indices of the three Conv1d layers inside GxlConv1dSubsampling4 (pads and GELUs between). */
    private static final int[] DOWNSAMPLE_CONV_INDEX = {1, 4, 7};

    private static final Pattern OSUM_BLOCK = Pattern.compile("encoders\\.(\\d+)\\.(.*)");
    private static final Pattern CANON_BLOCK = Pattern.compile("layers\\.(\\d+)\\.(.*)");
    private static final Pattern DOWNSAMPLE = Pattern.compile("down_sample_2\\.conv\\.(\\d+)\\.(.*)");
    private static final Pattern CANON_CONV = Pattern.compile("adapter\\.convs\\.(\\d+)\\.(.*)");
    private static final Pattern PEFT_LORA = Pattern.compile("(.*)\\.lora_([AB])\\.([^.]+)\\.(weight)");
    private static final Pattern CANON_LORA = Pattern.compile("(.*)\\.lora_([AB])\\.weight");

    private NameMapping() {
    }

    /** How the LLM part of an OSUM checkpoint is spelled, so that export writes it back the same way. */
    public record PeftStyle(String llmPrefix, boolean baseLayer, String adapterName) {
        /** peft >= 0.7 as in OSUM's released checkpoint: base_layer and adapter "default". */
        public static final PeftStyle CURRENT = new PeftStyle(PEFT_PREFIX, true, "default");
        /** A model without LoRA: the LLM directly under {@code llama_model.}. */
        public static final PeftStyle NO_LORA = new PeftStyle(PLAIN_LLM_PREFIX, false, "default");
    }

    /**
     * An OSUM state dict sorted into canonical tensors and everything else. {@code unused} holds the OSUM
     * modules that are never used ({@code ln_speech}, {@code speaker_head}), {@code aliases} the duplicate
     * top-level LLM tables (alias to OSUM original), {@code unmapped} the names this mapping does not know
     * (a newer OSUM, or not an OSUM checkpoint). {@code speechTable} is the full {@code speech_token_emded}
     * [N + 2, H] table, kept so that export restores the rows the model does not use.
     */
    public record OsumImport(Map<String, TensorData> canonical, Map<String, TensorData> unused,
                             Map<String, String> aliases, Map<String, TensorData> unmapped,
                             TensorData speechTable, int speechTokenNum, PeftStyle style, List<String> osumOrder) {

        /**
         * The canonical tensors plus everything set aside, the latter under {@value #EXTRA_PREFIX}{@code <OSUM name>}
         * (unused modules, unmapped names, the full speech table), so that a converted checkpoint written to disk
         * still exports back to the complete OSUM state dict ({@link #toCanonical} picks the extras up again).
         */
        public Map<String, TensorData> withExtras() {
            Map<String, TensorData> out = new LinkedHashMap<>(canonical);
            Map<String, TensorData> extra = new LinkedHashMap<>(unused);
            extra.putAll(unmapped);
            if (speechTable != null) extra.put(SPEECH_TABLE, speechTable);
            extra.forEach((k, t) -> out.put(EXTRA_PREFIX + k, t.withName(EXTRA_PREFIX + k)));
            return Collections.unmodifiableMap(out);
        }

        /** Validation of the canonical tensors against expected shapes; unmapped names count as unexpected. */
        public ModelWeights.Report check(Map<String, long[]> expected) {
            ModelWeights.Report r = ModelWeights.check(expected, ModelWeights.shapes(canonical));
            List<String> unexpected = new ArrayList<>(r.unexpected());
            unexpected.addAll(unmapped.keySet());
            List<String> ignored = new ArrayList<>(unused.keySet());
            ignored.addAll(aliases.keySet());
            return new ModelWeights.Report(r.missing(), r.misshaped(), unexpected, ignored);
        }
    }

    // ---- single names --------------------------------------------------------------------------------

    /**
     * The canonical name of one OSUM key (any peft spelling), or null when the key has none (unused
     * modules, aliases, unknown names). The speech table maps to {@value #SPEECH_EMBED} (rows differ).
     */
    public static String osumToCanonical(String k) {
        if (k.equals(SPEECH_TABLE)) return SPEECH_EMBED;
        if (k.startsWith("encoder.")) return prefixOrNull("encoder.", mapPart(k.substring(8), ENCODER_TOP, true));
        if (k.startsWith("speech_transformer.")) {
            return prefixOrNull("adapter.", mapPart(k.substring("speech_transformer.".length()), ADAPTER_TOP, true));
        }
        Matcher m = DOWNSAMPLE.matcher(k);
        if (m.matches()) {
            int idx = indexOf(DOWNSAMPLE_CONV_INDEX, Integer.parseInt(m.group(1)));
            return idx < 0 ? null : "adapter.convs." + idx + "." + m.group(2);
        }
        if (k.startsWith("speech_llama_proj.")) return "adapter.proj." + k.substring("speech_llama_proj.".length());
        String llm = k.startsWith(PEFT_PREFIX) ? k.substring(PEFT_PREFIX.length())
                : k.startsWith(PLAIN_LLM_PREFIX) && !k.startsWith("llama_model.base_model.") ? k.substring(PLAIN_LLM_PREFIX.length())
                : null;
        if (llm == null) return null;
        Matcher l = PEFT_LORA.matcher(llm);
        if (l.matches()) return "llm." + l.group(1) + ".lora_" + l.group(2) + ".weight";
        return "llm." + llm.replace(".base_layer.", ".");
    }

    /**
     * The OSUM key of one canonical name. {@code loraWrapped} tells whether the linear owning the name has
     * LoRA weights (then peft calls its own weight {@code base_layer.weight}).
     */
    public static String canonicalToOsum(String c, PeftStyle style, boolean loraWrapped) {
        if (c.equals(SPEECH_EMBED)) return SPEECH_TABLE;
        if (c.startsWith("encoder.")) return prefixOrNull("encoder.", mapPart(c.substring(8), ENCODER_TOP, false));
        Matcher conv = CANON_CONV.matcher(c);
        if (conv.matches()) {
            int i = Integer.parseInt(conv.group(1));
            return i < DOWNSAMPLE_CONV_INDEX.length ? "down_sample_2.conv." + DOWNSAMPLE_CONV_INDEX[i] + "." + conv.group(2) : null;
        }
        if (c.startsWith("adapter.proj.")) return "speech_llama_proj." + c.substring("adapter.proj.".length());
        if (c.startsWith("adapter.")) return prefixOrNull("speech_transformer.", mapPart(c.substring(8), ADAPTER_TOP, false));
        if (!c.startsWith("llm.")) return null;
        String r = c.substring(4);
        Matcher l = CANON_LORA.matcher(r);
        if (l.matches()) return style.llmPrefix() + l.group(1) + ".lora_" + l.group(2) + "." + style.adapterName() + ".weight";
        if (loraWrapped && style.baseLayer()) {
            int dot = r.lastIndexOf('.');
            r = r.substring(0, dot) + ".base_layer" + r.substring(dot);
        }
        return style.llmPrefix() + r;
    }

    private static String mapPart(String rest, String[][] top, boolean forward) {
        Matcher b = (forward ? OSUM_BLOCK : CANON_BLOCK).matcher(rest);
        if (b.matches()) {
            String inner = replaceFragment(b.group(2), BLOCK, forward);
            return inner == null ? null : (forward ? "layers." : "encoders.") + b.group(1) + "." + inner;
        }
        return replaceFragment(rest, top, forward);
    }

    private static String replaceFragment(String s, String[][] table, boolean forward) {
        for (String[] pair : table) {
            String from = forward ? pair[0] : pair[1];
            String to = forward ? pair[1] : pair[0];
            if (from.endsWith(".") ? s.startsWith(from) && s.indexOf('.', from.length()) < 0 : s.equals(from)) {
                return to + s.substring(from.length());
            }
        }
        return null;
    }

    private static String prefixOrNull(String prefix, String s) {
        return s == null ? null : prefix + s;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    // ---- whole state dicts ---------------------------------------------------------------------------

    /**
     * Sorts an OSUM state dict (e.g. {@code TorchCheckpoint.open(infer.pt).stateDict()}) into canonical
     * tensors. Positional buffers {@code [1, max, D]} become {@code [max, D]}; {@code speech_token_emded}
     * [N + 2, H] becomes {@code speech_embed.weight} = its rows N and N + 1 (both zero-copy views).
     * Aliases must hold the same bytes as their originals.
     */
    public static OsumImport fromOsum(Map<String, TensorData> osum) {
        Map<String, TensorData> canonical = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        Map<String, TensorData> unused = new LinkedHashMap<>();
        Map<String, String> aliases = new LinkedHashMap<>();
        Map<String, TensorData> unmapped = new LinkedHashMap<>();
        TensorData speechTable = null;
        int speechTokenNum = -1;
        String llmPrefix = null;
        boolean baseLayer = false;
        String adapter = null;
        for (Map.Entry<String, TensorData> e : osum.entrySet()) {
            String k = e.getKey();
            TensorData t = e.getValue();
            if (UNUSED_OSUM_PREFIXES.stream().anyMatch(k::startsWith)) {
                unused.put(k, t);
                continue;
            }
            if (ALIAS_TARGETS.containsKey(k)) {
                aliases.put(k, null); // resolved below, once the LLM prefix is known
                continue;
            }
            String c = osumToCanonical(k);
            if (c == null) {
                unmapped.put(k, t);
                continue;
            }
            if (k.startsWith(PEFT_PREFIX)) llmPrefix = PEFT_PREFIX;
            else if (k.startsWith(PLAIN_LLM_PREFIX) && llmPrefix == null) llmPrefix = PLAIN_LLM_PREFIX;
            if (k.contains(".base_layer.")) baseLayer = true;
            Matcher l = PEFT_LORA.matcher(k);
            if (l.matches()) {
                if (adapter != null && !adapter.equals(l.group(3))) {
                    throw new IllegalArgumentException("OSUM state dict has two LoRA adapters, '" + adapter + "' and '"
                            + l.group(3) + "' (at " + k + "); only one is supported");
                }
                adapter = l.group(3);
            }
            if (c.equals(SPEECH_EMBED)) {
                speechTable = t;
                speechTokenNum = Math.toIntExact(t.shape()[0] - 2);
                t = rows(t, speechTokenNum, 2, SPEECH_EMBED);
            } else if (k.endsWith("pos_enc.pe")) {
                t = dropLeadingOne(t, c);
            } else {
                t = rename(t, c);
            }
            if (origin.containsKey(c)) {
                throw new IllegalArgumentException("OSUM keys '" + origin.get(c) + "' and '" + k + "' both map to '" + c + "'");
            }
            origin.put(c, k);
            canonical.put(c, t);
        }
        PeftStyle style = llmPrefix == null ? PeftStyle.CURRENT
                : new PeftStyle(llmPrefix, baseLayer, adapter == null ? "default" : adapter);
        for (String alias : new ArrayList<>(aliases.keySet())) {
            String original = style.llmPrefix() + ALIAS_TARGETS.get(alias);
            TensorData a = osum.get(alias);
            TensorData o = osum.get(original);
            if (o == null || !o.data().equals(a.data()) || !java.util.Arrays.equals(o.shape(), a.shape())) {
                aliases.remove(alias); // not a copy of the LLM table: keep it visible
                unmapped.put(alias, a);
            } else {
                aliases.put(alias, original);
            }
        }
        return new OsumImport(Collections.unmodifiableMap(canonical), Collections.unmodifiableMap(unused),
                Collections.unmodifiableMap(aliases), Collections.unmodifiableMap(unmapped), speechTable,
                speechTokenNum, style, List.copyOf(osum.keySet()));
    }

    /**
     * Canonical tensors from a checkpoint in either naming: OSUM names go through {@link #fromOsum}; canonical
     * names (a checkpoint converted by this project) pass through, with {@value #EXTRA_PREFIX} tensors taken back
     * into the carry-over used by {@link #toOsum(Map, OsumImport)}.
     */
    public static OsumImport toCanonical(Map<String, TensorData> tensors) {
        if (isOsumNaming(tensors.keySet())) return fromOsum(tensors);
        Map<String, TensorData> canonical = new LinkedHashMap<>();
        Map<String, TensorData> unused = new LinkedHashMap<>();
        Map<String, TensorData> unmapped = new LinkedHashMap<>();
        TensorData speechTable = null;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(EXTRA_PREFIX)) {
                String osum = k.substring(EXTRA_PREFIX.length());
                TensorData t = e.getValue().withName(osum);
                if (osum.equals(SPEECH_TABLE)) speechTable = t;
                else if (UNUSED_OSUM_PREFIXES.stream().anyMatch(osum::startsWith)) unused.put(osum, t);
                else unmapped.put(osum, t);
            } else if (canonicalToOsum(k, PeftStyle.CURRENT, false) != null) {
                canonical.put(k, e.getValue());
            } else {
                unmapped.put(k, e.getValue());
            }
        }
        boolean lora = canonical.keySet().stream().anyMatch(k -> k.contains(".lora_A."));
        PeftStyle style = lora ? PeftStyle.CURRENT : PeftStyle.NO_LORA;
        Map<String, String> aliases = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : ALIAS_TARGETS.entrySet()) {
            if (canonical.containsKey("llm." + a.getValue())) aliases.put(a.getKey(), style.llmPrefix() + a.getValue());
        }
        int n = speechTable == null ? -1 : Math.toIntExact(speechTable.shape()[0] - 2);
        return new OsumImport(Collections.unmodifiableMap(canonical), Collections.unmodifiableMap(unused),
                Collections.unmodifiableMap(aliases), Collections.unmodifiableMap(unmapped), speechTable, n, style, List.of());
    }

    /** True when some name exists only in OSUM's own naming (so the names need {@link #fromOsum}). */
    public static boolean isOsumNaming(java.util.Collection<String> names) {
        for (String k : names) {
            if (OSUM_ONLY_PREFIXES.stream().anyMatch(k::startsWith)) return true;
        }
        return false;
    }

    /**
     * Canonical tensors back to OSUM names, restoring what {@link #fromOsum} set aside ({@code carry}: unused
     * modules, aliases, unmapped names, the full speech table with {@code speech_embed}'s two rows written into
     * rows N and N + 1, the peft spelling and the original key order). OSUM -> canonical -> OSUM gives the same
     * keys and bytes.
     */
    public static Map<String, TensorData> toOsum(Map<String, TensorData> canonical, OsumImport carry) {
        PeftStyle style = carry.style();
        Map<String, TensorData> out = exportMapped(canonical, style, carry.speechTable(), carry.speechTokenNum());
        out.putAll(carry.unused());
        out.putAll(carry.unmapped());
        for (Map.Entry<String, String> a : carry.aliases().entrySet()) {
            TensorData o = out.get(a.getValue());
            if (o != null) out.put(a.getKey(), rename(o, a.getKey()));
        }
        Map<String, TensorData> ordered = new LinkedHashMap<>();
        for (String k : carry.osumOrder()) if (out.containsKey(k)) ordered.put(k, out.get(k));
        ordered.putAll(out);
        return Collections.unmodifiableMap(ordered);
    }

    /**
     * Canonical tensors to OSUM names for a model that was not imported from OSUM (e.g. trained here). The
     * speech table gets {@code speechTokenNum} zero rows before the bos/eos rows; {@code ln_speech} and
     * {@code speaker_head} are absent (OSUM never uses them, but a strict {@code load_state_dict} in OSUM's
     * code would ask for them). The top-level {@code embed_tokens.weight} / {@code lm_head.weight} aliases are
     * written, as OSUM's own state_dict has them.
     */
    public static Map<String, TensorData> toOsum(Map<String, TensorData> canonical, int speechTokenNum) {
        boolean lora = canonical.keySet().stream().anyMatch(k -> k.contains(".lora_A."));
        PeftStyle style = lora ? PeftStyle.CURRENT : PeftStyle.NO_LORA;
        Map<String, TensorData> out = exportMapped(canonical, style, null, speechTokenNum);
        for (Map.Entry<String, String> a : ALIAS_TARGETS.entrySet()) {
            TensorData o = out.get(style.llmPrefix() + a.getValue());
            if (o != null) out.put(a.getKey(), rename(o, a.getKey()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, TensorData> exportMapped(Map<String, TensorData> canonical, PeftStyle style,
                                                        TensorData speechTable, int speechTokenNum) {
        Set<String> wrapped = new LinkedHashSet<>();
        for (String k : canonical.keySet()) {
            Matcher l = CANON_LORA.matcher(k);
            if (l.matches()) wrapped.add(l.group(1));
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : canonical.entrySet()) {
            String c = e.getKey();
            TensorData t = e.getValue();
            int dot = c.lastIndexOf('.');
            boolean loraWrapped = dot > 0 && wrapped.contains(c.substring(0, dot));
            String k = canonicalToOsum(c, style, loraWrapped);
            if (k == null) throw new IllegalArgumentException("canonical tensor '" + c + "' has no OSUM name");
            if (c.equals(SPEECH_EMBED)) {
                t = speechTableWith(t, speechTable, speechTokenNum);
            } else if (k.endsWith("pos_enc.pe")) {
                long[] s = t.shape();
                t = t.withName(k).reshape(1, s[0], s[1]);
            } else {
                t = rename(t, k);
            }
            if (out.put(k, t) != null) throw new IllegalArgumentException("two canonical tensors map to OSUM '" + k + "'");
        }
        return out;
    }

    /** The [N + 2, H] OSUM speech table holding {@code embed} [2, H] in rows N, N + 1. */
    private static TensorData speechTableWith(TensorData embed, TensorData original, int n) {
        long[] es = embed.shape();
        if (es.length != 2 || es[0] != 2) {
            throw new IllegalArgumentException(SPEECH_EMBED + ": expected [2, hidden], got " + java.util.Arrays.toString(es));
        }
        if (n < 0) throw new IllegalArgumentException("speech_token_num must be >= 0, got " + n);
        int rowBytes = Math.toIntExact(es[1] * embed.dtype().bytes);
        if (original != null) {
            long[] os = original.shape();
            if (os.length != 2 || os[0] != n + 2L || os[1] != es[1] || original.dtype() != embed.dtype()) {
                throw new IllegalArgumentException(SPEECH_TABLE + ": kept table " + original.dtype()
                        + java.util.Arrays.toString(os) + " does not fit " + SPEECH_EMBED + " " + embed.dtype()
                        + java.util.Arrays.toString(es) + " with speech_token_num " + n);
            }
            if (rows(original, n, 2, SPEECH_EMBED).data().equals(embed.data())) return rename(original, SPEECH_TABLE);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact((n + 2L) * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
        if (original != null) b.put(original.data().duplicate());
        b.position(n * rowBytes);
        b.put(embed.data().duplicate());
        b.clear();
        return new TensorData(SPEECH_TABLE, embed.dtype(), new long[]{n + 2L, es[1]}, b);
    }

    // ---- helpers on views ----------------------------------------------------------------------------

    /**
     * The canonical tensors whose names start with {@code prefix}, with the prefix removed: {@code "encoder."}
     * gives HF {@code WhisperEncoder} names, {@code "llm."} HF {@code Qwen2ForCausalLM} names.
     */
    public static Map<String, TensorData> section(Map<String, TensorData> tensors, String prefix) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                String n = e.getKey().substring(prefix.length());
                out.put(n, rename(e.getValue(), n));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    static TensorData rename(TensorData t, String name) {
        return t.withName(name);
    }

    private static TensorData dropLeadingOne(TensorData t, String name) {
        long[] s = t.shape();
        if (s.length == 3 && s[0] == 1) return t.withName(name).reshape(s[1], s[2]);
        if (s.length == 2) return rename(t, name);
        throw new IllegalArgumentException("positional table '" + t.name() + "': expected [1, max_len, d], got "
                + java.util.Arrays.toString(s));
    }

    /** Rows [first, first + count) of a 2-D tensor, zero-copy. */
    private static TensorData rows(TensorData t, int first, int count, String name) {
        long[] s = t.shape();
        if (s.length != 2 || first < 0 || first + count > s[0]) {
            throw new IllegalArgumentException("'" + t.name() + "': cannot take rows [" + first + ", " + (first + count)
                    + ") of shape " + java.util.Arrays.toString(s));
        }
        int rowBytes = Math.toIntExact(s[1] * t.dtype().bytes);
        ByteBuffer b = t.data().duplicate().position(first * rowBytes).limit((first + count) * rowBytes).slice();
        return new TensorData(name, t.dtype(), new long[]{count, s[1]}, b);
    }
}
