package org.osum4j.audio;

import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Decodes FLAC bytes into a mono {@link Waveform} with jflac: any bit depth (4..32), any channel count
 * (mixed to mono by the mean of the channels), integer samples scaled by 2^-(bits-1). Not here: Ogg-FLAC,
 * seeking (the whole stream is decoded; crop afterwards).
 */
public final class FlacReader {

    private FlacReader() {
    }

    /** Whether the bytes start like a native FLAC stream ("fLaC"). */
    static boolean looksLikeFlac(byte[] head) {
        return head.length >= 4 && head[0] == 'f' && head[1] == 'L' && head[2] == 'a' && head[3] == 'C';
    }

    /** Decodes a whole FLAC file held in memory; {@code source} names it in errors. */
    public static Waveform decode(byte[] bytes, String source) throws AudioException {
        if (!looksLikeFlac(bytes)) throw new AudioException(source, "not a FLAC stream (no 'fLaC' marker)");
        FLACDecoder dec = new FLACDecoder(new ByteArrayInputStream(bytes));
        StreamInfo info;
        try {
            dec.readMetadata();
            info = dec.getStreamInfo();
        } catch (IOException | RuntimeException e) {
            throw new AudioException(source, "bad FLAC metadata (truncated header?): " + e, e);
        }
        if (info == null) throw new AudioException(source, "FLAC stream has no STREAMINFO block");
        int channels = info.getChannels();
        int bits = info.getBitsPerSample();
        int rate = info.getSampleRate();
        if (channels <= 0 || bits <= 0 || rate <= 0) {
            throw new AudioException(source, "bad FLAC STREAMINFO: " + channels + " channels, " + bits
                    + " bits, " + rate + " Hz");
        }
        long declared = info.getTotalSamples();   // 0 = unknown
        float[] out = new float[(int) Math.min(Integer.MAX_VALUE - 8, declared > 0 ? declared : 1 << 16)];
        int n = 0;
        double scale = 1.0 / (Math.pow(2, bits - 1) * channels);
        try {
            Frame frame;
            while ((frame = dec.readNextFrame()) != null) {
                int block = frame.header.blockSize;
                ChannelData[] data = dec.getChannelData();
                if (n + block > out.length) {
                    out = java.util.Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(n + block, 2L * out.length)));
                }
                for (int i = 0; i < block; i++) {
                    long sum = 0;
                    for (int c = 0; c < channels; c++) sum += data[c].getOutput()[i];
                    out[n + i] = (float) (sum * scale);
                }
                n += block;
            }
        } catch (IOException | RuntimeException e) {
            throw new AudioException(source, "corrupt FLAC frame after " + n + " samples: " + e, e);
        }
        if (dec.getBadFrames() > 0) {
            throw new AudioException(source, dec.getBadFrames() + " corrupt FLAC frame(s) (CRC or sync errors)");
        }
        if (n == 0) throw new AudioException(source, "zero samples in the FLAC stream");
        if (declared > 0 && n != declared) {
            throw new AudioException(source, "truncated FLAC stream: " + n + " samples decoded, STREAMINFO says " + declared);
        }
        return new Waveform(n == out.length ? out : java.util.Arrays.copyOf(out, n), rate, source);
    }
}
