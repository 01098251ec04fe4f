package org.osum4j.cli;

// End-to-end tests of `./osum prepare`: LibriSpeech/IEMOCAP fixtures -> jsonl lists -> tar shards in temp
// folders through Main's dispatcher (exit codes, outputs parse back), the synthetic generator run, --help
// of every sub-command and the missing-tool error. Not a test of the loaders' details (data.CorpusTest).

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.data.DataList;
import org.osum4j.data.Shards;
import org.osum4j.data.Utterance;
import org.osum4j.golden.GoldenSuite;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrepareTest {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream saved;

    @BeforeEach
    void capture() {
        saved = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(saved);
    }

    private String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static Path fixtures() {
        return GoldenSuite.repoRoot().resolve("data/fixtures");
    }

    @Test
    void librispeech_thenShards_endToEnd(@TempDir Path tmp) throws Exception {
        Path list = tmp.resolve("ls.jsonl");
        int rc = Main.run(new String[]{"prepare", "librispeech", fixtures().resolve("LibriSpeech").toString(), "--out", list.toString(), "--gender"});
        assertEquals(0, rc, output());
        List<Utterance> items = DataList.read(list);
        assertEquals(36, items.size());
        assertTrue(output().contains("18 recordings -> 36 items"), output());
        assertTrue(output().contains("wrote " + list), output());

        Path shardDir = tmp.resolve("shards");
        rc = Main.run(new String[]{"prepare", "shards", list.toString(), "--out", shardDir.toString(), "--per-shard", "10"});
        assertEquals(0, rc, output());
        List<Path> shards = Shards.readList(shardDir.resolve(Shards.LIST_NAME));
        assertEquals(4, shards.size(), "36 items / 10 per shard");
        Map<String, Utterance> byKey = new HashMap<>();
        for (Utterance u : items) byKey.put(u.key(), u);
        int n = 0;
        for (Path s : shards) {
            for (Shards.Item it : Shards.read(s)) {
                Utterance src = byKey.get(it.utterance().key());
                assertEquals(src.txt(), it.utterance().txt());
                assertEquals(src.task(), it.utterance().task());
                assertEquals("flac", it.audioFormat());
                Path wav = Path.of(src.wav()).isAbsolute() ? Path.of(src.wav()) : list.getParent().resolve(src.wav());
                assertArrayEquals(Files.readAllBytes(wav), it.audio(), "audio bytes of " + src.key());
                n++;
            }
        }
        assertEquals(36, n);
        assertTrue(output().contains("36 items"), output());
    }

    @Test
    void iemocap_endToEnd_writesEmotionAndGenderItems(@TempDir Path tmp) throws Exception {
        Path list = tmp.resolve("iemocap.jsonl");
        int rc = Main.run(new String[]{"prepare", "iemocap", fixtures().resolve("IEMOCAP_full_release").toString(), "--out", list.toString()});
        assertEquals(0, rc, output());
        List<Utterance> items = DataList.read(list);
        assertEquals(23, items.size());
        assertEquals(11, items.stream().filter(u -> u.task().equals("<TRANSCRIBE> <EMOTION>")).count());
        assertTrue(output().contains("no EMOTION label for <TRANSCRIBE> <EMOTION>"), "skips are printed with reasons: " + output());

        rc = Main.run(new String[]{"prepare", "iemocap", fixtures().resolve("IEMOCAP_full_release").toString(), "--out",
                tmp.resolve("ser.jsonl").toString(), "--tasks", "ser"});
        assertEquals(0, rc, output());
        List<Utterance> ser = DataList.read(tmp.resolve("ser.jsonl"));
        assertEquals(11, ser.size());
        assertTrue(ser.stream().noneMatch(u -> u.key().endsWith("_ser")), "one task: plain turn names as keys");
    }

    @Test
    void librispeech_strictOnCorruptedCopy_exitsOneAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("LibriSpeech");
        try (java.util.stream.Stream<Path> w = Files.walk(fixtures().resolve("LibriSpeech"))) {
            for (Path p : w.toList()) {
                Path t = root.resolve(fixtures().resolve("LibriSpeech").relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        Files.delete(root.resolve("dev-clean/9001/1011/9001-1011-0000.flac"));
        Path list = tmp.resolve("ls.jsonl");
        assertEquals(1, Main.run(new String[]{"prepare", "librispeech", root.toString(), "--out", list.toString(), "--strict"}));
        assertTrue(!Files.exists(list), "no list written on error");
        assertEquals(0, Main.run(new String[]{"prepare", "librispeech", root.toString(), "--out", list.toString()}));
        assertEquals(17, DataList.read(list).size());
        assertTrue(output().contains("skipped 1 × transcript line without audio  e.g. 9001-1011-0000: 9001-1011.trans.txt:1"), output());
    }

    @Test
    void everySubCommand_hasHelp_andBadOptionsExitTwo(@TempDir Path tmp) {
        for (String sub : List.of("synth", "librispeech", "iemocap", "shards")) {
            captured.reset();
            assertEquals(0, Main.run(new String[]{"prepare", sub, "--help"}), sub);
            assertTrue(output().startsWith("usage: ./osum prepare " + sub), sub + ": " + output());
        }
        assertEquals(0, Main.run(new String[]{"prepare", "--help"}));
        assertEquals(2, Main.run(new String[]{"prepare", "librispeech", "x", "--out", "y", "--bogus"}));
        assertEquals(2, Main.run(new String[]{"prepare", "librispeech", fixtures().resolve("LibriSpeech").toString()}), "--out missing");
        assertEquals(2, Main.run(new String[]{"prepare", "shards", "a.jsonl", "--out", tmp.toString(), "--per-shard", "zero"}));
        assertEquals(2, Main.run(new String[]{"prepare", "nope"}));
    }

    @Test
    void synth_missingTools_namesThemAndTheInstallCommand(@TempDir Path tmp) {
        Prepare p = new Prepare(new PrintStream(new ByteArrayOutputStream()), tmp.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> p.run(new String[]{"synth", "--out", tmp.resolve("c").toString()}));
        assertTrue(e.getMessage().contains("python3, espeak-ng, sox, flac"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y"), e.getMessage());
    }

    @Test
    void synth_smallCorpus_runsGeneratorAndSummarisesSplits(@TempDir Path tmp) throws Exception {
        Prepare probe = new Prepare(new PrintStream(new ByteArrayOutputStream()), System.getenv().getOrDefault("PATH", ""));
        for (String tool : List.of("python3", "espeak-ng", "sox", "flac"))
            assertTrue(probe.findOnPath(tool) != null, tool + " not on PATH (apt-get install espeak-ng sox flac)");
        Path out = tmp.resolve("synth");
        int rc = Main.run(new String[]{"prepare", "synth", "--out", out.toString(), "--seed", "3", "--train", "8",
                "--dev", "0", "--test", "0", "--flac", "--no-noise", "--jobs", "1"});
        assertEquals(0, rc, output());
        assertEquals(8, DataList.read(out.resolve("train.jsonl")).size());
        assertTrue(output().contains("  | make_corpus: 8 utterances"), "generator output is streamed: " + output());
        assertTrue(output().matches("(?s).*train\\s+8 items.*"), output());
    }
}
