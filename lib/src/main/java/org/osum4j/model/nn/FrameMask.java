package org.osum4j.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Which frames of a padded batch are real. In OSUM's encoder and adapter every mask is a prefix (frames
 * {@code 0 … valid[b]−1} of item b), also after wenet's subsampling, so a mask is just the valid count
 * per item. Attention uses it as a key-padding mask: an additive {@link #MASKED_SCORE} on invalid keys.
 *
 * @param valid  valid frames per batch item, each in [0, frames]
 * @param frames padded length T of the batch
 */
public record FrameMask(int[] valid, int frames) {

    /**
     * Added to the attention score of a masked key. Large enough that exp() underflows to exactly 0 in
     * fp32, finite so that a fully masked row gives a uniform softmax instead of NaN (−inf would give 0/0).
     */
    public static final float MASKED_SCORE = -1e9f;

    public FrameMask {
        valid = valid.clone();
        for (int v : valid) {
            if (v < 0 || v > frames) throw new IllegalArgumentException("valid frame count " + v + " outside [0, " + frames + "]");
        }
    }

    /** Every frame of every item valid. */
    public static FrameMask full(int batch, int frames) {
        int[] v = new int[batch];
        Arrays.fill(v, frames);
        return new FrameMask(v, frames);
    }

    /** Prefix mask from lengths (e.g. {@code batch.feats_lengths}). */
    public static FrameMask ofLengths(long[] lengths, int frames) {
        int[] v = new int[lengths.length];
        for (int i = 0; i < v.length; i++) v[i] = Math.toIntExact(lengths[i]);
        return new FrameMask(v, frames);
    }

    @Override
    public int[] valid() {
        return valid.clone();
    }

    public int batch() {
        return valid.length;
    }

    public boolean isFull() {
        for (int v : valid) if (v != frames) return false;
        return true;
    }

    /**
     * wenet subsampling of a mask: keep frames {@code offset, offset+step, …} of the padded length. For a
     * prefix of v frames the result is the prefix of indices below v: ⌈(v − offset) / step⌉.
     */
    public FrameMask subsample(int offset, int step) {
        int outFrames = frames > offset ? (frames - offset + step - 1) / step : 0;
        int[] v = new int[valid.length];
        for (int i = 0; i < v.length; i++) v[i] = valid[i] > offset ? (valid[i] - offset + step - 1) / step : 0;
        return new FrameMask(v, outFrames);
    }

    /** Additive key bias [B, 1, 1, T]: 0 at valid keys, {@link #MASKED_SCORE} elsewhere. */
    public INDArray keyBias() {
        float[] bias = new float[valid.length * frames];
        for (int b = 0; b < valid.length; b++) {
            Arrays.fill(bias, b * frames + valid[b], (b + 1) * frames, MASKED_SCORE);
        }
        return Nd4j.create(bias, new long[]{valid.length, 1, 1, frames}, 'c').castTo(DataType.FLOAT);
    }

    /** The mask as 0/1 longs [B·T] row-major (the fixtures' I64 masks). */
    public long[] toLongs() {
        long[] m = new long[valid.length * frames];
        for (int b = 0; b < valid.length; b++) Arrays.fill(m, b * frames, b * frames + valid[b], 1L);
        return m;
    }

    /** The mask broadcast over {@code features} per frame, as booleans [B·T·F] row-major (for masked comparisons). */
    public boolean[] perElement(int features) {
        boolean[] m = new boolean[valid.length * frames * features];
        for (int b = 0; b < valid.length; b++) Arrays.fill(m, b * frames * features, (b * frames + valid[b]) * features, true);
        return m;
    }

    @Override
    public String toString() {
        return "FrameMask" + Arrays.toString(valid) + "/" + frames;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameMask m && m.frames == frames && Arrays.equals(m.valid, valid);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(valid) + frames;
    }
}
