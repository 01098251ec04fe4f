package org.osum4j.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Confusion counts and precision/recall/F1 on a hand-counted example. */
class ConfusionTest {

    // ref:  happy happy happy sad sad neutral
    // hyp:  happy happy sad   sad (none) happy
    private final Confusion c = Confusion.of("EMOTION", List.of("happy", "sad", "neutral", "anger"),
            List.of("happy", "happy", "happy", "sad", "sad", "neutral"),
            Arrays.asList("happy", "happy", "sad", "sad", null, "happy"));

    @Test
    void counts_placeEachPairAndMissingPredictionsInInvalid() {
        assertEquals(2, c.count("happy", "happy"));
        assertEquals(1, c.count("happy", "sad"));
        assertEquals(1, c.count("sad", "sad"));
        assertEquals(1, c.count("sad", Confusion.INVALID));
        assertEquals(1, c.count("neutral", "happy"));
        assertEquals(6, c.total());
        assertEquals(1, c.invalid());
        assertEquals(3.0 / 6, c.accuracy(), 1e-12);
    }

    @Test
    void perClass_precisionRecallF1ByHand() {
        Confusion.ClassScore happy = c.perClass().get(0);
        assertEquals(2.0 / 3, happy.precision(), 1e-12);   // predicted happy 3 times, 2 right
        assertEquals(2.0 / 3, happy.recall(), 1e-12);      // 3 happy refs, 2 found
        assertEquals(2.0 / 3, happy.f1(), 1e-12);
        Confusion.ClassScore sad = c.perClass().get(1);
        assertEquals(0.5, sad.precision(), 1e-12);         // predicted sad twice, 1 right
        assertEquals(0.5, sad.recall(), 1e-12);
        Confusion.ClassScore neutral = c.perClass().get(2);
        assertEquals(0, neutral.precision(), 1e-12);       // never predicted: 0 by convention
        assertEquals(0, neutral.recall(), 1e-12);
    }

    @Test
    void macro_averagesOnlyClassesThatOccur() {
        // anger occurs on neither side and is left out: mean over happy, sad, neutral
        assertEquals((2.0 / 3 + 0.5 + 0) / 3, c.macroRecall(), 1e-12);
        assertEquals((2.0 / 3 + 0.5 + 0) / 3, c.macroF1(), 1e-12);
    }

    @Test
    void unknownReferenceLabel_becomesAnExtraClass() {
        Confusion x = Confusion.of("AGE", List.of("child", "adult"), List.of("youth"), List.of("adult"));
        assertEquals(List.of("child", "adult", "youth"), x.classes());
        assertEquals(1, x.count("youth", "adult"));
    }

    @Test
    void renders_heatmapPngTableAndText() {
        byte[] png = c.heatmap().png();
        assertTrue(png.length > 100 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
        assertTrue(c.html().contains("<th>(invalid)</th>"));
        assertTrue(c.toString().startsWith("EMOTION: accuracy 50.00%"), c.toString());
    }
}
