package org.osum4j.data;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ManifestTest {

    static List<Utterance> items() {
        return List.of(
                Utterance.of("a", "a.wav", "时间对珍妮来说是没有用的<happy>").withTask("<TRANSCRIBE><EMOTION>").withDuration(3.0).withSpeaker("s1"),
                Utterance.of("b", "b.wav", "it looks much better<happy>").withTask("<TRANSCRIBE> <EMOTION>").withDuration(5.0).withSpeaker("s2"),
                Utterance.of("c", "c.wav", "你好").withDuration(1.0).withSpeaker("s1"),
                Utterance.of("d", "d.wav", "你好<adult><female>").withTask("<TRANSCRIBE> <AGE> <GENDER>"),
                Utterance.of("e", "e.wav", "no label").withTask("<TRANSCRIBE> <GENDER>").withDuration(2.0));
    }

    @Test
    void table_hasOneRowPerUtteranceWithParsedLabels() {
        Table t = Manifest.of(items()).table();
        assertEquals(5, t.rowCount());
        assertEquals(List.of("key", "duration", "speaker", "task", "labels", "text_length"), t.columnNames());
        assertEquals("happy", t.stringColumn("labels").get(0));
        assertEquals(12, t.intColumn("text_length").getInt(0), "tag not counted");
        assertEquals("<TRANSCRIBE>", t.stringColumn("task").get(2), "missing task is <TRANSCRIBE>");
        assertEquals("adult,female", t.stringColumn("labels").get(3));
        assertEquals(Manifest.UNPARSED, t.stringColumn("labels").get(4));
        assertTrue(t.doubleColumn("duration").isMissing(3));
    }

    @Test
    void summary_perTaskAndTotal() {
        Manifest m = Manifest.of(items());
        Table s = m.summary();
        int all = s.rowCount() - 1;
        assertEquals("ALL", s.stringColumn("task").get(all));
        assertEquals(5, s.intColumn("utterances").getInt(all));
        assertEquals(11.0 / 3600, s.doubleColumn("hours").getDouble(all), 1e-12);
        assertEquals(1, s.intColumn("no_duration").getInt(all));
        assertEquals(2, s.intColumn("speakers").getInt(all));
        int ser = s.stringColumn("task").indexOf("<TRANSCRIBE> <EMOTION>");
        assertEquals(2, s.intColumn("utterances").getInt(ser));
        assertEquals(4.0, s.doubleColumn("mean_s").getDouble(ser), 1e-12);
        assertEquals(11.0 / 3600, m.hours(), 1e-12);
    }

    @Test
    void labelCounts_countPerTaskLabel() {
        Table c = Manifest.of(items()).labelCounts();
        int row = -1;
        for (int r = 0; r < c.rowCount(); r++) if (c.stringColumn("label").get(r).equals("happy")) row = r;
        assertEquals(2, c.intColumn("count").getInt(row));
    }
}
