package org.osum4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loader of the IEMOCAP release: per session {@code Session*}/{@code sentences/wav/<dialog>/<turn>.wav} (one
 * WAV per turn), {@code dialog/EmoEvaluation/<dialog>.txt} (summary lines
 * {@code [start - end]\tTURN\tEMO\t[V, A, D]} followed by per-evaluator lines) and
 * {@code dialog/transcriptions/<dialog>.txt} ({@code TURN [start-end]: text}). The root may be
 * {@code IEMOCAP_full_release} (or a folder containing it) or one {@code Session*} folder. Use it through
 * {@link Corpus#iemocap}. Not a reader of the per-evaluator files or the motion-capture data.
 *
 * <p>IEMOCAP's consensus category → OSUM's eight emotions (spec §2.2), {@link #OSUM_EMOTIONS}:
 * <table>
 * <caption>emotion mapping</caption>
 * <tr><th>IEMOCAP</th><th>meaning</th><th>OSUM</th><th>why</th></tr>
 * <tr><td>neu</td><td>neutral</td><td>neutral</td><td></td></tr>
 * <tr><td>hap</td><td>happiness</td><td>happy</td><td></td></tr>
 * <tr><td>exc</td><td>excited</td><td>happy</td><td>the standard 4-class IEMOCAP protocol merges exc into hap;
 *     OSUM has no "excited"</td></tr>
 * <tr><td>sad</td><td>sadness</td><td>sad</td><td></td></tr>
 * <tr><td>ang</td><td>anger</td><td>anger</td><td></td></tr>
 * <tr><td>fru</td><td>frustration</td><td>other</td><td>a category of its own in IEMOCAP (the largest one);
 *     folding it into anger would swamp the real anger turns, dropping it would lose about 1,800 turns of speech:
 *     OSUM's catch-all "other" keeps it honest</td></tr>
 * <tr><td>sur</td><td>surprise</td><td>surprise</td><td></td></tr>
 * <tr><td>fea</td><td>fear</td><td>fear</td><td></td></tr>
 * <tr><td>dis</td><td>disgust</td><td>disgust</td><td></td></tr>
 * <tr><td>oth</td><td>other</td><td>other</td><td></td></tr>
 * <tr><td>xxx</td><td>no majority among evaluators</td><td>(dropped)</td><td>not a label; the turn still serves
 *     ASR and gender items</td></tr>
 * </table>
 * A code missing from the mapping in use leaves the turn without an EMOTION label (counted, never guessed).
 * Gender comes from the letter before the turn number ({@code Ses01F_impro01_M003} → male): IEMOCAP names
 * turns by the speaking actor. The dialog times are kept in {@code extra} ({@code dialog_start},
 * {@code dialog_end}), <em>not</em> as the item's {@code start}/{@code end}: the per-turn WAV is already cut,
 * and OSUM would crop it again.
 */
public final class Iemocap {

    /** IEMOCAP code → OSUM emotion (see the class comment); {@code xxx} is absent on purpose. */
    public static final Map<String, String> OSUM_EMOTIONS;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("neu", "neutral");
        m.put("hap", "happy");
        m.put("exc", "happy");
        m.put("sad", "sad");
        m.put("ang", "anger");
        m.put("fru", "other");
        m.put("sur", "surprise");
        m.put("fea", "fear");
        m.put("dis", "disgust");
        m.put("oth", "other");
        OSUM_EMOTIONS = Collections.unmodifiableMap(m);
    }

    public static final String NO_AUDIO = "turn without audio";
    public static final String NO_TRANSCRIPT = "turn without transcription";
    public static final String NO_EVALUATION = "transcription without evaluation";
    public static final String UNPARSED_TRANSCRIPTION = "transcription line without turn id";
    public static final String EMPTY_TRANSCRIPT = "empty transcript after normalisation";
    public static final String UNMAPPED_EMOTION = "emotion not mapped (no EMOTION label)";

    private static final Pattern SUMMARY = Pattern.compile(
            "\\[\\s*(\\d+(?:\\.\\d+)?)\\s*-\\s*(\\d+(?:\\.\\d+)?)\\s*]\\t(\\S+)\\t(\\S+)\\t\\[([^]]*)]\\s*");
    private static final Pattern TRANSCRIPTION = Pattern.compile("(\\S+) \\[\\s*(\\d+(?:\\.\\d+)?)\\s*-\\s*(\\d+(?:\\.\\d+)?)\\s*]:\\s?(.*)");
    /** The speaking actor's letter before the 3-character turn number (real ids may contain X, e.g. MXX1). */
    private static final Pattern TURN_GENDER = Pattern.compile(".*_([FM])[X\\d]{2}\\d");
    private static final Pattern SESSION_DIALOG = Pattern.compile("(Ses\\d+)[FM]_.*");
    private static final Map<String, String> LETTER_TO_GENDER = Map.of("F", "female", "M", "male");

    private Iemocap() {
    }

    /** One summary line of an EmoEvaluation file. */
    record Evaluation(String turn, double start, double end, String code, List<Double> vad, int line) {
    }

    /** Entries of every session under {@code root} (sessions, dialogs and turns in name order). */
    static List<CorpusEntry> load(Path root, Map<String, String> emotions, Corpus.OnMissing onMissing, Report report) {
        Path dir = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("IEMOCAP folder not found: " + dir);
        if (Files.isDirectory(dir.resolve("IEMOCAP_full_release"))) dir = dir.resolve("IEMOCAP_full_release");
        List<Path> sessions = isSession(dir) ? List.of(dir)
                : list(dir).stream().filter(p -> p.getFileName().toString().startsWith("Session") && isSession(p)).toList();
        if (sessions.isEmpty())
            throw new IllegalArgumentException(dir + ": no IEMOCAP session found (expected Session*/dialog/EmoEvaluation/*.txt)");
        List<CorpusEntry> out = new ArrayList<>();
        for (Path session : sessions) {
            Path evalDir = session.resolve("dialog/EmoEvaluation");
            for (Path evalFile : list(evalDir)) {
                String name = evalFile.getFileName().toString();
                // The release carries macOS "._" resource forks beside the real files: binary, not evaluations.
                if (!Files.isRegularFile(evalFile) || !name.endsWith(".txt") || name.startsWith(".")) continue;
                dialog(session, name.substring(0, name.length() - ".txt".length()), evalFile, emotions, onMissing, report, out);
            }
        }
        return out;
    }

    /** The summary lines of one EmoEvaluation file, in file order. */
    static List<Evaluation> evaluations(Path file) {
        List<Evaluation> out = new ArrayList<>();
        List<String> lines = LibriSpeech.readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("[")) continue;   // header (%), blank separators, evaluator lines (C-E2:, A-F1:, …)
            Matcher m = SUMMARY.matcher(line);
            if (!m.matches())
                throw new DataFormatException(file, i + 1, "expected '[START - END]<TAB>TURN<TAB>EMO<TAB>[V, A, D]', got '" + line.strip() + "'");
            List<Double> vad = new ArrayList<>();
            for (String v : m.group(5).split(",")) {
                try {
                    vad.add(Double.parseDouble(v.strip()));
                } catch (NumberFormatException e) {
                    throw new DataFormatException(file, i + 1, "V/A/D value '" + v.strip() + "' is not a number");
                }
            }
            if (vad.size() != 3) throw new DataFormatException(file, i + 1, "expected 3 values [V, A, D], got " + vad.size());
            out.add(new Evaluation(m.group(3), Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                    m.group(4).toLowerCase(java.util.Locale.ROOT), List.copyOf(vad), i + 1));
        }
        return out;
    }

    private static void dialog(Path session, String dialog, Path evalFile, Map<String, String> emotions,
                               Corpus.OnMissing onMissing, Report report, List<CorpusEntry> out) {
        Path transFile = session.resolve("dialog/transcriptions").resolve(dialog + ".txt");
        Map<String, String> text = new HashMap<>();
        Map<String, Integer> textLine = new LinkedHashMap<>();
        if (Files.isRegularFile(transFile)) {
            List<String> lines = LibriSpeech.readLines(transFile);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) continue;
                Matcher m = TRANSCRIPTION.matcher(line);
                if (!m.matches()) {
                    // Real transcriptions hold a few lines without a turn id or time (e.g. other speakers' noises).
                    if (onMissing == Corpus.OnMissing.FAIL)
                        throw new DataFormatException(transFile, i + 1, "expected 'TURN [START-END]: text', got '" + line + "'");
                    report.change(UNPARSED_TRANSCRIPTION, transFile.getFileName() + ":" + (i + 1), line);
                    continue;
                }
                text.put(m.group(1), m.group(4));
                textLine.put(m.group(1), i + 1);
            }
        }
        Map<String, Boolean> evaluated = new HashMap<>();
        Matcher sd = SESSION_DIALOG.matcher(dialog);
        String sessionId = sd.matches() ? sd.group(1) : session.getFileName().toString();
        for (Evaluation ev : evaluations(evalFile)) {
            evaluated.put(ev.turn(), true);
            report.seen();
            Path wav = session.resolve("sentences/wav").resolve(dialog).resolve(ev.turn() + ".wav");
            String raw = text.get(ev.turn());
            if (!Files.isRegularFile(wav)) {
                if (onMissing == Corpus.OnMissing.FAIL)
                    throw new DataFormatException(evalFile, ev.line(), "turn " + ev.turn() + " has no audio file " + wav);
                report.skip(NO_AUDIO, ev.turn(), evalFile.getFileName() + ":" + ev.line() + ", no " + wav.getFileName());
                continue;
            }
            if (raw == null) {
                if (onMissing == Corpus.OnMissing.FAIL)
                    throw new DataFormatException(evalFile, ev.line(), "turn " + ev.turn() + " has no line in " + transFile);
                report.skip(NO_TRANSCRIPT, ev.turn(), evalFile.getFileName() + ":" + ev.line());
                continue;
            }
            String transcript = Corpus.normalizeTranscript(raw);
            if (transcript.isEmpty()) {
                report.skip(EMPTY_TRANSCRIPT, ev.turn(), transFile.getFileName() + ":" + textLine.get(ev.turn()) + " '" + raw + "'");
                continue;
            }
            Matcher g = TURN_GENDER.matcher(ev.turn());
            String gender = g.matches() ? LETTER_TO_GENDER.get(g.group(1)) : null;
            String emotion = emotions.get(ev.code());
            Map<String, String> labels = new LinkedHashMap<>();
            if (emotion != null) labels.put("EMOTION", emotion);
            else report.change(UNMAPPED_EMOTION, ev.turn(), "raw '" + ev.code() + "'");
            if (gender != null) labels.put("GENDER", gender);
            String speaker = gender == null ? sessionId : sessionId + (gender.equals("female") ? "F" : "M");
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("session", sessionId);
            extra.put("dialog", dialog);
            extra.put("speaker", speaker);
            if (gender != null) extra.put("gender", gender);
            extra.put("raw_emotion", ev.code());
            extra.put("vad", ev.vad());
            extra.put("dialog_start", ev.start());
            extra.put("dialog_end", ev.end());
            extra.put("transcript_raw", raw);
            out.add(new CorpusEntry(ev.turn(), wav, transcript, labels, AudioHeader.seconds(wav), speaker, extra));
            report.kept();
        }
        for (Map.Entry<String, Integer> t : textLine.entrySet()) {
            if (!evaluated.containsKey(t.getKey()))
                report.change(NO_EVALUATION, t.getKey(), transFile.getFileName() + ":" + t.getValue());
        }
    }

    private static boolean isSession(Path dir) {
        return Files.isDirectory(dir.resolve("dialog/EmoEvaluation"));
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list", e);
        }
    }
}
