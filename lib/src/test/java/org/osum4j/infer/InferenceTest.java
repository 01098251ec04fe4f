package org.osum4j.infer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.audio.LogMel;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.audio.Waveform;
import org.osum4j.data.Utterance;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.infer.decode.Decoding;
import org.osum4j.infer.decode.DecodingOptions;
import org.osum4j.infer.decode.Hypothesis;
import org.osum4j.model.OsumModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batched inference on the golden osum_tiny model: batch = single, encoder reuse, windowing, custom questions. */
class InferenceTest {

    /** Enough new tokens to make a late divergence visible. */
    private static final int NEW_TOKENS = 24;
    private static final int MIN_NEW_TOKENS = 20;
    private static final double SCORE_TOL = 1e-4;

    private static Osum osum;

    @BeforeAll
    static void load() throws Exception {
        osum = Osum.load(GoldenSuite.defaultDir().resolve("osum_tiny"));
    }

    @AfterAll
    static void close() {
        osum.close();
    }

    /** Seeded noise with a tone whose pitch and loudness depend on the seed: distinct audio per utterance. */
    static Waveform synthetic(double seconds, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[(int) (seconds * LogMel.SAMPLE_RATE)];
        double f = 120 + 40 * (seed % 7), a = 0.05 + 0.02 * (seed % 5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (a * Math.sin(2 * Math.PI * f * i / LogMel.SAMPLE_RATE) + 0.02 * rng.nextGaussian());
        }
        return new Waveform(x, LogMel.SAMPLE_RATE, "synthetic-" + seed);
    }

    private static List<Inference.Input> inputs(int n) {
        List<Inference.Input> in = new ArrayList<>();
        for (int i = 0; i < n; i++) in.add(new Inference.Input("u" + i, synthetic(0.7 + 0.45 * i, 11 + i)));  // 0.7 … 3.85 s
        return in;
    }

    private static INDArray features(Waveform w) {
        LogMelFeatures f = LogMel.of(osum.config().encoder().numMelBins()).compute(w);
        return Nd4j.createFromArray(f.transposed()).reshape(f.frames(), f.nMels());                  // [T, n_mels]
    }

    @Test
    void stepModelGreedy_equalsOsumGreedyIds() {
        Waveform w = synthetic(2.3, 5);
        String prompt = osum.tasks().get("<TRANSCRIBE>").defaultPrompt();
        long[] expected = osum.greedyIds(prompt, features(w), NEW_TOKENS);

        OsumModel m = osum.model();
        INDArray speech = m.encodeUtterance(features(w));
        OsumModel.Prefill p = m.prefillSpeech(new long[][]{osum.promptIds(prompt)}, List.of(speech));
        OsumStepModel sm = OsumStepModel.prefill(m, p, 1, NEW_TOKENS, new OsumStepModel.Workspace(m.llm()));
        Hypothesis h = Decoding.run(sm, sm.firstLogits(),
                DecodingOptions.greedy().withMaxNewTokens(NEW_TOKENS).withEosId((int) osum.config().eodId())).get(0);
        assertArrayEquals(expected, Arrays.stream(h.textTokens()).asLongStream().toArray());
        assertTrue(expected.length > 0, "the tiny model should generate something");
    }

    @Test
    void batchOfEight_equalsOneByOne_greedy() {
        assertBatchEqualsSingle(DecodingOptions.greedy());
    }

    @Test
    void batchOfEight_equalsOneByOne_beam4() {
        assertBatchEqualsSingle(DecodingOptions.beam(4));
    }

    private static void assertBatchEqualsSingle(DecodingOptions base) {
        DecodingOptions opts = base.withMaxNewTokens(NEW_TOKENS).withMinNewTokens(MIN_NEW_TOKENS);
        List<Inference.Input> in = inputs(8);
        List<List<Inference.Query>> q = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) q.add(List.of(Inference.Query.of("<TRANSCRIBE>")));
        Inference inf = Inference.of(osum);
        List<List<Answer>> batched = inf.run(in, q, opts, 8);
        int distinct = 0;
        for (int i = 0; i < in.size(); i++) {
            Answer one = inf.run(List.of(in.get(i)), List.of(q.get(i)), opts, 1).get(0).get(0);
            Answer b = batched.get(i).get(0);
            assertTrue(one.tokens().length >= MIN_NEW_TOKENS - 1, "at least 20 new tokens (eos excluded): " + one.tokens().length);
            assertArrayEquals(one.tokens(), b.tokens(), "utterance " + i + " ids");
            assertEquals(one.score(), b.score(), SCORE_TOL, "utterance " + i + " score");
            assertEquals(one.text(), b.text());
            if (i > 0 && !Arrays.equals(b.tokens(), batched.get(0).get(0).tokens())) distinct++;
        }
        assertTrue(distinct > 0, "different audio should give different outputs (else the test proves nothing)");
    }

    @Test
    void severalTasks_encodeTheAudioOnce() {
        Inference inf = Inference.of(osum).withDecoding(DecodingOptions.greedy().withMaxNewTokens(8));
        List<Answer> a = inf.ask(synthetic(1.5, 3), "<TRANSCRIBE>", "<TRANSCRIBE> <EMOTION>", "<TRANSCRIBE> <GENDER>");
        assertEquals(3, a.size());
        assertEquals(1, inf.encoderCalls());
        assertEquals("<TRANSCRIBE> <EMOTION>", a.get(1).task());
        assertEquals(osum.tasks().get("<TRANSCRIBE> <EMOTION>").defaultPrompt(), a.get(1).prompt());
        assertNotEquals(a.get(0).prompt(), a.get(1).prompt());

        List<List<Answer>> all = inf.run(inputs(3), List.of(
                List.of(Inference.Query.of("<TRANSCRIBE>"), Inference.Query.of("<TRANSCRIBE> <AGE>")),
                List.of(Inference.Query.of("<TRANSCRIBE>"), Inference.Query.of("<TRANSCRIBE> <AGE>")),
                List.of(Inference.Query.of("<TRANSCRIBE>"), Inference.Query.of("<TRANSCRIBE> <AGE>"))), null, 4);
        assertEquals(1 + 3, inf.encoderCalls(), "one encoder run per utterance, not per task");
        assertEquals(2, all.get(2).size());
    }

    @Test
    void seventySeconds_decodedInThreeWindowsCutAtPauses_transcriptsJoined() {
        Waveform w = synthetic(70, 9);
        float[] x = w.samples();
        for (double pause : new double[]{27.0, 55.0}) {                                          // 300 ms of silence each
            Arrays.fill(x, (int) (pause * LogMel.SAMPLE_RATE), (int) ((pause + 0.3) * LogMel.SAMPLE_RATE), 0f);
        }
        List<Windows.Window> win = Windows.split(w, Windows.MAX_SECONDS);
        assertEquals(3, win.size());
        assertTrue(win.get(1).startSeconds() >= 27.0 && win.get(1).startSeconds() <= 27.3, "cut in the first pause: " + win.get(1).startSeconds());
        assertTrue(win.get(2).startSeconds() >= 55.0 && win.get(2).startSeconds() <= 55.3, "cut in the second pause: " + win.get(2).startSeconds());
        assertEquals(w.length(), win.get(2).end());

        Inference inf = Inference.of(osum).withDecoding(DecodingOptions.greedy().withMaxNewTokens(6));
        assertEquals(30.0, inf.windowSeconds(), 1e-9);
        Answer whole = inf.transcribe(w);
        assertEquals(3, whole.windows());
        assertEquals(3, inf.encoderCalls());
        List<String> parts = new ArrayList<>();
        for (Windows.Window p : win) {
            String t = inf.transcribe(p.audio()).text();
            if (!t.isEmpty()) parts.add(t);
        }
        assertEquals(String.join(" ", parts), whole.text());
    }

    @Test
    void customQuestion_isThePrompt_andMatchesGreedyIds() {
        Waveform w = synthetic(1.8, 21);
        String question = "what is the speaker doing?";
        Inference inf = Inference.of(osum).withDecoding(DecodingOptions.greedy().withMaxNewTokens(NEW_TOKENS));
        Answer a = inf.askQuestion(w, question);
        assertEquals(question, a.prompt());
        assertEquals("<TRANSCRIBE> <S2TCHAT>", a.task());
        assertArrayEquals(osum.greedyIds(question, features(w), NEW_TOKENS), a.tokens());

        Utterance u = Utterance.of("k", "x.wav", "").withExtra(Map.of("question", question));
        List<Inference.Query> q = Inference.queriesFor(u, List.of());
        assertEquals(List.of(new Inference.Query("<TRANSCRIBE>", question)), q);
    }

    @Test
    void randomPrompts_areSeededPerKey_andFromTheTask() {
        Inference inf = Inference.of(osum).withPrompts(Inference.PromptChoice.RANDOM, 777)
                .withDecoding(DecodingOptions.greedy().withMaxNewTokens(2));
        List<Inference.Input> in = inputs(6);
        List<List<Inference.Query>> q = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) q.add(List.of(Inference.Query.of("<TRANSCRIBE>")));
        List<List<Answer>> first = inf.run(in, q, null, 3), again = inf.run(in, q, null, 6);
        List<String> allowed = osum.tasks().get("<TRANSCRIBE>").prompts();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < in.size(); i++) {
            assertEquals(first.get(i).get(0).prompt(), again.get(i).get(0).prompt());
            assertTrue(allowed.contains(first.get(i).get(0).prompt()));
            seen.add(first.get(i).get(0).prompt());
        }
        assertTrue(seen.size() > 1, "six keys should not all draw the same of five prompts");
    }
}
