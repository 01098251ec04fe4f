package org.osum4j.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-task sampling by weight: each draw picks one task's source with probability weight / Σ weights (a
 * generator derived from (seed, draw)), and takes that source's next batch. Each task source runs its own
 * epochs with its own seed derived from the run seed and the task's index. Position = (0, draw); the
 * per-task positions are recomputed by replaying the (cheap) choices, cached for sequential use.
 */
public final class WeightedMixSource<B extends Batch> implements BatchSource<B> {

    private static final long CHOICE_STREAM = 0x7A5C_0001L;

    private final List<String> names;
    private final List<BatchSource<B>> sources;
    private final double[] cumulative;        // [tasks] running sum of normalised weights
    // cache of the replay: positions of every task before draw cachedDraw
    private long cachedSeed;
    private long cachedDraw = -1;
    private Position[] cachedPositions;

    /** Sources and weights by task name, in the map's order (which is part of the determinism). */
    public WeightedMixSource(Map<String, BatchSource<B>> sources, Map<String, Double> weights) {
        if (sources.isEmpty()) throw new IllegalArgumentException("weighted mix: no sources");
        if (!sources.keySet().equals(weights.keySet()))
            throw new IllegalArgumentException("weighted mix: sources " + sources.keySet() + " and weights " + weights.keySet() + " differ");
        this.names = new ArrayList<>(sources.keySet());
        this.sources = new ArrayList<>(sources.values());
        double total = 0;
        for (String n : names) {
            double w = weights.get(n);
            if (!(w >= 0) || Double.isInfinite(w)) throw new IllegalArgumentException("weighted mix: weight of '" + n + "' must be finite and ≥ 0, got " + w);
            total += w;
        }
        if (total <= 0) throw new IllegalArgumentException("weighted mix: all weights are 0");
        cumulative = new double[names.size()];
        double run = 0;
        for (int i = 0; i < names.size(); i++) {
            run += weights.get(names.get(i)) / total;
            cumulative[i] = run;
        }
        cumulative[names.size() - 1] = 1.0;                 // no rounding gap at the top
    }

    /** The task drawn at {@code draw}. */
    public String taskAt(long seed, long draw) {
        return names.get(choice(seed, draw));
    }

    @Override
    public synchronized B batch(long seed, Position position) {
        int task = choice(seed, position.index());
        return sources.get(task).batch(taskSeed(seed, task), positionsBefore(seed, position.index())[task]);
    }

    @Override
    public Position next(long seed, Position position) {
        return new Position(0, position.index() + 1);
    }

    @Override
    public String manifestHash() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < names.size(); i++)
                d.update((names.get(i) + "=" + cumulative[i] + ":" + sources.get(i).manifestHash() + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private int choice(long seed, long draw) {
        double u = TrainRandom.derive(seed, draw, CHOICE_STREAM).nextDouble();
        for (int i = 0; i < cumulative.length; i++) if (u < cumulative[i]) return i;
        return cumulative.length - 1;
    }

    private static long taskSeed(long seed, int task) {
        return TrainRandom.mix64(seed + TrainRandom.mix64(task + 1L));
    }

    /** Each task's position before draw {@code draw}, replaying choices from the cache (or from 0). */
    private Position[] positionsBefore(long seed, long draw) {
        if (cachedPositions == null || cachedSeed != seed || cachedDraw > draw) {
            cachedPositions = new Position[names.size()];
            java.util.Arrays.fill(cachedPositions, Position.start());
            cachedSeed = seed;
            cachedDraw = 0;
        }
        for (; cachedDraw < draw; cachedDraw++) {
            int t = choice(seed, cachedDraw);
            cachedPositions[t] = sources.get(t).next(taskSeed(seed, t), cachedPositions[t]);
        }
        return cachedPositions;
    }

    /** Tasks and their normalised weights. */
    public Map<String, Double> weights() {
        Map<String, Double> w = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) w.put(names.get(i), cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]));
        return w;
    }
}
