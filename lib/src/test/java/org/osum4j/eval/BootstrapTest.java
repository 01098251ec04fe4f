package org.osum4j.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootstrapTest {

    @Test
    void ratio_intervalContainsEstimateAndIsReproducible() {
        boolean[] correct = new boolean[200];
        for (int i = 0; i < correct.length; i++) correct[i] = i % 4 != 0;   // 75 % accuracy
        double[][] p = Bootstrap.accuracyPairs(correct);
        Bootstrap.Interval a = Bootstrap.ratio(p[0], p[1], 2000, 0.95, 7);
        Bootstrap.Interval b = Bootstrap.ratio(p[0], p[1], 2000, 0.95, 7);
        assertEquals(0.75, a.estimate(), 1e-12);
        assertTrue(a.low() < 0.75 && a.high() > 0.75, a.toString());
        assertEquals(a, b, "same seed, same interval");
        // binomial standard error sqrt(.75·.25/200) ≈ 0.0306 → 95 % half-width ≈ 0.06
        double half = (a.high() - a.low()) / 2;
        assertTrue(half > 0.045 && half < 0.075, "half-width " + half);
    }

    @Test
    void ratio_constantData_hasZeroWidth() {
        Bootstrap.Interval i = Bootstrap.ratio(new double[]{1, 1, 1}, new double[]{4, 4, 4}, 500, 0.95, 1);
        assertEquals(0.25, i.low(), 1e-12);
        assertEquals(0.25, i.high(), 1e-12);
    }

    @Test
    void paired_clearImprovement_isSignificant_identicalSystemsAreNot() {
        int n = 300;
        double[] den = new double[n], errA = new double[n], errB = new double[n];
        for (int i = 0; i < n; i++) {
            den[i] = 10;
            errA[i] = i % 2 == 0 ? 2 : 1;   // system A: 15 % WER
            errB[i] = i % 5 == 0 ? 1 : 0;   // system B: 2 % WER, better on most utterances
        }
        Bootstrap.Comparison c = Bootstrap.paired(errA, den, errB, den, 1000, 0.95, 3);
        assertEquals(-0.13, c.difference().estimate(), 1e-12);
        assertTrue(c.pValue() < 0.01, "p = " + c.pValue());
        assertTrue(c.difference().high() < 0);
        Bootstrap.Comparison same = Bootstrap.paired(errA, den, errA, den, 1000, 0.95, 3);
        assertEquals(1.0, same.pValue(), 1e-12);
    }

    @Test
    void paired_differentLengths_isAnError() {
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.paired(new double[2], new double[2], new double[3], new double[3], 10, 0.95, 1));
    }
}
