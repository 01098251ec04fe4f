package org.osum4j.infer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.infer.decode.StepModel;
import org.osum4j.model.KvCache;
import org.osum4j.model.OsumModel;
import org.osum4j.model.Qwen2FastDecoder;
import org.osum4j.model.Qwen2Model;

import java.util.Arrays;

/**
 * The {@link StepModel} of {@code infer.decode} over OSUM's LLM: an ND4J prefill of
 * {@code [prompt][bos][speech][eos]} rows (left-padded, {@link OsumModel#prefillSpeech}) fills a KV cache, which
 * a plain-Java {@link Qwen2FastDecoder} takes over for the single-token steps. Not a decoding strategy
 * (that is {@code infer.decode}) and not the prompt builder ({@link Inference}).
 *
 * <p>The fast decoder has a fixed number of rows (its capacity), while the decoders shrink (finished rows
 * dropped) and grow (beam expansion) their rows. So, as HF {@code generate} does with {@code num_beams}, every
 * input is prefilled {@code beams} times (input b in slots {@code b·beams … b·beams + beams − 1}); the live
 * rows of the decoder are mapped to slots, {@link #reorder} gathers slots into a live prefix, and slots not
 * live are stepped along with a dummy token (wasted work, never read). Rows never interact, so a row's
 * tokens and scores do not depend on the batch it was decoded in (up to the prefill's float rounding).
 */
public final class OsumStepModel implements StepModel {

    /** Token fed to slots that are not live; any valid id works, its outputs are never read. */
    private static final long DUMMY_TOKEN = 0;

    private final Qwen2FastDecoder decoder;
    private final int capacity;
    private final int vocab;
    private final float[][] firstLogits;
    private int[] slots;                      // live row i lives in decoder slot slots[i]

    private OsumStepModel(Qwen2FastDecoder decoder, int capacity, int vocab, float[][] firstLogits, int[] slots) {
        this.decoder = decoder;
        this.capacity = capacity;
        this.vocab = vocab;
        this.firstLogits = firstLogits;
        this.slots = slots;
    }

    /**
     * A reusable plain-Java decoder (its own copy of the LLM weights, LoRA merged: creating one costs a weight
     * copy, so {@link Inference} keeps one across batches). It snapshots the weights: make a new one after
     * training changed them.
     */
    public static final class Workspace {
        /** Positions are allocated in steps of this many, so that slightly longer batches reuse the decoder. */
        static final int POSITION_STEP = 64;
        private final Qwen2Model llm;
        private Qwen2FastDecoder decoder;
        private int capacity, maxLen;

        public Workspace(Qwen2Model llm) {
            this.llm = llm;
        }

        /** A decoder with at least {@code rows} rows and {@code positions} positions (reused when big enough). */
        Qwen2FastDecoder ensure(int rows, int positions) {
            if (decoder == null || capacity < rows || maxLen < positions) {
                capacity = Math.max(capacity, rows);
                int rounded = (positions + POSITION_STEP - 1) / POSITION_STEP * POSITION_STEP;
                maxLen = Math.max(maxLen, Math.min(rounded, llm.config().maxPositionEmbeddings()));
                if (maxLen < positions) {
                    throw new IllegalArgumentException(positions + " positions (prefill + new tokens) > max_position_embeddings "
                            + llm.config().maxPositionEmbeddings());
                }
                decoder = null;                                                   // let the old copy go first
                decoder = Qwen2FastDecoder.of(llm, capacity, maxLen);
            }
            return decoder;
        }

        public int capacity() {
            return capacity;
        }

        public int maxLen() {
            return maxLen;
        }
    }

    /**
     * Prefills B inputs for a decoder that will keep up to {@code beams} rows per input and generate up to
     * {@code maxNewTokens} tokens. Afterwards live row b = input b and {@link #firstLogits()} holds [B][V].
     */
    public static OsumStepModel prefill(OsumModel model, OsumModel.Prefill p, int beams, int maxNewTokens, Workspace ws) {
        if (beams < 1) throw new IllegalArgumentException("beams must be >= 1, got " + beams);
        int b = (int) p.embeds().size(0), len = (int) p.embeds().size(1), h = (int) p.embeds().size(2);
        Qwen2FastDecoder fd = ws.ensure(b * beams, len + maxNewTokens);
        int c = ws.capacity();
        int[] source = new int[c];                                                // slot → input it copies
        for (int i = 0; i < c; i++) source[i] = i < b * beams ? i / beams : 0;     // spare slots: dummies of input 0
        INDArray embeds = Nd4j.pullRows(p.embeds().reshape('c', b, (long) len * h), 1, source)
                .reshape('c', c, len, h);                                         // [C, P, H]
        long[] mask = p.attentionMask().dup('c').data().asLong();                 // [B·P]
        long[] expanded = new long[c * len];
        for (int i = 0; i < c; i++) System.arraycopy(mask, source[i] * len, expanded, i * len, len);
        INDArray m = Nd4j.createFromArray(expanded).reshape(c, len);              // [C, P]
        Qwen2Model llm = model.llm();
        KvCache cache = llm.newCache(c, len);                                     // the prefill only; steps run in fd
        float[] last = llm.prefillLastLogits(embeds, m, Qwen2Model.generatePositions(m), cache).dup('c').data().asFloat(); // [C·V]
        fd.load(cache);
        int v = llm.config().vocabSize();
        float[][] first = new float[b][];
        int[] slots = new int[b];
        for (int r = 0; r < b; r++) {
            slots[r] = r * beams;
            first[r] = Arrays.copyOfRange(last, slots[r] * v, (slots[r] + 1) * v);
        }
        return new OsumStepModel(fd, c, v, first, slots);
    }

    /** [B][V]: the logits for each input's first new token. */
    public float[][] firstLogits() {
        return firstLogits;
    }

    /** Rows currently live. */
    public int rows() {
        return slots.length;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public float[][] step(int[] tokens) {
        if (tokens.length != slots.length) {
            throw new IllegalArgumentException("step: " + tokens.length + " tokens for " + slots.length + " live rows");
        }
        long[] all = new long[capacity], positions = new long[capacity];
        Arrays.fill(all, DUMMY_TOKEN);
        for (int i = 0; i < slots.length; i++) all[slots[i]] = tokens[i];
        for (int j = 0; j < capacity; j++) positions[j] = decoder.validCount(j);  // each row's next real position
        float[] logits = decoder.step(all, positions);                             // [C·V]
        float[][] out = new float[slots.length][];
        for (int i = 0; i < slots.length; i++) out[i] = Arrays.copyOfRange(logits, slots[i] * vocab, (slots[i] + 1) * vocab);
        return out;
    }

    @Override
    public void reorder(int[] rows) {
        if (rows.length > capacity) {
            throw new IllegalArgumentException("reorder: " + rows.length + " rows > capacity " + capacity + " (inputs × beams)");
        }
        int[] perm = new int[capacity];
        boolean identity = true;
        for (int i = 0; i < capacity; i++) {
            if (i < rows.length) {
                if (rows[i] < 0 || rows[i] >= slots.length) {
                    throw new IllegalArgumentException("reorder: row " + rows[i] + " outside [0, " + slots.length + ")");
                }
                perm[i] = slots[rows[i]];
            } else {
                perm[i] = i;                                                       // not live: left as it is
            }
            identity &= perm[i] == i;
        }
        if (!identity) decoder.reorder(perm);
        slots = new int[rows.length];
        for (int i = 0; i < rows.length; i++) slots[i] = i;
    }
}
