package org.osum4j.infer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.data.DataFormatException;
import org.osum4j.run.RunRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Results files: incremental writes, a cut-off last line, resume, run records in the sidecar. */
class ResultsTest {

    @TempDir
    Path dir;

    private final OutputParser parser = OutputParser.osum();

    private Results.Entry entry(String key, String task, String output) {
        return new Results.Entry(key, task, "prompt", parser.parse(task, output), null, Map.of("decode_ms", 12.5));
    }

    private static RunRecord run(String model) {
        return new RunRecord(model, "/models/" + model, Map.of("beam", 4), "abc", "2026-01-01T00:00:00Z", Map.of("threads", "2"), Map.of());
    }

    @Test
    void writer_eachLineIsReadableBeforeClose() {
        Path f = dir.resolve("r.jsonl");
        ResultsWriter w = ResultsWriter.create(f, run("m"));
        w.write(entry("u1", "<TRANSCRIBE> <EMOTION>", "hello<happy>"));
        Results r = ResultsReader.read(f);                        // not closed yet: the line is already on disk
        assertEquals(List.of("u1"), List.copyOf(r.doneKeys()));
        w.close();
    }

    @Test
    void roundTrip_keepsRawParsedFieldsTimingAndRun() {
        Path f = dir.resolve("r.jsonl");
        try (ResultsWriter w = ResultsWriter.create(f, run("m"))) {
            w.write(entry("u1", "<TRANSCRIBE> <ALIGN>", "<0.3>hi<0.7>"));
            w.write(entry("u2", "<TRANSCRIBE> <S2TCHAT>", "no separator"));
        }
        Results r = ResultsReader.read(f);
        assertFalse(r.truncated());
        Results.Entry u1 = r.byKey().get("u1");
        assertEquals("<0.3>hi<0.7>", u1.output());
        assertEquals(1, u1.parsed().words().size());
        assertEquals(700, Math.round(u1.parsed().words().get(0).endSeconds() * 1000));
        assertEquals(12.5, u1.timing().get("decode_ms"));
        Results.Entry u2 = r.byKey().get("u2");
        assertTrue(u2.parsed().malformed());
        assertEquals(List.of("m"), r.runs().stream().map(RunRecord::model).toList());
        assertEquals(4, r.runs().get(0).decoding().get("beam"));
    }

    @Test
    void reader_truncatedLastLine_isReportedAndSkipped() throws Exception {
        Path f = dir.resolve("r.jsonl");
        try (ResultsWriter w = ResultsWriter.create(f, run("m"))) {
            w.write(entry("u1", "<TRANSCRIBE>", "one"));
            w.write(entry("u2", "<TRANSCRIBE>", "two"));
        }
        Files.writeString(f, "{\"key\":\"u3\",\"task\":\"<TRANSCRIBE>\",\"out", StandardOpenOption.APPEND);
        Results r = ResultsReader.read(f);
        assertTrue(r.truncated());
        assertTrue(r.truncatedTail().startsWith("line 3"), r.truncatedTail());
        assertEquals(Set.of("u1", "u2"), r.doneKeys());
    }

    @Test
    void reader_badLineInTheMiddle_namesFileAndLine() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, Results.toLine(entry("u1", "<TRANSCRIBE>", "one")) + "\n{oops\n"
                + Results.toLine(entry("u2", "<TRANSCRIBE>", "two")) + "\n", StandardCharsets.UTF_8);
        DataFormatException e = assertThrows(DataFormatException.class, () -> ResultsReader.read(f));
        assertTrue(e.getMessage().contains("r.jsonl:2"), e.getMessage());
    }

    @Test
    void reader_duplicateKey_isAnError() throws Exception {
        Path f = dir.resolve("r.jsonl");
        String line = Results.toLine(entry("u1", "<TRANSCRIBE>", "one"));
        Files.writeString(f, line + "\n" + line + "\n", StandardCharsets.UTF_8);
        assertThrows(DataFormatException.class, () -> ResultsReader.read(f));
    }

    @Test
    void resume_cutsPartialLine_skipsDoneKeys_andRecordsBothRuns() throws Exception {
        Path f = dir.resolve("r.jsonl");
        try (ResultsWriter w = ResultsWriter.create(f, run("first"))) {
            w.write(entry("u1", "<TRANSCRIBE>", "one"));
        }
        Files.writeString(f, "{\"key\":\"u2\",\"ta", StandardOpenOption.APPEND);    // killed mid-line
        try (ResultsWriter w = ResultsWriter.resume(f, run("second"))) {
            assertEquals(Set.of("u1"), w.doneKeys());
            assertTrue(w.isDone("u1"));
            assertThrows(IllegalArgumentException.class, () -> w.write(entry("u1", "<TRANSCRIBE>", "again")));
            w.write(entry("u2", "<TRANSCRIBE>", "two"));
        }
        Results r = ResultsReader.read(f);
        assertFalse(r.truncated());
        assertEquals(List.of("u1", "u2"), List.copyOf(r.doneKeys()));
        assertEquals("two", r.byKey().get("u2").output());
        assertEquals(List.of("first", "second"), r.runs().stream().map(RunRecord::model).toList());
    }

    @Test
    void resume_completeLastLineWithoutNewline_isKeptAndNewlineAdded() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, Results.toLine(entry("u1", "<TRANSCRIBE>", "one")), StandardCharsets.UTF_8);
        try (ResultsWriter w = ResultsWriter.resume(f, run("m"))) {
            w.write(entry("u2", "<TRANSCRIBE>", "two"));
        }
        assertEquals(List.of("u1", "u2"), List.copyOf(ResultsReader.read(f).doneKeys()));
    }

    @Test
    void create_refusesToOverwriteResults() {
        Path f = dir.resolve("r.jsonl");
        try (ResultsWriter w = ResultsWriter.create(f, run("m"))) {
            w.write(entry("u1", "<TRANSCRIBE>", "one"));
        }
        assertThrows(IllegalArgumentException.class, () -> ResultsWriter.create(f, run("m")));
    }
}
