package org.osum4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class AudioTest {

    private static final String PREFIX = "data:audio/wav;base64,";

    /** Decodes WAV bytes with the JDK's own reader; returns samples scaled by 1/32767. */
    private static float[] decode(byte[] wav, int expectedRate) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            AudioFormat f = in.getFormat();
            assertEquals(AudioFormat.Encoding.PCM_SIGNED, f.getEncoding());
            assertEquals(16, f.getSampleSizeInBits());
            assertEquals(1, f.getChannels());
            assertEquals(expectedRate, (int) f.getSampleRate());
            assertTrue(!f.isBigEndian());
            byte[] pcm = in.readAllBytes();
            ByteBuffer buf = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[pcm.length / 2];
            for (int i = 0; i < out.length; i++) {
                out[i] = buf.getShort() / 32767f;
            }
            return out;
        }
    }

    @Test
    void player_wavInHtmlDecodesBackToTheSamples() throws Exception {
        float[] samples = Audio.tone(440, 0.25, 16000);
        samples[100] = 0.999f;
        samples[101] = -1f;
        Map<String, String> bundle = Audio.player(samples, 16000).mimeBundle();
        String html = bundle.get("text/html");
        assertTrue(html.startsWith("<audio controls"), html.substring(0, 40));
        int start = html.indexOf(PREFIX) + PREFIX.length();
        byte[] wav = Base64.getDecoder().decode(html.substring(start, html.indexOf('"', start)));
        float[] back = decode(wav, 16000);
        assertEquals(samples.length, back.length);
        for (int i = 0; i < samples.length; i++) {
            assertEquals(samples[i], back[i], 1.0 / 32768, "sample " + i);
        }
    }

    @Test
    void wav_clipsOutOfRangeSamples() throws Exception {
        float[] back = decode(Audio.wav(new float[] {2.5f, -7f, 0.5f}, 8000), 8000);
        assertEquals(1f, back[0], 1e-6);
        assertEquals(-1f, back[1], 1e-6);
        assertEquals(0.5f, back[2], 1.0 / 32768);
    }

    @Test
    void player_plainTextGivesDurationAndRate() {
        assertEquals("Audio(1.23 s, 16000 Hz)", Audio.player(new float[19680], 16000).toString());
        assertEquals("Audio(1.23 s, 16000 Hz)", Audio.player(new float[19680], 16000).mimeBundle().get("text/plain"));
    }

    @Test
    void tone_hasRequestedLengthAndFrequency() {
        float[] t = Audio.tone(1000, 0.5, 16000);
        assertEquals(8000, t.length);
        // A 1 kHz sine crosses zero upwards 1000 times a second: ~500 in 0.5 s (fades change little).
        int upward = 0;
        for (int i = 1; i < t.length; i++) {
            if (t[i - 1] < 0 && t[i] >= 0) {
                upward++;
            }
        }
        assertTrue(Math.abs(upward - 500) <= 2, "upward zero crossings " + upward);
    }
}
