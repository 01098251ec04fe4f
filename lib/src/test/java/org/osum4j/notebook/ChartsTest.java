package org.osum4j.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ChartsTest {

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(image != null, "PNG bytes did not decode");
        return image;
    }

    /** Parses SVG without touching any DTD named in it (no network in tests). */
    private static Document parseSvg(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
    }

    private static double[] range(int n, double step) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * step;
        }
        return x;
    }

    /** Counts pixels that are neither white nor near-white: proof that something was drawn. */
    private static int inkPixels(BufferedImage image) {
        int ink = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (((rgb >> 16) & 0xff) < 200 || ((rgb >> 8) & 0xff) < 200 || (rgb & 0xff) < 200) {
                    ink++;
                }
            }
        }
        return ink;
    }

    @Test
    void line_pngDecodesAtRequestedSize() throws Exception {
        double[] x = range(200, 0.05);
        double[] sin = java.util.Arrays.stream(x).map(Math::sin).toArray();
        LineChart chart = Charts.line("sin", "x", "y").series("sin", x, sin).size(500, 300);
        BufferedImage image = decode(chart.png());
        assertEquals(500, image.getWidth());
        assertEquals(300, image.getHeight());
        assertTrue(inkPixels(image) > 500, "line chart looks empty");
    }

    @Test
    void bundleSvg_hasNoXmlDeclaration_forHtmlEmbedding() throws Exception {
        var chart = Charts.line("t", "x", "y").series("s", new double[]{0, 1, 2}, new double[]{1, 0, 1}).withSvg(true);
        String svg = chart.mimeBundle().get("image/svg+xml");
        assertTrue(svg.startsWith("<svg"), svg.substring(0, Math.min(80, svg.length())));
        assertEquals("svg", parseSvg(svg).getDocumentElement().getLocalName());
    }

    @Test
    void line_svgParsesAsXmlWithSvgRoot() throws Exception {
        LineChart chart = Charts.line("t", "x", "y").series("a", new double[] {0, 1, 2}, new double[] {1, 3, 2});
        Document doc = parseSvg(chart.svg());
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertTrue(doc.getElementsByTagNameNS("*", "path").getLength()
                + doc.getElementsByTagNameNS("*", "line").getLength() > 0, "no shapes in SVG");
    }

    @Test
    void line_mismatchedSeriesLengths_namesTheSeries() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.line("t", "x", "y").series("loss", new double[3], new double[4]));
        assertTrue(e.getMessage().contains("loss") && e.getMessage().contains("3") && e.getMessage().contains("4"));
    }

    @Test
    void mimeBundle_carriesBase64PngAndSvg() throws Exception {
        Map<String, String> bundle = Charts.bar("b", new String[] {"a", "b"}, new double[] {1, 2}).size(320, 200)
                .mimeBundle();
        BufferedImage image = decode(Base64.getDecoder().decode(bundle.get("image/png")));
        assertEquals(320, image.getWidth());
        parseSvg(bundle.get("image/svg+xml"));
        assertTrue(bundle.get("text/plain").contains("BarChart"));
    }

    @Test
    void mimeBundle_hugeSvgLeftOutUnlessAskedFor() {
        double[] y = new double[1200];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.sin(i * 0.01);
        }
        LineChart dense = Charts.line("dense", "i", "y").series("y", y);
        assertTrue(!dense.mimeBundle().containsKey("image/svg+xml"));
        assertTrue(dense.withSvg(true).mimeBundle().containsKey("image/svg+xml"));
        assertTrue(!dense.withSvg(false).mimeBundle().containsKey("image/svg+xml"));
    }

    @Test
    void histogram_countsEveryFiniteValueOnce() {
        double[] values = {0, 0.1, 0.5, 0.99, 1.0, Double.NaN, 0.25};
        long[] counts = Charts.binCounts(values, 4, 0, 1);
        assertArrayEquals(new long[] {2, 1, 1, 2}, counts); // [0,.25) [.25,.5) [.5,.75) [.75,1]
        BufferedImage image = Charts.histogram("h", values, 4).image();
        assertTrue(inkPixels(image) > 500);
    }

    @Test
    void heatmap_cellColoursFollowValues() throws Exception {
        double[][] m = {{0, 1}, {1, 0}};
        HeatmapChart chart = Charts.heatmap("cm", m, new String[] {"yes", "no"}, new String[] {"yes", "no"})
                .axes("predicted", "true").size(400, 400);
        BufferedImage image = decode(chart.png());
        assertEquals(400, image.getHeight());
        parseSvg(chart.svg());
        // Find the grid by its colours: the diagonal low (light), the off-diagonal high (dark) in BLUES.
        int light = Colormap.BLUES.rgb(0.0);
        int dark = Colormap.BLUES.rgb(1.0);
        int lightCount = 0;
        int darkCount = 0;
        for (int y = 0; y < 400; y++) {
            for (int x = 0; x < 400; x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                lightCount += rgb == light ? 1 : 0;
                darkCount += rgb == dark ? 1 : 0;
            }
        }
        assertTrue(lightCount > 5000 && darkCount > 5000, "light " + lightCount + " dark " + darkCount);
    }

    @Test
    void image_rowZeroIsDrawnAtTheBottom() throws Exception {
        float[][] m = new float[2][10];
        java.util.Arrays.fill(m[0], 1f); // row 0 high (yellow), row 1 low (dark purple)
        BufferedImage image = decode(Charts.image(m, "spec").size(300, 200).png());
        // Scan the middle column from the top: the first plot colour met must be the low colour.
        int x = 120;
        int firstPlot = -1;
        for (int y = 0; y < 200; y++) {
            int rgb = image.getRGB(x, y) & 0xffffff;
            if (rgb == Colormap.VIRIDIS.rgb(0.0) || rgb == Colormap.VIRIDIS.rgb(1.0)) {
                firstPlot = rgb;
                break;
            }
        }
        assertEquals(Colormap.VIRIDIS.rgb(0.0), firstPlot);
        assertTrue(Charts.image(m, "spec").mimeBundle().containsKey("image/png"));
        assertTrue(!Charts.image(m, "spec").mimeBundle().containsKey("image/svg+xml"));
    }

    @Test
    void fromTable_numericX_isLineChart_categoricalX_isBar() {
        Table t = Table.create("loss", IntColumn.create("step", new int[] {1, 2, 3}),
                DoubleColumn.create("loss", new double[] {3, 2, 1.5}), StringColumn.create("split", new String[] {"a", "b", "c"}));
        assertTrue(Charts.fromTable(t, "step", "loss") instanceof LineChart);
        Chart bar = Charts.fromTable(t, "split", "loss");
        assertTrue(bar.toString().startsWith("BarChart"), bar.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Charts.fromTable(t, "step", "nope"));
        assertTrue(e.getMessage().contains("nope"));
        assertThrows(IllegalArgumentException.class, () -> Charts.fromTable(t, "step", "split"));
    }

    @Test
    void savePng_andSaveSvg_writeFiles(@TempDir Path dir) throws Exception {
        LineChart chart = Charts.line("t", "x", "y").series("a", new double[] {1, 2, 3});
        Path png = chart.savePng(dir.resolve("sub/a.png"));
        Path svg = chart.saveSvg(dir.resolve("a.svg"));
        assertEquals(Chart.DEFAULT_WIDTH, decode(Files.readAllBytes(png)).getWidth());
        parseSvg(Files.readString(svg));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "temp files left behind");
        }
    }

    @Test
    void colormap_endsAreTheAnchorColours() {
        assertEquals(0x440154, Colormap.VIRIDIS.rgb(0));
        assertEquals(0xfde725, Colormap.VIRIDIS.rgb(1));
        assertEquals(0xfde725, Colormap.VIRIDIS.rgb(7));
        assertNotEquals(Colormap.VIRIDIS.rgb(0.3), Colormap.VIRIDIS.rgb(0.31));
    }
}
