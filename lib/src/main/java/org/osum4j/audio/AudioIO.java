package org.osum4j.audio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reading and writing audio files: the one entry point a notebook or the data pipeline calls.
 * {@link #read(Path)} sniffs the content (RIFF/WAVE or fLaC, not the extension) and returns mono;
 * {@link #readForModel(Path)} also resamples to {@link LogMel#SAMPLE_RATE}; {@link #writeWav16} writes
 * 16-bit PCM atomically. Not here: streaming decode, MP3/Opus.
 */
public final class AudioIO {

    private static final int PCM16_BITS = 16;
    private static final double PCM16_SCALE = 32768.0;    // full scale of signed 16-bit

    private AudioIO() {
    }

    /** Reads a WAV or FLAC file as mono at its own sample rate. */
    public static Waveform read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String name = file.toString();
        if (WavReader.looksLikeWav(bytes)) return WavReader.decode(bytes, name);
        if (FlacReader.looksLikeFlac(bytes)) return FlacReader.decode(bytes, name);
        if (bytes.length < 12) throw new AudioException(name, "truncated audio header (" + bytes.length + " bytes)");
        throw new AudioException(name, "unknown audio format (neither RIFF/WAVE nor FLAC; supported: .wav, .flac)");
    }

    /** Reads the part [startSeconds, endSeconds) of a file (see {@link Waveform#crop}). */
    public static Waveform read(Path file, double startSeconds, double endSeconds) throws IOException {
        return read(file).crop(startSeconds, endSeconds);
    }

    /** Reads a file as the model wants it: mono, resampled to 16 kHz. */
    public static Waveform readForModel(Path file) throws IOException {
        return read(file).resampled(LogMel.SAMPLE_RATE);
    }

    /**
     * Writes 16-bit PCM mono WAV atomically (a temporary file in the same folder, then a rename).
     * Samples are scaled by 32768, rounded and clipped to [-32768, 32767].
     */
    public static void writeWav16(Path file, Waveform w) throws IOException {
        byte[] bytes = encodeWav16(w);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(bytes);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The bytes of a 16-bit PCM mono WAV file holding {@code w}; non-finite samples are an error. */
    static byte[] encodeWav16(Waveform w) {
        int n = w.length();
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(w.samples()[i])) {
                throw new IllegalArgumentException(w.source() + ": cannot write non-finite sample " + w.samples()[i]
                        + " at index " + i + " to a WAV file");
            }
        }
        int dataBytes = n * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) WavReader.FORMAT_PCM).putShort((short) 1)
                .putInt(w.sampleRate()).putInt(w.sampleRate() * 2)       // byte rate
                .putShort((short) 2).putShort((short) PCM16_BITS);         // block align, bits
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
        for (float x : w.samples()) {
            long q = Math.round(x * PCM16_SCALE);
            b.putShort((short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, q)));
        }
        return b.array();
    }
}
