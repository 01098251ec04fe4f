package org.osum4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.osum4j.model.io.LoraConfig;
import org.osum4j.model.io.Qwen2Config;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.nn.Kernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Qwen2ForCausalLM on ND4J (float32), HF semantics with eager attention: token embeddings (or given
 * {@code inputs_embeds}), N decoder layers ({@link Qwen2Layer}), a final RMSNorm and a tied or untied
 * lm_head; explicit position ids (OSUM's cumsum(mask) − 1), causal + padding masks, a KV cache for
 * incremental decoding, optional LoRA, and an explicit backward pass (loss and gradients) over the very
 * same forward. Decoding strategies and the OSUM assembly live elsewhere ({@code infer}, {@code OsumModel}).
 *
 * <pre>{@code
 * Qwen2Model m = Qwen2Model.load(dir);                       // config.json + model.safetensors
 * Qwen2Output o = m.forwardIds(ids, mask, positions);       // logits [B, L, V]
 * Qwen2Gradients g = m.lossAndGradients(m.embed(ids), mask, positions, labels, ids, name -> true);
 * }</pre>
 */
public final class Qwen2Model {

    /** HF's ignore_index: label positions that do not count in the loss. */
    public static final long IGNORE_INDEX = -100;

    private final Qwen2Config config;
    private final String prefix;             // checkpoint name prefix ("" for HF, "llama_model.base_model.model." in OSUM)
    private final String embedName;
    private final INDArray embedTokens;      // [V, D]
    private final List<Qwen2Layer> layers;
    private final String normName;
    private final INDArray norm;             // [D]
    private final String lmHeadName;         // null when tied
    private final INDArray lmHead;           // [V, D]; the same array as embedTokens when tied
    private double loraDropout;              // peft lora_dropout, applied only in training with a random source

    private Qwen2Model(Qwen2Config config, String prefix, String embedName, INDArray embedTokens, List<Qwen2Layer> layers,
                       String normName, INDArray norm, String lmHeadName, INDArray lmHead) {
        this.config = config;
        this.prefix = prefix;
        this.embedName = embedName;
        this.embedTokens = embedTokens;
        this.layers = List.copyOf(layers);
        this.normName = normName;
        this.norm = norm;
        this.lmHeadName = lmHeadName;
        this.lmHead = lmHead;
    }

    // ================================================================== loading

    /**
     * A HF model folder, no LoRA: {@code config.json} + {@code model.safetensors}, or the shards listed in
     * {@code model.safetensors.index.json} (how Qwen2-7B is published).
     */
    public static Qwen2Model load(Path dir) throws IOException {
        Qwen2Config c = Qwen2Config.read(dir.resolve("config.json"));
        // Single file or shards: each shard is memory-mapped once, when its first tensor is read, so loading
        // streams shard by shard and only the fp32 weights themselves are allocated.
        org.osum4j.model.io.Checkpoints.Weights w = org.osum4j.model.io.Checkpoints.open(dir);
        return fromTensors(c, w, w.source().toString(), "", null);
    }

    /** {@link #fromTensors(Qwen2Config, SafeTensors, String, LoraConfig)} over any name → tensor map (e.g. merged shards). */
    public static Qwen2Model fromTensors(Qwen2Config c, Map<String, TensorData> tensors, String where, String prefix, LoraConfig lora) {
        return build(c, new Source() {
            public boolean has(String name) {
                return tensors.containsKey(name);
            }

            public INDArray get(String name, long... shape) {
                TensorData t = tensors.get(name);
                if (t == null) throw new IllegalArgumentException(where + ": no tensor named '" + name + "'");
                return checked(where, t, shape);
            }
        }, prefix, lora);
    }

    private static INDArray checked(String where, TensorData t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(where + ": tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + ", the config implies " + Arrays.toString(shape));
        }
        return Nd4j.create(t.toFloats(), t.shape(), 'c');
    }

    /**
     * Builds the model from checkpoint tensors named {@code prefix + HF name}. Linear weights may be plain
     * ({@code q_proj.weight}) or peft-wrapped ({@code q_proj.base_layer.weight}); with {@code lora} non-null,
     * every target module must have {@code lora_A[.default].weight} and {@code lora_B[.default].weight}.
     * bf16/f16 weights are widened to float32. Tied configs use {@code embed_tokens} as the lm_head.
     */
    public static Qwen2Model fromTensors(Qwen2Config c, SafeTensors st, String prefix, LoraConfig lora) {
        return build(c, new Source() {
            public boolean has(String name) {
                return st.has(name);
            }

            public INDArray get(String name, long... shape) {
                return checked(st.file().toString(), st.get(name), shape);
            }
        }, prefix, lora);
    }

    /**
     * A randomly initialised model for benchmarks and tests (the benchmark protocol's init): every weight
     * N(0, std²), biases 0, norm weights 1; with {@code lora}, A ~ N(0, std²) and B = 0.
     */
    public static Qwen2Model random(Qwen2Config c, LoraConfig lora, double std, long seed) {
        Random rng = new Random(seed);
        return build(c, new Source() {
            public boolean has(String name) {
                return !name.endsWith(".base_layer.weight") && (lora != null || !name.contains(".lora_"))
                        && !name.contains(".lora_A.weight") && !name.contains(".lora_B.weight");
            }

            public INDArray get(String name, long... shape) {
                if (name.endsWith("norm.weight")) return Nd4j.ones(DataType.FLOAT, shape);
                if (name.endsWith(".bias") || name.contains(".lora_B")) return Nd4j.zeros(DataType.FLOAT, shape);
                float[] v = new float[Math.toIntExact(TensorData.numel(shape))];
                for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
                return Nd4j.create(v, shape, 'c');
            }
        }, "", lora);
    }

    /** Where weights come from: a checkpoint or a random initialiser; {@code get} checks the expected shape. */
    private interface Source {
        boolean has(String name);

        INDArray get(String name, long... shape);
    }

    private static Qwen2Model build(Qwen2Config c, Source st, String prefix, LoraConfig lora) {
        int d = c.hiddenSize(), qOut = c.numHeads() * c.headDim(), kvOut = c.numKvHeads() * c.headDim(), i = c.intermediateSize();
        String embedName = prefix + "model.embed_tokens.weight";
        INDArray embed = st.get(embedName, c.vocabSize(), d);                                        // [V, D]
        List<Qwen2Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String lp = prefix + "model.layers." + l + ".";
            layers.add(new Qwen2Layer(c, lp,
                    st.get(lp + "input_layernorm.weight", d),
                    st.get(lp + "post_attention_layernorm.weight", d),
                    linear(st, lp + "self_attn.", "q_proj", qOut, d, true, lora),
                    linear(st, lp + "self_attn.", "k_proj", kvOut, d, true, lora),
                    linear(st, lp + "self_attn.", "v_proj", kvOut, d, true, lora),
                    linear(st, lp + "self_attn.", "o_proj", d, qOut, false, lora),
                    linear(st, lp + "mlp.", "gate_proj", i, d, false, lora),
                    linear(st, lp + "mlp.", "up_proj", i, d, false, lora),
                    linear(st, lp + "mlp.", "down_proj", d, i, false, lora)));
        }
        String normName = prefix + "model.norm.weight";
        INDArray norm = st.get(normName, d);                                                         // [D]
        if (c.tieWordEmbeddings()) {
            // HF's save_pretrained drops the tied copy; the output projection is embed_tokens itself.
            return new Qwen2Model(c, prefix, embedName, embed, layers, normName, norm, null, embed).withLoraDropout(lora);
        }
        String lmName = prefix + "lm_head.weight";
        return new Qwen2Model(c, prefix, embedName, embed, layers, normName, norm, lmName, st.get(lmName, c.vocabSize(), d))
                .withLoraDropout(lora);
    }

    private static LoraLinear linear(Source st, String base, String module, long out, long in, boolean bias, LoraConfig lora) {
        String name = base + module;
        String stem = st.has(name + ".base_layer.weight") ? name + ".base_layer" : name;
        LoraLinear l = new LoraLinear(stem + ".weight", st.get(stem + ".weight", out, in),
                bias ? stem + ".bias" : null, bias ? st.get(stem + ".bias", out) : null);
        if (lora != null && lora.targets(module)) {
            String a = st.has(name + ".lora_A.default.weight") ? name + ".lora_A.default.weight" : name + ".lora_A.weight";
            String b = st.has(name + ".lora_B.default.weight") ? name + ".lora_B.default.weight" : name + ".lora_B.weight";
            l.attachLora(a, st.get(a, lora.r(), in), b, st.get(b, out, lora.r()), lora.scaling());
        }
        return l;
    }

    /**
     * Adds fresh LoRA branches (peft init: A uniform, B = 0, so outputs do not change) to the target
     * modules, named {@code <module>.lora_A.default.weight} / {@code lora_B}. For training from a plain base.
     */
    public Qwen2Model addLora(LoraConfig lora, Random rng) {
        withLoraDropout(lora);
        for (Qwen2Layer l : layers) {
            String[] modules = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
            LoraLinear[] lin = l.linears();
            for (int i = 0; i < modules.length; i++) {
                if (!lora.targets(modules[i])) continue;
                if (lin[i].hasLora()) throw new IllegalStateException(lin[i].weightName() + " already has a LoRA branch");
                String stem = l.prefix + (i < 4 ? "self_attn." : "mlp.") + modules[i];
                lin[i].initLora(stem + ".lora_A.default.weight", stem + ".lora_B.default.weight", lora.r(), lora.scaling(), rng);
            }
        }
        return this;
    }

    private Qwen2Model withLoraDropout(LoraConfig lora) {
        this.loraDropout = lora == null ? 0 : lora.dropout();
        return this;
    }

    /** Folds every LoRA branch into its base weight (W + s·B·A) for fast inference. */
    public void mergeLora() {
        for (Qwen2Layer l : layers) for (LoraLinear x : l.linears()) x.merge();
    }

    /** Undoes {@link #mergeLora} (equal up to float rounding). */
    public void unmergeLora() {
        for (Qwen2Layer l : layers) for (LoraLinear x : l.linears()) x.unmerge();
    }

    public Qwen2Config config() {
        return config;
    }

    INDArray embedTokens() {
        return embedTokens;                  // [V, D]
    }

    INDArray lmHead() {
        return lmHead;                       // [V, D]
    }

    INDArray finalNorm() {
        return norm;                         // [D]
    }

    Qwen2Layer layer(int i) {
        return layers.get(i);
    }

    /** The checkpoint name prefix this model was loaded with ("" for a HF folder). */
    public String prefix() {
        return prefix;
    }

    /** Every parameter by checkpoint name (LoRA included; the tied head appears once, as the embedding). */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put(embedName, embedTokens);
        for (Qwen2Layer l : layers) {
            p.put(l.prefix + "input_layernorm.weight", l.inputNorm);
            p.put(l.prefix + "post_attention_layernorm.weight", l.postNorm);
            for (LoraLinear x : l.linears()) {
                p.put(x.weightName(), x.weight());
                if (x.biasName() != null) p.put(x.biasName(), x.bias());
                if (x.hasLora()) {
                    p.put(x.loraAName(), x.loraA());
                    p.put(x.loraBName(), x.loraB());
                }
            }
        }
        p.put(normName, norm);
        if (lmHeadName != null) p.put(lmHeadName, lmHead);
        return p;
    }

    /** One line for notebooks: sizes, parameter counts, LoRA state. */
    @Override
    public String toString() {
        long lora = 0;
        boolean merged = false;
        for (Qwen2Layer l : layers) {
            for (LoraLinear x : l.linears()) {
                if (x.hasLora()) {
                    lora += x.loraA().length() + x.loraB().length();
                    merged |= x.isMerged();
                }
            }
        }
        return String.format("Qwen2Model[layers=%d, hidden=%d, heads=%d/%d kv, head_dim=%d, ffn=%d, vocab=%d, %s lm_head, "
                        + "params=%,d, lora=%,d%s]", config.numLayers(), config.hiddenSize(), config.numHeads(), config.numKvHeads(),
                config.headDim(), config.intermediateSize(), config.vocabSize(), lmHeadName == null ? "tied" : "untied",
                config.parameterCount(), lora, merged ? " (merged)" : "");
    }

    /** A predicate selecting only the LoRA A/B tensors (peft: the base model is frozen). */
    public static Predicate<String> loraOnly() {
        return n -> n.contains(".lora_A") || n.contains(".lora_B");
    }

    /** A KV cache for {@code batch} rows and up to {@code maxLen} positions. */
    public KvCache newCache(int batch, int maxLen) {
        if (maxLen > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("KV cache of " + maxLen + " positions > max_position_embeddings " + config.maxPositionEmbeddings());
        }
        return new KvCache(layers.size(), batch, config.numKvHeads(), maxLen, config.headDim());
    }

    // ================================================================== forward

    /** Token embeddings: ids [B, L] (any integer type) → [B, L, D]. Ids outside [0, V) are an error. */
    public INDArray embed(INDArray inputIds) {
        int[] ids = ids(inputIds);
        return Nd4j.pullRows(embedTokens, 1, ids).reshape('c', inputIds.size(0), inputIds.size(1), config.hiddenSize());
    }

    private int[] ids(INDArray inputIds) {
        if (inputIds.rank() != 2) throw new IllegalArgumentException("input_ids: expected [B, L], got " + Arrays.toString(inputIds.shape()));
        long[] l = inputIds.dup('c').data().asLong();
        int[] ids = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("input_ids: id " + l[i] + " at flat index " + i + " is outside [0, " + config.vocabSize() + ")");
            }
            ids[i] = (int) l[i];
        }
        return ids;
    }

    /** {@link #forward} from token ids; positions null → 0…L−1 (HF without position_ids). No cache, no hidden states list. */
    public Qwen2Output forwardIds(INDArray inputIds, INDArray attentionMask, INDArray positionIds) {
        return forward(embed(inputIds), attentionMask, positionIds, null, true);
    }

    /**
     * The forward pass (HF {@code model(inputs_embeds=…, attention_mask=…, position_ids=…)}).
     *
     * @param inputsEmbeds   [B, L, D]
     * @param attentionMask  [B, L] (1 real, 0 pad) or, with a cache, the full [B, cached + L] mask as HF passes
     *                       it (only the last L columns are new); null = all ones
     * @param positionIds    [B, L] RoPE positions; null = cache length + 0…L−1
     * @param cache          null, or a cache to read and extend (prefill, then one token per call)
     * @param hiddenStates   whether to return every hidden state (HF convention)
     */
    public Qwen2Output forward(INDArray inputsEmbeds, INDArray attentionMask, INDArray positionIds, KvCache cache, boolean hiddenStates) {
        Run r = run(inputsEmbeds, attentionMask, positionIds, cache, hiddenStates, null, null, null);
        return new Qwen2Output(r.logits, r.hidden, r.lastHidden);
    }

    /** What one forward produced; {@code saved} only in training. */
    private record Run(INDArray logits, List<INDArray> hidden, INDArray lastHidden, Qwen2Ops.Rope rope,
                       INDArray finalIn, INDArray finalRinv, INDArray normed) {
    }

    /**
     * The forward pass shared by inference and training. {@code logitRows} null: logits [B, L, V]; else
     * logits only of those flat rows (b·L + t), [rows, V] (the lm_head is the largest matrix: skip what is
     * not needed). {@code saved} non-null: keep activations for the backward pass.
     */
    private Run run(INDArray inputsEmbeds, INDArray attentionMask, INDArray positionIds, KvCache cache,
                    boolean keepHidden, Qwen2Layer.Saved[] saved, int[] logitRows, Random dropoutRng) {
        int d = config.hiddenSize();
        if (inputsEmbeds.rank() != 3 || inputsEmbeds.size(2) != d) {
            throw new IllegalArgumentException("inputs_embeds: expected [B, L, " + d + "], got " + Arrays.toString(inputsEmbeds.shape()));
        }
        int b = (int) inputsEmbeds.size(0), len = (int) inputsEmbeds.size(1);
        int start = cache == null ? 0 : cache.length();
        if (cache != null && cache.batch() != b) {
            throw new IllegalArgumentException("KV cache holds " + cache.batch() + " rows, input has " + b);
        }
        float[] newMask = newColumnsMask(attentionMask, b, len, start);                              // [B·L]
        long[] pos = positions(positionIds, b, len, start);                                          // [B·L]
        float[] keyMask;                                                                             // [B·S]
        if (cache != null) {
            cache.appendMask(newMask, len);
            keyMask = cache.mask(start + len);
        } else {
            keyMask = newMask;
        }
        INDArray mask = Qwen2Ops.causalMask(keyMask, b, len, start + len, start);                   // [B, 1, L, S]
        Qwen2Ops.Rope rope = Qwen2Ops.ropeTables(pos, b, len, config.headDim(), config.ropeTheta()); // [B, 1, L, hd] ×2
        INDArray x = inputsEmbeds.dup('c').reshape('c', (long) b * len, d);                           // [N, D]
        List<INDArray> hidden = new ArrayList<>();
        if (keepHidden) hidden.add(x.reshape('c', b, len, d));
        for (int l = 0; l < layers.size(); l++) {
            x = layers.get(l).forward(x, b, len, rope, mask, cache, l, saved == null ? null : saved[l], dropoutRng, loraDropout);
            if (keepHidden && l < layers.size() - 1) hidden.add(x.reshape('c', b, len, d));
        }
        if (cache != null) cache.advance(len);
        Qwen2Ops.Norm fn = Qwen2Ops.rmsNorm(x, norm, config.rmsNormEps());                          // [N, D]
        INDArray last = fn.y().reshape('c', b, len, d);
        if (keepHidden) hidden.add(last);
        if (logitRows != null) {
            INDArray rows = Nd4j.pullRows(fn.y(), 1, logitRows);                                     // [rows, D]
            return new Run(Nd4j.gemm(rows, lmHead, false, true), hidden, last, rope, x, fn.rinv(), fn.y());   // [rows, V]
        }
        INDArray logits = Nd4j.gemm(fn.y(), lmHead, false, true);                                   // [N, V]
        return new Run(logits.reshape('c', b, len, config.vocabSize()), hidden, last, rope, x, fn.rinv(), fn.y());
    }

    private static float[] newColumnsMask(INDArray attentionMask, int b, int len, int start) {
        float[] m = new float[b * len];
        if (attentionMask == null) {
            Arrays.fill(m, 1f);
            return m;
        }
        long w = attentionMask.rank() == 2 ? attentionMask.size(1) : -1;
        if (attentionMask.size(0) != b || (w != len && w != start + len)) {
            throw new IllegalArgumentException("attention_mask: expected [" + b + ", " + len + "]"
                    + (start > 0 ? " or [" + b + ", " + (start + len) + "]" : "") + ", got " + Arrays.toString(attentionMask.shape()));
        }
        long[] all = attentionMask.dup('c').data().asLong();
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < len; i++) m[r * len + i] = all[(int) (r * w + (w - len) + i)] != 0 ? 1f : 0f;
        }
        return m;
    }

    private static long[] positions(INDArray positionIds, int b, int len, int start) {
        long[] p = new long[b * len];
        if (positionIds == null) {
            for (int r = 0; r < b; r++) for (int i = 0; i < len; i++) p[r * len + i] = start + i;
            return p;
        }
        if (positionIds.rank() != 2 || positionIds.size(0) != b || positionIds.size(1) != len) {
            throw new IllegalArgumentException("position_ids: expected [" + b + ", " + len + "], got " + Arrays.toString(positionIds.shape()));
        }
        return positionIds.dup('c').data().asLong();
    }

    // ================================================================== KV-cache greedy decoding

    /**
     * Greedy decoding with the KV cache, as HF {@code generate(do_sample=False)} with left padding: one
     * prefill over ids [B, P] (mask, positions as given; positions null → generate-style cumsum(mask) − 1,
     * 1 at pads), then one single-token call per further token, whose position is each row's count of real
     * tokens. Returns the {@code steps} generated ids per row [B][steps] (the cache then holds P + steps − 1
     * positions). {@code chosenBy} (may be null) receives, per token, the logits [B, V] that chose it.
     */
    public long[][] greedy(INDArray inputIds, INDArray attentionMask, INDArray positionIds, int steps, KvCache cache,
                           List<INDArray> chosenBy) {
        return greedyFromEmbeds(embed(inputIds), attentionMask, positionIds, steps, cache, chosenBy);
    }

    /** {@link #greedy} from a prefix given as embeddings [B, P, D] (OSUM: prompt + speech); new tokens are embedded. */
    public long[][] greedyFromEmbeds(INDArray prefixEmbeds, INDArray attentionMask, INDArray positionIds, int steps,
                                     KvCache cache, List<INDArray> chosenBy) {
        if (steps <= 0) throw new IllegalArgumentException("greedy: steps must be > 0, got " + steps);
        int b = (int) prefixEmbeds.size(0), p = (int) prefixEmbeds.size(1);
        if (cache.length() != 0) throw new IllegalArgumentException("greedy: the KV cache must be empty (has " + cache.length() + " positions)");
        INDArray mask = attentionMask != null ? attentionMask : Nd4j.ones(DataType.INT64, b, p);
        INDArray pos = positionIds != null ? positionIds : generatePositions(mask);
        INDArray last = prefillLastLogits(prefixEmbeds, mask, pos, cache);                           // [B, V]
        long[][] tokens = new long[b][steps];
        for (int s = 0; s < steps; s++) {
            if (chosenBy != null) chosenBy.add(last);
            long[] next = Nd4j.argMax(last, 1).data().asLong();                                      // [B]
            long[] nextPos = new long[b];
            for (int r = 0; r < b; r++) {
                tokens[r][s] = next[r];
                nextPos[r] = cache.validCount(r);
            }
            if (s == steps - 1) break;                                                                // n tokens need n − 1 step calls
            INDArray ids = Nd4j.createFromArray(next).reshape(b, 1);                                  // [B, 1]
            INDArray step = forward(embed(ids), null, Nd4j.createFromArray(nextPos).reshape(b, 1), cache, false).logits(); // [B, 1, V]
            last = step.reshape(b, config.vocabSize());
        }
        return tokens;
    }

    /** A cached prefill that computes the lm_head only at the last position of each row: logits [B, V]. */
    public INDArray prefillLastLogits(INDArray prefixEmbeds, INDArray attentionMask, INDArray positionIds, KvCache cache) {
        int b = (int) prefixEmbeds.size(0), p = (int) prefixEmbeds.size(1);
        int[] rows = new int[b];
        for (int r = 0; r < b; r++) rows[r] = r * p + p - 1;
        return run(prefixEmbeds, attentionMask, positionIds, cache, false, null, rows, null).logits;
    }

    /** generate()'s positions for a left-padded batch: cumsum(mask) − 1, and 1 where mask = 0. */
    public static INDArray generatePositions(INDArray attentionMask) {
        int b = (int) attentionMask.size(0), l = (int) attentionMask.size(1);
        long[] m = attentionMask.dup('c').data().asLong();
        long[] p = new long[b * l];
        for (int r = 0; r < b; r++) {
            long c = 0;
            for (int i = 0; i < l; i++) {
                c += m[r * l + i];
                p[r * l + i] = m[r * l + i] == 0 ? 1 : c - 1;
            }
        }
        return Nd4j.createFromArray(p).reshape(b, l);
    }

    // ================================================================== training: loss and backward

    /**
     * One training step's loss and gradients, HF's causal-LM loss: logits at t predict labels[t+1]; mean
     * cross-entropy over every (b, t) whose shifted label is not {@link #IGNORE_INDEX}. Runs the same
     * forward as inference (saving activations), then the explicit backward pass.
     *
     * @param inputsEmbeds [B, L, D] (use {@link #embed} for token ids; {@code embedIds} routes the
     *                     gradient of the embedding table when those ids are given, else null)
     * @param labels       [B, L] label ids, −100 = ignored
     * @param trainable    which parameters (checkpoint names) get gradients
     */
    public Qwen2Gradients lossAndGradients(INDArray inputsEmbeds, INDArray attentionMask, INDArray positionIds,
                                           INDArray labels, INDArray embedIds, Predicate<String> trainable) {
        return lossAndGradients(inputsEmbeds, attentionMask, positionIds, labels, embedIds, trainable, null);
    }

    /**
     * {@link #lossAndGradients} in training mode: with {@code dropoutRng} non-null, LoRA dropout (the
     * probability from the {@link LoraConfig} the model was built with) is drawn from it; null = eval mode.
     */
    public Qwen2Gradients lossAndGradients(INDArray inputsEmbeds, INDArray attentionMask, INDArray positionIds,
                                           INDArray labels, INDArray embedIds, Predicate<String> trainable, Random dropoutRng) {
        int b = (int) inputsEmbeds.size(0), len = (int) inputsEmbeds.size(1), v = config.vocabSize(), d = config.hiddenSize();
        if (labels.rank() != 2 || labels.size(0) != b || labels.size(1) != len) {
            throw new IllegalArgumentException("labels: expected [" + b + ", " + len + "], got " + Arrays.toString(labels.shape()));
        }
        // --- shifted cross-entropy: flat row n = (b, t) predicts labels[b, t+1]; only counted rows get logits
        long[] lab = labels.dup('c').data().asLong();
        int[] rowsAll = new int[b * len];
        int[] targetAll = new int[b * len];
        int count = 0;
        for (int rb = 0; rb < b; rb++) {
            for (int t = 0; t + 1 < len; t++) {
                long y = lab[rb * len + t + 1];
                if (y == IGNORE_INDEX) continue;
                if (y < 0 || y >= v) {
                    throw new IllegalArgumentException("labels: id " + y + " at [" + rb + ", " + (t + 1) + "] is outside [0, " + v + ")");
                }
                rowsAll[count] = rb * len + t;
                targetAll[count++] = (int) y;
            }
        }
        if (count == 0) throw new IllegalArgumentException("labels: no position counts in the loss (all −100 after the shift)");
        int[] rows = Arrays.copyOf(rowsAll, count), target = Arrays.copyOf(targetAll, count);

        Qwen2Layer.Saved[] saved = new Qwen2Layer.Saved[layers.size()];
        for (int l = 0; l < saved.length; l++) saved[l] = new Qwen2Layer.Saved();
        Run r = run(inputsEmbeds, attentionMask, positionIds, null, false, saved, rows, dropoutRng);
        Qwen2Gradients g = new Qwen2Gradients(trainable);

        INDArray logits = r.logits;                                                                  // [C, V]
        INDArray rowMax = logits.max(true, 1);                                                       // [C, 1]
        INDArray shifted = logits.sub(rowMax);                                                       // [C, V]
        INDArray probs = Transforms.exp(shifted, true);                                              // [C, V]
        INDArray sumExp = probs.sum(true, 1);                                                        // [C, 1]
        probs.diviColumnVector(sumExp);
        float[] sh = shifted.dup('c').data().asFloat(), se = sumExp.dup('c').data().asFloat();
        double loss = 0;
        for (int n = 0; n < count; n++) loss += Math.log(se[n]) - sh[n * v + target[n]];
        g.setLoss(loss / count, count);
        // dL/dlogits = (softmax − onehot) / count
        float[] dl = probs.dup('c').data().asFloat();
        Kernels.release(logits, rowMax, shifted, probs, sumExp);     // the step's temporaries are freed as they die, not at a GC
        for (int i = 0; i < dl.length; i++) dl[i] /= count;
        for (int n = 0; n < count; n++) dl[n * v + target[n]] -= 1f / count;
        INDArray dLogits = Nd4j.create(dl, new long[]{count, v}, 'c');                               // [C, V]

        // --- lm_head and final norm
        String headName = lmHeadName != null ? lmHeadName : embedName;
        if (g.wants(headName)) {
            INDArray normedRows = Nd4j.pullRows(r.normed, 1, rows);                                  // [C, D]
            g.accumulate(headName, Nd4j.gemm(dLogits, normedRows, true, false));                     // [V, D]
            Kernels.release(normedRows);
        }
        float[] scatter = new float[b * len * count];                                                // [N, C] one-hot
        for (int n = 0; n < count; n++) scatter[rows[n] * count + n] = 1f;
        INDArray oneHot = Nd4j.create(scatter, new long[]{(long) b * len, count}, 'c');              // [N, C]
        INDArray dRows = Nd4j.gemm(dLogits, lmHead, false, false);                                   // [C, D]
        INDArray dNormed = oneHot.mmul(dRows);                                                       // [N, D]
        Kernels.release(oneHot, dRows, dLogits);
        INDArray[] dw = g.wants(normName) ? new INDArray[1] : null;
        INDArray dx = Qwen2Ops.rmsNormBackward(dNormed, r.finalIn, norm, r.finalRinv, dw);
        if (dw != null) g.accumulate(normName, dw[0]);
        Kernels.release(dNormed, r.finalIn, r.finalRinv, r.normed);

        // --- layers, last to first; each layer's activations are freed once its backward has read them
        for (int l = layers.size() - 1; l >= 0; l--) {
            INDArray dOut = dx;
            dx = layers.get(l).backward(dOut, b, len, r.rope, saved[l], g);
            Kernels.release(dOut);
            saved[l].release();
        }
        Kernels.release(r.rope().cos(), r.rope().sin());
        g.setInputsEmbeds(dx.reshape('c', b, len, d));

        // --- embedding table: scatter-add the input gradient of every id (plain Java: V can be 152k)
        if (embedIds != null && g.wants(embedName)) {
            int[] ids = ids(embedIds);
            if (ids.length != b * len) throw new IllegalArgumentException("embedIds: expected [" + b + ", " + len + "]");
            float[] dxs = dx.dup('c').data().asFloat();
            float[] dE = new float[Math.multiplyExact(v, d)];                                        // [V, D]
            for (int n = 0; n < ids.length; n++) {
                for (int j = 0; j < d; j++) dE[ids[n] * d + j] += dxs[n * d + j];
            }
            g.accumulate(embedName, Nd4j.create(dE, new long[]{v, d}, 'c'));
        }
        return g;
    }
}
