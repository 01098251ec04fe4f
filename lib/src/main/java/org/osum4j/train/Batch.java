package org.osum4j.train;

import java.util.List;

/**
 * What the trainer needs to know about a batch it does not otherwise look into: the keys of its items, so a
 * skipped (non-finite) step can name the utterances that caused it. Padding, features and targets are the
 * model's business ({@link Trainable}).
 */
public interface Batch {

    /** Utterance keys of the items in this batch, in batch order. */
    List<String> keys();
}
