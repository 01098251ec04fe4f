package org.osum4j.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WAV and FLAC decoding, mono mixing, cropping, atomic 16-bit writing and the errors for bad audio. */
class AudioIOTest {

    @TempDir
    Path tmp;

    // ---- a small WAV builder: interleaved frames of doubles in [-1, 1) encoded in the given format ----

    static byte[] chunk(String id, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(id.getBytes(StandardCharsets.US_ASCII)).putInt(body.length).put(body);
        return b.array();
    }

    static byte[] fmt(int tag, int channels, int rate, int bits, boolean extensible) {
        ByteBuffer b = ByteBuffer.allocate(extensible ? 40 : 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (extensible ? 0xFFFE : tag)).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(0);
            b.putShort((short) tag).put(new byte[]{0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        return b.array();
    }

    static byte[] samples(int tag, int bits, double[][] frames) {
        int ch = frames[0].length;
        ByteBuffer b = ByteBuffer.allocate(frames.length * ch * bits / 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double[] f : frames) {
            for (double v : f) {
                if (tag == 3 && bits == 32) b.putFloat((float) v);
                else if (tag == 3) b.putDouble(v);
                else if (bits == 8) b.put((byte) (Math.round(v * 128) + 128));
                else if (bits == 16) b.putShort((short) Math.round(v * 32768));
                else if (bits == 24) {
                    int q = (int) Math.round(v * 8388608);
                    b.put((byte) q).put((byte) (q >> 8)).put((byte) (q >> 16));
                } else b.putInt((int) Math.round(v * 2147483648.0));
            }
        }
        return b.array();
    }

    static byte[] riff(byte[]... chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
        for (byte[] c : chunks) body.writeBytes(c);
        ByteBuffer b = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(body.size()).put(body.toByteArray());
        return b.array();
    }

    Path file(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Stereo frames whose channel mean is a known ramp: left = v + d, right = v − d. */
    static double[][] stereoFrames(int n) {
        double[][] f = new double[n][2];
        for (int i = 0; i < n; i++) {
            double v = (i - n / 2) / (double) n;             // multiples of 1/n, exact in every format used
            f[i][0] = v + 0.125;
            f[i][1] = v - 0.125;
        }
        return f;
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(AudioIOTest.class.getResource("/audio/" + name).toURI());
    }

    // ---- tests ----

    @Test
    void writeWav16_thenRead_roundTripsExactly_andLeavesNoTempFile() throws IOException {
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) x[i] = (i % 200 - 100) / 128f;   // k/32768 values survive 16-bit
        Path p = tmp.resolve("sub/out.wav");
        AudioIO.writeWav16(p, new Waveform(x, 16000, "test"));
        Waveform w = AudioIO.read(p);
        assertEquals(16000, w.sampleRate());
        assertArrayEquals(x, w.samples());
        try (var s = Files.list(p.getParent())) {
            assertEquals(1, s.count(), "only the final file remains");
        }
    }

    @Test
    void writeWav16_clipsOutOfRangeSamples() throws IOException {
        Path p = tmp.resolve("clip.wav");
        AudioIO.writeWav16(p, new Waveform(new float[]{2f, -2f, 0.5f}, 8000, "t"));
        assertArrayEquals(new float[]{32767 / 32768f, -1f, 0.5f}, AudioIO.read(p).samples());
    }

    @Test
    void writeWav16_nonFiniteSample_isRejectedAndNothingIsWritten() {
        Path p = tmp.resolve("nan.wav");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AudioIO.writeWav16(p, new Waveform(new float[]{0f, Float.NaN}, 16000, "gen")));
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        assertTrue(!Files.exists(p));
    }

    @Test
    void read_everyPcmAndFloatEncoding_stereoMixedToMeanOfChannels() throws IOException {
        int n = 64;
        double[][] frames = stereoFrames(n);
        int[][] encodings = {{1, 8}, {1, 16}, {1, 24}, {1, 32}, {3, 32}, {3, 64}};
        for (boolean ext : new boolean[]{false, true}) {
            for (int[] e : encodings) {
                byte[] wav = riff(chunk("fmt ", fmt(e[0], 2, 22050, e[1], ext)), chunk("data", samples(e[0], e[1], frames)));
                Waveform w = AudioIO.read(file("x.wav", wav));
                assertEquals(22050, w.sampleRate());
                assertEquals(n, w.length());
                double tol = e[1] == 8 ? 1.0 / 128 : 1e-6;
                for (int i = 0; i < n; i++) {
                    assertEquals((frames[i][0] + frames[i][1]) / 2, w.samples()[i], tol,
                            "tag " + e[0] + " bits " + e[1] + " extensible " + ext + " sample " + i);
                }
            }
        }
    }

    @Test
    void read_skipsUnknownChunks_includingOddSizedOnesWithPadByte() throws IOException {
        double[][] frames = {{0.5}, {-0.25}, {0.125}};
        byte[] wav = riff(chunk("LIST", "abc".getBytes(StandardCharsets.US_ASCII)),     // odd: 3 bytes + pad
                chunk("fmt ", fmt(1, 1, 16000, 16, false)),
                chunk("junk", new byte[7]),
                chunk("data", samples(1, 16, frames)),
                chunk("cue ", new byte[4]));
        assertArrayEquals(new float[]{0.5f, -0.25f, 0.125f}, AudioIO.read(file("odd.wav", wav)).samples());
    }

    @Test
    void read_streamingWriterDataSize_readsToTheEndOfTheFile() throws IOException {
        byte[] wav = riff(chunk("fmt ", fmt(1, 1, 16000, 16, false)), chunk("data", samples(1, 16, new double[][]{{0.5}, {-0.5}})));
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(wav.length - 8, 0xFFFFFFFF);   // data size unknown
        assertArrayEquals(new float[]{0.5f, -0.5f}, AudioIO.read(file("stream.wav", wav)).samples());
    }

    @Test
    void read_sixChannels_averagesAllChannels() throws IOException {
        double[][] frames = {{0.5, 0.5, 0, 0, -0.25, 0.25}, {0.75, 0.75, 0.75, 0.75, 0.75, 0.75}};
        byte[] wav = riff(chunk("fmt ", fmt(1, 6, 48000, 16, true)), chunk("data", samples(1, 16, frames)));
        assertArrayEquals(new float[]{1f / 6, 0.75f}, AudioIO.read(file("six.wav", wav)).samples(), 1e-7f);
    }

    @Test
    void read_flac16Stereo_equalsTheSameAudioAsWav() throws Exception {
        Waveform flac = AudioIO.read(resource("stereo16.flac"));
        Waveform wav = AudioIO.read(resource("stereo16.wav"));
        assertEquals(8000, flac.sampleRate());
        assertEquals(800, flac.length());
        assertArrayEquals(wav.samples(), flac.samples());
        assertTrue(max(flac.samples()) > 0.3, "the fixture holds a real signal");
    }

    @Test
    void read_flac24Mono_equalsExtensibleWavWithFactChunk() throws Exception {
        Waveform flac = AudioIO.read(resource("mono24.flac"));
        Waveform wav = AudioIO.read(resource("mono24.wav"));    // sox wrote WAVE_FORMAT_EXTENSIBLE + 'fact'
        assertEquals(16000, flac.sampleRate());
        assertEquals(1600, flac.length());
        assertArrayEquals(wav.samples(), flac.samples());
        assertEquals(0.5, max(flac.samples()), 0.01);   // sox adds dither
    }

    @Test
    void readWithStartEnd_cropsByTruncatedSampleIndices() throws IOException {
        float[] x = new float[16000];
        for (int i = 0; i < x.length; i++) x[i] = i / 32768f;
        Path p = tmp.resolve("ramp.wav");
        AudioIO.writeWav16(p, new Waveform(x, 16000, "ramp"));
        Waveform c = AudioIO.read(p, 0.25, 0.5);
        assertEquals(4000, c.length());
        assertEquals(4000 / 32768f, c.samples()[0]);
        assertEquals(16000 - 8000, AudioIO.read(p, 0.5, Double.POSITIVE_INFINITY).length());
        assertEquals(16000 - 15999, new Waveform(x, 16000, "r").crop(0.99999, 5).length());
        assertThrows(IllegalArgumentException.class, () -> AudioIO.read(p, 2.0, 3.0));
        assertThrows(IllegalArgumentException.class, () -> AudioIO.read(p, 0.5, 0.5));
    }

    @Test
    void badAudio_throwsAudioExceptionNamingFileAndProblem() throws IOException {
        byte[] good = riff(chunk("fmt ", fmt(1, 1, 16000, 16, false)), chunk("data", samples(1, 16, new double[][]{{0.1}, {0.2}})));
        assertBad("truncated.wav", Arrays.copyOf(good, 20), "fmt");
        assertBad("tiny.wav", Arrays.copyOf(good, 6), "truncated");
        assertBad("nodata.wav", riff(chunk("fmt ", fmt(1, 1, 16000, 16, false))), "no data chunk");
        assertBad("adpcm.wav", riff(chunk("fmt ", fmt(2, 1, 16000, 16, false)), chunk("data", new byte[8])), "unsupported");
        assertBad("empty.wav", riff(chunk("fmt ", fmt(1, 1, 16000, 16, false)), chunk("data", new byte[0])), "zero samples");
        assertBad("short.wav", Arrays.copyOf(good, good.length - 2), "truncated data");
        assertBad("nan.wav", riff(chunk("fmt ", fmt(3, 1, 16000, 32, false)),
                chunk("data", samples(3, 32, new double[][]{{0.1}, {Double.NaN}}))), "non-finite");
        assertBad("inf.wav", riff(chunk("fmt ", fmt(3, 1, 16000, 64, false)),
                chunk("data", samples(3, 64, new double[][]{{Double.POSITIVE_INFINITY}}))), "non-finite");
        assertBad("text.wav", "hello, this is not audio at all".getBytes(StandardCharsets.US_ASCII), "unknown audio format");
    }

    @Test
    void badFlac_truncated_throwsAudioException() throws Exception {
        byte[] flac = Files.readAllBytes(resource("stereo16.flac"));
        assertBad("cut.flac", Arrays.copyOf(flac, flac.length / 2), "");
        assertBad("header.flac", Arrays.copyOf(flac, 10), "");
    }

    private void assertBad(String name, byte[] bytes, String problem) throws IOException {
        Path p = file(name, bytes);
        AudioException e = assertThrows(AudioException.class, () -> AudioIO.read(p), name);
        assertTrue(e.getMessage().contains(name), "message names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message says '" + problem + "': " + e.getMessage());
    }

    private static float max(float[] x) {
        float m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }
}
