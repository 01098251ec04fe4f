package org.osum4j.golden;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every parity test does: run a checker over all its fixtures, and copy a fixture to corrupt it. */
public final class GoldenTesting {

    private GoldenTesting() {}

    /**
     * Runs {@code checker} on every fixture it accepts under {@link GoldenSuite#defaultDir()}, prints the table,
     * and asserts that there was at least one fixture and every row is OK. Returns the report for further checks.
     */
    public static ParityReport checkEvery(FixtureChecker checker) throws Exception {
        List<Path> fixtures = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts);
        assertFalse(fixtures.isEmpty(), "no fixture for " + checker.name() + " under " + GoldenSuite.defaultDir());
        ParityReport report = new ParityReport();
        for (Path f : fixtures) checker.check(f, report);
        report.print(System.out);
        assertTrue(report.allOk(), report.failures());
        return report;
    }

    /** The first fixture {@code checker} accepts (for negative tests). */
    public static Path firstFixture(FixtureChecker checker) throws IOException {
        List<Path> fixtures = GoldenSuite.fixtures(GoldenSuite.defaultDir(), checker::accepts);
        assertFalse(fixtures.isEmpty(), "no fixture for " + checker.name() + " under " + GoldenSuite.defaultDir());
        return fixtures.get(0);
    }

    /** Copies a folder tree (a fixture) to {@code to}; returns {@code to}. */
    public static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return to;
    }
}
