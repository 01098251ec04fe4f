package org.osum4j.data;

import org.osum4j.audio.AudioIO;
import org.osum4j.audio.LogMel;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.audio.Waveform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The audio step of the data pipeline: an utterance's audio (its {@code start}/{@code end} crop applied,
 * resampled to 16 kHz, mono) turned into OSUM's unpadded log-mel features. Bad audio either stops the run with
 * an error naming the utterance and file, or — with {@link OnBadAudio#SKIP} — is skipped and counted in a
 * {@link Report}, so a long preparation run finishes and says what it left out.
 */
public final class Features {

    /** What to do with an utterance whose audio cannot be read. */
    public enum OnBadAudio { FAIL, SKIP }

    /** One utterance with its features. */
    public record Item(Utterance utterance, LogMelFeatures features) {}

    private Features() {}

    /** The audio file of an utterance: its {@code wav} path, relative paths resolved against {@code base}. */
    public static Path audioPath(Utterance u, Path base) {
        Path p = Path.of(u.wav());
        return p.isAbsolute() || base == null ? p : base.resolve(p);
    }

    /** Reads one utterance's audio for the model (16 kHz mono, cropped to start/end when given). */
    public static Waveform waveform(Utterance u, Path base) throws IOException {
        Path file = audioPath(u, base);
        Waveform w = u.start() != null && u.end() != null
                ? AudioIO.read(file, u.start(), u.end())
                : AudioIO.read(file);
        return w.sampleRate() == LogMel.SAMPLE_RATE ? w : w.resampled(LogMel.SAMPLE_RATE);
    }

    /**
     * Features of every utterance, in order. With {@code SKIP}, unreadable audio (truncated, unknown format,
     * empty, NaN samples, missing file) is counted in {@code report} under "bad audio" with the file's problem;
     * with {@code FAIL} the first one throws, naming the utterance key.
     */
    public static List<Item> compute(List<Utterance> items, Path base, LogMel fe, OnBadAudio onBad, Report report) {
        List<Item> out = new ArrayList<>(items.size());
        for (Utterance u : items) {
            if (report != null) report.seen();
            try {
                out.add(new Item(u, fe.compute(waveform(u, base))));
                if (report != null) report.kept();
            } catch (IOException | IllegalArgumentException e) {
                if (onBad == OnBadAudio.FAIL) {
                    throw new UncheckedIOException(new IOException("utterance '" + u.key() + "': " + e.getMessage(), e));
                }
                if (report != null) report.skip("bad audio", u.key(), e.getMessage());
            }
        }
        return out;
    }
}
