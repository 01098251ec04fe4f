package org.osum4j.data;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.text.Tokenizer;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The tokenize step with the osum_tiny tokenizer. */
class ExamplesTest {

    static Tokenizer tok;
    static Examples train;

    @BeforeAll
    static void load() throws IOException {
        tok = Tokenizer.load(GoldenSuite.defaultDir().resolve("osum_tiny/llm"));
        train = new Examples(TaskRegistry.osum(), tok, false);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void build_targetIsNormalisedTextPlusEndOfText() {
        Examples.Example e = train.build(Utterance.of("k", "k.wav", "It Looks 好 的 <Happy>").withTask("<TRANSCRIBE><EMOTION>"),
                new Random(1), new Report("t"));
        assertEquals("it looks好的<happy>", e.target());
        long[] ids = e.targetIds();
        assertEquals(tok.endOfTextId(), ids[ids.length - 1]);
        assertArrayEquals(tok.encode("it looks好的<happy>"), Arrays.copyOf(ids, ids.length - 1));
        assertTrue(TaskRegistry.osum().get("<TRANSCRIBE> <EMOTION>").prompts().contains(e.prompt()));
    }

    @Test
    void build_asrPrompt_givesGoldenPromptIds() throws IOException {
        // with extra.question the prompt is fixed: osum_tiny's first item uses the first <TRANSCRIBE> prompt
        SafeTensors io = SafeTensors.read(GoldenSuite.defaultDir().resolve("osum_tiny/io.safetensors"));
        Examples infer = new Examples(TaskRegistry.osum(), tok, true);
        String p = TaskRegistry.osum().get("<TRANSCRIBE>").prompts().get(0);
        Examples.Example e = infer.build(Utterance.of("k", "k.wav", "").withExtra(Map.of("question", p)), new Random(1), new Report("t"));
        assertArrayEquals(io.get("generate.0.prompt_ids").toLongs(), e.promptIds());
    }

    @Test
    void build_noneTarget_isSkippedAndCounted() {
        Report r = new Report("t");
        assertNull(train.build(Utterance.of("k", "k.wav", "你好<None>").withTask("<TRANSCRIBE> <EMOTION>"), new Random(1), r));
        assertNull(train.build(Utterance.of("k2", "k.wav", "x").withTask("<NEW>"), new Random(1), r));
        assertNull(train.build(Utterance.of("k3", "k.wav", "x<adult><male>").withTask("<STYLE> <AGE> <GENDER>"), new Random(1), r));
        assertEquals(1, r.skipped(Examples.DROPPED_NONE));
        assertEquals(1, r.skipped(Examples.UNKNOWN_TASK));
        assertEquals(1, r.skipped(Examples.NO_PROMPTS));
    }

    @Test
    void build_styleTask_mapsFineLabel() {
        Examples.Example e = train.build(Utterance.of("k", "k.wav", "很久以前<武侠评书>").withTask("<TRANSCRIBE> <STYLE>"), new Random(1), new Report("t"));
        assertEquals("很久以前<有声书>", e.target());
        assertEquals(e.promptIds().length, e.toSample(300).promptTokens());
    }
}
