/**
 * OSUM's data side, in pipeline order: tasks and their prompts/labels/targets
 * ({@link org.osum4j.data.TaskRegistry}, {@link org.osum4j.data.Task}, {@link org.osum4j.data.Timestamps}),
 * data lists and shards ({@link org.osum4j.data.DataList}, {@link org.osum4j.data.Shards},
 * {@link org.osum4j.data.DataMix}), the tokenize step ({@link org.osum4j.data.Examples}), filtering and
 * batching ({@link org.osum4j.data.Filter}, {@link org.osum4j.data.DynamicBatcher}) with skip counts
 * ({@link org.osum4j.data.Report}), corpus loaders ({@link org.osum4j.data.Corpus} over
 * {@link org.osum4j.data.LibriSpeech}, {@link org.osum4j.data.Iemocap} and existing lists) and corpus tables and
 * charts ({@link org.osum4j.data.Manifest}, {@link org.osum4j.data.ManifestCharts}).
 * Audio is handled as paths and bytes here; decoding is {@code org.osum4j.audio}.
 */
package org.osum4j.data;
