package org.osum4j.train;

import java.util.random.RandomGenerator;

/**
 * The trainer's random generator: xoshiro256** (Blackman &amp; Vigna) seeded through splitmix64, with its
 * whole state readable and restorable, so a checkpoint can store it and a resumed run draws exactly the same
 * numbers. Not thread-safe, not cryptographic. Derived generators ({@link #derive}) give independent
 * streams (e.g. per data source) from one seed.
 */
public final class TrainRandom implements RandomGenerator {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;   // splitmix64 increment

    private final long[] s = new long[4];

    /** A generator seeded from {@code seed} (splitmix64 expands the 64 bits into the 256-bit state). */
    public TrainRandom(long seed) {
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += GOLDEN_GAMMA;
            s[i] = mix64(x);
        }
    }

    /** A generator at a saved {@link #state()}. */
    public static TrainRandom ofState(long[] state) {
        TrainRandom r = new TrainRandom(0);
        r.restore(state);
        return r;
    }

    /** A stream for {@code (seed, a, b)}: deterministic, and unrelated to the streams of other tuples. */
    public static TrainRandom derive(long seed, long a, long b) {
        return new TrainRandom(mix64(mix64(seed ^ mix64(a + GOLDEN_GAMMA)) + mix64(b ^ 0x632BE59BD9B4E019L)));
    }

    @Override
    public long nextLong() {
        long result = Long.rotateLeft(s[1] * 5, 7) * 9;
        long t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Long.rotateLeft(s[3], 45);
        return result;
    }

    /** A copy of the 256-bit state. */
    public long[] state() {
        return s.clone();
    }

    /** Sets the state (four longs, not all zero). */
    public void restore(long[] state) {
        if (state == null || state.length != 4)
            throw new IllegalArgumentException("random state: expected 4 longs, got " + (state == null ? "null" : state.length));
        if ((state[0] | state[1] | state[2] | state[3]) == 0)
            throw new IllegalArgumentException("random state: all-zero state is invalid for xoshiro256**");
        System.arraycopy(state, 0, s, 0, 4);
    }

    /** splitmix64's output function (Stafford variant 13). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
