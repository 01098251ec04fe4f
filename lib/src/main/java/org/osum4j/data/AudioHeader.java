package org.osum4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Duration of a FLAC or WAV file from its header alone (FLAC STREAMINFO total samples / sample rate; WAV
 * {@code data} chunk bytes / {@code fmt } byte rate), so that corpus loaders can report hours without
 * decoding audio. Not a decoder: {@code org.osum4j.audio} reads samples. Other formats give null.
 */
final class AudioHeader {

    private static final int FLAC_STREAMINFO = 0;
    private static final int FLAC_STREAMINFO_BYTES = 34;
    private static final int ID3_HEADER_BYTES = 10;
    private static final int RIFF_HEADER_BYTES = 12;
    private static final int CHUNK_HEADER_BYTES = 8;
    private static final long WAV_UNKNOWN_SIZE = 0xFFFFFFFFL;   // streamed WAVs leave the data size unset

    private AudioHeader() {
    }

    /**
     * Seconds of audio in a {@code .flac} or {@code .wav} file, or null for other suffixes and for a FLAC
     * whose STREAMINFO leaves the sample count unknown. A malformed header throws naming the file.
     */
    static Double seconds(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".flac")) return flacSeconds(file);
            if (name.endsWith(".wav")) return wavSeconds(file);
            return null;
        } catch (IOException e) {
            throw new DataFormatException(file, 0, "cannot read audio header (" + e.getMessage() + ")", e);
        }
    }

    private static Double flacSeconds(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length == 4 && magic[0] == 'I' && magic[1] == 'D' && magic[2] == '3') {
                // ID3v2 tag before the stream: 10-byte header whose last 4 bytes are a 28-bit syncsafe size.
                byte[] rest = in.readNBytes(ID3_HEADER_BYTES - 4);
                int size = ((rest[2] & 0x7f) << 21) | ((rest[3] & 0x7f) << 14) | ((rest[4] & 0x7f) << 7) | (rest[5] & 0x7f);
                in.skipNBytes(size);
                magic = in.readNBytes(4);
            }
            if (magic.length != 4 || magic[0] != 'f' || magic[1] != 'L' || magic[2] != 'a' || magic[3] != 'C')
                throw new DataFormatException(file, 0, "not a FLAC file (no 'fLaC' marker)");
            byte[] blockHeader = in.readNBytes(4);
            if (blockHeader.length != 4 || (blockHeader[0] & 0x7f) != FLAC_STREAMINFO)
                throw new DataFormatException(file, 0, "FLAC: first metadata block is not STREAMINFO");
            byte[] s = in.readNBytes(FLAC_STREAMINFO_BYTES);
            if (s.length != FLAC_STREAMINFO_BYTES) throw new DataFormatException(file, 0, "FLAC: truncated STREAMINFO");
            // STREAMINFO bytes 10..17: sample rate (20 bits), channels-1 (3), bits-1 (5), total samples (36).
            int sampleRate = ((s[10] & 0xff) << 12) | ((s[11] & 0xff) << 4) | ((s[12] & 0xff) >>> 4);
            long total = ((long) (s[13] & 0x0f) << 32) | ((long) (s[14] & 0xff) << 24) | ((s[15] & 0xff) << 16)
                    | ((s[16] & 0xff) << 8) | (s[17] & 0xff);
            if (sampleRate == 0) throw new DataFormatException(file, 0, "FLAC: sample rate 0 in STREAMINFO");
            return total == 0 ? null : (double) total / sampleRate;
        }
    }

    private static Double wavSeconds(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer riff = read(ch, 0, RIFF_HEADER_BYTES);
            if (riff == null || riff.getInt(0) != 0x46464952 /* "RIFF" LE */ || riff.getInt(8) != 0x45564157 /* "WAVE" */)
                throw new DataFormatException(file, 0, "not a RIFF/WAVE file");
            long pos = RIFF_HEADER_BYTES;
            long byteRate = -1;
            while (pos + CHUNK_HEADER_BYTES <= ch.size()) {
                ByteBuffer h = read(ch, pos, CHUNK_HEADER_BYTES);
                String id = new String(new byte[]{h.get(0), h.get(1), h.get(2), h.get(3)}, java.nio.charset.StandardCharsets.US_ASCII);
                long size = Integer.toUnsignedLong(h.getInt(4));
                long body = pos + CHUNK_HEADER_BYTES;
                if (id.equals("fmt ")) {
                    ByteBuffer f = read(ch, body, 16);
                    if (f == null) throw new DataFormatException(file, 0, "WAV: truncated fmt chunk");
                    byteRate = Integer.toUnsignedLong(f.getInt(8));
                } else if (id.equals("data")) {
                    if (byteRate <= 0) throw new DataFormatException(file, 0, "WAV: data chunk before a valid fmt chunk");
                    long bytes = size == WAV_UNKNOWN_SIZE ? ch.size() - body : Math.min(size, ch.size() - body);
                    return (double) bytes / byteRate;
                }
                pos = body + size + (size & 1);   // chunks are padded to even length
            }
            throw new DataFormatException(file, 0, "WAV: no data chunk");
        }
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) return null;
        }
        return b.flip();
    }
}
