package org.osum4j.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A {@link BatchSource} over epochs that are lists of batches: either a fixed list reshuffled each epoch by a
 * generator derived from (seed, epoch) ({@link #shuffled}), kept in order ({@link #inOrder}), or any
 * function (seed, epoch) → batches ({@link #perEpoch}), e.g. {@code DynamicBatcher} over the samples with
 * seed + epoch followed by collation. The current epoch's list is cached; nothing else is kept.
 */
public final class ListBatchSource<B extends Batch> implements BatchSource<B> {

    private final BiFunction<Long, Long, List<B>> epochs;
    private final String manifestHash;
    private long cachedSeed;
    private long cachedEpoch = -1;
    private List<B> cached;

    private ListBatchSource(BiFunction<Long, Long, List<B>> epochs, String manifestHash) {
        this.epochs = epochs;
        this.manifestHash = manifestHash;
    }

    /** {@code batches} in a new order each epoch (Fisher–Yates with a generator derived from seed and epoch). */
    public static <B extends Batch> ListBatchSource<B> shuffled(List<B> batches) {
        List<B> fixed = List.copyOf(nonEmpty(batches));
        return new ListBatchSource<>((seed, epoch) -> {
            List<B> order = new ArrayList<>(fixed);
            TrainRandom r = TrainRandom.derive(seed, epoch, 0x5EED_DA7AL);
            for (int i = order.size() - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                B t = order.get(i);
                order.set(i, order.get(j));
                order.set(j, t);
            }
            return order;
        }, keysHash(fixed));
    }

    /** {@code batches} in the given order every epoch. */
    public static <B extends Batch> ListBatchSource<B> inOrder(List<B> batches) {
        List<B> fixed = List.copyOf(nonEmpty(batches));
        return new ListBatchSource<>((seed, epoch) -> fixed, keysHash(fixed));
    }

    /** Batches computed per epoch by {@code epochs.apply(seed, epoch)}, which must be deterministic. */
    public static <B extends Batch> ListBatchSource<B> perEpoch(BiFunction<Long, Long, List<B>> epochs, String manifestHash) {
        return new ListBatchSource<>(epochs, manifestHash);
    }

    @Override
    public synchronized B batch(long seed, Position position) {
        List<B> list = epoch(seed, position.epoch());
        if (position.index() >= list.size())
            throw new IllegalArgumentException("data position " + position + " is past the epoch's " + list.size() + " batches");
        return list.get((int) position.index());
    }

    @Override
    public synchronized Position next(long seed, Position position) {
        return position.index() + 1 < epoch(seed, position.epoch()).size()
                ? new Position(position.epoch(), position.index() + 1)
                : new Position(position.epoch() + 1, 0);
    }

    @Override
    public String manifestHash() {
        return manifestHash;
    }

    private List<B> epoch(long seed, long epoch) {
        if (cached == null || cachedSeed != seed || cachedEpoch != epoch) {
            List<B> list = epochs.apply(seed, epoch);
            if (list == null || list.isEmpty()) throw new IllegalStateException("epoch " + epoch + " has no batches");
            cached = list;
            cachedSeed = seed;
            cachedEpoch = epoch;
        }
        return cached;
    }

    private static <B> List<B> nonEmpty(List<B> batches) {
        if (batches == null || batches.isEmpty()) throw new IllegalArgumentException("batch source: no batches");
        return batches;
    }

    /** SHA-256 over the keys of every batch in order (one key per line, a blank line between batches). */
    static String keysHash(List<? extends Batch> batches) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Batch b : batches) {
                for (String k : b.keys()) d.update((k + "\n").getBytes(StandardCharsets.UTF_8));
                d.update((byte) '\n');
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
