package org.osum4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * OSUM's training batching (spec §3.2): shuffle in buffers of 1500, sort by frames in buffers of 500, then
 * dynamic batches that grow while {@code longest_frames × count ≤ max_frames_in_batch} and
 * {@code longest_seq × count ≤ max_seq_in_batch}. Seeded, so the same input and seed give the same batches.
 * One difference from WeNet: an item that alone exceeds a limit becomes a batch of one (WeNet emits an empty
 * batch before it). Padding and collation are the trainer's business.
 *
 * <pre>{@code
 * List<List<Sample>> batches = new DynamicBatcher(DynamicBatcher.Config.osum(), 42).batches(samples);
 * }</pre>
 */
public final class DynamicBatcher {

    /**
     * @param maxFramesInBatch padded frames per batch (bounds encoder memory)
     * @param maxSeqInBatch    padded LLM positions per batch (bounds LLM memory)
     * @param sortBuffer       items sorted together by length (bigger = less padding, less randomness)
     * @param shuffleBuffer    items shuffled together (bigger = more randomness)
     */
    public record Config(int maxFramesInBatch, double maxSeqInBatch, int sortBuffer, int shuffleBuffer) {
        public Config {
            if (maxFramesInBatch < 1 || maxSeqInBatch <= 0 || sortBuffer < 1 || shuffleBuffer < 1)
                throw new IllegalArgumentException("batch config values must be positive: " + maxFramesInBatch + ", "
                        + maxSeqInBatch + ", " + sortBuffer + ", " + shuffleBuffer);
        }

        /** OSUM's shipped dataset_conf. */
        public static Config osum() {
            return new Config(3900, 1900, 500, 1500);
        }
    }

    /** Size statistics of a batching: count, items per batch, and how much of the padded frames is real. */
    public record Stats(int batches, int items, double meanBatchSize, int maxBatchSize, double frameFill) {
        @Override
        public String toString() {
            return String.format("%d batches, %d items, %.2f items/batch (max %d), %.1f%% of padded frames real",
                    batches, items, meanBatchSize, maxBatchSize, 100 * frameFill);
        }
    }

    private final Config config;
    private final long seed;

    public DynamicBatcher(Config config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    /** The batches of one pass (epoch) over {@code items}: shuffle → sort → dynamic batch. */
    public <T extends Batchable> List<List<T>> batches(List<T> items) {
        return dynamicBatch(sort(shuffle(items, new Random(seed))));
    }

    /** Shuffles within consecutive buffers of {@code shuffleBuffer} items (WeNet {@code shuffle}). */
    public <T> List<T> shuffle(List<T> items, Random rng) {
        List<T> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += config.shuffleBuffer()) {
            List<T> buf = new ArrayList<>(items.subList(from, Math.min(items.size(), from + config.shuffleBuffer())));
            Collections.shuffle(buf, rng);
            out.addAll(buf);
        }
        return out;
    }

    /** Sorts by frames (ascending, stable) within consecutive buffers of {@code sortBuffer} items (WeNet {@code sort}). */
    public <T extends Batchable> List<T> sort(List<T> items) {
        List<T> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += config.sortBuffer()) {
            List<T> buf = new ArrayList<>(items.subList(from, Math.min(items.size(), from + config.sortBuffer())));
            buf.sort(Comparator.comparingInt(Batchable::frames));
            out.addAll(buf);
        }
        return out;
    }

    /** Groups items in order into batches within both padded-size limits. */
    public <T extends Batchable> List<List<T>> dynamicBatch(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        List<T> buf = new ArrayList<>();
        int longestFrames = 0;
        double longestSeq = 0;
        for (T it : items) {
            int frames = Math.max(longestFrames, it.frames());
            double seq = Math.max(longestSeq, it.seqLen());
            int count = buf.size() + 1;
            boolean fits = (long) frames * count <= config.maxFramesInBatch() && seq * count <= config.maxSeqInBatch();
            if (!fits && !buf.isEmpty()) {
                out.add(List.copyOf(buf));
                buf.clear();
                frames = it.frames();
                seq = it.seqLen();
            }
            buf.add(it);
            longestFrames = frames;
            longestSeq = seq;
        }
        if (!buf.isEmpty()) out.add(List.copyOf(buf));
        return out;
    }

    /** Fixed-size batches in order (OSUM's CV/test batching uses size 1). */
    public static <T> List<List<T>> staticBatches(List<T> items, int size) {
        if (size < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) out.add(List.copyOf(items.subList(from, Math.min(items.size(), from + size))));
        return out;
    }

    public static <T extends Batchable> Stats stats(List<List<T>> batches) {
        int items = 0, max = 0;
        long real = 0, padded = 0;
        for (List<T> b : batches) {
            items += b.size();
            max = Math.max(max, b.size());
            int longest = 0;
            for (T t : b) {
                real += t.frames();
                longest = Math.max(longest, t.frames());
            }
            padded += (long) longest * b.size();
        }
        return new Stats(batches.size(), items, batches.isEmpty() ? 0 : items / (double) batches.size(), max,
                padded == 0 ? 1 : real / (double) padded);
    }
}
