package org.osum4j.data;

// Tests of header-only durations: WAV with extra chunks and odd padding, FLAC against the generator's
// recorded durations (CorpusTest) and against sox-independent hand-built headers, and clear errors.

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioHeaderTest {

    private static byte[] chunk(String id, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(id.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(body.length).put(body);
        return b.array();
    }

    /** A RIFF/WAVE file: fmt (rate, channels, 16-bit), an odd-sized LIST chunk, then {@code samples} frames of data. */
    private static byte[] wav(int rate, int channels, int samples) throws IOException {
        ByteBuffer fmt = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        fmt.putShort((short) 1).putShort((short) channels).putInt(rate).putInt(rate * channels * 2)
           .putShort((short) (channels * 2)).putShort((short) 16);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write("WAVE".getBytes());
        body.write(chunk("fmt ", fmt.array()));
        body.write(chunk("LIST", new byte[]{'I', 'N', 'F', 'O', 'x'}));   // 5 bytes: padded to 6
        body.write(chunk("data", new byte[samples * channels * 2]));
        ByteBuffer riff = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes()).putInt(body.size());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(riff.array());
        all.write(body.toByteArray());
        return all.toByteArray();
    }

    /** "fLaC" + a last-block STREAMINFO with the given rate and total samples (other fields arbitrary). */
    private static byte[] flac(int rate, long total) {
        byte[] s = new byte[34];
        s[10] = (byte) (rate >>> 12);
        s[11] = (byte) (rate >>> 4);
        s[12] = (byte) ((rate & 0x0f) << 4);   // channels-1 = 0 (mono), bits-per-sample high bit 0
        s[13] = (byte) ((15 << 4) | (int) ((total >>> 32) & 0x0f));   // 16-bit: bps-1 = 15
        s[14] = (byte) (total >>> 24);
        s[15] = (byte) (total >>> 16);
        s[16] = (byte) (total >>> 8);
        s[17] = (byte) total;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 34);
        b.put(new byte[]{'f', 'L', 'a', 'C'}).put((byte) 0x80).put((byte) 0).put((byte) 0).put((byte) 34).put(s);
        return b.array();
    }

    @Test
    void wav_withExtraOddChunk_givesDataBytesOverByteRate(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("a.wav");
        Files.write(f, wav(16000, 2, 24000));
        assertEquals(1.5, AudioHeader.seconds(f), 1e-12);
    }

    @Test
    void flac_streamInfo_givesTotalSamplesOverRate(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("a.flac");
        Files.write(f, flac(44100, 44100L * 3 + 22050));
        assertEquals(3.5, AudioHeader.seconds(f), 1e-12);
        Files.write(f, flac(16000, (1L << 33) + 16000));   // uses the 36-bit count's high bits
        assertEquals(((1L << 33) + 16000) / 16000.0, AudioHeader.seconds(f), 1e-9);
        Files.write(f, flac(16000, 0));
        assertNull(AudioHeader.seconds(f), "0 total samples = unknown");
    }

    @Test
    void otherFormat_isNull_andGarbage_isAnErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        Path mp3 = tmp.resolve("a.mp3");
        Files.write(mp3, new byte[]{1, 2, 3});
        assertNull(AudioHeader.seconds(mp3));
        Path bad = tmp.resolve("bad.flac");
        Files.write(bad, "RIFF....WAVE".getBytes());
        DataFormatException e = assertThrows(DataFormatException.class, () -> AudioHeader.seconds(bad));
        assertTrue(e.getMessage().contains("bad.flac") && e.getMessage().contains("fLaC"), e.getMessage());
        Path badWav = tmp.resolve("bad.wav");
        Files.write(badWav, "RIFF\0\0\0\0WAVE".getBytes());
        e = assertThrows(DataFormatException.class, () -> AudioHeader.seconds(badWav));
        assertTrue(e.getMessage().contains("bad.wav") && e.getMessage().contains("no data chunk"), e.getMessage());
    }
}
