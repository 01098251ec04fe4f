package org.osum4j.golden;

import java.nio.file.Path;

/**
 * Checks one kind of golden fixture (a folder with {@code io.safetensors} and {@code meta.json}).
 * Each part of the library that has reference numbers registers one in {@link GoldenSuite}.
 */
public interface FixtureChecker {

    /** A short name, e.g. {@code "log-mel"}. */
    String name();

    /** Whether this checker handles the fixture in {@code dir} (by its {@code meta.json} kind). */
    boolean accepts(Path dir, String kind);

    /**
     * Whether this checker covers the fixture's kind. A fixture is only counted as checked when a primary
     * checker accepted it; secondary checkers (e.g. "the .pt file equals the .safetensors file") add rows
     * but never stand in for the numerical checks of the fixture's kind.
     */
    default boolean primary() {
        return true;
    }

    /** Runs every check on the fixture, adding rows to {@code report}; throws only on unexpected errors. */
    void check(Path dir, ParityReport report) throws Exception;
}
