package org.osum4j.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The parity suite over a folder of golden fixtures ({@code ./osum check-golden DIR} and the tests).
 *
 * <p>Every sub-folder with a {@code meta.json} is a fixture; its kind is {@code meta.json}'s
 * {@code "kind"} (or {@code "fixture"} for the OSUM fixture). A fixture that no checker accepts, or a
 * checker that throws, is a failed row: nothing passes by being skipped.
 */
public final class GoldenSuite {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<FixtureChecker> checkers = new ArrayList<>();

    public GoldenSuite register(FixtureChecker c) {
        checkers.add(c);
        return this;
    }

    /**
     * The golden folder: system property {@code osum.golden.dir}, else {@code shared/golden} beside the
     * repository root (system property {@code osum.root}, else the nearest folder upwards from the
     * working directory that contains {@code osum} and {@code pom.xml}).
     */
    public static Path defaultDir() {
        String p = System.getProperty("osum.golden.dir");
        if (p != null && !p.isBlank()) return Paths.get(p).toAbsolutePath().normalize();
        return repoRoot().resolve("../shared/golden").normalize();
    }

    /** The repository root (see {@link #defaultDir()}). */
    public static Path repoRoot() {
        String r = System.getProperty("osum.root");
        if (r != null && !r.isBlank()) return Paths.get(r).toAbsolutePath().normalize();
        Path d = Paths.get("").toAbsolutePath();
        for (Path x = d; x != null; x = x.getParent()) {
            if (Files.isRegularFile(x.resolve("pom.xml")) && Files.exists(x.resolve("osum"))) return x;
        }
        return d;
    }

    /** The kind of a fixture folder from its meta.json ("" when there is none). */
    public static String kindOf(Path dir) throws IOException {
        Path meta = dir.resolve("meta.json");
        if (!Files.isRegularFile(meta)) return "";
        JsonNode m = JSON.readTree(meta.toFile());
        if (m.hasNonNull("kind")) return m.get("kind").asText();
        if (m.hasNonNull("fixture")) return m.get("fixture").asText();
        return "";
    }

    /** Fixture folders under {@code root} whose kind some predicate accepts, sorted by name. */
    public static List<Path> fixtures(Path root, java.util.function.BiPredicate<Path, String> accept) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("golden fixture folder not found: " + root
                    + " (set -Dosum.golden.dir=... or put shared/golden beside the repository)");
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.sorted().toList()) {
                if (Files.isDirectory(d) && Files.isRegularFile(d.resolve("meta.json")) && accept.test(d, kindOf(d))) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    /** Runs every registered checker on every fixture under {@code root}. */
    public ParityReport run(Path root, ParityReport report) throws IOException {
        List<Path> all = fixtures(root, (d, k) -> true);
        if (all.isEmpty()) {
            report.add(Check.failed(root.getFileName().toString(), "(no fixtures)", "no fixture folders with meta.json under " + root));
        }
        for (Path d : all) {
            String kind = kindOf(d);
            boolean handled = false;
            for (FixtureChecker c : checkers) {
                if (!c.accepts(d, kind)) continue;
                handled |= c.primary();
                try {
                    c.check(d, report);
                } catch (Exception | AssertionError e) {
                    report.add(Check.failed(d.getFileName().toString(), "(" + c.name() + ")",
                            "could not be checked: " + e));
                }
            }
            if (!handled) {
                report.add(Check.failed(d.getFileName().toString(), "(kind " + kind + ")", "no checker for this fixture kind yet"));
            }
        }
        return report;
    }
}
