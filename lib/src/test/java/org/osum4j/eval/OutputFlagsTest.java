package org.osum4j.eval;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.osum4j.eval.OutputFlags.Flag.*;

class OutputFlagsTest {

    private static final Set<String> GENDER = Set.of("male", "female");

    @Test
    void cleanOutput_hasNoFlags() {
        assertEquals(Set.of(), OutputFlags.of("the cat sat on the mat<female>", "the cat sat on the mat<female>", false, GENDER));
    }

    @Test
    void repeatedPhrase_isALoopAndCompressesTooWell() {
        String loop = "thank you very much " + "and so on ".repeat(30);
        Set<OutputFlags.Flag> f = OutputFlags.of(loop, "thank you very much", false, Set.of());
        assertTrue(f.contains(REPETITION_LOOP), f.toString());
        assertTrue(f.contains(HIGH_COMPRESSION_RATIO), f.toString());
        assertTrue(OutputFlags.compressionRatio(loop) > 2.4);
        assertTrue(OutputFlags.compressionRatio("a quick brown fox jumps over the lazy dog") < 2.4);
    }

    @Test
    void emptyOutput_andMissingTag() {
        Set<OutputFlags.Flag> f = OutputFlags.of("  ", "hello<male>", false, GENDER);
        assertTrue(f.contains(EMPTY) && f.contains(MISSING_TAG), f.toString());
    }

    @Test
    void labelOutsideVocabulary_andExtraTag() {
        Set<OutputFlags.Flag> f = OutputFlags.of("hello<child><male>", "hello<male>", false, GENDER);
        assertTrue(f.contains(LABEL_OUT_OF_VOCABULARY), f.toString());
        assertTrue(f.contains(EXTRA_TAG), f.toString());
    }

    @Test
    void chatAnswerInTranscriptionTask_isFlagged_butNotInChatTask() {
        assertTrue(OutputFlags.of("what is two plus two<开始回答>four", "what is two plus two", false, Set.of()).contains(ANSWER_INSTEAD_OF_TRANSCRIPT));
        assertEquals(Set.of(), OutputFlags.of("what is two plus two<开始回答>four", "what is two plus two<开始回答>four", true, Set.of()));
    }

    @Test
    void timestampTags_areNotLabels() {
        assertEquals(Set.of(), OutputFlags.of("<0.3>hello<0.7> <0.8>world<1.2>", "<0.3>hello<0.7> <0.8>world<1.2>", false, Set.of()));
    }
}
