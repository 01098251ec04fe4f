package org.osum4j.infer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.infer.decode.Decoding;
import org.osum4j.infer.decode.DecodingOptions;
import org.osum4j.infer.decode.Hypothesis;
import org.osum4j.infer.decode.StepModel;
import org.osum4j.model.OsumModel;
import org.osum4j.model.Qwen2Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The cached step model against a reference without any cache: every step re-runs the LLM over the row's whole
 * history (prefix embeddings + tokens so far), so growing, dropping and duplicating rows cannot go wrong there.
 */
class OsumStepModelTest {

    private static final int NEW_TOKENS = 22;
    private static Osum osum;

    @BeforeAll
    static void load() throws Exception {
        osum = Osum.load(GoldenSuite.defaultDir().resolve("osum_tiny"));
    }

    @AfterAll
    static void close() {
        osum.close();
    }

    /** No cache: row i = (input, tokens so far); logits by a full forward of its unpadded sequence. */
    private static final class Recompute implements StepModel {
        private final Qwen2Model llm;
        private final List<INDArray> prefixes;                 // per input [1, P_b, H]
        private List<int[]> rowInput = new ArrayList<>();       // per row: {input}
        private List<List<Integer>> history = new ArrayList<>();

        Recompute(Qwen2Model llm, List<INDArray> prefixes) {
            this.llm = llm;
            this.prefixes = prefixes;
            for (int b = 0; b < prefixes.size(); b++) {
                rowInput.add(new int[]{b});
                history.add(new ArrayList<>());
            }
        }

        float[][] logitsOfRows() {
            float[][] out = new float[history.size()][];
            for (int r = 0; r < history.size(); r++) {
                INDArray prefix = prefixes.get(rowInput.get(r)[0]);
                INDArray x = prefix;
                if (!history.get(r).isEmpty()) {
                    long[] ids = history.get(r).stream().mapToLong(Integer::longValue).toArray();
                    x = Nd4j.concat(1, prefix, llm.embed(Nd4j.createFromArray(ids).reshape(1, ids.length)));
                }
                int len = (int) x.size(1);
                INDArray logits = llm.forward(x, null, null, null, false).logits();              // [1, L, V]
                out[r] = logits.get(NDArrayIndex.point(0), NDArrayIndex.point(len - 1), NDArrayIndex.all()).dup().data().asFloat();
            }
            return out;
        }

        @Override
        public int vocabSize() {
            return llm.config().vocabSize();
        }

        @Override
        public float[][] step(int[] tokens) {
            for (int r = 0; r < tokens.length; r++) history.get(r).add(tokens[r]);
            return logitsOfRows();
        }

        @Override
        public void reorder(int[] rows) {
            List<int[]> in = new ArrayList<>();
            List<List<Integer>> h = new ArrayList<>();
            for (int r : rows) {
                in.add(rowInput.get(r));
                h.add(new ArrayList<>(history.get(r)));
            }
            rowInput = in;
            history = h;
        }
    }

    private static INDArray randomFeatures(int frames, long seed) {
        Random rng = new Random(seed);
        int mels = osum.config().encoder().numMelBins();
        float[] f = new float[frames * mels];
        for (int i = 0; i < f.length; i++) f[i] = (float) (0.3 * rng.nextGaussian());
        return Nd4j.createFromArray(f).reshape(frames, mels);                                     // [T, n_mels]
    }

    private static void assertSameAsRecompute(DecodingOptions opts) {
        OsumModel m = osum.model();
        String prompt = osum.tasks().get("<TRANSCRIBE>").defaultPrompt();
        int[] frames = {90, 200};                                                                  // different lengths → left padding
        long[][] prompts = new long[frames.length][];
        List<INDArray> speech = new ArrayList<>();
        List<INDArray> prefixes = new ArrayList<>();
        for (int b = 0; b < frames.length; b++) {
            prompts[b] = osum.promptIds(prompt);
            speech.add(m.encodeUtterance(randomFeatures(frames[b], 40 + b)));
            OsumModel.Prefill one = m.prefillSpeech(new long[][]{prompts[b]}, List.of(speech.get(b)));
            prefixes.add(one.embeds());                                                            // [1, P_b, H], no padding
        }
        OsumModel.Prefill p = m.prefillSpeech(prompts, speech);
        OsumStepModel sm = OsumStepModel.prefill(m, p, opts.beams(), opts.maxNewTokens(), new OsumStepModel.Workspace(m.llm()));
        List<Hypothesis> fast = Decoding.run(sm, sm.firstLogits(), opts);

        Recompute ref = new Recompute(m.llm(), prefixes);
        List<Hypothesis> slow = Decoding.run(ref, ref.logitsOfRows(), opts);
        for (int b = 0; b < frames.length; b++) {
            assertArrayEquals(slow.get(b).tokens(), fast.get(b).tokens(), "input " + b);
            assertEquals(slow.get(b).score(), fast.get(b).score(), 1e-4, "input " + b + " score");
        }
    }

    @Test
    void greedy_equalsRecomputingWithoutCache() {
        assertSameAsRecompute(DecodingOptions.greedy().withMaxNewTokens(NEW_TOKENS).withEosId((int) osum.config().eodId()));
    }

    @Test
    void beam4_growingAndReorderingRows_equalsRecomputingWithoutCache() {
        assertSameAsRecompute(DecodingOptions.beam(4).withMaxNewTokens(NEW_TOKENS).withMinNewTokens(NEW_TOKENS - 2)
                .withEosId((int) osum.config().eodId()));
    }

    @Test
    void reorder_beyondCapacity_isRejected() {
        OsumModel m = osum.model();
        OsumModel.Prefill p = m.prefillSpeech(new long[][]{osum.promptIds("hi")}, List.of(m.encodeUtterance(randomFeatures(50, 1))));
        OsumStepModel sm = OsumStepModel.prefill(m, p, 2, 4, new OsumStepModel.Workspace(m.llm()));
        assertThrows(IllegalArgumentException.class, () -> sm.reorder(new int[]{0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> sm.step(new int[]{1, 2}));
        sm.reorder(new int[]{0, 0});
        assertEquals(2, sm.step(new int[]{1, 2}).length);
    }
}
