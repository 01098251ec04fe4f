package org.osum4j.notebook;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Listening to audio in a notebook: {@code Audio.player(samples, 16000)} shows an HTML5 player whose
 * sound is a 16-bit PCM WAV embedded as a data URI (no files, no server). {@link #tone} makes test
 * signals for demos. Samples are floats in [-1, 1] (louder values are clipped). Reading and resampling
 * audio files lives in {@code org.osum4j.audio}, not here.
 */
public final class Audio {

    /** Bytes per 16-bit PCM sample. */
    private static final int BYTES_PER_SAMPLE = 2;
    /** Full scale of signed 16-bit PCM: a sample of 1.0 maps to 32767. */
    private static final double PCM16_SCALE = 32767.0;
    /** Size of the canonical RIFF/WAVE header (RIFF + fmt + data chunk headers), in bytes. */
    private static final int WAV_HEADER_BYTES = 44;
    /** Longest clip embedded in a notebook: 10 minutes at 16 kHz is ~25 MB of base64 already. */
    public static final double MAX_PLAYER_SECONDS = 600.0;

    private Audio() {}

    /** A notebook audio player for mono {@code samples} at {@code sampleRate} Hz. The samples are copied. */
    public static Player player(float[] samples, int sampleRate) {
        return new Player(samples.clone(), sampleRate);
    }

    /** A sine tone of {@code freqHz} lasting {@code seconds}, amplitude 0.5, with 10 ms fade in/out against clicks. */
    public static float[] tone(double freqHz, double seconds, int sampleRate) {
        checkRate(sampleRate);
        if (!(seconds >= 0) || !(freqHz >= 0)) {
            throw new IllegalArgumentException("tone needs freqHz >= 0 and seconds >= 0, got " + freqHz + " Hz, "
                    + seconds + " s");
        }
        final double amplitude = 0.5;
        final double fadeSeconds = 0.010;
        int n = (int) Math.round(seconds * sampleRate);
        int fade = Math.min(n / 2, (int) Math.round(fadeSeconds * sampleRate));
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double envelope = 1.0;
            if (i < fade) {
                envelope = (double) i / fade;
            } else if (i >= n - fade) {
                envelope = (double) (n - 1 - i) / fade;
            }
            out[i] = (float) (amplitude * envelope * Math.sin(2 * Math.PI * freqHz * i / sampleRate));
        }
        return out;
    }

    /**
     * A mono 16-bit little-endian PCM WAV file in memory. Samples are clipped to [-1, 1] and rounded
     * to the nearest of the 65535 levels {@code round(x * 32767)}.
     */
    public static byte[] wav(float[] samples, int sampleRate) {
        Objects.requireNonNull(samples, "samples");
        checkRate(sampleRate);
        long dataBytes = (long) samples.length * BYTES_PER_SAMPLE;
        if (dataBytes > Integer.MAX_VALUE - WAV_HEADER_BYTES) {
            throw new IllegalArgumentException("too many samples for one WAV file: " + samples.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(WAV_HEADER_BYTES + (int) dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(ascii("RIFF")).putInt(36 + (int) dataBytes).put(ascii("WAVE"));
        buf.put(ascii("fmt ")).putInt(16)            // fmt chunk: 16 bytes for PCM
                .putShort((short) 1)                  // audio format 1 = integer PCM
                .putShort((short) 1)                  // channels: mono
                .putInt(sampleRate)
                .putInt(sampleRate * BYTES_PER_SAMPLE) // byte rate
                .putShort((short) BYTES_PER_SAMPLE)   // block align
                .putShort((short) (8 * BYTES_PER_SAMPLE));
        buf.put(ascii("data")).putInt((int) dataBytes);
        for (float s : samples) {
            double clipped = Float.isNaN(s) ? 0.0 : Math.max(-1.0, Math.min(1.0, s));
            buf.putShort((short) Math.round(clipped * PCM16_SCALE));
        }
        return buf.array();
    }

    /** Writes {@link #wav} to {@code path} atomically and returns the path. */
    public static Path saveWav(Path path, float[] samples, int sampleRate) {
        return Chart.writeAtomically(path, wav(samples, sampleRate));
    }

    private static void checkRate(int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate + " Hz");
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** An embedded audio player; also usable outside a notebook through {@link #wav()} and {@link #save}. */
    public static final class Player implements Rich {

        private final float[] samples;
        private final int sampleRate;

        private Player(float[] samples, int sampleRate) {
            checkRate(sampleRate);
            this.samples = samples;
            this.sampleRate = sampleRate;
            if (seconds() > MAX_PLAYER_SECONDS) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "audio player: %.1f s is longer than the %.0f s an inline player embeds; save it with Audio.saveWav",
                        seconds(), MAX_PLAYER_SECONDS));
            }
        }

        /** Duration in seconds. */
        public double seconds() {
            return (double) samples.length / sampleRate;
        }

        public int sampleRate() {
            return sampleRate;
        }

        /** The WAV bytes behind the player. */
        public byte[] wav() {
            return Audio.wav(samples, sampleRate);
        }

        /** Writes the WAV to {@code path} atomically. */
        public Path save(Path path) {
            return saveWav(path, samples, sampleRate);
        }

        @Override
        public Map<String, String> mimeBundle() {
            Map<String, String> bundle = new LinkedHashMap<>();
            bundle.put("text/html", "<audio controls preload=\"auto\" src=\"data:audio/wav;base64,"
                    + Base64.getEncoder().encodeToString(wav()) + "\"></audio>");
            bundle.put("text/plain", toString());
            return bundle;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Audio(%.2f s, %d Hz)", seconds(), sampleRate);
        }
    }
}
