package org.osum4j.notebook;

import java.awt.Color;

/**
 * Colour scales for heatmaps and spectrogram images, each given by nine evenly spaced anchor colours
 * and linear interpolation between them (close to matplotlib's tables at screen resolution). Values
 * outside [0, 1] are clamped; NaN maps to a neutral grey.
 */
public enum Colormap {
    /** Perceptually uniform dark blue to yellow; the default for spectrograms. */
    VIRIDIS(0x440154, 0x472c7a, 0x3b518b, 0x2c718e, 0x21908d, 0x27ad81, 0x5cc863, 0xaadc32, 0xfde725),
    /** Black to pale yellow through purple and orange; good for attention maps. */
    MAGMA(0x000004, 0x1c1044, 0x4f127b, 0x812581, 0xb5367a, 0xe55964, 0xfb8761, 0xfec287, 0xfcfdbf),
    /** White to dark blue (ColorBrewer "Blues"); the default for confusion matrices. */
    BLUES(0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b),
    /** Black to white. */
    GRAY(0x000000, 0x202020, 0x404040, 0x606060, 0x808080, 0x9f9f9f, 0xbfbfbf, 0xdfdfdf, 0xffffff);

    /** RGB for NaN cells. */
    public static final int NAN_RGB = 0xb0b0b0;

    private final int[] anchors;

    Colormap(int... anchors) {
        this.anchors = anchors;
    }

    /** Packed RGB (0xRRGGBB) for a position {@code t} in [0, 1]. */
    public int rgb(double t) {
        if (Double.isNaN(t)) {
            return NAN_RGB;
        }
        double clamped = Math.max(0.0, Math.min(1.0, t));
        double position = clamped * (anchors.length - 1);
        int lower = Math.min((int) position, anchors.length - 2);
        double frac = position - lower;
        int a = anchors[lower];
        int b = anchors[lower + 1];
        int r = mix((a >> 16) & 0xff, (b >> 16) & 0xff, frac);
        int g = mix((a >> 8) & 0xff, (b >> 8) & 0xff, frac);
        int bl = mix(a & 0xff, b & 0xff, frac);
        return (r << 16) | (g << 8) | bl;
    }

    /** {@link #rgb(double)} as a Color. */
    public Color color(double t) {
        return new Color(rgb(t));
    }

    /** Black or white, whichever reads better on {@code rgb} (by relative luminance). */
    static Color textOn(int rgb) {
        double luminance = 0.2126 * ((rgb >> 16) & 0xff) + 0.7152 * ((rgb >> 8) & 0xff) + 0.0722 * (rgb & 0xff);
        return luminance > 140 ? Color.BLACK : Color.WHITE;
    }

    private static int mix(int a, int b, double frac) {
        return (int) Math.round(a + (b - a) * frac);
    }
}
