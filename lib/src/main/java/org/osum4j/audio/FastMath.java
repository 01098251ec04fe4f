package org.osum4j.audio;

/**
 * A log10 for the log-mel fast path, without a division: exponent from the bits, mantissa m ∈ [1, 2) split
 * as c_i · (1 + r) with c_i the centre of one of 256 table intervals, |r| < 2^-9, and ln(1 + r) by five
 * series terms. Accurate to about 1e-14 absolute for every positive normal double (the features need 1e-5).
 * The library {@link Math#log10} is the reference it is tested against. Not for zero, negative, subnormal or
 * non-finite input.
 */
final class FastMath {

    private static final double LN2 = 0.6931471805599453;
    private static final double INV_LN10 = 0.4342944819032518;
    private static final long MANTISSA_MASK = 0x000fffffffffffffL;
    private static final long EXPONENT_ONE = 0x3ff0000000000000L;   // bits of 1.0
    private static final int TABLE_BITS = 8;                          // 256 intervals of [1, 2)
    private static final int SHIFT = 52 - TABLE_BITS;
    private static final double[] INV_CENTRE = new double[1 << TABLE_BITS];   // 1 / c_i
    private static final double[] LN_CENTRE = new double[1 << TABLE_BITS];    // ln c_i

    static {
        for (int i = 0; i < INV_CENTRE.length; i++) {
            double c = 1 + (i + 0.5) / INV_CENTRE.length;
            INV_CENTRE[i] = 1 / c;
            LN_CENTRE[i] = Math.log(c);
        }
    }

    private FastMath() {
    }

    /** log10(x) for a positive normal x. */
    static double log10(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int e = (int) (bits >>> 52) - 1023;
        int i = (int) ((bits & MANTISSA_MASK) >>> SHIFT);
        double m = Double.longBitsToDouble((bits & MANTISSA_MASK) | EXPONENT_ONE);   // [1, 2)
        double r = m * INV_CENTRE[i] - 1;                                            // |r| < 1/512
        double lnm = LN_CENTRE[i] + r * (1 - r * (0.5 - r * (1.0 / 3 - r * (0.25 - r * 0.2))));
        return (e * LN2 + lnm) * INV_LN10;
    }
}
