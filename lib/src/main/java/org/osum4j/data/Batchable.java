package org.osum4j.data;

/** What dynamic batching needs to know about an item: its feature frames and its LLM sequence length. */
public interface Batchable {

    /** Log-mel frames (100 per second). */
    int frames();

    /** LLM tokens it occupies: prompt + frames/8 + label (OSUM's measure, fractional). */
    double seqLen();
}
