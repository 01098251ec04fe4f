package org.osum4j.train;

import org.osum4j.data.DynamicBatcher;
import org.osum4j.data.Sample;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * OSUM's dynamic batches as a {@link BatchSource}: each epoch re-plans the samples with
 * {@link DynamicBatcher} (shuffle buffer → sort buffer → size-limited batches) seeded from (run seed, epoch),
 * and a batch is collated (features loaded, padded, tokenised) only when the trainer asks for it. The plan
 * is sizes and keys only, so it is cheap to redo on resume. Collation must be deterministic; augmentation
 * belongs in the model's step, which draws from the trainer's generator.
 */
public final class DynamicBatchSource<B extends Batch> implements BatchSource<B> {

    private final List<Sample> samples;
    private final DynamicBatcher.Config config;
    private final Function<List<Sample>, B> collate;
    private final String manifestHash;
    private long plannedSeed;
    private long plannedEpoch = -1;
    private List<List<Sample>> plan;

    /**
     * @param samples the corpus after filtering (its order is part of the determinism)
     * @param config  batch limits (OSUM: {@link DynamicBatcher.Config#osum()})
     * @param collate turns one planned batch into the model's batch
     */
    public DynamicBatchSource(List<Sample> samples, DynamicBatcher.Config config, Function<List<Sample>, B> collate) {
        if (samples.isEmpty()) throw new IllegalArgumentException("dynamic batch source: no samples");
        this.samples = List.copyOf(samples);
        this.config = config;
        this.collate = collate;
        this.manifestHash = hash(this.samples);
    }

    /** The planned batches (samples) of an epoch. */
    public synchronized List<List<Sample>> plan(long seed, long epoch) {
        if (plan == null || plannedSeed != seed || plannedEpoch != epoch) {
            plan = new DynamicBatcher(config, TrainRandom.derive(seed, epoch, 0xBA7C_4E5L).nextLong()).batches(samples);
            plannedSeed = seed;
            plannedEpoch = epoch;
        }
        return plan;
    }

    @Override
    public B batch(long seed, Position position) {
        List<List<Sample>> p = plan(seed, position.epoch());
        if (position.index() >= p.size())
            throw new IllegalArgumentException("data position " + position + " is past the epoch's " + p.size() + " batches");
        return collate.apply(p.get((int) position.index()));
    }

    @Override
    public Position next(long seed, Position position) {
        return position.index() + 1 < plan(seed, position.epoch()).size()
                ? new Position(position.epoch(), position.index() + 1)
                : new Position(position.epoch() + 1, 0);
    }

    @Override
    public String manifestHash() {
        return manifestHash;
    }

    /** SHA-256 over (key, task, frames, prompt, label tokens, crop) of every sample in order. */
    private static String hash(List<Sample> samples) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Sample s : samples)
                d.update((s.key() + "\t" + s.task() + "\t" + s.frames() + "\t" + s.promptTokens() + "\t" + s.labelTokens()
                        + "\t" + s.cropStart() + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
