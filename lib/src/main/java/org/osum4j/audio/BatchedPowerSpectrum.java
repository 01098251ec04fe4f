package org.osum4j.audio;

/**
 * The fast path's STFT: power spectra |X_k|² (k = 0 … 200) of many 400-sample Hann-windowed frames at
 * once, in float64. Two real frames ride in one complex FFT (z = a + i·b, then split by conjugate symmetry),
 * and {@link #LANES} complex FFTs run side by side: every array is [element][lane], so each butterfly loads
 * its twiddles once per batch and its inner loop runs over independent lanes (instruction-level parallelism;
 * JDK 17's C2 was not seen to emit SIMD here). The FFT is a Stockham autosort with radices 4·4·5·5 = 400,
 * the Hann window fused into the first pass. The reference path uses JTransforms instead; the tests hold
 * the two equal.
 * Not here: other FFT sizes, inverse transforms.
 */
final class BatchedPowerSpectrum {

    /** Complex FFTs computed together; 2 × LANES frames per batch (a multiple of 4, see LogMel's mel loop). */
    static final int LANES = 8;
    /** Frames per batch. */
    static final int FRAMES = 2 * LANES;

    private static final int N = LogMel.N_FFT;               // 400
    private static final int[] RADICES = {4, 4, 5, 5};       // product = 400; the first must be 4 (fused pass)
    private static final double[] WINDOW = new double[N];    // periodic Hann
    /** Per stage: [N / R][R − 1] twiddle cos and sin, exp(−2πi · r · (j mod Ns) / (Ns · R)). */
    private static final double[][] TW_COS = new double[RADICES.length][];
    private static final double[][] TW_SIN = new double[RADICES.length][];

    private static final double C1 = Math.cos(2 * Math.PI / 5), C2 = Math.cos(4 * Math.PI / 5);
    private static final double S1 = Math.sin(2 * Math.PI / 5), S2 = Math.sin(4 * Math.PI / 5);

    static {
        int prod = 1;
        for (int n = 0; n < N; n++) WINDOW[n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / N);
        for (int s = 0; s < RADICES.length; s++) {
            int r = RADICES[s], groups = N / r;
            TW_COS[s] = new double[groups * (r - 1)];
            TW_SIN[s] = new double[groups * (r - 1)];
            for (int j = 0; j < groups; j++) {
                int k = j % prod;
                for (int q = 1; q < r; q++) {
                    double a = -2 * Math.PI * q * k / (prod * r);
                    TW_COS[s][j * (r - 1) + q - 1] = Math.cos(a);
                    TW_SIN[s][j * (r - 1) + q - 1] = Math.sin(a);
                }
            }
            prod *= r;
        }
    }

    // Ping-pong buffers, [N][LANES] each (split real / imaginary parts).
    private double[] re = new double[N * LANES], im = new double[N * LANES];
    private double[] re2 = new double[N * LANES], im2 = new double[N * LANES];

    /**
     * Power spectra of up to {@link #FRAMES} frames: frame f starts at {@code signal[starts[from + f]]}
     * (window of 400 samples); {@code power} receives [N_FREQS][FRAMES] (unused lanes hold garbage).
     */
    void compute(float[] signal, int[] starts, int from, int count, double[] power) {
        // Lanes past `count` repeat the first frame: their spectra are computed and ignored (no branches).
        for (int b = 0; b < LANES; b++) {
            startRe[b] = starts[from + (b < count ? b : 0)];
            startIm[b] = starts[from + (LANES + b < count ? LANES + b : 0)];
        }
        windowAndFirstPass(signal);
        int ns = RADICES[0];
        for (int s = 1; s < RADICES.length; s++) {
            if (RADICES[s] == 4) radix4(s, ns);
            else radix5(s, ns);
            ns *= RADICES[s];
            swap();
        }
        split(power);
    }

    private final int[] startRe = new int[LANES];   // window start of the frame in each lane's real part
    private final int[] startIm = new int[LANES];   // … and imaginary part

    /**
     * Windowing fused with the first pass (radix 4, Ns = 1, every twiddle 1): lane b's input is
     * z[n] = w[n]·(frame_b[n] + i·frame_{LANES+b}[n]), read straight from the signal.
     */
    private void windowAndFirstPass(float[] x) {
        final int stride = N / 4;
        double[] yr = re2, yi = im2;
        int[] sr = startRe, si = startIm;
        for (int j = 0; j < stride; j++) {
            double w0 = WINDOW[j], w1 = WINDOW[j + stride], w2 = WINDOW[j + 2 * stride], w3 = WINDOW[j + 3 * stride];
            int o0 = 4 * j * LANES, o1 = o0 + LANES, o2 = o0 + 2 * LANES, o3 = o0 + 3 * LANES;
            for (int b = 0; b < LANES; b++) {
                int pr = sr[b] + j, pi = si[b] + j;
                double ar = x[pr] * w0, ai = x[pi] * w0;
                double br = x[pr + stride] * w1, bi = x[pi + stride] * w1;
                double cr = x[pr + 2 * stride] * w2, ci = x[pi + 2 * stride] * w2;
                double dr = x[pr + 3 * stride] * w3, di = x[pi + 3 * stride] * w3;
                double t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci;
                double t2r = br + dr, t2i = bi + di;
                double t3r = bi - di, t3i = dr - br;               // (b − d)·(−i)
                yr[o0 + b] = t0r + t2r;
                yi[o0 + b] = t0i + t2i;
                yr[o1 + b] = t1r + t3r;
                yi[o1 + b] = t1i + t3i;
                yr[o2 + b] = t0r - t2r;
                yi[o2 + b] = t0i - t2i;
                yr[o3 + b] = t1r - t3r;
                yi[o3 + b] = t1i - t3i;
            }
        }
        swap();
    }

    private void swap() {
        double[] t = re;
        re = re2;
        re2 = t;
        t = im;
        im = im2;
        im2 = t;
    }

    /** One Stockham radix-4 pass: (re, im) → (re2, im2). */
    private void radix4(int stage, int ns) {
        final int r = 4, stride = N / r;
        double[] xr = re, xi = im, yr = re2, yi = im2, tc = TW_COS[stage], ts = TW_SIN[stage];
        for (int j = 0; j < stride; j++) {
            int k = j % ns;
            int out = (j / ns) * ns * r + k;
            double c1 = tc[j * 3], s1 = ts[j * 3], c2 = tc[j * 3 + 1], s2 = ts[j * 3 + 1], c3 = tc[j * 3 + 2], s3 = ts[j * 3 + 2];
            int i0 = j * LANES, i1 = (j + stride) * LANES, i2 = (j + 2 * stride) * LANES, i3 = (j + 3 * stride) * LANES;
            int o0 = out * LANES, o1 = (out + ns) * LANES, o2 = (out + 2 * ns) * LANES, o3 = (out + 3 * ns) * LANES;
            for (int b = 0; b < LANES; b++) {
                double ar = xr[i0 + b], ai = xi[i0 + b];
                double br = xr[i1 + b] * c1 - xi[i1 + b] * s1, bi = xr[i1 + b] * s1 + xi[i1 + b] * c1;
                double cr = xr[i2 + b] * c2 - xi[i2 + b] * s2, ci = xr[i2 + b] * s2 + xi[i2 + b] * c2;
                double dr = xr[i3 + b] * c3 - xi[i3 + b] * s3, di = xr[i3 + b] * s3 + xi[i3 + b] * c3;
                double t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci;
                double t2r = br + dr, t2i = bi + di;
                double t3r = bi - di, t3i = dr - br;               // (b − d)·(−i)
                yr[o0 + b] = t0r + t2r;
                yi[o0 + b] = t0i + t2i;
                yr[o1 + b] = t1r + t3r;
                yi[o1 + b] = t1i + t3i;
                yr[o2 + b] = t0r - t2r;
                yi[o2 + b] = t0i - t2i;
                yr[o3 + b] = t1r - t3r;
                yi[o3 + b] = t1i - t3i;
            }
        }
    }

    /** One Stockham radix-5 pass: (re, im) → (re2, im2). */
    private void radix5(int stage, int ns) {
        final int r = 5, stride = N / r;
        double[] xr = re, xi = im, yr = re2, yi = im2, tc = TW_COS[stage], ts = TW_SIN[stage];
        for (int j = 0; j < stride; j++) {
            int k = j % ns;
            int out = (j / ns) * ns * r + k;
            int t = j * 4;
            double c1 = tc[t], s1 = ts[t], c2 = tc[t + 1], s2 = ts[t + 1];
            double c3 = tc[t + 2], s3 = ts[t + 2], c4 = tc[t + 3], s4 = ts[t + 3];
            int i0 = j * LANES, i1 = (j + stride) * LANES, i2 = (j + 2 * stride) * LANES;
            int i3 = (j + 3 * stride) * LANES, i4 = (j + 4 * stride) * LANES;
            int o0 = out * LANES, o1 = (out + ns) * LANES, o2 = (out + 2 * ns) * LANES;
            int o3 = (out + 3 * ns) * LANES, o4 = (out + 4 * ns) * LANES;
            for (int b = 0; b < LANES; b++) {
                double v0r = xr[i0 + b], v0i = xi[i0 + b];
                double v1r = xr[i1 + b] * c1 - xi[i1 + b] * s1, v1i = xr[i1 + b] * s1 + xi[i1 + b] * c1;
                double v2r = xr[i2 + b] * c2 - xi[i2 + b] * s2, v2i = xr[i2 + b] * s2 + xi[i2 + b] * c2;
                double v3r = xr[i3 + b] * c3 - xi[i3 + b] * s3, v3i = xr[i3 + b] * s3 + xi[i3 + b] * c3;
                double v4r = xr[i4 + b] * c4 - xi[i4 + b] * s4, v4i = xr[i4 + b] * s4 + xi[i4 + b] * c4;
                double a1r = v1r + v4r, a1i = v1i + v4i, b1r = v1r - v4r, b1i = v1i - v4i;
                double a2r = v2r + v3r, a2i = v2i + v3i, b2r = v2r - v3r, b2i = v2i - v3i;
                // y1,4 = v0 + C1·a1 + C2·a2 ∓ i(S1·b1 + S2·b2); y2,3 = v0 + C2·a1 + C1·a2 ∓ i(S2·b1 − S1·b2)
                double p1r = v0r + C1 * a1r + C2 * a2r, p1i = v0i + C1 * a1i + C2 * a2i;
                double q1r = S1 * b1r + S2 * b2r, q1i = S1 * b1i + S2 * b2i;
                double p2r = v0r + C2 * a1r + C1 * a2r, p2i = v0i + C2 * a1i + C1 * a2i;
                double q2r = S2 * b1r - S1 * b2r, q2i = S2 * b1i - S1 * b2i;
                yr[o0 + b] = v0r + a1r + a2r;
                yi[o0 + b] = v0i + a1i + a2i;
                yr[o1 + b] = p1r + q1i;                             // −i·q = (q_i, −q_r)
                yi[o1 + b] = p1i - q1r;
                yr[o4 + b] = p1r - q1i;
                yi[o4 + b] = p1i + q1r;
                yr[o2 + b] = p2r + q2i;
                yi[o2 + b] = p2i - q2r;
                yr[o3 + b] = p2r - q2i;
                yi[o3 + b] = p2i + q2r;
            }
        }
    }

    /**
     * Separates the two real frames of each lane: with Z = FFT(a + i·b),
     * A_k = (Z_k + conj Z_{N−k}) / 2 and B_k = (Z_k − conj Z_{N−k}) / (2i); writes |A_k|², |B_k|².
     */
    private void split(double[] power) {
        for (int k = 0; k < LogMel.N_FREQS; k++) {
            int p = k * LANES, q = ((N - k) % N) * LANES, out = k * FRAMES;
            for (int b = 0; b < LANES; b++) {
                double sr = re[p + b] + re[q + b], dr = re[p + b] - re[q + b];
                double si = im[p + b] + im[q + b], di = im[p + b] - im[q + b];
                power[out + b] = 0.25 * (sr * sr + di * di);            // frame b
                power[out + LANES + b] = 0.25 * (si * si + dr * dr);    // frame LANES + b
            }
        }
    }
}
