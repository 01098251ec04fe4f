package org.osum4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loader of a LibriSpeech tree: {@code <root>/<subset>/<speaker>/<chapter>/<spk>-<chap>-<utt>.flac} with
 * {@code <spk>-<chap>.trans.txt} per chapter and {@code SPEAKERS.TXT} (';' comments, then rows
 * {@code ID | SEX | SUBSET | MINUTES | NAME}) for the reader's sex. The root may be the folder holding
 * SPEAKERS.TXT and the subsets, a folder containing {@code LibriSpeech/}, or one subset folder (SPEAKERS.TXT
 * then one level up, as Kaldi's data_prep.sh reads it). Transcripts are upper case in the corpus and
 * lower-cased here as OSUM's text normalisation does. Use it through {@link Corpus#librispeech}.
 *
 * <p>A FLAC without a transcript line, or a transcript line without its FLAC, is skipped and counted
 * (reasons {@link #NO_TRANSCRIPT}, {@link #NO_AUDIO}) or, with {@link Corpus.OnMissing#FAIL}, an error
 * naming the file (and line).
 */
public final class LibriSpeech {

    public static final String SPEAKERS_FILE = "SPEAKERS.TXT";
    public static final String NO_TRANSCRIPT = "audio without transcript line";
    public static final String NO_AUDIO = "transcript line without audio";
    public static final String NO_SPEAKER_ROW = "speaker not in SPEAKERS.TXT";

    private static final Pattern UTT_ID = Pattern.compile("(\\d+)-(\\d+)-(\\d+)");
    private static final Pattern TRANS_LINE = Pattern.compile("(\\d+-\\d+-\\d+) (.*)");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Map<String, String> SEX_TO_GENDER = Map.of("F", "female", "M", "male");

    /** One row of SPEAKERS.TXT. */
    public record Speaker(String id, String gender, String subset, double minutes, String name) {
    }

    private LibriSpeech() {
    }

    /** The entries of every subset under {@code root}, in subset/speaker/chapter/utterance order. */
    static List<CorpusEntry> load(Path root, Corpus.OnMissing onMissing, Report report) {
        Path dir = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("LibriSpeech folder not found: " + dir);
        if (!Files.exists(dir.resolve(SPEAKERS_FILE)) && Files.isDirectory(dir.resolve("LibriSpeech"))) dir = dir.resolve("LibriSpeech");
        List<Path> subsets;
        Path speakersFile;
        if (isSubset(dir)) {
            subsets = List.of(dir);
            speakersFile = dir.getParent() == null ? null : dir.getParent().resolve(SPEAKERS_FILE);
        } else {
            subsets = subdirs(dir).stream().filter(LibriSpeech::isSubset).toList();
            speakersFile = dir.resolve(SPEAKERS_FILE);
            if (subsets.isEmpty())
                throw new IllegalArgumentException(dir + ": no LibriSpeech subset found (expected <subset>/<speaker>/<chapter>/*.flac)");
        }
        Map<String, Speaker> speakers = speakersFile != null && Files.isRegularFile(speakersFile) ? speakers(speakersFile) : Map.of();
        List<CorpusEntry> out = new ArrayList<>();
        for (Path subset : subsets) {
            for (Path spk : subdirs(subset)) {
                if (!DIGITS.matcher(spk.getFileName().toString()).matches()) continue;
                for (Path chap : subdirs(spk)) {
                    if (!DIGITS.matcher(chap.getFileName().toString()).matches()) continue;
                    chapter(subset.getFileName().toString(), spk.getFileName().toString(), chap, speakers, onMissing, report, out);
                }
            }
        }
        return out;
    }

    /** Parses SPEAKERS.TXT: lines starting with ';' are comments, others {@code ID | SEX | SUBSET | MINUTES | NAME}. */
    public static Map<String, Speaker> speakers(Path file) {
        Map<String, Speaker> out = new LinkedHashMap<>();
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith(";")) continue;
            // NAME may itself contain '|' in the real file (e.g. a reader named "A | B"): split into 5 at most.
            String[] f = line.split("\\|", 5);
            if (f.length < 5)
                throw new DataFormatException(file, i + 1, "expected 'ID | SEX | SUBSET | MINUTES | NAME', got '" + line.strip() + "'");
            String id = f[0].strip();
            String sex = f[1].strip().toUpperCase(java.util.Locale.ROOT);
            String gender = SEX_TO_GENDER.get(sex);
            if (!DIGITS.matcher(id).matches()) throw new DataFormatException(file, i + 1, "speaker id '" + id + "' is not a number");
            if (gender == null) throw new DataFormatException(file, i + 1, "SEX '" + f[1].strip() + "' is neither F nor M");
            double minutes;
            try {
                minutes = Double.parseDouble(f[3].strip());
            } catch (NumberFormatException e) {
                throw new DataFormatException(file, i + 1, "MINUTES '" + f[3].strip() + "' is not a number");
            }
            out.put(id, new Speaker(id, gender, f[2].strip(), minutes, f[4].strip()));
        }
        return out;
    }

    private static void chapter(String subset, String spk, Path chapDir, Map<String, Speaker> speakers,
                                Corpus.OnMissing onMissing, Report report, List<CorpusEntry> out) {
        String chap = chapDir.getFileName().toString();
        Path trans = chapDir.resolve(spk + "-" + chap + ".trans.txt");
        Map<String, Path> audio = new TreeMap<>();
        try (Stream<Path> s = Files.list(chapDir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".flac")).forEach(p -> {
                String name = p.getFileName().toString();
                audio.put(name.substring(0, name.length() - ".flac".length()), p);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(chapDir + ": cannot list", e);
        }
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        if (Files.isRegularFile(trans)) {
            List<String> lines = readLines(trans);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                Matcher m = TRANS_LINE.matcher(line.strip());
                if (!m.matches())
                    throw new DataFormatException(trans, i + 1, "expected '<speaker>-<chapter>-<utt> TRANSCRIPT', got '" + line.strip() + "'");
                String id = m.group(1);
                if (!id.startsWith(spk + "-" + chap + "-"))
                    throw new DataFormatException(trans, i + 1, "utterance " + id + " does not belong to chapter " + spk + "-" + chap);
                if (text.put(id, m.group(2)) != null)
                    throw new DataFormatException(trans, i + 1, "utterance " + id + " listed twice");
                lineOf.put(id, i + 1);
            }
        }
        for (Map.Entry<String, String> t : text.entrySet()) {
            if (audio.containsKey(t.getKey())) continue;
            report.seen();
            String where = trans.getFileName() + ":" + lineOf.get(t.getKey());
            if (onMissing == Corpus.OnMissing.FAIL)
                throw new DataFormatException(trans, lineOf.get(t.getKey()), "transcript line of " + t.getKey()
                        + " has no audio file " + chapDir.resolve(t.getKey() + ".flac"));
            report.skip(NO_AUDIO, t.getKey(), where);
        }
        for (Map.Entry<String, Path> a : audio.entrySet()) {
            String id = a.getKey();
            report.seen();
            if (!UTT_ID.matcher(id).matches() || !text.containsKey(id)) {
                String why = Files.isRegularFile(trans) ? "no line '" + id + " …' in " + trans : "no transcript file " + trans;
                if (onMissing == Corpus.OnMissing.FAIL) throw new DataFormatException(a.getValue(), 0, why);
                report.skip(NO_TRANSCRIPT, id, why);
                continue;
            }
            Speaker sp = speakers.get(spk);
            Map<String, String> labels = new LinkedHashMap<>();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("speaker", spk);
            extra.put("chapter", chap);
            extra.put("split", subset);
            if (sp != null) {
                labels.put("GENDER", sp.gender());
                extra.put("gender", sp.gender());
            } else {
                report.change(NO_SPEAKER_ROW, id, "speaker " + spk + ": no gender label");
            }
            out.add(new CorpusEntry(id, a.getValue(), Corpus.normalizeTranscript(text.get(id)), labels,
                    AudioHeader.seconds(a.getValue()), spk, extra));
            report.kept();
        }
    }

    private static boolean isSubset(Path dir) {
        // A subset folder holds numeric speaker folders that hold numeric chapter folders.
        for (Path spk : subdirs(dir)) {
            if (!DIGITS.matcher(spk.getFileName().toString()).matches()) continue;
            for (Path chap : subdirs(spk)) if (DIGITS.matcher(chap.getFileName().toString()).matches()) return true;
        }
        return false;
    }

    private static List<Path> subdirs(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list", e);
        }
    }

    static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
    }
}
