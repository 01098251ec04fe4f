package org.osum4j.infer.decode;

import org.osum4j.golden.Check;
import org.osum4j.golden.FixtureChecker;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Checks the greedy decoder and HF's repetition penalty against OSUM's own {@code generate} (fixture
 * {@code osum_tiny}, tensors {@code generate.i.*}): the recorded step logits are replayed as a model, and the
 * chosen ids must equal {@code output_ids} (penalty 1.0) and {@code output_ids_rp1.05} (penalty 1.05). The step
 * logits belong to the penalty-1.0 path, so the 1.05 run is checked up to and including its first differing token.
 * Secondary: the model's own checks of that fixture live elsewhere.
 */
public final class GreedyReplayParity implements FixtureChecker {

    static final String IO_FILE = "io.safetensors";
    /** OSUM's penalty, recorded as a separate reference ({@code output_ids_rp1.05}). */
    static final double OSUM_REPETITION_PENALTY = 1.05;

    @Override
    public String name() {
        return "greedy decoding replay";
    }

    @Override
    public boolean primary() {
        return false;
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        Path io = dir.resolve(IO_FILE);
        if (!Files.isRegularFile(io)) return false;
        try {
            return SafeTensors.read(io).has("generate.0.step_logits");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName().toString();
        SafeTensors io = SafeTensors.read(dir.resolve(IO_FILE));
        for (int i = 0; io.has("generate." + i + ".step_logits"); i++) {
            String p = "generate." + i + ".";
            TensorData logitsT = io.get(p + "step_logits");
            int[] shape = logitsT.intShape(); // [S, V]
            if (shape.length != 2) throw new IllegalStateException(fx + "/" + p + "step_logits: expected [S, V], got " + Arrays.toString(shape));
            float[][] steps = rows(logitsT.toFloats(), shape[0], shape[1]);
            long[] greedyRef = io.get(p + "output_ids").toLongs();
            long[] rpRef = io.get(p + "output_ids_rp1.05").toLongs();
            if (greedyRef.length != shape[0]) {
                throw new IllegalStateException(fx + "/" + p + "output_ids: expected " + shape[0] + " ids (one per step_logits row), got " + greedyRef.length);
            }
            DecodingOptions greedy = DecodingOptions.greedy().withMaxNewTokens(shape[0]);
            compare(report, fx, p + "output_ids (greedy replay)", steps, greedyRef, greedyRef, greedy);

            int upTo = 0; // tokens of the penalised run that the penalty-1.0 logits can decide
            while (upTo < rpRef.length && upTo < greedyRef.length && rpRef[upTo] == greedyRef[upTo]) upTo++;
            upTo = Math.min(upTo + 1, rpRef.length);
            compare(report, fx, p + "output_ids_rp1.05[:" + upTo + "] (greedy replay)", steps, greedyRef,
                    Arrays.copyOf(rpRef, upTo), greedy.withRepetitionPenalty(OSUM_REPETITION_PENALTY).withMaxNewTokens(upTo));
        }
    }

    /** Decodes over the replayed logits and compares ids exactly; leaving the recorded path is a failed row. */
    private static void compare(ParityReport report, String fx, String tensor, float[][] steps, long[] path, long[] ref,
                                DecodingOptions opts) {
        try {
            report.compareExact(fx, tensor, ref, decode(steps, path, opts), new long[]{ref.length});
        } catch (IllegalStateException e) {
            report.add(Check.failed(fx, tensor, e.getMessage()));
        }
    }

    private static long[] decode(float[][] steps, long[] path, DecodingOptions opts) {
        ReplayModel m = new ReplayModel(steps, path);
        List<Hypothesis> h = Decoding.run(m, new float[][]{steps[0].clone()}, opts);
        return Arrays.stream(h.get(0).tokens()).asLongStream().toArray();
    }

    private static float[][] rows(float[] flat, int s, int v) {
        float[][] out = new float[s][];
        for (int i = 0; i < s; i++) out[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
        return out;
    }

    /** A one-row model that knows only the recorded path: step s returns the logits recorded after path[:s]. */
    static final class ReplayModel implements StepModel {
        private final float[][] steps;
        private final long[] path;
        private int fed;

        ReplayModel(float[][] steps, long[] path) {
            this.steps = steps;
            this.path = path;
        }

        @Override
        public int vocabSize() {
            return steps[0].length;
        }

        @Override
        public float[][] step(int[] tokens) {
            if (tokens.length != 1) throw new IllegalStateException("replay model has one row, got " + tokens.length + " tokens");
            if (tokens[0] != path[fed]) {
                throw new IllegalStateException("replay model knows only the recorded path: step " + fed + " expected id "
                        + path[fed] + ", got " + tokens[0]);
            }
            fed++;
            if (fed >= steps.length) throw new IllegalStateException("replay model has only " + steps.length + " recorded steps");
            return new float[][]{steps[fed].clone()};
        }

        @Override
        public void reorder(int[] rows) {
            if (rows.length != 1 || rows[0] != 0) throw new IllegalStateException("replay model has one row, reorder " + Arrays.toString(rows));
        }
    }
}
