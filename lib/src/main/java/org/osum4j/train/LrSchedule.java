package org.osum4j.train;

/**
 * Learning-rate schedules as functions of the optimizer step (1-based: the first update is step 1).
 * OSUM uses WeNet's WarmupLR; a cosine schedule with linear warm-up is the usual choice from scratch.
 */
@FunctionalInterface
public interface LrSchedule {

    /** The learning rate for optimizer step {@code step} (≥ 1). */
    double lr(long step);

    /** A fixed rate. */
    static LrSchedule constant(double lr) {
        return s -> lr;
    }

    /**
     * WeNet/OSUM WarmupLR: {@code lr · w^0.5 · min(s^-0.5, s · w^-1.5)} — a linear ramp reaching {@code lr} at
     * step {@code w}, then decaying ∝ 1/√s. OSUM: lr 5e-5, w 8000.
     */
    static LrSchedule warmup(double lr, long warmupSteps) {
        if (warmupSteps <= 0) throw new IllegalArgumentException("warm-up steps must be > 0, got " + warmupSteps);
        double w = warmupSteps;
        return s -> lr * Math.sqrt(w) * Math.min(Math.pow(s, -0.5), s * Math.pow(w, -1.5));
    }

    /**
     * Linear warm-up to {@code lr} over {@code warmupSteps}, then cosine decay to {@code minLr} at
     * {@code totalSteps} (held at {@code minLr} afterwards).
     */
    static LrSchedule cosine(double lr, long warmupSteps, long totalSteps, double minLr) {
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("total steps (" + totalSteps + ") must exceed warm-up steps (" + warmupSteps + ")");
        }
        return s -> {
            if (warmupSteps > 0 && s <= warmupSteps) return lr * s / warmupSteps;
            double progress = Math.min(1.0, (double) (s - warmupSteps) / (totalSteps - warmupSteps));
            return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
        };
    }
}
