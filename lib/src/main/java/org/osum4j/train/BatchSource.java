package org.osum4j.train;

/**
 * Where the trainer's batches come from: a pure function of (seed, position), so a checkpoint needs to store
 * only the position and a resumed run sees exactly the batches an uninterrupted one would. The trainer owns
 * the seed (the run's one seed) and the position; the source holds no cursor of its own.
 *
 * @param <B> the batch type
 */
public interface BatchSource<B extends Batch> {

    /**
     * Where in the data stream a run is: pass {@code epoch}, batch {@code index} within it.
     * {@link #start()} is (0, 0).
     */
    record Position(long epoch, long index) {
        public Position {
            if (epoch < 0 || index < 0) throw new IllegalArgumentException("data position must be ≥ 0, got (" + epoch + ", " + index + ")");
        }

        public static Position start() {
            return new Position(0, 0);
        }

        @Override
        public String toString() {
            return "epoch " + epoch + " batch " + index;
        }
    }

    /** The batch at {@code position} for {@code seed}; the same arguments always give the same batch. */
    B batch(long seed, Position position);

    /** The position after {@code position} (the next batch, or the first of the next epoch). */
    Position next(long seed, Position position);

    /**
     * A hash identifying the data (e.g. SHA-256 of the manifest or of the ordered keys), recorded in every run
     * record so a checkpoint says what it was trained on.
     */
    String manifestHash();
}
