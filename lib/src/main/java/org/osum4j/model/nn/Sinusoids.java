package org.osum4j.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two sinusoid position tables of OSUM's speech side, for freshly initialised models only: checkpoints
 * carry their tables (the golden fixtures add noise to them on purpose), so loading recomputes them only where a
 * checkpoint lacks them (training checkpoints store parameters only; {@code Osum.osumStateDict}).
 */
public final class Sinusoids {

    /** Both tables use timescales up to 10 000 positions. */
    private static final double MAX_TIMESCALE = 10000.0;

    private Sinusoids() {
    }

    /**
     * Whisper / wenet {@code abs_pos_whisper}: [length, d] = [sin(t·f_i) | cos(t·f_i)] concatenated, with
     * f_i = exp(−i·ln(10000)/(d/2 − 1)), i = 0 … d/2 − 1.
     */
    public static INDArray whisper(int length, int d) {
        int half = d / 2;
        double step = Math.log(MAX_TIMESCALE) / (half - 1);
        float[] pe = new float[length * d];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < half; i++) {
                double a = t * Math.exp(-step * i);
                pe[t * d + i] = (float) Math.sin(a);
                pe[t * d + half + i] = (float) Math.cos(a);
            }
        }
        return Nd4j.create(pe, new long[]{length, d}, 'c');
    }

    /**
     * wenet {@code PositionalEncoding} ({@code abs_pos}): [length, d] with pe[t, 2i] = sin(t·f_i) and
     * pe[t, 2i+1] = cos(t·f_i), f_i = exp(−2i·ln(10000)/d).
     */
    public static INDArray interleaved(int length, int d) {
        float[] pe = new float[length * d];
        for (int t = 0; t < length; t++) {
            for (int i = 0; 2 * i < d; i++) {
                double a = t * Math.exp(-2.0 * i * Math.log(MAX_TIMESCALE) / d);
                pe[t * d + 2 * i] = (float) Math.sin(a);
                if (2 * i + 1 < d) pe[t * d + 2 * i + 1] = (float) Math.cos(a);
            }
        }
        return Nd4j.create(pe, new long[]{length, d}, 'c');
    }
}
