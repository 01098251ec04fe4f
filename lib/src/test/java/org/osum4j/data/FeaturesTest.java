package org.osum4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.audio.LogMel;
import org.osum4j.golden.GoldenSuite;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeaturesTest {

    @TempDir
    Path tmp;

    private List<Utterance> withBadItems() throws Exception {
        Path mini = GoldenSuite.repoRoot().resolve("data/synth-mini");
        List<Utterance> items = new ArrayList<>(DataList.read(mini.resolve("test.jsonl")).subList(0, 3));
        Path truncated = tmp.resolve("truncated.wav");
        Files.write(truncated, new byte[]{'R', 'I', 'F', 'F', 1, 0, 0, 0, 'W', 'A', 'V', 'E'});
        items.add(Utterance.of("bad-truncated", truncated.toString(), "x"));
        items.add(Utterance.of("bad-missing", tmp.resolve("nope.wav").toString(), "x"));
        return items;
    }

    @Test
    void compute_skip_countsBadAudioAndKeepsTheRest() throws Exception {
        Path mini = GoldenSuite.repoRoot().resolve("data/synth-mini");
        Report report = new Report("features");
        List<Features.Item> out = Features.compute(withBadItems(), mini, LogMel.of(80), Features.OnBadAudio.SKIP, report);
        assertEquals(3, out.size());
        assertEquals(2, report.skipped("bad audio"));
        assertTrue(report.toString().contains("bad-truncated"), report.toString());
        Features.Item first = out.get(0);
        assertEquals(80, first.features().nMels());
        double seconds = first.utterance().seconds();
        assertEquals(Math.round(seconds * 100), first.features().frames(), 1.0, "10 ms frames over the whole utterance");
    }

    @Test
    void compute_fail_namesTheUtterance() throws Exception {
        Path mini = GoldenSuite.repoRoot().resolve("data/synth-mini");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Features.compute(withBadItems(), mini, LogMel.of(80), Features.OnBadAudio.FAIL, null));
        assertTrue(e.getMessage().contains("bad-truncated") && e.getMessage().contains("truncated.wav"), e.getMessage());
    }
}
