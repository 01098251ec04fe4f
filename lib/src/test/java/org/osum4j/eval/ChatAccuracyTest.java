package org.osum4j.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STTC answer normalisation: case, punctuation, spaces, number words and Chinese numerals. */
class ChatAccuracyTest {

    @Test
    void numberWordEqualsDigit() {
        assertTrue(ChatAccuracy.correct("4", "Four."));
        assertTrue(ChatAccuracy.correct("twenty-one", "21"));
        assertTrue(ChatAccuracy.correct("one hundred and five", "105"));
        assertTrue(ChatAccuracy.correct("2,000", "two thousand"));          // the comma is punctuation, spaces go
    }

    @Test
    void normalize_examples() {
        assertEquals("itis4", ChatAccuracy.normalize("It is four!"));
        assertEquals("3.5kg", ChatAccuracy.normalize("3.5 kg"));
        assertEquals("12", ChatAccuracy.normalize("one two"));             // digit-by-digit reading stays two numbers
        assertEquals("1999", ChatAccuracy.normalize("nineteen ninety-nine")); // a year read in pairs
    }

    @Test
    void chineseNumerals_positionalAndDigitByDigit() {
        assertEquals("4", ChatAccuracy.normalize("四"));
        assertEquals("105", ChatAccuracy.normalize("一百零五"));
        assertEquals("12", ChatAccuracy.normalize("十二"));
        assertEquals("120000", ChatAccuracy.normalize("十二万"));
        assertEquals("2024年", ChatAccuracy.normalize("二零二四年"));
        assertTrue(ChatAccuracy.correct("答案是4。", "答案是四"));
    }

    @Test
    void punctuationCaseAndFullWidth_ignored() {
        assertTrue(ChatAccuracy.correct("Paris", " paris. "));
        assertTrue(ChatAccuracy.correct("北京", "北京！"));
        assertTrue(ChatAccuracy.correct("ＡＢＣ", "abc"));
    }

    @Test
    void differentAnswers_andEmptyReference_doNotMatch() {
        assertFalse(ChatAccuracy.correct("4", "5"));
        assertFalse(ChatAccuracy.correct("", ""));
        assertEquals(0.5, ChatAccuracy.accuracy(List.of("four", "yes"), List.of("4", "no")), 1e-12);
    }
}
