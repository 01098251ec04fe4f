package org.osum4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A preallocated key/value cache for incremental Qwen2 decoding: per layer keys (after RoPE) and values
 * [B, KV, maxLen, head_dim], plus the attention mask of every cached column, so batches with left
 * padding decode correctly. Filled by {@link Qwen2Model#forward} (a prefill, then one token per step);
 * it is not a paged or sliding-window cache.
 */
public final class KvCache {

    private final INDArray[] keys;     // per layer [B, KV, maxLen, hd], after RoPE
    private final INDArray[] values;   // per layer [B, KV, maxLen, hd]
    private final float[] keyMask;     // [B * maxLen]: 1 where the cached token is real, 0 at pads
    private final int[] validCount;    // [B]: real tokens cached per row = the next generate-style position
    private final int batch;
    private final int maxLen;
    private int length;                // filled columns

    KvCache(int layers, int batch, int kvHeads, int maxLen, int headDim) {
        if (batch <= 0 || maxLen <= 0) {
            throw new IllegalArgumentException("KV cache: batch and maxLen must be > 0, got " + batch + ", " + maxLen);
        }
        this.keys = new INDArray[layers];
        this.values = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = Nd4j.zeros(DataType.FLOAT, batch, kvHeads, maxLen, headDim);
            values[l] = Nd4j.zeros(DataType.FLOAT, batch, kvHeads, maxLen, headDim);
        }
        this.keyMask = new float[batch * maxLen];
        this.validCount = new int[batch];
        this.batch = batch;
        this.maxLen = maxLen;
    }

    public int batch() {
        return batch;
    }

    public int maxLen() {
        return maxLen;
    }

    /** Filled positions (the absolute position of the next token). */
    public int length() {
        return length;
    }

    /** Real (unmasked) tokens of row b so far: HF generate's position id for that row's next token. */
    public int validCount(int b) {
        return validCount[b];
    }

    /** Keys of layer l over the filled positions: [B, KV, length, hd] (a view). */
    public INDArray keys(int layer) {
        return keys[layer].get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, length), NDArrayIndex.all());
    }

    /** Values of layer l over the filled positions: [B, KV, length, hd] (a view). */
    public INDArray values(int layer) {
        return values[layer].get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, length), NDArrayIndex.all());
    }

    /**
     * Beam-search bookkeeping: row i becomes a copy of the old row {@code rows[i]} (keys, values, mask,
     * counts), over the filled positions. {@code rows} has one entry per row; repeats are allowed.
     */
    public void reorder(int[] rows) {
        if (rows.length != batch) throw new IllegalArgumentException("reorder: expected " + batch + " row indices, got " + rows.length);
        for (int r : rows) if (r < 0 || r >= batch) throw new IllegalArgumentException("reorder: row " + r + " outside [0, " + batch + ")");
        if (length == 0) return;
        INDArray idx = Nd4j.createFromArray(rows);
        var filled = NDArrayIndex.interval(0, length);
        for (int l = 0; l < keys.length; l++) {
            for (INDArray store : new INDArray[]{keys[l], values[l]}) {
                INDArray view = store.get(NDArrayIndex.all(), NDArrayIndex.all(), filled, NDArrayIndex.all());   // [B, KV, length, hd]
                INDArray picked = Nd4j.pullRows(view.reshape('c', batch, -1), 1, rows);                            // [B, KV·length·hd]
                view.assign(picked.reshape('c', view.shape()));
            }
        }
        float[] oldMask = keyMask.clone();
        int[] oldCount = validCount.clone();
        for (int b = 0; b < batch; b++) {
            System.arraycopy(oldMask, rows[b] * maxLen, keyMask, b * maxLen, maxLen);
            validCount[b] = oldCount[rows[b]];
        }
        idx.close();
    }

    /** Forgets everything (the storage is reused). */
    public void clear() {
        length = 0;
        java.util.Arrays.fill(keyMask, 0);
        java.util.Arrays.fill(validCount, 0);
    }

    // ---- used by Qwen2Model during a forward over L new tokens ----

    /** Records the mask of L new columns ([B * L], 1 = real) at positions [length, length + L). */
    void appendMask(float[] newMask, int l) {
        if (length + l > maxLen) {
            throw new IllegalStateException("KV cache full: " + length + " + " + l + " tokens > maxLen " + maxLen);
        }
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < l; i++) {
                float m = newMask[b * l + i];
                keyMask[b * maxLen + length + i] = m;
                if (m != 0) validCount[b]++;
            }
        }
    }

    /** Whether the cached token at (row b, position s) is real (1) or a pad (0). */
    public boolean isReal(int b, int s) {
        return keyMask[b * maxLen + s] != 0;
    }

    /** The mask of the first {@code s} cached columns, [B * s]. */
    float[] mask(int s) {
        float[] out = new float[batch * s];
        for (int b = 0; b < batch; b++) System.arraycopy(keyMask, b * maxLen, out, b * s, s);
        return out;
    }

    /** Writes layer l's new keys/values [B, KV, L, hd] at [length, length + L); returns all S = length + L of them. */
    INDArray[] write(int layer, INDArray k, INDArray v) {
        long l = k.size(2);
        var span = NDArrayIndex.interval(length, length + l);
        keys[layer].get(NDArrayIndex.all(), NDArrayIndex.all(), span, NDArrayIndex.all()).assign(k);
        values[layer].get(NDArrayIndex.all(), NDArrayIndex.all(), span, NDArrayIndex.all()).assign(v);
        var upTo = NDArrayIndex.interval(0, length + l);
        return new INDArray[]{
                keys[layer].get(NDArrayIndex.all(), NDArrayIndex.all(), upTo, NDArrayIndex.all()).dup('c'),   // [B, KV, S, hd]
                values[layer].get(NDArrayIndex.all(), NDArrayIndex.all(), upTo, NDArrayIndex.all()).dup('c')};
    }

    /** Marks L more columns filled (after every layer has written). */
    void advance(int l) {
        length += l;
    }
}
