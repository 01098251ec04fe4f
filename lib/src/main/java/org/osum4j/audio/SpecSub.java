package org.osum4j.audio;

import java.util.random.RandomGenerator;

/**
 * SpecSub as OSUM trains with it (WeNet's {@code spec_sub}): a few time segments are overwritten with an
 * earlier segment of the same utterance. Each segment starts uniformly in [0, frames − 1], has width
 * U[1, max] clipped at the end, and is copied from {@code pos} frames earlier, pos uniform in [0, start]
 * (pos 0 leaves it unchanged). Sources are always read from the original features, not from earlier
 * substitutions. The random generator is injected. Returns new features; the input is never modified.
 */
public final class SpecSub {

    /**
     * @param segments segments per utterance (OSUM: 3)
     * @param maxWidth widest segment in frames, inclusive (OSUM: 30 = 0.3 s)
     */
    public record Config(int segments, int maxWidth) {

        public Config {
            if (segments < 0 || maxWidth < 1) {
                throw new IllegalArgumentException("SpecSub needs segments >= 0 and max width >= 1, got " + this);
            }
        }

        /** OSUM's {@code spec_sub_conf}: num_t_sub 3, max_t 30. */
        public static Config osum() {
            return new Config(3, 30);
        }
    }

    /** One substitution: frames [start, end) were replaced by [start − shift, end − shift). */
    public record Substitution(int start, int end, int shift) {
    }

    private final Config config;

    public SpecSub(Config config) {
        this.config = config;
    }

    /** OSUM's settings. */
    public static SpecSub osum() {
        return new SpecSub(Config.osum());
    }

    public Config config() {
        return config;
    }

    /** Applies the substitutions to a copy of {@code x}. */
    public LogMelFeatures apply(LogMelFeatures x, RandomGenerator rng) {
        return apply(x, rng, null);
    }

    /** Like {@link #apply(LogMelFeatures, RandomGenerator)}, also recording each substitution when {@code log} is non-null. */
    public LogMelFeatures apply(LogMelFeatures x, RandomGenerator rng, java.util.List<Substitution> log) {
        LogMelFeatures y = x.copy();
        int frames = x.frames(), nMels = x.nMels();
        float[] src = x.data(), dst = y.data();                    // [nMels][frames]
        if (frames == 0) return y;
        for (int i = 0; i < config.segments(); i++) {
            int start = rng.nextInt(frames);                       // U[0, frames - 1]
            int width = 1 + rng.nextInt(config.maxWidth());        // U[1, max_t]
            int end = Math.min(frames, start + width);
            int shift = rng.nextInt(start + 1);                    // U[0, start]: the source starts at or after 0
            for (int m = 0; m < nMels; m++) {
                System.arraycopy(src, m * frames + start - shift, dst, m * frames + start, end - start);
            }
            if (log != null) log.add(new Substitution(start, end, shift));
        }
        return y;
    }
}
