package org.osum4j.infer.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Fake {@link StepModel}s for decoder tests. Each is a pure function logits(input, history) wrapped in a batch of
 * rows that honours step/reorder exactly as the Qwen2 KV cache must, so a bookkeeping bug in a decoder shows up as
 * log-probs that no longer match the function.
 */
final class FakeModels {

    private FakeModels() {
    }

    /** Rows of (input index, history) over a pure logits function; counts steps and the largest batch seen. */
    static final class FunctionModel implements StepModel {
        final int vocab;
        final BiFunction<Integer, int[], float[]> logits;
        List<Integer> inputs = new ArrayList<>();
        List<int[]> histories = new ArrayList<>();
        int steps;
        int maxRows;

        FunctionModel(int vocab, int batch, BiFunction<Integer, int[], float[]> logits) {
            this.vocab = vocab;
            this.logits = logits;
            for (int b = 0; b < batch; b++) {
                inputs.add(b);
                histories.add(new int[0]);
            }
        }

        /** The prefill logits [B][V]. */
        float[][] first() {
            float[][] out = new float[inputs.size()][];
            for (int r = 0; r < out.length; r++) out[r] = logits.apply(inputs.get(r), histories.get(r));
            return out;
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public float[][] step(int[] tokens) {
            if (tokens.length != histories.size()) {
                throw new IllegalStateException("step with " + tokens.length + " tokens for " + histories.size() + " rows");
            }
            steps++;
            maxRows = Math.max(maxRows, tokens.length);
            float[][] out = new float[tokens.length][];
            for (int r = 0; r < tokens.length; r++) {
                int[] h = Arrays.copyOf(histories.get(r), histories.get(r).length + 1);
                h[h.length - 1] = tokens[r];
                histories.set(r, h);
                out[r] = logits.apply(inputs.get(r), h);
            }
            return out;
        }

        @Override
        public void reorder(int[] rows) {
            List<Integer> in = new ArrayList<>();
            List<int[]> hs = new ArrayList<>();
            for (int r : rows) {
                in.add(inputs.get(r));
                hs.add(histories.get(r));
            }
            inputs = in;
            histories = hs;
        }
    }

    /**
     * A random model: logits = F[input] at the start, then M[last token] + 0.5·N[hash(input, history)] — mostly
     * Markov, but every row's whole history matters. {@code scale} sets how peaked the distributions are.
     */
    static BiFunction<Integer, int[], float[]> random(int vocab, long seed, float scale) {
        Random r = new Random(seed);
        int hashes = 97;
        float[][] first = gaussian(r, 64, vocab, scale);
        float[][] markov = gaussian(r, vocab, vocab, scale);
        float[][] noise = gaussian(r, hashes, vocab, scale);
        return (input, h) -> {
            if (h.length == 0) return first[input % first.length].clone();
            long hash = input * 31L + 7;
            for (int t : h) hash = hash * 1_000_003L + t;
            float[] a = markov[h[h.length - 1]];
            float[] n = noise[(int) Math.floorMod(hash, (long) hashes)];
            float[] out = new float[vocab];
            for (int v = 0; v < vocab; v++) out[v] = a[v] + 0.5f * n[v];
            return out;
        };
    }

    /** Logits = log of the given probabilities for the last token (-1 = start), with any unlisted token at 1e-6. */
    static BiFunction<Integer, int[], float[]> table(int vocab, double[][] probsAfter) {
        return (input, h) -> {
            int last = h.length == 0 ? 0 : h[h.length - 1] + 1;
            double[] p = probsAfter[last];
            float[] out = new float[vocab];
            for (int v = 0; v < vocab; v++) out[v] = (float) Math.log(v < p.length && p[v] > 0 ? p[v] : 1e-6);
            return out;
        };
    }

    private static float[][] gaussian(Random r, int rows, int cols, float scale) {
        float[][] m = new float[rows][cols];
        for (float[] row : m) for (int i = 0; i < cols; i++) row[i] = (float) r.nextGaussian() * scale;
        return m;
    }

    /** log_softmax(x)[i] in double. */
    static double logProb(float[] x, int i) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) max = Math.max(max, v);
        double s = 0;
        for (float v : x) s += Math.exp(v - max);
        return x[i] - max - Math.log(s);
    }
}
