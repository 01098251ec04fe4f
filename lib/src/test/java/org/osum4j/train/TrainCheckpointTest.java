package org.osum4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint files: exact round trip, atomicity under a crash mid-write, keep-last-K, clear errors. */
class TrainCheckpointTest {

    @TempDir
    Path out;

    private static Map<String, INDArray> params(float base) {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("w", Nd4j.createFromArray(base, base + 1e-7f, -base, Float.MIN_VALUE, 3.4e38f, -0.0f).reshape(2, 3));   // [2, 3]
        p.put("b", Nd4j.createFromArray(new double[]{base, Math.PI}));                                          // [2] double
        return p;
    }

    private static TrainCheckpoint.State state(long step) {
        return new TrainCheckpoint.State(step, step - 1, new long[]{-1L, Long.MIN_VALUE, 42, 7}, new BatchSource.Position(2, step), 1);
    }

    private static ObjectNode run() {
        return new ObjectMapper().createObjectNode().put("model", "toy");
    }

    @Test
    void writeLoad_roundTripsTensorsAndStateExactly() {
        TrainCheckpoint c = new TrainCheckpoint(out, 3);
        Map<String, INDArray> p = params(0.1f);
        Map<String, INDArray> moments = Map.of("m.w", p.get("w").mul(2), "v.w", p.get("w").mul(3));
        c.write(state(5), p, moments, run(), "{\"d\": 4}");
        TrainCheckpoint.Loaded l = TrainCheckpoint.load(out);
        assertEquals(out.resolve("checkpoints/step-000005"), l.dir());
        assertArrayEquals(p.get("w").dup().data().asFloat(), TrainCheckpoint.toArray(l.model().get("w")).data().asFloat());
        assertArrayEquals(new long[]{2, 3}, TrainCheckpoint.toArray(l.model().get("w")).shape());
        assertArrayEquals(p.get("b").data().asDouble(), TrainCheckpoint.toArray(l.model().get("b")).data().asDouble());
        assertEquals(2, l.optimizer().size());
        assertArrayEquals(new long[]{-1L, Long.MIN_VALUE, 42, 7}, l.state().rng());
        assertEquals(new BatchSource.Position(2, 5), l.state().data());
        assertEquals(4, l.state().optimizerSteps());
        assertEquals(1, l.state().nonFiniteInARow());
        assertEquals("toy", l.run().get("model").asText());
        assertTrue(Files.isRegularFile(l.dir().resolve(TrainCheckpoint.MODEL_CONFIG)));
    }

    @Test
    void crashMidWrite_previousCheckpointStaysLatestAndLoadable() {
        TrainCheckpoint c = new TrainCheckpoint(out, 3);
        c.write(state(3), params(1f), Map.of(), run(), null);
        for (String failAfter : List.of(TrainCheckpoint.MODEL, TrainCheckpoint.OPTIMIZER, TrainCheckpoint.STATE, TrainCheckpoint.RUN)) {
            c.afterFileWritten = f -> {
                if (f.getFileName().toString().equals(failAfter)) throw new UncheckedIOException(new java.io.IOException("disk gone after " + failAfter));
            };
            assertThrows(UncheckedIOException.class, () -> c.write(state(6), params(2f), Map.of(), run(), null));
            TrainCheckpoint.Loaded l = TrainCheckpoint.load(out);
            assertEquals(3, l.state().step(), "crash after " + failAfter);
            assertEquals(1f, TrainCheckpoint.toArray(l.model().get("w")).getFloat(0), "crash after " + failAfter);
            assertEquals(List.of(3L), c.steps(), "the half-written folder is not a checkpoint");
        }
        c.afterFileWritten = f -> { };
        c.write(state(6), params(2f), Map.of(), run(), null);                   // the next write succeeds and clears the leftover
        assertEquals(6, TrainCheckpoint.load(out).state().step());
        assertTrue(Files.notExists(out.resolve("checkpoints/.tmp-step-000006")));
        c.afterFileWritten = f -> { throw new UncheckedIOException(new java.io.IOException("crash")); };
        assertThrows(UncheckedIOException.class, () -> c.write(state(7), params(3f), Map.of(), run(), null));
        c.afterFileWritten = f -> { };
        c.write(state(8), params(3f), Map.of(), run(), null);
        assertTrue(Files.notExists(out.resolve("checkpoints/.tmp-step-000007")), "leftovers of other steps are cleared too");
    }

    @Test
    void crashWhileReplacingSameStep_latestRecoversTheOldFolder() throws Exception {
        TrainCheckpoint c = new TrainCheckpoint(out, 2);
        Path dir = c.write(state(4), params(1f), Map.of(), run(), null);
        Files.move(dir, out.resolve("checkpoints/.old-step-000004"));            // as if killed between the two renames
        assertEquals(dir, TrainCheckpoint.latestIn(out).orElseThrow());
        assertEquals(1f, TrainCheckpoint.toArray(TrainCheckpoint.load(out).model().get("w")).getFloat(0));
    }

    @Test
    void write_keepsOnlyLastK_andRewritesSameStep() {
        TrainCheckpoint c = new TrainCheckpoint(out, 2);
        for (long s : new long[]{1, 2, 3, 4}) c.write(state(s), params(s), Map.of(), run(), null);
        assertEquals(List.of(3L, 4L), c.steps());
        c.write(state(4), params(9f), Map.of(), run(), null);
        assertEquals(9f, TrainCheckpoint.toArray(TrainCheckpoint.load(out).model().get("w")).getFloat(0));
        assertEquals(List.of(3L, 4L), c.steps());
    }

    @Test
    void load_missingFile_namesIt() throws Exception {
        TrainCheckpoint c = new TrainCheckpoint(out, 2);
        Path dir = c.write(state(1), params(1f), Map.of(), run(), null);
        Files.delete(dir.resolve(TrainCheckpoint.OPTIMIZER));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainCheckpoint.load(dir));
        assertTrue(e.getMessage().contains(TrainCheckpoint.OPTIMIZER), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> TrainCheckpoint.load(out.resolve("nothing")));
        assertTrue(none.getMessage().contains("latest"), none.getMessage());
    }
}
