package org.osum4j.train;

import org.osum4j.audio.LogMelFeatures;

import java.util.List;

/**
 * One OSUM (micro-)batch as collated by {@link OsumCollator}: per item the unpadded, un-augmented log-mel
 * features, the prompt ids (no special tokens) and the target ids ending with eod. Padding and OSUM's
 * [prompt][bos][speech][eos][target] layout are made at step time by {@link OsumTrainable}, after
 * SpecAugment/SpecSub (which work on each utterance's own frames). Immutable by convention: nobody writes
 * into the arrays.
 *
 * @param keys     utterance keys, batch order
 * @param tasks    task tag per item (validation groups its loss by task)
 * @param features log-mel [n_mels, frames] per item
 * @param prompts  prompt ids per item (non-empty)
 * @param targets  target ids per item, eod last
 * @param transcripts the transcript part of each target as ids (no tags, timestamps or answer; no eod), for the
 *                 optional CTC objective; null when the batch does not carry them
 */
public record OsumBatch(List<String> keys, List<String> tasks, List<LogMelFeatures> features, long[][] prompts,
                        long[][] targets, long[][] transcripts) implements Batch {

    /** A batch without transcripts (no CTC objective). */
    public OsumBatch(List<String> keys, List<String> tasks, List<LogMelFeatures> features, long[][] prompts, long[][] targets) {
        this(keys, tasks, features, prompts, targets, null);
    }

    public OsumBatch {
        int b = keys.size();
        if (b == 0) throw new IllegalArgumentException("OSUM batch: no items");
        if (tasks.size() != b || features.size() != b || prompts.length != b || targets.length != b
                || (transcripts != null && transcripts.length != b)) {
            throw new IllegalArgumentException("OSUM batch " + keys + ": " + b + " keys but " + tasks.size() + " tasks, "
                    + features.size() + " feature arrays, " + prompts.length + " prompts, " + targets.length + " targets");
        }
        for (int i = 0; i < b; i++) {
            if (features.get(i).frames() == 0) throw new IllegalArgumentException("OSUM batch: utterance '" + keys.get(i) + "' has no frames");
        }
        keys = List.copyOf(keys);
        tasks = List.copyOf(tasks);
        features = List.copyOf(features);
    }

    public int size() {
        return keys.size();
    }

    /** Seconds of audio in the batch (10 ms per frame). */
    public double audioSeconds() {
        double s = 0;
        for (LogMelFeatures f : features) s += f.seconds();
        return s;
    }

    /** The task of the first item (validation batches hold one utterance, or one task). */
    public String task() {
        return tasks.get(0);
    }
}
