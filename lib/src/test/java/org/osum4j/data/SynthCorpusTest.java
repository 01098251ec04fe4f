package org.osum4j.data;

// Tests of the synthetic corpus: the generator (data/synth/make_corpus.py) is byte-reproducible, and the
// committed mini corpus (data/synth-mini) and dataset-layout fixtures (data/fixtures) are well-formed,
// follow OSUM's target formats and keep test speakers/transcripts/words honest.
// Not a test of any Java loader: those live with the data package's own tests.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SynthCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SPLITS = List.of("train", "dev", "test");
    /** Tag -> the extra field holding its label (null: no label appended to the transcript). */
    private static final Map<String, String> TASK_LABEL_FIELD = new LinkedHashMap<>();
    static {
        TASK_LABEL_FIELD.put("<TRANSCRIBE>", null);
        TASK_LABEL_FIELD.put("<TRANSCRIBE> <ALIGN>", null);
        TASK_LABEL_FIELD.put("<TRANSCRIBE> <EMOTION>", "emotion");
        TASK_LABEL_FIELD.put("<TRANSCRIBE> <STYLE>", "style");
        TASK_LABEL_FIELD.put("<TRANSCRIBE> <CAPTION>", "event");
        TASK_LABEL_FIELD.put("<TRANSCRIBE> <GENDER>", "gender");
        TASK_LABEL_FIELD.put("<TRANSCRIBE> <AGE>", "age");
        TASK_LABEL_FIELD.put("<TRANSCRIBE> <S2TCHAT>", null);
    }
    private static final String STTC_SEP = "<开始回答>";
    private static final Pattern SRWT_WORD = Pattern.compile("<(\\d+\\.\\d)>([a-z']+)<(\\d+\\.\\d)>");
    private static final double SRWT_TOLERANCE_S = 0.15;   // 0.05 rounding + the monotone/min-0.1 s fix-ups
    private static final long GENERATOR_TIMEOUT_MIN = 10;   // guard against a hung worker, not a timing check

    private static Path mini() {
        return GoldenSuite.repoRoot().resolve("data/synth-mini");
    }

    // ------------------------------------------------------------------------------------------------
    // Generator determinism
    // ------------------------------------------------------------------------------------------------

    @Test
    void generator_sameSeedTwice_writesIdenticalBytes(@TempDir Path tmp) throws Exception {
        List<String> missing = Stream.of("python3", "espeak-ng", "sox", "flac")
                .filter(t -> !onPath(t)).collect(Collectors.toList());
        assertTrue(missing.isEmpty(), "synthetic corpus generator needs " + missing
                + " on PATH (CI: apt-get install espeak-ng sox flac)");
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        runGenerator(a);
        runGenerator(b);
        Map<String, byte[]> fa = readTree(a), fb = readTree(b);
        assertEquals(fa.keySet(), fb.keySet(), "the two runs wrote different file sets");
        long audio = fa.keySet().stream().filter(k -> k.startsWith("wav/")).count();
        assertEquals(20, audio, "expected 16 train + 4 test audio files, got " + fa.keySet());
        for (String f : fa.keySet()) {
            assertArrayEquals(fa.get(f), fb.get(f), "file " + f + " differs between two runs with seed 7");
        }
        assertEquals(16, Files.readAllLines(a.resolve("train.jsonl")).size());
        assertEquals(4, Files.readAllLines(a.resolve("test.jsonl")).size());
    }

    private static void runGenerator(Path out) throws IOException, InterruptedException {
        Path script = GoldenSuite.repoRoot().resolve("data/synth/make_corpus.py");
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), "--out", out.toString(),
                "--seed", "7", "--train", "16", "--dev", "0", "--test", "4", "--jobs", "2")
                .redirectErrorStream(true);
        Process p = pb.start();
        byte[] log = p.getInputStream().readAllBytes();
        if (!p.waitFor(GENERATOR_TIMEOUT_MIN, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("make_corpus.py did not finish within " + GENERATOR_TIMEOUT_MIN + " min");
        }
        assertEquals(0, p.exitValue(), "make_corpus.py failed:\n" + new String(log, StandardCharsets.UTF_8));
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        return Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, exe)));
    }

    private static Map<String, byte[]> readTree(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
                out.put(root.relativize(f).toString().replace(File.separatorChar, '/'), Files.readAllBytes(f));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Committed mini corpus
    // ------------------------------------------------------------------------------------------------

    private static List<JsonNode> list(String split) throws IOException {
        Path p = mini().resolve(split + ".jsonl");
        assertTrue(Files.isRegularFile(p), "missing committed list " + p);
        List<JsonNode> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            try {
                out.add(JSON.readTree(lines.get(i)));
            } catch (IOException e) {
                fail(p + ":" + (i + 1) + ": not a JSON object: " + e.getMessage());
            }
        }
        return out;
    }

    @Test
    void miniLists_haveRequiredFieldsAndExistingFlacAudio() throws IOException {
        Set<String> keys = new HashSet<>();
        for (String split : SPLITS) {
            List<JsonNode> items = list(split);
            assertFalse(items.isEmpty(), split + ".jsonl is empty");
            for (JsonNode e : items) {
                for (String f : List.of("key", "wav", "txt", "task", "extra")) {
                    assertTrue(e.hasNonNull(f), split + ": item without '" + f + "': " + e);
                }
                String key = e.get("key").asText();
                assertTrue(keys.add(key), "duplicate key " + key);
                assertTrue(TASK_LABEL_FIELD.containsKey(e.get("task").asText()), key + ": unknown task tag");
                JsonNode x = e.get("extra");
                for (String f : List.of("speaker", "gender", "age", "words", "duration", "transcript")) {
                    assertTrue(x.hasNonNull(f), key + ": extra without '" + f + "'");
                }
                Path audio = mini().resolve(e.get("wav").asText());
                assertTrue(Files.isRegularFile(audio), key + ": audio file missing: " + audio);
                byte[] head = Arrays.copyOf(Files.readAllBytes(audio), 4);
                assertEquals("fLaC", new String(head, StandardCharsets.US_ASCII), key + ": not a FLAC file");
            }
        }
    }

    @Test
    void miniLists_targetsFollowOsumTaskFormats() throws IOException {
        Map<String, Set<String>> labels = new TreeMap<>();
        for (String split : SPLITS) {
            for (JsonNode e : list(split)) {
                String key = e.get("key").asText(), tag = e.get("task").asText(), txt = e.get("txt").asText();
                JsonNode x = e.get("extra");
                String transcript = x.get("transcript").asText();
                assertEquals(transcript.toLowerCase(), transcript, key + ": transcript not lower-case");
                String field = TASK_LABEL_FIELD.get(tag);
                if (field != null) {
                    String label = x.get(field).asText();
                    assertEquals(transcript + "<" + label + ">", txt, key + ": ASR+X target");
                    labels.computeIfAbsent(tag, t -> new HashSet<>()).add(label);
                } else if (tag.equals("<TRANSCRIBE> <S2TCHAT>")) {
                    assertEquals(transcript + STTC_SEP + x.get("qa").get("answer").asText(), txt, key + ": STTC");
                } else if (tag.equals("<TRANSCRIBE> <ALIGN>")) {
                    checkSrwt(key, txt, x.get("words"), transcript);
                } else {
                    assertEquals(transcript, txt, key + ": ASR target");
                }
            }
        }
        assertEquals(7, labels.get("<TRANSCRIBE> <EMOTION>").size(), "emotion labels covered: " + labels);
        assertEquals(8, labels.get("<TRANSCRIBE> <STYLE>").size(), "style labels covered: " + labels);
        assertEquals(8, labels.get("<TRANSCRIBE> <CAPTION>").size(), "event labels covered: " + labels);
        assertEquals(Set.of("male", "female"), labels.get("<TRANSCRIBE> <GENDER>"));
        assertEquals(Set.of("child", "adult", "old"), labels.get("<TRANSCRIBE> <AGE>"));
    }

    private static void checkSrwt(String key, String txt, JsonNode words, String transcript) {
        String[] parts = txt.split(" ", -1);
        assertEquals(words.size(), parts.length, key + ": one <s>word<e> group per word in " + txt);
        List<String> ws = new ArrayList<>();
        double prevEnd = 0;
        for (int i = 0; i < parts.length; i++) {
            Matcher m = SRWT_WORD.matcher(parts[i]);
            assertTrue(m.matches(), key + ": bad SRWT group '" + parts[i] + "' in " + txt);
            double s = Double.parseDouble(m.group(1)), e = Double.parseDouble(m.group(3));
            assertTrue(s < e && s >= prevEnd, key + ": SRWT times not increasing at '" + parts[i] + "'");
            JsonNode w = words.get(i);
            assertEquals(w.get(0).asText(), m.group(2), key + ": word " + i);
            assertTrue(Math.abs(s - w.get(1).asDouble()) <= SRWT_TOLERANCE_S, key + ": start of " + parts[i]);
            assertTrue(Math.abs(e - w.get(2).asDouble()) <= SRWT_TOLERANCE_S, key + ": end of " + parts[i]);
            ws.add(m.group(2));
            prevEnd = e;
        }
        assertEquals(transcript, String.join(" ", ws), key + ": SRWT words spell the transcript");
    }

    @Test
    void miniLists_heldOutSplitsHaveUnseenSpeakersAndTranscriptsButNoOov() throws IOException {
        List<JsonNode> train = list("train");
        Set<String> trainSpk = new HashSet<>(), trainText = new HashSet<>(), vocab = new HashSet<>();
        for (JsonNode e : train) {
            trainSpk.add(e.get("extra").get("speaker").asText());
            trainText.add(e.get("extra").get("transcript").asText());
            vocab.addAll(words(e));
        }
        for (String split : List.of("dev", "test")) {
            for (JsonNode e : list(split)) {
                String key = e.get("key").asText();
                JsonNode x = e.get("extra");
                assertFalse(trainSpk.contains(x.get("speaker").asText()), key + ": speaker also in train");
                assertFalse(trainText.contains(x.get("transcript").asText()), key + ": transcript also in train");
                List<String> oov = words(e).stream().filter(w -> !vocab.contains(w)).collect(Collectors.toList());
                assertTrue(oov.isEmpty(), key + ": words not seen in training: " + oov);
            }
        }
    }

    /** Transcript words plus, for STTC, the answer words. */
    private static List<String> words(JsonNode e) {
        List<String> out = new ArrayList<>(Arrays.asList(e.get("extra").get("transcript").asText().split(" ")));
        JsonNode qa = e.get("extra").get("qa");
        if (qa != null && !qa.isNull()) out.addAll(Arrays.asList(qa.get("answer").asText().split(" ")));
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Dataset-layout fixtures
    // ------------------------------------------------------------------------------------------------

    @Test
    void librispeechFixture_everyTranscriptLineHasItsFlacAndSpeakerRow() throws IOException {
        Path root = GoldenSuite.repoRoot().resolve("data/fixtures/LibriSpeech");
        String speakers = Files.readString(root.resolve("SPEAKERS.TXT"));
        List<Path> trans;
        try (Stream<Path> s = Files.walk(root)) {
            trans = s.filter(p -> p.getFileName().toString().endsWith(".trans.txt")).sorted().collect(Collectors.toList());
        }
        assertFalse(trans.isEmpty(), "no *.trans.txt under " + root);
        int n = 0;
        for (Path t : trans) {
            String chapter = t.getParent().getFileName().toString(), spk = t.getParent().getParent().getFileName().toString();
            assertTrue(t.getFileName().toString().equals(spk + "-" + chapter + ".trans.txt"), "misnamed " + t);
            assertTrue(Pattern.compile("(?m)^" + spk + "\\s+\\|\\s+[MF]\\s+\\|").matcher(speakers).find(),
                    "SPEAKERS.TXT has no row for speaker " + spk);
            for (String line : Files.readAllLines(t)) {
                Matcher m = Pattern.compile("(" + spk + "-" + chapter + "-\\d{4}) ([A-Z' ]+)").matcher(line);
                assertTrue(m.matches(), t + ": bad line '" + line + "'");
                assertTrue(Files.isRegularFile(t.getParent().resolve(m.group(1) + ".flac")), "no flac for " + m.group(1));
                n++;
            }
        }
        try (Stream<Path> s = Files.walk(root)) {
            assertEquals(n, s.filter(p -> p.toString().endsWith(".flac")).count(), "flac files without transcript line");
        }
    }

    @Test
    void iemocapFixture_everyEvaluatedTurnHasWavAndTranscriptWithSameTimes() throws IOException {
        Path sess = GoldenSuite.repoRoot().resolve("data/fixtures/IEMOCAP_full_release/Session1");
        Pattern summary = Pattern.compile("\\[(\\d+\\.\\d{4}) - (\\d+\\.\\d{4})\\]\t(Ses01[FM]_\\w+_[FM]\\d{3})\t(\\w{3})\t\\[.*\\]");
        Pattern tline = Pattern.compile("(Ses01[FM]_\\w+_[FM]\\d{3}) \\[(\\d{3}\\.\\d{4})-(\\d{3}\\.\\d{4})\\]: .+");
        List<Path> evals;
        try (Stream<Path> s = Files.list(sess.resolve("dialog/EmoEvaluation"))) {
            evals = s.filter(p -> p.toString().endsWith(".txt")).sorted().collect(Collectors.toList());
        }
        assertFalse(evals.isEmpty(), "no EmoEvaluation files in " + sess);
        Set<String> codes = Set.of("neu", "hap", "exc", "sad", "ang", "fru", "fea", "sur", "dis", "oth", "xxx");
        for (Path ev : evals) {
            String dialog = ev.getFileName().toString().replace(".txt", "");
            Map<String, double[]> times = new TreeMap<>();
            for (String line : Files.readAllLines(sess.resolve("dialog/transcriptions/" + dialog + ".txt"))) {
                Matcher m = tline.matcher(line);
                assertTrue(m.matches(), dialog + ": bad transcription line '" + line + "'");
                times.put(m.group(1), new double[]{Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))});
            }
            int turns = 0;
            for (String line : Files.readAllLines(ev)) {
                Matcher m = summary.matcher(line);
                if (!m.matches()) continue;
                String turn = m.group(3);
                assertTrue(codes.contains(m.group(4)), turn + ": unknown emotion code " + m.group(4));
                assertTrue(Files.isRegularFile(sess.resolve("sentences/wav/" + dialog + "/" + turn + ".wav")), "no wav for " + turn);
                double[] t = times.get(turn);
                assertTrue(t != null, turn + " missing from transcriptions");
                assertEquals(t[0], Double.parseDouble(m.group(1)), 1e-4, turn + " start");
                assertEquals(t[1], Double.parseDouble(m.group(2)), 1e-4, turn + " end");
                turns++;
            }
            assertEquals(times.size(), turns, dialog + ": turns in transcriptions vs EmoEvaluation");
            assertTrue(Files.isRegularFile(sess.resolve("dialog/wav/" + dialog + ".wav")), "no dialog wav for " + dialog);
        }
    }
}
