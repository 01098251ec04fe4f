package org.osum4j.notebook;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A picture drawn offline with Java2D and shown in a notebook as PNG (and SVG where a vector form
 * makes sense). Subclasses only paint; this class owns the size, the encoders and the files. Made by
 * the {@link Charts} factories; works headless (it sets {@code java.awt.headless=true} when unset).
 * It is not an interactive plot: nothing here needs a browser library or a network.
 */
public abstract class Chart implements Rich {

    static {
        Headless.ensure();
    }

    /** Default size in pixels: fits a notebook column without scaling. */
    public static final int DEFAULT_WIDTH = 640;
    public static final int DEFAULT_HEIGHT = 400;
    /** Largest side accepted, in pixels: a guard against a swapped argument allocating gigabytes. */
    public static final int MAX_SIDE = 8192;
    /**
     * Largest SVG put into a notebook bundle automatically, in characters. XChart writes text as glyph
     * outlines and every segment as its own element, so a dense line chart's SVG can be 10x its PNG;
     * past this size the notebook gets the PNG only ({@link #svg()} and {@link #saveSvg} still work).
     */
    public static final int AUTO_SVG_MAX_CHARS = 200_000;

    private final String title;
    private int width = DEFAULT_WIDTH;
    private int height = DEFAULT_HEIGHT;
    private final boolean vectorByNature;
    private Boolean svgInBundle; // null: automatic (vector charts, when the SVG is small enough)

    /**
     * @param vectorByNature true for charts of lines and shapes; false for pictures that are a raster
     *                       anyway (their SVG would only wrap the PNG), which then skip SVG unless asked
     */
    protected Chart(String title, boolean vectorByNature) {
        this.title = title == null ? "" : title;
        this.vectorByNature = vectorByNature;
    }

    /**
     * Whether an automatic SVG is worth rendering at all; charts that know they are dense (thousands
     * of points) say no up front, which saves rendering an SVG only to drop it for its size.
     */
    protected boolean svgWorthRendering() {
        return true;
    }

    /** Draws the chart onto {@code g} in the box (0, 0, width, height); the background is already white. */
    protected abstract void paint(Graphics2D g, int width, int height);

    /** The title shown above the chart. */
    public String title() {
        return title;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Sets the size in pixels (also the SVG's user units). */
    public Chart size(int widthPx, int heightPx) {
        if (widthPx < 16 || heightPx < 16 || widthPx > MAX_SIDE || heightPx > MAX_SIDE) {
            throw new IllegalArgumentException("chart size must be within 16.." + MAX_SIDE + " px, got "
                    + widthPx + " x " + heightPx);
        }
        this.width = widthPx;
        this.height = heightPx;
        return this;
    }

    /**
     * Whether the notebook bundle carries the SVG form beside the PNG (sharper on zoom, bigger
     * output). Default: yes for line/shape charts whose SVG is at most {@link #AUTO_SVG_MAX_CHARS}.
     */
    public Chart withSvg(boolean include) {
        this.svgInBundle = include;
        return this;
    }

    /** The chart rendered into an RGB image of {@link #width()} x {@link #height()} pixels. */
    public BufferedImage image() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            paint(g, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** PNG bytes of {@link #image()}. */
    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            if (!ImageIO.write(image(), "png", out)) {
                throw new IllegalStateException("no PNG writer available in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding of chart '" + title + "' failed", e);
        }
        return out.toByteArray();
    }

    /** SVG document of the chart (vector shapes and text; embedded raster images stay raster). */
    public String svg() {
        VectorGraphics2D g = new VectorGraphics2D();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        paint(g, width, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width, height)).writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("SVG encoding of chart '" + title + "' failed", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Writes the PNG to {@code path} (atomically: temp file, then rename) and returns the path. */
    public Path savePng(Path path) {
        return writeAtomically(path, png());
    }

    public Path savePng(String path) {
        return savePng(Path.of(path));
    }

    /** Writes the SVG to {@code path} (atomically) and returns the path. */
    public Path saveSvg(Path path) {
        return writeAtomically(path, svg().getBytes(StandardCharsets.UTF_8));
    }

    public Path saveSvg(String path) {
        return saveSvg(Path.of(path));
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put("image/png", Base64.getEncoder().encodeToString(png()));
        if (svgInBundle == null ? vectorByNature && svgWorthRendering() : svgInBundle) {
            String svg = svg();
            if (svgInBundle != null || svg.length() <= AUTO_SVG_MAX_CHARS) {
                bundle.put("image/svg+xml", withoutXmlDeclaration(svg));
            }
        }
        bundle.put("text/plain", toString());
        return bundle;
    }

    /**
     * SVG for a notebook output without its {@code <?xml ...?>} declaration and DOCTYPE: it is embedded in HTML,
     * and nbconvert's HTML export rejects strings that declare an encoding.
     */
    static String withoutXmlDeclaration(String svg) {
        String s = svg.strip();
        if (s.startsWith("<?xml")) s = s.substring(s.indexOf("?>") + 2).strip();
        if (s.startsWith("<!DOCTYPE")) s = s.substring(s.indexOf('>') + 1).strip();
        return s;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "('" + title + "', " + width + "x" + height + ")";
    }

    static Path writeAtomically(Path path, byte[] bytes) {
        Path target = path.toAbsolutePath();
        try {
            Path dir = target.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            // A sibling temp name (not createTempFile, whose 0600 mode would stick to the result).
            Path tmp = target.resolveSibling(target.getFileName() + "." + System.nanoTime() + ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + target, e);
        }
        return path;
    }
}
