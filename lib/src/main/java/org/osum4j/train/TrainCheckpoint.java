package org.osum4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.DType;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Training checkpoints on disk: {@code <out>/checkpoints/step-000123/} holding {@code model.safetensors}
 * (every parameter, trainable or not, so the folder loads on its own), {@code config.json} (the model's, when
 * it has one), {@code optimizer.safetensors} (AdamW moments {@code m.<name>}, {@code v.<name>} of the
 * trainable parameters only), {@code state.json} (step, optimizer step, RNG state, data position, non-finite
 * count) and {@code run.json} (run record + training config). Each is written into a temporary folder that is
 * then renamed, and the {@code latest} file naming the newest folder is replaced by a rename, so a crash at
 * any moment leaves the previous checkpoint complete and {@code latest} pointing at it. Only the last K
 * folders are kept.
 */
public final class TrainCheckpoint {

    public static final String DIR = "checkpoints";
    public static final String LATEST = "latest";
    public static final String MODEL = "model.safetensors";
    public static final String MODEL_CONFIG = "config.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "state.json";
    public static final String RUN = "run.json";
    private static final String TMP_PREFIX = ".tmp-";
    private static final String OLD_PREFIX = ".old-";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The trainer's state besides tensors: everything needed to continue bit-identically.
     *
     * @param step           optimizer steps taken (skipped non-finite steps included: they consume data and lr)
     * @param optimizerSteps AdamW updates applied (its bias-correction count)
     * @param rng            the trainer generator's 256-bit state
     * @param data           position of the next batch to read
     * @param nonFiniteInARow non-finite steps just before this point
     */
    public record State(long step, long optimizerSteps, long[] rng, BatchSource.Position data, int nonFiniteInARow) {
        public State {
            rng = rng.clone();
        }

        ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("step", step);
            o.put("optimizer_steps", optimizerSteps);
            ArrayNode r = o.putArray("rng_xoshiro256ss");
            for (long x : rng) r.add(Long.toUnsignedString(x));              // exact: JSON numbers may lose 64-bit values
            o.putObject("data_position").put("epoch", data.epoch()).put("index", data.index());
            o.put("non_finite_in_a_row", nonFiniteInARow);
            return o;
        }

        static State fromJson(JsonNode n, Path file) {
            try {
                long[] rng = new long[4];
                JsonNode r = n.get("rng_xoshiro256ss");
                if (r == null || r.size() != 4) throw new IllegalArgumentException("'rng_xoshiro256ss' must hold 4 values");
                for (int i = 0; i < 4; i++) rng[i] = Long.parseUnsignedLong(r.get(i).asText());
                JsonNode p = n.get("data_position");
                return new State(need(n, "step").asLong(), need(n, "optimizer_steps").asLong(), rng,
                        new BatchSource.Position(need(p, "epoch").asLong(), need(p, "index").asLong()),
                        need(n, "non_finite_in_a_row").asInt());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("checkpoint state " + file + ": " + e.getMessage(), e);
            }
        }

        private static JsonNode need(JsonNode n, String key) {
            if (n == null || !n.has(key)) throw new IllegalArgumentException("missing '" + key + "'");
            return n.get(key);
        }
    }

    /** A checkpoint read back: tensors by name (memory-mapped until copied), state and run record. */
    public record Loaded(Path dir, Map<String, TensorData> model, Map<String, TensorData> optimizer, State state, JsonNode run) {
    }

    private final Path root;            // <out>/checkpoints
    private final int keep;
    /** Test hook: runs after each file lands in the temporary folder (a throwing hook simulates a crash). */
    Consumer<Path> afterFileWritten = p -> { };

    public TrainCheckpoint(Path outputDir, int keep) {
        if (keep < 1) throw new IllegalArgumentException("keep must be ≥ 1, got " + keep);
        this.root = outputDir.resolve(DIR);
        this.keep = keep;
    }

    /** The folder name of a step. */
    public static String dirName(long step) {
        return String.format("step-%06d", step);
    }

    /** Writes one checkpoint atomically, points {@code latest} at it and prunes old ones; returns its folder. */
    public Path write(State state, Map<String, INDArray> parameters, Map<String, INDArray> optimizerState,
                      ObjectNode run, String modelConfigJson) {
        try {
            Files.createDirectories(root);
            String name = dirName(state.step());
            Path tmp = root.resolve(TMP_PREFIX + name);
            deleteLeftovers();                                            // of writes that crashed before
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Map<String, String> meta = Map.of("format", "pt", "step", Long.toString(state.step()));
            SafeTensors.write(tmp.resolve(MODEL), toTensors(parameters), meta);
            afterFileWritten.accept(tmp.resolve(MODEL));
            if (modelConfigJson != null) {
                Files.writeString(tmp.resolve(MODEL_CONFIG), modelConfigJson, StandardCharsets.UTF_8);
                afterFileWritten.accept(tmp.resolve(MODEL_CONFIG));
            }
            SafeTensors.write(tmp.resolve(OPTIMIZER), toTensors(optimizerState),
                    Map.of("optimizer", "AdamW", "optimizer_steps", Long.toString(state.optimizerSteps())));
            afterFileWritten.accept(tmp.resolve(OPTIMIZER));
            Files.writeString(tmp.resolve(STATE), JSON.writeValueAsString(state.toJson()), StandardCharsets.UTF_8);
            afterFileWritten.accept(tmp.resolve(STATE));
            Files.writeString(tmp.resolve(RUN), JSON.writeValueAsString(run), StandardCharsets.UTF_8);
            afterFileWritten.accept(tmp.resolve(RUN));

            Path dir = root.resolve(name);
            if (Files.exists(dir)) {                                      // the same step written again (after a resume)
                Path old = root.resolve(OLD_PREFIX + name);
                deleteTree(old);
                move(dir, old);
                move(tmp, dir);
                deleteTree(old);
            } else {
                move(tmp, dir);
            }
            Path latestTmp = root.resolve(TMP_PREFIX + LATEST);
            Files.writeString(latestTmp, name + "\n", StandardCharsets.UTF_8);
            move(latestTmp, root.resolve(LATEST));
            prune(name);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint of step " + state.step() + " under " + root + ": " + e.getMessage(), e);
        }
    }

    /** The folder {@code latest} names, if any checkpoint was completed. */
    public Optional<Path> latest() {
        return latestIn(root.getParent());
    }

    /** The latest checkpoint folder of an output folder (putting back a folder a crash left renamed aside). */
    public static Optional<Path> latestIn(Path outputDir) {
        Path pointer = outputDir.resolve(DIR).resolve(LATEST);
        if (!Files.isRegularFile(pointer)) return Optional.empty();
        try {
            String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
            Path dir = outputDir.resolve(DIR).resolve(name);
            Path old = outputDir.resolve(DIR).resolve(OLD_PREFIX + name);
            if (!Files.isDirectory(dir) && Files.isDirectory(old)) move(old, dir);   // crash while replacing the same step
            if (!Files.isDirectory(dir))
                throw new IllegalStateException(pointer + " names '" + name + "', which is not a checkpoint folder");
            return Optional.of(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + pointer + ": " + e.getMessage(), e);
        }
    }

    /** Steps of the complete checkpoints present, ascending. */
    public List<Long> steps() {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d+"))
                    .forEach(n -> out.add(Long.parseLong(n.substring(5))));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + root + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /**
     * Reads a checkpoint folder, or an output folder (its {@code latest} checkpoint); a missing file is an
     * error naming it.
     */
    public static Loaded load(Path dirOrOutput) {
        Path dir = dirOrOutput;
        if (!Files.isRegularFile(dir.resolve(STATE))) {
            dir = latestIn(dirOrOutput).orElseThrow(() -> new IllegalArgumentException(
                    dirOrOutput + " is neither a checkpoint folder (no " + STATE + ") nor an output folder with " + DIR + "/" + LATEST));
        }
        try {
            for (String f : List.of(MODEL, OPTIMIZER, STATE, RUN))
                if (!Files.isRegularFile(dir.resolve(f))) throw new IllegalArgumentException("checkpoint " + dir + ": missing " + f);
            State state = State.fromJson(JSON.readTree(dir.resolve(STATE).toFile()), dir.resolve(STATE));
            return new Loaded(dir, SafeTensors.read(dir.resolve(MODEL)).tensors(), SafeTensors.read(dir.resolve(OPTIMIZER)).tensors(),
                    state, JSON.readTree(dir.resolve(RUN).toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An ND4J array of a stored F32/F64 tensor (a copy, same bits). */
    public static INDArray toArray(TensorData t) {
        long[] shape = t.shape();
        INDArray flat = switch (t.dtype()) {
            case F32 -> Nd4j.createFromArray(t.toFloats());
            case F64 -> Nd4j.createFromArray(t.toDoubles());
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' is " + t.dtype() + "; checkpoints hold F32/F64 only");
        };
        return shape.length == 0 ? flat.reshape() : flat.reshape('c', shape);
    }

    /** Tensors of ND4J arrays (float → F32, double → F64; contiguous copies in C order). */
    static List<TensorData> toTensors(Map<String, INDArray> arrays) {
        List<TensorData> out = new ArrayList<>(arrays.size());
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            INDArray a = e.getValue();
            long[] shape = a.shape();
            if (a.dataType() == DataType.FLOAT) {
                out.add(TensorData.ofFloats(e.getKey(), shape, a.dup('c').data().asFloat()));
            } else if (a.dataType() == DataType.DOUBLE) {
                double[] v = a.dup('c').data().asDouble();
                ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                b.asDoubleBuffer().put(v);
                out.add(new TensorData(e.getKey(), DType.F64, shape, b));
            } else {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is " + a.dataType() + "; checkpoints hold FLOAT/DOUBLE only");
            }
        }
        return out;
    }

    /** Removes temporary folders and files of interrupted writes (never a complete checkpoint). */
    private void deleteLeftovers() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(TMP_PREFIX)).toList()) deleteTree(p);
        }
    }

    /** Deletes checkpoint folders beyond the newest {@code keep}, never {@code current}. */
    private void prune(String current) throws IOException {
        List<Long> steps = steps();
        for (int i = 0; i < steps.size() - keep; i++) {
            String n = dirName(steps.get(i));
            if (!n.equals(current)) deleteTree(root.resolve(n));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " cannot rename atomically; checkpoints need it", e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
