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
 *
 * <p>OSUM itself: {@link org.osum4j.train.OsumTrainable} (an {@code OsumModel} as a Trainable: the whole step,
 * SpecAugment/SpecSub on the fly, every stage incl. LLM base weights), {@link org.osum4j.train.OsumCollator}
 * (data list → tokenize/filter/log-mel/dynamic batches → {@link org.osum4j.train.OsumBatch}, per (seed, epoch)):
 * <pre>{@code
 * OsumTrainable model = OsumTrainable.osum(Osum.load(dir).model());
 * OsumCollator data = OsumCollator.of(list, LogMel.of(80), new Examples(TaskRegistry.osum(), tok, false),
 *         Filter.osum(), DynamicBatcher.Config.osum());
 * Trainer.builder(model, data.source(), config).build().run();
 * model.save(outDir, tok.json());                         // this project's layout, Osum.load reads it
 * }</pre>
 * {@code ./osum train --config FILE} wires the same from a YAML file ({@code models/tiny/train.yaml}).
 */
package org.osum4j.train;
