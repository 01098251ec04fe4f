package org.osum4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.data.DataList;
import org.osum4j.data.Utterance;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.infer.Results;
import org.osum4j.infer.ResultsReader;
import org.osum4j.infer.decode.DecodingOptions;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./osum infer} end to end on osum_tiny and synth-mini audio: results, bad audio, interruption and resume. */
class InferCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ITEMS = 5;

    /** The first synth-mini test items with absolute audio paths, plus one item whose "audio" is text. */
    private static Path list(Path tmp) throws Exception {
        Path mini = GoldenSuite.repoRoot().resolve("data/synth-mini");
        List<Utterance> items = new ArrayList<>();
        for (Utterance u : DataList.read(mini.resolve("test.jsonl")).subList(0, ITEMS)) {
            items.add(u.withWav(mini.resolve(u.wav()).toAbsolutePath().toString()));
        }
        Path bad = tmp.resolve("bad.wav");
        Files.writeString(bad, "not audio");
        items.add(2, Utterance.of("broken_audio", bad.getFileName().toString(), "x"));
        Path list = tmp.resolve("list.jsonl");
        DataList.write(list, items);
        return list;
    }

    private static String run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int rc = new Infer(new PrintStream(out, true, StandardCharsets.UTF_8), err).run(args);
        assertEquals(0, rc);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Result lines without the timing object (the only field that differs between runs). */
    private static List<String> content(Path results) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(results)) {
            ObjectNode o = (ObjectNode) JSON.readTree(line);
            o.remove("timing");
            out.add(o.toString());
        }
        return out;
    }

    @Test
    void infer_writesEveryReadableUtterance_andResumesAfterAnInterruption(@TempDir Path tmp) throws Exception {
        Path list = list(tmp);
        Path out = tmp.resolve("results.jsonl");
        String[] args = {"--model", GoldenSuite.defaultDir().resolve("osum_tiny").toString(), "--data", list.toString(),
                "--task", "<TRANSCRIBE>", "--decoding", "beam:2", "--batch", "3", "--max-new", "6", "--out", out.toString()};
        String summary = run(args);
        assertTrue(summary.contains(ITEMS + " written") && summary.contains("1 skipped (bad audio)"), summary);
        assertTrue(summary.contains("broken_audio"), "the skip report names the key: " + summary);

        Results first = ResultsReader.read(out);
        assertEquals(ITEMS, first.entries().size());
        assertFalse(first.doneKeys().contains("broken_audio"));
        assertEquals("synth_test_00000", first.entries().get(0).key());
        assertTrue(first.entries().get(0).timing().get("audio_s") > 0.5);
        assertEquals("<TRANSCRIBE>", first.entries().get(0).task());
        assertTrue(first.entries().get(0).ref() != null);
        assertEquals("beam", first.runs().get(0).decoding().get("strategy"));
        assertEquals(2, ((Number) first.runs().get(0).decoding().get("beams")).intValue());
        List<String> complete = content(out);

        // interrupted after two results, in the middle of the third line
        List<String> lines = Files.readAllLines(out);
        Files.writeString(out, lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(2).substring(0, 25));
        String resumed = run(args);
        assertTrue(resumed.contains((ITEMS - 2) + " written (2 done before)"), resumed);
        assertEquals(complete, content(out));
        assertEquals(2, ResultsReader.read(out).runs().size(), "one run record per start");

        // a finished file: nothing left to do
        assertTrue(run(args).contains("0 written (" + ITEMS + " done before)"));
    }

    @Test
    void taskFromList_usesEachUtterancesTask_andFlagsNothingSilently(@TempDir Path tmp) throws Exception {
        Path list = list(tmp);
        Path out = tmp.resolve("by-task.jsonl");
        run("--model", GoldenSuite.defaultDir().resolve("osum_tiny").toString(), "--data", list.toString(),
                "--task-from-list", "--max-new", "3", "--out", out.toString());
        Results r = ResultsReader.read(out);
        List<Utterance> items = DataList.read(list);
        for (Results.Entry e : r.entries()) {
            Utterance u = items.stream().filter(x -> x.key().equals(e.key())).findFirst().orElseThrow();
            assertEquals(u.taskTag(), e.task(), e.key());
            if (e.parsed().malformed()) assertFalse(e.parsed().problem().isBlank(), "malformed outputs carry their problem");
        }
        assertTrue(r.entries().stream().map(Results.Entry::task).distinct().count() > 1, "the list mixes tasks");
    }

    @Test
    void decodingSpecs_parse_andBadOnesAreRejected() {
        assertEquals(DecodingOptions.Strategy.GREEDY, Infer.parseDecoding("greedy", 1).strategy());
        assertEquals(4, Infer.parseDecoding("beam:4", 1).beams());
        DecodingOptions s = Infer.parseDecoding("sample:0.7,5,0.9", 3);
        assertEquals(0.7, s.temperature());
        assertEquals(5, s.topK());
        assertEquals(0.9, s.topP());
        assertEquals(3, s.seed());
        assertEquals(DecodingOptions.osumBeamSample(9), Infer.parseDecoding("osum", 9));
        assertThrows(IllegalArgumentException.class, () -> Infer.parseDecoding("beam:x", 1));
        assertThrows(IllegalArgumentException.class, () -> Infer.parseDecoding("sample:1,2", 1));
        assertThrows(IllegalArgumentException.class, () -> Infer.parseDecoding("nucleus", 1));
    }

    @Test
    void missingOrConflictingOptions_areRejected(@TempDir Path tmp) {
        Infer c = new Infer();
        assertThrows(IllegalArgumentException.class, () -> c.run(new String[]{"--model", "m", "--data", "d"}));
        assertThrows(IllegalArgumentException.class, () -> c.run(new String[]{"--model", "m", "--data", "d", "--out",
                tmp.resolve("o").toString(), "--task", "<TRANSCRIBE>", "--task-from-list"}));
        assertEquals(0, Main.run(new String[]{"infer", "--help"}));
    }
}
