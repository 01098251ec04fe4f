package org.osum4j.audio;

/**
 * A log10 for the log-mel fast path: exponent from the bits, mantissa by the atanh series, accurate to
 * about 1e-11 absolute for every positive normal double (the features need 1e-5). The library
 * {@link Math#log10} is the reference it is tested against. Not for zero, negative, subnormal or non-finite input.
 */
final class FastMath {

    private static final double LN2 = 0.6931471805599453;
    private static final double INV_LN10 = 0.4342944819032518;
    private static final double SQRT2 = 1.4142135623730951;
    private static final long MANTISSA_MASK = 0x000fffffffffffffL;
    private static final long EXPONENT_ONE = 0x3ff0000000000000L;   // bits of 1.0

    private FastMath() {
    }

    /** log10(x) for a positive normal x. */
    static double log10(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int e = (int) (bits >>> 52) - 1023;
        double m = Double.longBitsToDouble((bits & MANTISSA_MASK) | EXPONENT_ONE);   // [1, 2)
        if (m > SQRT2) {          // centre the mantissa on 1: [√½, √2), so |s| ≤ 0.1716
            m *= 0.5;
            e++;
        }
        double s = (m - 1) / (m + 1);
        double s2 = s * s;
        // ln m = 2 atanh(s) = 2 (s + s³/3 + s⁵/5 + …); truncation error below 2e-11.
        double series = 1 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11)))));
        return (e * LN2 + 2 * s * series) * INV_LN10;
    }
}
