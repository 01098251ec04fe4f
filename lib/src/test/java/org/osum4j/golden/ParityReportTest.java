package org.osum4j.golden;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParityReportTest {

    @Test
    void compare_withinTolerance_isOk() {
        ParityReport r = new ParityReport();
        Check c = r.compare("fx", "t", new float[]{1, 2, 3}, new float[]{1, 2.00005f, 3}, new long[]{3}, 1e-4);
        assertTrue(c.ok());
        assertEquals(5e-5, c.maxAbsDiff(), 1e-6);
    }

    @Test
    void compare_overTolerance_namesFirstMismatchIndex() {
        ParityReport r = new ParityReport();
        Check c = r.compare("fx", "t", new float[]{0, 0, 0, 0, 0, 0}, new float[]{0, 0, 0, 0, 0.5f, 0}, new long[]{2, 3}, 1e-4);
        assertFalse(c.ok());
        assertTrue(c.firstMismatch().contains("[1, 1]"), c.firstMismatch());
        assertEquals("0/1 tensors OK", r.summary());
    }

    @Test
    void compare_nanInOurs_fails() {
        ParityReport r = new ParityReport();
        assertFalse(r.compare("fx", "t", new float[]{1}, new float[]{Float.NaN}, new long[]{1}, 1).ok());
    }

    @Test
    void compareMasked_ignoresMaskedOutElements() {
        ParityReport r = new ParityReport();
        Check c = r.compareMasked("fx", "t", new float[]{1, 9}, new float[]{1, -9}, new boolean[]{true, false}, new long[]{2}, 1e-6);
        assertTrue(c.ok());
    }

    @Test
    void emptyReport_isNotAllOk() {
        assertFalse(new ParityReport().allOk(), "no checks must never count as a pass");
    }

    @Test
    void suite_fixtureWithoutChecker_isAFailedRow(@TempDir Path tmp) throws IOException {
        Path fx = Files.createDirectories(tmp.resolve("mystery"));
        Files.writeString(fx.resolve("meta.json"), "{\"kind\": \"unknown_kind\"}");
        ParityReport r = new GoldenSuite().run(tmp, new ParityReport());
        assertFalse(r.allOk());
        assertTrue(r.failures().contains("unknown_kind"), r.failures());
    }

    @Test
    void suite_emptyFolder_fails(@TempDir Path tmp) throws IOException {
        assertFalse(new GoldenSuite().run(tmp, new ParityReport()).allOk());
    }
}
