/**
 * Training: the loop ({@link org.osum4j.train.Trainer}) over a model seen through a small contract
 * ({@link org.osum4j.train.Trainable}: parameters by canonical name + one forward/explicit backward per batch),
 * the optimizer ({@link org.osum4j.train.AdamW}, torch semantics), schedules, clipping, stages of what trains
 * ({@link org.osum4j.train.Stages}), deterministic batch sources ({@link org.osum4j.train.BatchSource}: list,
 * dynamic batches, weighted multi-task mix), atomic checkpoints with exact resume
 * ({@link org.osum4j.train.TrainCheckpoint}) and per-step logs ({@link org.osum4j.train.TrainLog}).
 *
 * <p>Wiring a model: implement {@code Trainable<YourBatch>} where {@code YourBatch implements Batch}; build a
 * {@code BatchSource} (e.g. {@code DynamicBatchSource} per task, combined by {@code WeightedMixSource}); then
 * {@code Trainer.builder(model, source, TrainConfig.read(file)).runRecord(RuntimeInfo.runRecord(...)).build()}
 * and {@code resumeIfPossible(); run();}. Runtime settings are passed in: this package never imports {@code cli}.
 */
package org.osum4j.train;
