package org.osum4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassPathPatternsTest {

    @TempDir
    Path base;

    @Test
    void expand_dirStar_meansEveryJarSorted() throws Exception {
        Path lib = Files.createDirectories(base.resolve("lib"));
        Files.createFile(lib.resolve("b.jar"));
        Files.createFile(lib.resolve("a.jar"));
        Files.createFile(lib.resolve("notes.txt"));
        Files.createDirectories(base.resolve("classes"));
        List<String> entries = ClassPathPatterns.expand("lib/* classes", base);
        assertEquals(List.of(lib.resolve("a.jar").toString(), lib.resolve("b.jar").toString(),
                base.resolve("classes").toString()), entries);
    }

    @Test
    void expand_globAndPathSeparator() throws Exception {
        Files.createFile(base.resolve("x-1.jar"));
        Files.createFile(base.resolve("y.jar"));
        List<String> entries = ClassPathPatterns.expand("x-*.jar" + File.pathSeparator + "y.jar", base);
        assertEquals(List.of(base.resolve("x-1.jar").toString(), base.resolve("y.jar").toString()), entries);
    }

    @Test
    void expand_missingEntry_namesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassPathPatterns.expand("nothing-here.jar", base));
        assertTrue(e.getMessage().contains("nothing-here.jar"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassPathPatterns.expand("empty/*", base));
    }
}
