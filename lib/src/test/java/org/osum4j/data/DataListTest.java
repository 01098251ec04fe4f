package org.osum4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DataListTest {

    static Path resource(String name) {
        try {
            return Path.of(DataListTest.class.getResource("/data/" + name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource data/" + name + " missing", e);
        }
    }

    @Test
    void read_badLine_reportsFileAndLineNumber() {
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataList.read(resource("bad_line.jsonl")));
        assertEquals(4, e.line(), "line 2 is blank, line 4 is missing a comma");
        assertTrue(e.getMessage().contains("bad_line.jsonl:4") && e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void read_withReport_skipsAndCountsBadLine() {
        Report r = new Report("read");
        List<Utterance> items = DataList.read(resource("bad_line.jsonl"), r);
        assertEquals(2, items.size());
        assertEquals(1, r.skipped("bad line"));
        assertEquals(3, r.seenCount());
        assertTrue(r.toString().contains("bad_line.jsonl:4"), r.toString());
    }

    @Test
    void read_keepsAllFields() {
        Utterance u = DataList.read(resource("bad_line.jsonl"), new Report("r")).get(0);
        assertEquals("utt1", u.key());
        assertEquals("<TRANSCRIBE> <EMOTION>", u.task());
        assertEquals(2.5, u.duration());
        assertEquals("请转录。", u.question());
        assertEquals(List.of(1, 2), u.extra().get("n"));
        assertEquals("happy", u.emotion());
        assertEquals(Map.of("x", 1), u.other().get("my_field"));
    }

    @Test
    void writeThenRead_roundTripsEveryField(@TempDir Path tmp) {
        List<Utterance> items = DataList.read(resource("bad_line.jsonl"), new Report("r"));
        Path out = tmp.resolve("sub/list.jsonl");
        DataList.write(out, items);
        assertEquals(items, DataList.read(out));
        assertEquals(0.5, DataList.read(out).get(1).start());
    }

    @Test
    void read_missingFieldOrBadValue_namesIt(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("l.jsonl");
        Files.writeString(f, "{\"key\":\"a\",\"wav\":\"x.wav\",\"txt\":\"t\"}\n{\"key\":\"b\",\"txt\":\"t\"}\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataList.read(f));
        assertTrue(e.getMessage().endsWith("l.jsonl:2: missing required field 'wav'"), e.getMessage());

        Files.writeString(f, "{\"key\":\"a\",\"wav\":\"x.wav\",\"txt\":\"t\",\"start\":2,\"end\":1}\n");
        e = assertThrows(DataFormatException.class, () -> DataList.read(f));
        assertTrue(e.getMessage().contains(":1: 'end' 1.0 is not after 'start' 2.0"), e.getMessage());

        Files.writeString(f, "{\"key\":\"a\",\"wav\":\"x.wav\",\"txt\":\"t\"}\n{\"key\":\"a\",\"wav\":\"y.wav\",\"txt\":\"u\"}\n");
        e = assertThrows(DataFormatException.class, () -> DataList.read(f));
        assertTrue(e.getMessage().contains(":2: duplicate key 'a' (first on line 1)"), e.getMessage());
    }

    @Test
    void write_failure_leavesExistingFileIntact(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("l.jsonl");
        Files.writeString(f, "old\n");
        Utterance a = Utterance.of("k", "w.wav", "t");
        assertThrows(IllegalArgumentException.class, () -> DataList.write(f, List.of(a, a)));
        assertEquals("old\n", Files.readString(f));
    }
}
