package org.osum4j.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Decodes RIFF/WAVE bytes into a mono {@link Waveform}: integer PCM (8-bit unsigned, 16/24/32-bit signed),
 * IEEE float (32/64-bit), plain or WAVE_FORMAT_EXTENSIBLE, any channel count (mixed to mono by the mean of
 * the channels). Unknown chunks are skipped, odd-sized chunks honour their pad byte. Integer samples are
 * scaled by 2^-(bits-1), as torchaudio does. Not here: RF64/BW64, compressed codecs (ADPCM, µ-law).
 */
public final class WavReader {

    /** WAVE format tags (the fmt chunk's first field, or the first two bytes of the extensible sub-format GUID). */
    static final int FORMAT_PCM = 0x0001;
    static final int FORMAT_IEEE_FLOAT = 0x0003;
    static final int FORMAT_EXTENSIBLE = 0xFFFE;

    private static final int RIFF_HEADER_BYTES = 12;   // "RIFF", size, "WAVE"
    private static final int CHUNK_HEADER_BYTES = 8;   // id, size
    private static final int MIN_FMT_BYTES = 16;
    private static final int EXTENSIBLE_FMT_BYTES = 40;

    private WavReader() {
    }

    /** Whether the bytes start like a WAVE file. */
    static boolean looksLikeWav(byte[] head) {
        return head.length >= RIFF_HEADER_BYTES && ascii(head, 0).equals("RIFF") && ascii(head, 8).equals("WAVE");
    }

    /** Decodes a whole WAVE file held in memory; {@code source} names it in errors. */
    public static Waveform decode(byte[] bytes, String source) throws AudioException {
        if (bytes.length < RIFF_HEADER_BYTES) {
            throw new AudioException(source, "truncated WAV header (" + bytes.length + " bytes, need at least 12)");
        }
        if (!looksLikeWav(bytes)) {
            throw new AudioException(source, "not a RIFF/WAVE file (starts with '" + ascii(bytes, 0) + "')");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Format fmt = null;
        int dataOffset = -1;
        long dataBytes = 0;
        int pos = RIFF_HEADER_BYTES;
        while (pos + CHUNK_HEADER_BYTES <= bytes.length) {
            String id = ascii(bytes, pos);
            long size = b.getInt(pos + 4) & 0xffffffffL;
            int body = pos + CHUNK_HEADER_BYTES;
            if (id.equals("fmt ")) {
                if (size < MIN_FMT_BYTES || body + size > bytes.length) {
                    throw new AudioException(source, "truncated fmt chunk (" + size + " bytes declared, "
                            + Math.max(0, bytes.length - body) + " present, need at least 16)");
                }
                fmt = Format.parse(b, body, (int) size, source);
            } else if (id.equals("data")) {
                dataOffset = body;
                // A streaming writer may leave the size as 0 or 0xFFFFFFFF: then the data runs to the end.
                long present = bytes.length - body;
                dataBytes = (size == 0 || size == 0xffffffffL) ? present : Math.min(size, present);
                if (size != 0 && size != 0xffffffffL && size > present) {
                    throw new AudioException(source, "truncated data chunk: " + size + " bytes declared, "
                            + present + " present");
                }
                // fmt normally precedes data; otherwise keep scanning for it, unless data's size is unknown.
                if (fmt != null || size == 0 || size == 0xffffffffL) break;
            }
            long next = body + size + (size & 1);   // chunks are padded to an even size
            if (next > Integer.MAX_VALUE) break;
            pos = (int) next;
        }
        if (fmt == null) throw new AudioException(source, "no fmt chunk (truncated or not a WAV file)");
        if (dataOffset < 0) throw new AudioException(source, "no data chunk (truncated WAV file)");
        int frameBytes = fmt.channels * fmt.bytesPerSample();
        long frames = dataBytes / frameBytes;
        if (frames == 0) throw new AudioException(source, "zero samples in the data chunk");
        if (frames > Integer.MAX_VALUE) throw new AudioException(source, "too many samples (" + frames + ")");
        float[] mono = mixToMono(b, dataOffset, (int) frames, fmt, source);
        return new Waveform(mono, fmt.sampleRate, source);
    }

    /** Sample format of the fmt chunk, the extensible sub-format resolved to PCM or float. */
    private record Format(int encoding, int channels, int sampleRate, int bitsPerSample) {

        int bytesPerSample() {
            return bitsPerSample / 8;
        }

        static Format parse(ByteBuffer b, int at, int size, String source) throws AudioException {
            int tag = b.getShort(at) & 0xffff;
            int channels = b.getShort(at + 2) & 0xffff;
            long rate = b.getInt(at + 4) & 0xffffffffL;
            int blockAlign = b.getShort(at + 12) & 0xffff;
            int bits = b.getShort(at + 14) & 0xffff;
            int encoding = tag;
            if (tag == FORMAT_EXTENSIBLE) {
                if (size < EXTENSIBLE_FMT_BYTES) {
                    throw new AudioException(source, "WAVE_FORMAT_EXTENSIBLE fmt chunk has " + size
                            + " bytes, need 40");
                }
                encoding = b.getShort(at + 24) & 0xffff;   // first two bytes of the sub-format GUID
                int validBits = b.getShort(at + 18) & 0xffff;
                if (validBits != 0 && validBits > bits) {
                    throw new AudioException(source, "valid bits " + validBits + " > container bits " + bits);
                }
            }
            if (channels == 0) throw new AudioException(source, "fmt chunk says 0 channels");
            if (rate == 0 || rate > Integer.MAX_VALUE) throw new AudioException(source, "bad sample rate " + rate + " Hz");
            boolean ok = switch (encoding) {
                case FORMAT_PCM -> bits == 8 || bits == 16 || bits == 24 || bits == 32;
                case FORMAT_IEEE_FLOAT -> bits == 32 || bits == 64;
                default -> false;
            };
            if (!ok) {
                throw new AudioException(source, "unsupported WAV encoding: format tag 0x" + Integer.toHexString(encoding)
                        + " with " + bits + " bits per sample (supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit)");
            }
            if (blockAlign != 0 && blockAlign != channels * bits / 8) {
                throw new AudioException(source, "block align " + blockAlign + " does not match " + channels
                        + " channels × " + bits + " bits");
            }
            return new Format(encoding, channels, (int) rate, bits);
        }
    }

    /** [frames] mono samples = mean over channels of each interleaved frame. */
    private static float[] mixToMono(ByteBuffer b, int at, int frames, Format f, String source) throws AudioException {
        float[] out = new float[frames];
        int ch = f.channels;
        int bps = f.bytesPerSample();
        double scale = 1.0 / ch;
        int p = at;
        for (int i = 0; i < frames; i++) {
            double sum = 0;
            for (int c = 0; c < ch; c++, p += bps) sum += sample(b, p, f);
            double v = ch == 1 ? sum : sum * scale;
            if (!Double.isFinite(v)) {
                throw new AudioException(source, "non-finite sample (" + v + ") at sample " + i
                        + String.format(" (%.4f s)", i / (double) f.sampleRate));
            }
            out[i] = (float) v;
        }
        return out;
    }

    private static double sample(ByteBuffer b, int p, Format f) {
        if (f.encoding == FORMAT_IEEE_FLOAT) {
            return f.bitsPerSample == 32 ? b.getFloat(p) : b.getDouble(p);
        }
        return switch (f.bitsPerSample) {
            case 8 -> ((b.get(p) & 0xff) - 128) / 128.0;                    // 8-bit WAV is unsigned
            case 16 -> b.getShort(p) / 32768.0;
            case 24 -> ((b.get(p) & 0xff) | ((b.get(p + 1) & 0xff) << 8) | (b.get(p + 2) << 16)) / 8388608.0;
            default -> b.getInt(p) / 2147483648.0;
        };
    }

    private static String ascii(byte[] a, int at) {
        int n = Math.max(0, Math.min(4, a.length - at));
        return new String(a, at, n, StandardCharsets.ISO_8859_1);
    }
}
