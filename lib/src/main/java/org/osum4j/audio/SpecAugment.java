package org.osum4j.audio;

import java.util.random.RandomGenerator;

/**
 * SpecAugment as OSUM trains with it (WeNet's {@code spec_aug}): a few time masks and frequency masks on
 * the normalised log-mel features, masked values set to 0. Each mask picks its start uniformly over the
 * whole axis and its width uniformly in [1, max], clipped at the end of the axis; masks may overlap.
 * No time warping (OSUM leaves it off). The random generator is injected, so a seed gives one result.
 * Returns new features; the input is never modified. See {@link SpecSub} for the other training augmentation.
 */
public final class SpecAugment {

    /**
     * Mask counts and widths.
     *
     * @param timeMasks    time masks per utterance (OSUM: 2)
     * @param maxTimeWidth widest time mask in frames, inclusive (OSUM: 50 = 0.5 s)
     * @param freqMasks    frequency masks per utterance (OSUM: 2)
     * @param maxFreqWidth widest frequency mask in mel bins, inclusive (OSUM: 10 of 80)
     */
    public record Config(int timeMasks, int maxTimeWidth, int freqMasks, int maxFreqWidth) {

        public Config {
            if (timeMasks < 0 || freqMasks < 0 || maxTimeWidth < 1 || maxFreqWidth < 1) {
                throw new IllegalArgumentException("SpecAugment needs mask counts >= 0 and max widths >= 1, got " + this);
            }
        }

        /** OSUM's {@code spec_aug_conf}: num_t_mask 2, max_t 50, num_f_mask 2, max_f 10. */
        public static Config osum() {
            return new Config(2, 50, 2, 10);
        }
    }

    /** One applied mask, for tests and inspection: [start, end) on its axis. */
    public record Mask(boolean time, int start, int end) {
    }

    private final Config config;

    public SpecAugment(Config config) {
        this.config = config;
    }

    /** OSUM's settings. */
    public static SpecAugment osum() {
        return new SpecAugment(Config.osum());
    }

    public Config config() {
        return config;
    }

    /** Applies the masks to a copy of {@code x}. */
    public LogMelFeatures apply(LogMelFeatures x, RandomGenerator rng) {
        return apply(x, rng, null);
    }

    /** Like {@link #apply(LogMelFeatures, RandomGenerator)}, also recording each mask into {@code masks} when non-null. */
    public LogMelFeatures apply(LogMelFeatures x, RandomGenerator rng, java.util.List<Mask> masks) {
        LogMelFeatures y = x.copy();
        int frames = x.frames(), nMels = x.nMels();
        float[] d = y.data();                                          // [nMels][frames]
        if (frames == 0) return y;
        // Time masks first, then frequency masks, as in WeNet (the order only matters for the rng stream).
        for (int i = 0; i < config.timeMasks(); i++) {
            int start = rng.nextInt(frames);                           // U[0, frames - 1]
            int width = 1 + rng.nextInt(config.maxTimeWidth());        // U[1, max_t]
            int end = Math.min(frames, start + width);
            for (int m = 0; m < nMels; m++) java.util.Arrays.fill(d, m * frames + start, m * frames + end, 0f);
            if (masks != null) masks.add(new Mask(true, start, end));
        }
        for (int i = 0; i < config.freqMasks(); i++) {
            int start = rng.nextInt(nMels);                            // U[0, nMels - 1]
            int width = 1 + rng.nextInt(config.maxFreqWidth());        // U[1, max_f]
            int end = Math.min(nMels, start + width);
            java.util.Arrays.fill(d, start * frames, end * frames, 0f);
            if (masks != null) masks.add(new Mask(false, start, end));
        }
        return y;
    }
}
