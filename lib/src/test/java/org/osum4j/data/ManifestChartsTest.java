package org.osum4j.data;

// Tests that the manifest charts of a loaded corpus render as PNG and draw the manifest's numbers
// (bar count = labels of the task); not a test of the chart library itself (notebook.ChartsTest).

import org.junit.jupiter.api.Test;
import org.osum4j.notebook.Chart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestChartsTest {

    private static BufferedImage png(Chart c) throws IOException {
        byte[] bytes = c.png();
        assertTrue(bytes.length > 8 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', "PNG signature");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(img, "PNG decodes");
        return img;
    }

    @Test
    void durations_iemocap_rendersPngWithItemCountInTitle() throws IOException {
        Corpus c = Corpus.iemocap(CorpusTest.iemocap());
        Chart h = c.charts().durations(10);
        BufferedImage img = png(h);
        assertEquals(Chart.DEFAULT_WIDTH, img.getWidth());
        assertTrue(h.title().startsWith("duration (s): 23 items"), h.title());
        Map<String, String> bundle = h.mimeBundle();
        assertTrue(bundle.containsKey("image/png"), bundle.keySet().toString());
    }

    @Test
    void labels_perTask_oneBarPerLabelAndRendersPng() throws IOException {
        Manifest m = Corpus.iemocap(CorpusTest.iemocap()).manifest();
        // 11 emotion items over neutral, happy, other, anger, sad, surprise, fear, disgust = 8 distinct labels
        assertEquals(8, m.labelCounts().where(m.labelCounts().stringColumn("task").isEqualTo("<TRANSCRIBE> <EMOTION>")).rowCount());
        png(m.charts().labels("<TRANSCRIBE><EMOTION>"));
        png(m.charts().labels());
        png(m.charts().tasks());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.charts().labels("<TRANSCRIBE> <AGE>"));
        assertTrue(e.getMessage().contains("<TRANSCRIBE> <AGE>"), e.getMessage());
    }

    @Test
    void durations_noDurations_isAClearError() {
        Manifest m = Manifest.of(List.of(Utterance.of("a", "a.wav", "hi")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.charts().durations());
        assertTrue(e.getMessage().contains("none of the 1 items has a duration"), e.getMessage());
    }
}
