package org.osum4j.eval;

import org.junit.jupiter.api.Test;
import org.osum4j.data.Timestamps.Word;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AAS on hand-made timings: only aligned-correct words count, coverage tells how many. */
class AasTest {

    @Test
    void identicalTimings_giveZeroShiftAndFullCoverage() {
        List<Word> w = List.of(new Word("hello", 3, 7), new Word("world", 8, 12));
        Aas a = Aas.of(w, w);
        assertEquals(0, a.meanShiftMs(), 1e-12);
        assertEquals(1.0, a.coverage(), 1e-12);
    }

    @Test
    void shifts_areMeanAbsoluteOverStartAndEndBoundaries() {
        List<Word> ref = List.of(new Word("hello", 3, 7), new Word("world", 8, 12));
        List<Word> hyp = List.of(new Word("HELLO", 4, 7), new Word("world", 6, 15));
        Aas a = Aas.of(ref, hyp);
        // start shifts 100 + 200 ms, end shifts 0 + 300 ms -> 600 ms over 4 boundaries
        assertEquals(150, a.meanShiftMs(), 1e-9);
        assertEquals(150, a.meanStartShiftMs(), 1e-9);
        assertEquals(150, a.meanEndShiftMs(), 1e-9);
        assertEquals(2, a.matched());
    }

    @Test
    void substitutedAndMissingWords_areNotMeasuredButLowerCoverage() {
        List<Word> ref = List.of(new Word("a", 0, 2), new Word("b", 3, 5), new Word("c", 6, 8), new Word("d", 9, 10));
        // b substituted by x and c deleted (or the other way round: equal cost): only a and d are matched
        List<Word> hyp = List.of(new Word("a", 1, 2), new Word("x", 3, 5), new Word("d", 9, 12));
        Aas a = Aas.of(ref, hyp);
        assertEquals(2, a.matched());
        assertEquals(0.5, a.coverage(), 1e-12);
        assertEquals((100 + 0 + 0 + 200) / 4.0, a.meanShiftMs(), 1e-9);
    }

    @Test
    void insertedWord_doesNotShiftThePairing() {
        List<Word> ref = List.of(new Word("a", 0, 2), new Word("b", 5, 7));
        List<Word> hyp = List.of(new Word("a", 0, 2), new Word("uh", 3, 4), new Word("b", 5, 8));
        Aas a = Aas.of(ref, hyp);
        assertEquals(2, a.matched());
        assertEquals(100 / 4.0, a.meanShiftMs(), 1e-9);      // only b's end moved, by 0.1 s
    }

    @Test
    void pooled_sumsBeforeDividing() {
        Aas one = Aas.of(List.of(new Word("a", 0, 1)), List.of(new Word("a", 1, 2)));           // 2 boundaries, 200 ms
        Aas two = Aas.of(List.of(new Word("b", 0, 1), new Word("c", 2, 3)),
                List.of(new Word("b", 0, 1), new Word("c", 2, 3)));                               // 4 boundaries, 0 ms
        Aas all = Aas.pooled(List.of(one, two));
        assertEquals(200 / 6.0, all.meanShiftMs(), 1e-9);
        assertEquals(2, all.utterances());
        assertEquals(3, all.refWords());
    }

    @Test
    void nothingMatched_isNaNWithZeroCoverage() {
        Aas a = Aas.of(List.of(new Word("a", 0, 1)), List.of());
        assertTrue(Double.isNaN(a.meanShiftMs()));
        assertEquals(0, a.coverage(), 1e-12);
    }
}
