package org.osum4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.DType;
import org.osum4j.model.io.OsumConfig;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./osum convert / export / describe through Main. */
class ModelCommandsTest {

    @Test
    void convertBf16ThenExport_writeLoadableFolders(@TempDir Path tmp) throws Exception {
        Path fx = GoldenSuite.fixtures(GoldenSuite.defaultDir(), (d, k) -> k.equals("osum_tiny")).get(0);
        Path own = tmp.resolve("own"), back = tmp.resolve("back");
        assertEquals(0, Main.run(new String[]{"convert", "--in", fx.toString(), "--out", own.toString(), "--bf16"}));
        assertEquals(DType.BF16, Checkpoints.open(own).get("encoder.conv1.weight").dtype());
        assertEquals(0, Main.run(new String[]{"export", "--in", own.toString(), "--out", back.toString()}));
        assertTrue(Files.isRegularFile(back.resolve("llm/tokenizer.json")));
        assertEquals(OsumConfig.read(fx), OsumConfig.read(back));
        assertTrue(Checkpoints.open(back).containsKey("speech_token_emded.weight"));
    }

    @Test
    void convert_missingOut_isAUsageError() {
        assertEquals(2, Main.run(new String[]{"convert", "--in", "x"}));
        assertEquals(2, Main.run(new String[]{"export", "--in", "x", "--out", "y", "--bf16"}));
    }

    @Test
    void describe_withoutFolder_printsOsum7b() {
        assertEquals(0, Main.run(new String[]{"describe"}));
    }
}
