package org.osum4j.data;

// Tests of the corpus loaders (LibriSpeech, IEMOCAP) on the committed layout fixtures, of the Corpus facade
// (tasks, keys, save/list round trip, relative paths of data/synth-mini) and of header durations.
// Not a test of the fixtures themselves (SynthCorpusTest) or of shard writing (ShardsTest).

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusTest {

    static Path fixtures() {
        return GoldenSuite.repoRoot().resolve("data/fixtures");
    }

    static Path libri() {
        return fixtures().resolve("LibriSpeech");
    }

    static Path iemocap() {
        return fixtures().resolve("IEMOCAP_full_release");
    }

    private static Map<String, Utterance> byKey(List<Utterance> items) {
        Map<String, Utterance> m = new TreeMap<>();
        for (Utterance u : items) m.put(u.key(), u);
        return m;
    }

    /** Copies a folder tree (fixtures are small). */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    // ---- LibriSpeech -------------------------------------------------------------------------------

    @Test
    void librispeech_fixture_givesOneTranscribeItemPerFlacWithLowerCaseTranscript() throws IOException {
        Corpus c = Corpus.librispeech(libri());
        List<Utterance> items = c.utterances();
        assertEquals(18, items.size());
        assertTrue(c.loadReport().isClean(), c.loadReport().toString());
        Map<String, Utterance> m = byKey(items);
        Utterance u = m.get("9001-1010-0001");
        assertNotNull(u, "key is the LibriSpeech utterance id: " + m.keySet());
        assertEquals("anna and peter bought the box on monday", u.txt());
        assertEquals("<TRANSCRIBE>", u.task());
        assertTrue(Files.isRegularFile(Path.of(u.wav())) && Path.of(u.wav()).isAbsolute(), u.wav());
        assertEquals(Map.of("speaker", "9001", "chapter", "1010", "split", "dev-clean", "gender", "female"), u.extra());
        assertEquals("9001", u.speaker());
        // every transcript line of the fixture appears lower-cased as an item's txt
        try (Stream<Path> s = Files.walk(libri())) {
            for (Path t : s.filter(p -> p.toString().endsWith(".trans.txt")).toList()) {
                for (String line : Files.readAllLines(t)) {
                    String id = line.substring(0, line.indexOf(' '));
                    assertEquals(line.substring(line.indexOf(' ') + 1).toLowerCase(), m.get(id).txt(), id);
                }
            }
        }
        for (Utterance x : items) assertTrue(x.duration() > 0.5 && x.duration() < 30, x.key() + " duration " + x.duration());
    }

    @Test
    void librispeech_withGender_addsGenderItemsWithSuffixedKeys() {
        Corpus c = Corpus.librispeech(libri()).withTasks("<TRANSCRIBE>", "<TRANSCRIBE><GENDER>");
        Map<String, Utterance> m = byKey(c.utterances());
        assertEquals(36, m.size());
        assertEquals("anna and peter bought the box on monday<female>", m.get("9001-1010-0001_sgc").txt());
        assertEquals("<TRANSCRIBE> <GENDER>", m.get("9001-1010-0001_sgc").task());
        assertEquals("anna and peter bought the box on monday", m.get("9001-1010-0001_asr").txt());
        assertTrue(m.get("9002-1020-0000_sgc").txt().endsWith("<male>"));
        assertEquals("male", m.get("9002-1020-0000_sgc").gender());
        assertEquals(3, c.manifest().summary().rowCount(), "two tasks + ALL");
        assertEquals(12, c.manifest().labelCounts().where(
                c.manifest().labelCounts().stringColumn("label").isEqualTo("female")).intColumn("count").getInt(0));
    }

    @Test
    void librispeech_speakersFile_parsesRowsAndSkipsComments() {
        Map<String, LibriSpeech.Speaker> s = LibriSpeech.speakers(libri().resolve("SPEAKERS.TXT"));
        assertEquals(List.of("9001", "9002", "9003"), new ArrayList<>(s.keySet()));
        assertEquals("male", s.get("9002").gender());
        assertEquals("dev-clean", s.get("9002").subset());
        assertEquals(0.24, s.get("9002").minutes(), 1e-9);
        assertEquals("Synthetic en+m3", s.get("9002").name());
    }

    @Test
    void librispeech_subsetFolderAsRoot_readsSpeakersFromParent() {
        Corpus c = Corpus.librispeech(libri().resolve("dev-clean")).withTasks("<TRANSCRIBE> <GENDER>");
        assertEquals(18, c.utterances().size());
        assertTrue(c.utterances().stream().allMatch(u -> u.txt().endsWith("<female>") || u.txt().endsWith("<male>")));
    }

    @Test
    void librispeech_missingTranscriptLine_isSkippedAndCountedOrAnErrorNamingFiles(@TempDir Path tmp) throws IOException {
        copyTree(libri(), tmp.resolve("LibriSpeech"));
        Path trans = tmp.resolve("LibriSpeech/dev-clean/9003/1031/9003-1031.trans.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(trans));
        lines.remove(1);   // 9003-1031-0001 keeps its FLAC but loses its line
        Files.write(trans, lines);

        Corpus c = Corpus.librispeech(tmp.resolve("LibriSpeech"));
        assertEquals(17, c.utterances().size());
        assertEquals(1, c.loadReport().skipped(LibriSpeech.NO_TRANSCRIPT));
        assertTrue(c.loadReport().toString().contains("9003-1031-0001"), c.loadReport().toString());

        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Corpus.librispeech(tmp.resolve("LibriSpeech"), Corpus.OnMissing.FAIL));
        assertTrue(e.getMessage().contains("9003-1031-0001.flac") && e.getMessage().contains("9003-1031.trans.txt"), e.getMessage());
    }

    @Test
    void librispeech_transcriptLineWithoutAudio_errorNamesFileAndLine(@TempDir Path tmp) throws IOException {
        copyTree(libri(), tmp.resolve("LibriSpeech"));
        Files.delete(tmp.resolve("LibriSpeech/dev-clean/9002/1021/9002-1021-0002.flac"));
        Corpus c = Corpus.librispeech(tmp.resolve("LibriSpeech"));
        assertEquals(17, c.utterances().size());
        assertEquals(1, c.loadReport().skipped(LibriSpeech.NO_AUDIO));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Corpus.librispeech(tmp.resolve("LibriSpeech"), Corpus.OnMissing.FAIL));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("9002-1021.trans.txt:3") && e.getMessage().contains("9002-1021-0002"), e.getMessage());
    }

    @Test
    void librispeech_malformedTranscriptLine_errorNamesFileAndLine(@TempDir Path tmp) throws IOException {
        copyTree(libri(), tmp.resolve("LibriSpeech"));
        Path trans = tmp.resolve("LibriSpeech/dev-clean/9001/1010/9001-1010.trans.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(trans));
        lines.set(1, "9001-1010-0001\tTAB INSTEAD OF SPACE");
        Files.write(trans, lines);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Corpus.librispeech(tmp.resolve("LibriSpeech")));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("9001-1010.trans.txt:2"), e.getMessage());
    }

    // ---- IEMOCAP -----------------------------------------------------------------------------------

    @Test
    void iemocap_fixture_mapsEmotionsAndDropsXxxFromEmotionOnly() {
        Corpus c = Corpus.iemocap(iemocap());
        assertEquals(12, c.entries().size());
        Map<String, Utterance> m = byKey(c.utterances());
        assertEquals(11 + 12, m.size(), "11 SER items (xxx dropped) + 12 SGC items");
        Map<String, String> expected = Map.ofEntries(
                Map.entry("Ses01F_impro01_F000", "neutral"), Map.entry("Ses01F_impro01_M000", "neutral"),
                Map.entry("Ses01F_impro01_F001", "other"), Map.entry("Ses01F_impro01_M001", "anger"),
                Map.entry("Ses01F_impro01_M002", "sad"), Map.entry("Ses01F_script01_1_F000", "happy"),
                Map.entry("Ses01F_script01_1_M000", "happy"), Map.entry("Ses01F_script01_1_F001", "surprise"),
                Map.entry("Ses01F_script01_1_M001", "neutral"), Map.entry("Ses01F_script01_1_F002", "fear"),
                Map.entry("Ses01F_script01_1_M002", "disgust"));
        expected.forEach((turn, emo) -> {
            Utterance u = m.get(turn + "_ser");
            assertNotNull(u, turn);
            assertTrue(u.txt().endsWith("<" + emo + ">"), turn + ": " + u.txt());
            assertEquals(emo, u.emotion());
        });
        assertFalse(m.containsKey("Ses01F_impro01_F002_ser"), "xxx has no emotion item");
        assertEquals("well somebody has to help me<female>", m.get("Ses01F_impro01_F002_sgc").txt(), "marker and punctuation removed");
        assertEquals("that is not my problem<anger>", m.get("Ses01F_impro01_M001_ser").txt());
        assertEquals("<TRANSCRIBE> <EMOTION>", m.get("Ses01F_impro01_M001_ser").task());
        assertEquals(1, c.taskReport().skipped("no EMOTION label for <TRANSCRIBE> <EMOTION>"));
        assertEquals(1, c.loadReport().changed(Iemocap.UNMAPPED_EMOTION));
    }

    @Test
    void iemocap_turnName_givesGenderAndExtraCarriesEvaluation() throws IOException {
        Map<String, Utterance> m = byKey(Corpus.iemocap(iemocap()).utterances());
        assertTrue(m.get("Ses01F_script01_1_M000_sgc").txt().endsWith("<male>"));
        assertTrue(m.get("Ses01F_script01_1_F000_sgc").txt().endsWith("<female>"));
        Utterance u = m.get("Ses01F_impro01_F000_ser");
        assertEquals("excuse me<neutral>", u.txt());
        assertEquals("Ses01", u.extra().get("session"));
        assertEquals("Ses01F_impro01", u.extra().get("dialog"));
        assertEquals("Ses01F", u.extra().get("speaker"));
        assertEquals("neu", u.extra().get("raw_emotion"));
        assertEquals(List.of(2.0, 1.5, 3.0), u.extra().get("vad"));
        assertEquals(0.5, (Double) u.extra().get("dialog_start"), 1e-9);
        assertEquals(1.2354, (Double) u.extra().get("dialog_end"), 1e-9);
        assertNull(u.start(), "turn WAVs are already cut: no crop times");
        assertEquals("Excuse me.", u.extra().get("transcript_raw"));
        assertEquals("exc", m.get("Ses01F_script01_1_M000_ser").extra().get("raw_emotion"));
        // WAV header duration = PCM bytes / byte rate (16 kHz, 16-bit mono, 44-byte header)
        long bytes = Files.size(Path.of(u.wav()));
        assertEquals((bytes - 44) / 32000.0, u.duration(), 1e-9);
        assertEquals(1.2354 - 0.5, u.duration(), 1e-3);
    }

    @Test
    void iemocap_customMapping_unmappedCodesLoseEmotionOnly() {
        Corpus c = Corpus.iemocap(iemocap(), Map.of("neu", "neutral", "hap", "happy", "ang", "anger", "sad", "sad"),
                Corpus.OnMissing.SKIP).withTasks("<TRANSCRIBE> <EMOTION>");
        assertEquals(6, c.utterances().size(), "4-class: neu neu ang sad hap neu");
        assertEquals(6, c.taskReport().skippedCount());
        assertThrows(IllegalArgumentException.class,
                () -> Corpus.iemocap(iemocap(), Map.of("fru", "frustrated"), Corpus.OnMissing.SKIP));
    }

    @Test
    void iemocap_missingTranscription_isCountedOrAnErrorNamingEvaluationLine(@TempDir Path tmp) throws IOException {
        copyTree(iemocap(), tmp.resolve("IEMOCAP_full_release"));
        Path trans = tmp.resolve("IEMOCAP_full_release/Session1/dialog/transcriptions/Ses01F_impro01.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(trans));
        lines.removeIf(l -> l.startsWith("Ses01F_impro01_M001 "));
        Files.write(trans, lines);
        Corpus c = Corpus.iemocap(tmp.resolve("IEMOCAP_full_release"));
        assertEquals(11, c.entries().size());
        assertEquals(1, c.loadReport().skipped(Iemocap.NO_TRANSCRIPT));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Corpus.iemocap(tmp.resolve("IEMOCAP_full_release"), Corpus.OnMissing.FAIL));
        assertTrue(e.getMessage().contains("EmoEvaluation/Ses01F_impro01.txt:" + e.line()) && e.line() > 0, e.getMessage());
        assertTrue(e.getMessage().contains("Ses01F_impro01_M001"), e.getMessage());
    }

    @Test
    void iemocap_malformedSummaryLine_errorNamesLine(@TempDir Path tmp) throws IOException {
        copyTree(iemocap(), tmp.resolve("IEMOCAP_full_release"));
        Path eval = tmp.resolve("IEMOCAP_full_release/Session1/dialog/EmoEvaluation/Ses01F_script01_1.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(eval));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("Ses01F_script01_1_F001")) at = i;
        lines.set(at, lines.get(at).replace("[3.5000, 3.0000, 3.5000]", "[3.5000, oops, 3.5000]"));
        Files.write(eval, lines);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Corpus.iemocap(tmp.resolve("IEMOCAP_full_release")));
        assertEquals(at + 1, e.line());
        assertTrue(e.getMessage().contains("oops"), e.getMessage());
    }

    // ---- facade: text, lists, save -----------------------------------------------------------------

    @Test
    void normalizeTranscript_lowerCasesDropsMarkersAndPunctuationKeepsApostrophes() {
        assertEquals("well somebody has to help me", Corpus.normalizeTranscript("Well, somebody has to help me. [LAUGHTER]"));
        assertEquals("don't stop james' dog", Corpus.normalizeTranscript("DON'T  STOP JAMES' DOG"));
        assertEquals("really they called you today", Corpus.normalizeTranscript("Really? They called you -- today?!"));
        assertEquals("", Corpus.normalizeTranscript("[BREATHING]"));
    }

    @Test
    void list_synthMini_resolvesRelativePathsAndFillsDurations() {
        Path list = GoldenSuite.repoRoot().resolve("data/synth-mini/test.jsonl");
        Corpus c = Corpus.list(list);
        List<Utterance> raw = DataList.read(list);
        assertEquals(raw.size(), c.utterances().size());
        assertEquals(0, c.loadReport().skippedCount());
        for (int i = 0; i < raw.size(); i++) {
            Utterance u = c.utterances().get(i);
            Path wav = Path.of(u.wav());
            assertTrue(wav.isAbsolute() && Files.isRegularFile(wav), u.wav());
            assertEquals(list.getParent().resolve(raw.get(i).wav()).normalize(), wav);
            double fromList = ((Number) raw.get(i).extra().get("duration")).doubleValue();
            assertEquals(fromList, u.duration(), 1e-9);
            assertEquals(fromList, AudioHeader.seconds(wav), 1e-3, "FLAC STREAMINFO duration of " + u.key());
        }
        assertTrue(c.manifest().hours() > 0);
    }

    @Test
    void list_missingAudio_isSkippedAndCountedOrAnErrorNamingTheItem(@TempDir Path tmp) throws IOException {
        Path list = tmp.resolve("l.jsonl");
        Files.copy(libri().resolve("dev-clean/9001/1010/9001-1010-0000.flac"), tmp.resolve("a.flac"));
        Files.writeString(list, "{\"key\": \"a\", \"wav\": \"a.flac\", \"txt\": \"x\"}\n\n"
                + "{\"key\": \"b\", \"wav\": \"gone/b.flac\", \"txt\": \"y\"}\n");
        Corpus c = Corpus.list(list);
        assertEquals(List.of("a"), c.utterances().stream().map(Utterance::key).toList());
        assertEquals(1, c.loadReport().skipped(Corpus.AUDIO_NOT_FOUND));
        assertTrue(c.utterances().get(0).duration() > 0, "duration from the FLAC header");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Corpus.list(list, Corpus.OnMissing.FAIL));
        assertTrue(e.getMessage().contains("item b") && e.getMessage().contains("gone/b.flac"), e.getMessage());
    }

    @Test
    void iemocap_macResourceForks_areIgnored(@TempDir Path tmp) throws IOException {
        copyTree(iemocap(), tmp.resolve("IEMOCAP_full_release"));
        Files.write(tmp.resolve("IEMOCAP_full_release/Session1/dialog/EmoEvaluation/._Ses01F_impro01.txt"),
                new byte[]{0, 5, 22, 7, (byte) 0xff, (byte) 0xfe, '[', 0});
        assertEquals(12, Corpus.iemocap(tmp.resolve("IEMOCAP_full_release")).entries().size());
    }

    @Test
    void list_withTasks_keepsOnlyThoseAndCountsTheRest() {
        Corpus c = Corpus.list(GoldenSuite.repoRoot().resolve("data/synth-mini/test.jsonl")).withTasks("<TRANSCRIBE> <EMOTION>");
        assertFalse(c.utterances().isEmpty());
        assertTrue(c.utterances().stream().allMatch(u -> u.taskTag().equals("<TRANSCRIBE> <EMOTION>")));
        assertEquals(c.taskReport().seenCount() - c.utterances().size(), c.taskReport().skipped(Corpus.OTHER_TASK));
    }

    @Test
    void save_thenList_roundTripsItemsAndWritesRelativePathsInsideTheFolder(@TempDir Path tmp) throws IOException {
        copyTree(libri(), tmp.resolve("LibriSpeech"));
        Corpus c = Corpus.librispeech(tmp.resolve("LibriSpeech")).withTasks("<TRANSCRIBE>", "<TRANSCRIBE> <GENDER>");
        Path saved = c.save(tmp.resolve("ls.jsonl"));
        List<Utterance> raw = DataList.read(saved);
        assertTrue(raw.stream().allMatch(u -> u.wav().startsWith("LibriSpeech/dev-clean/")), raw.get(0).wav());
        Corpus back = Corpus.list(saved);
        assertEquals(c.utterances().stream().map(Utterance::key).toList(), back.utterances().stream().map(Utterance::key).toList());
        assertEquals(c.utterances().stream().map(Utterance::txt).toList(), back.utterances().stream().map(Utterance::txt).toList());
        assertEquals(c.utterances().stream().map(Utterance::wav).collect(Collectors.toList()),
                back.utterances().stream().map(Utterance::wav).collect(Collectors.toList()));
        assertEquals(c.hours(), back.hours(), 1e-9);
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")), "no temp file left behind");
        }
    }

    @Test
    void withTasks_taskWithoutTranscriptTarget_isRejected() {
        Corpus c = Corpus.librispeech(libri());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.withTasks("<TRANSCRIBE> <S2TCHAT>"));
        assertTrue(e.getMessage().contains("<TRANSCRIBE> <S2TCHAT>"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.withTasks("<NOPE>"));
    }

    @Test
    void withTasks_labelTheCorpusLacks_countsEveryRecordingInTaskReport() {
        Corpus c = Corpus.librispeech(libri()).withTasks("<TRANSCRIBE> <AGE>");
        assertEquals(0, c.utterances().size());
        assertEquals(18, c.taskReport().skipped("no AGE label for <TRANSCRIBE> <AGE>"));
    }

    @Test
    void rich_displaysSummaryAndReports() {
        Map<String, String> b = Corpus.iemocap(iemocap()).mimeBundle();
        assertTrue(b.get("text/html").contains("&lt;TRANSCRIBE&gt; &lt;EMOTION&gt;") || b.get("text/html").contains("<TRANSCRIBE> <EMOTION>"));
        assertTrue(b.get("text/plain").contains("no EMOTION label"), b.get("text/plain"));
    }
}
