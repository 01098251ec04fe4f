package org.osum4j.infer;

import org.junit.jupiter.api.Test;
import org.osum4j.data.Timestamps;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-made outputs for every task layout, well-formed and broken. */
class OutputParserTest {

    private final OutputParser parser = OutputParser.osum();

    @Test
    void asr_plainTranscript_isWellFormed() {
        ParsedOutput p = parser.parse("<TRANSCRIBE>", " it looks much better ");
        assertFalse(p.malformed());
        assertEquals("it looks much better", p.transcript());
        assertEquals(List.of(), p.labels());
    }

    @Test
    void asr_strayTag_isMalformedButKeepsTranscriptAndRaw() {
        ParsedOutput p = parser.parse("<TRANSCRIBE>", "hello world<happy>");
        assertTrue(p.malformed());
        assertTrue(p.problem().contains("<happy>"), p.problem());
        assertEquals("hello world", p.transcript());
        assertEquals("hello world<happy>", p.raw());
    }

    @Test
    void ser_transcriptAndEmotion_parsedWithCanonicalCase() {
        ParsedOutput p = parser.parse("<TRANSCRIBE><EMOTION>", "it looks much better <HAPPY>");
        assertFalse(p.malformed(), p.problem());
        assertEquals("it looks much better", p.transcript());
        assertEquals(List.of("happy"), p.labels());
        assertEquals("happy", p.label());
    }

    @Test
    void ssr_chineseStyleLabel_andAliasMappedToItsClass() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <STYLE>", "从前有一只小兔子<童话故事>");
        assertFalse(p.malformed(), p.problem());
        assertEquals("从前有一只小兔子", p.transcript());
        assertEquals(List.of("童话故事"), p.labels());
        ParsedOutput alias = parser.parse("<TRANSCRIBE> <STYLE>", "话说天下大势<武侠评书>");
        assertFalse(alias.malformed(), alias.problem());
        assertEquals(List.of("有声书"), alias.labels());
    }

    @Test
    void labelOnlyTask_twoTagsInOrder_upperCaseAccepted() {
        ParsedOutput p = parser.parse("<AGE> <GENDER>", "<adult><FEMALE>");
        assertFalse(p.malformed(), p.problem());
        assertEquals("", p.transcript());
        assertEquals(List.of("adult", "female"), p.labels());
        assertEquals("female", p.label(1));
    }

    @Test
    void labelOnlyTask_textBeforeLabels_isMalformed() {
        ParsedOutput p = parser.parse("<AGE> <GENDER>", "hello<adult><female>");
        assertTrue(p.malformed());
        assertTrue(p.problem().contains("labels only"), p.problem());
    }

    @Test
    void multiLabel_secondLabelMissing_isMalformedWithFirstLabelKept() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <AGE> <GENDER>", "你好<adult>");
        assertTrue(p.malformed());
        assertTrue(p.problem().contains("1 of 2"), p.problem());
        assertEquals(List.of("adult"), p.labels());
        assertNull(p.label(1));
    }

    @Test
    void ser_missingLabel_isMalformed() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <EMOTION>", "it looks much better");
        assertTrue(p.malformed());
        assertTrue(p.problem().startsWith("missing label"), p.problem());
        assertEquals("it looks much better", p.transcript());
    }

    @Test
    void ser_labelOutsideVocabulary_isMalformedAndKeptLowerCase() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <EMOTION>", "great<Excited>");
        assertTrue(p.malformed());
        assertTrue(p.problem().contains("EMOTION"), p.problem());
        assertEquals(List.of("excited"), p.labels());
    }

    @Test
    void ser_labelSwappedOrder_flaggedAsOutOfVocabulary() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <AGE> <GENDER>", "hi<female><adult>");
        assertTrue(p.malformed());
        assertTrue(p.problem().contains("AGE"), p.problem());
    }

    @Test
    void ser_textAfterLabel_isMalformed() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <EMOTION>", "great<happy> really");
        assertTrue(p.malformed());
        assertTrue(p.problem().contains("after the labels"), p.problem());
        assertEquals("great really", p.transcript());
    }

    @Test
    void srwt_spacedTimestamps_parseLeniently() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <ALIGN>", "< 0.3 > hello <0.7>  <0.8>world< 1.2 > <1.3>你<1.5><1.5>好<1.8>");
        assertFalse(p.malformed(), p.problem());
        assertEquals(List.of(new Timestamps.Word("hello", 3, 7), new Timestamps.Word("world", 8, 12),
                new Timestamps.Word("你", 13, 15), new Timestamps.Word("好", 15, 18)), p.words());
        assertEquals("hello world你好", p.transcript());
    }

    @Test
    void srwt_brokenTimestamp_isMalformedButTranscriptRecovered() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <ALIGN>", "<0.3>hello<0.7><0.8>world");
        assertTrue(p.malformed());
        assertTrue(p.problem().startsWith("broken timestamps"), p.problem());
        assertEquals(List.of(), p.words());
        assertEquals("hello world", p.transcript());
    }

    @Test
    void srwt_overlappingWords_isMalformed() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <ALIGN>", "<0.3>hello<0.9><0.8>world<1.2>");
        assertTrue(p.malformed());
    }

    @Test
    void sttc_answerAfterSeparator() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <S2TCHAT>", "what is two plus two <开始回答> It is four.");
        assertFalse(p.malformed(), p.problem());
        assertEquals("what is two plus two", p.transcript());
        assertEquals("It is four.", p.answer());
    }

    @Test
    void sttc_missingSeparator_isMalformedWithTextAsTranscript() {
        ParsedOutput p = parser.parse("<TRANSCRIBE> <S2TCHAT>", "what is two plus two");
        assertTrue(p.malformed());
        assertTrue(p.problem().contains("<开始回答>"), p.problem());
        assertEquals("what is two plus two", p.transcript());
        assertEquals("", p.answer());
    }

    @Test
    void anyTask_emptyOutput_isMalformed() {
        assertEquals("empty output", parser.parse("<TRANSCRIBE> <EMOTION>", "  ").problem());
        assertEquals("empty output", parser.parse("<TRANSCRIBE>", null).problem());
    }

    @Test
    void unknownTask_isMalformedNotThrown() {
        ParsedOutput p = parser.parse("<TRANSLATE>", "bonjour<x>");
        assertTrue(p.malformed());
        assertEquals("bonjour", p.transcript());
    }
}
