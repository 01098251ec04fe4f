package org.osum4j.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The default JShell prelude (imports and the {@code display} function), read from the one file
 * {@code org/osum4j/kernel/imports.jsh} that the kernel, the script runner and the interactive
 * {@code ./osum jshell} share. One snippet per line; {@code //} lines are comments.
 */
final class Prelude {

    static final String RESOURCE = "/org/osum4j/kernel/imports.jsh";

    private Prelude() {}

    /** The prelude's source text. */
    static String source() {
        try (InputStream in = Prelude.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE + " on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The snippets, one per non-blank, non-comment line. */
    static List<String> snippets() {
        List<String> out = new ArrayList<>();
        for (String line : source().split("\n")) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("//")) out.add(s);
        }
        return out;
    }
}
