package org.osum4j.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed cases for OSUM's scoring rules (compute-wer.py --char=1, compute-acc.py). */
class ScoringTest {

    @Test
    void tokens_englishWordsUpperCasedAndTagsRemoved() {
        assertEquals(List.of("IT", "LOOKS", "MUCH", "BETTER"), WerTokenizer.tokens("it looks much better<happy>"));
    }

    @Test
    void tokens_chineseCharactersAreTokensAndListedPunctuationDropped() {
        assertEquals(List.of("说", "做", "得", "还", "真", "是", "棒"), WerTokenizer.tokens("说做得，还真是棒！<female>"));
    }

    @Test
    void tokens_mixedScriptsAndUnlistedAsciiPunctuationStays() {
        assertEquals(List.of("我", "爱", "NEW", "YORK.", "DON'T"), WerTokenizer.tokens("我爱New York. don't"));
    }

    @Test
    void tokens_sttcSeparatorTagRemoved() {
        assertEquals(List.of("WHAT", "IS", "TWO", "PLUS", "TWO", "FOUR"), WerTokenizer.tokens("what is two plus two<开始回答>four"));
    }

    @Test
    void alignment_countsSubstitutionDeletionInsertion() {
        // ref: a b c d ; hyp: a x c d e  -> S=1 (b→x), I=1 (e)
        Alignment a = Alignment.of(List.of("a", "b", "c", "d"), List.of("a", "x", "c", "d", "e"));
        assertEquals(1, a.substitutions());
        assertEquals(0, a.deletions());
        assertEquals(1, a.insertions());
        assertEquals(0.5, a.errorRate(), 1e-12);
        assertEquals(Alignment.Op.SUBSTITUTION, a.steps().get(1).op());
        assertEquals("b", a.steps().get(1).ref());
        assertEquals("x", a.steps().get(1).hyp());
    }

    @Test
    void alignment_deletionAtStart() {
        Alignment a = Alignment.of(List.of("the", "cat", "sat"), List.of("cat", "sat"));
        assertEquals(1, a.deletions());
        assertEquals(1, a.errors());
        assertEquals(Alignment.Op.DELETION, a.steps().get(0).op());
    }

    @Test
    void alignment_chineseCer() {
        Alignment a = Alignment.ofText("时间对珍妮来说是没有用的<happy>", "时间对真妮来说没有用的");
        assertEquals(12, a.refLength());
        assertEquals(1, a.substitutions());   // 珍 → 真
        assertEquals(1, a.deletions());       // 是
        assertEquals(0, a.insertions());
    }

    @Test
    void errorRate_isPooledOverUtterances() {
        ErrorRate r = ErrorRate.score(List.of("a b c d", "e"), List.of("a b c d", "f"));
        assertEquals(5, r.refTokens());
        assertEquals(1, r.errors());
        assertEquals(0.2, r.rate(), 1e-12);   // not the mean of 0 % and 100 %
    }

    @Test
    void emptyReference_emptyHypothesis_isZero_nonEmptyIsInfinite() {
        assertEquals(0, Alignment.ofText("", "").errorRate());
        assertTrue(Double.isInfinite(Alignment.ofText("<sad>", "word").errorRate()));
    }

    @Test
    void firstTag_isCaseInsensitiveAndMissingTagIsWrong() {
        assertEquals("HAPPY", TagAccuracy.firstTag("it is fine<Happy><female>").orElseThrow());
        assertTrue(TagAccuracy.correct("text<happy>", "other text<HAPPY>"));
        assertFalse(TagAccuracy.correct("text<happy>", "text"));
        assertFalse(TagAccuracy.correct("text<happy>", "text<sad><happy>"), "only the first tag counts");
        assertEquals(2.0 / 3, TagAccuracy.accuracy(List.of("a<male>", "b<female>", "c<male>"),
                List.of("a<male>", "b<male>", "c<MALE>")), 1e-12);
    }
}
