package org.osum4j.infer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.osum4j.run.RunRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Appends results one utterance at a time: each entry is one jsonl line written and flushed before
 * {@link #write} returns, so an interrupted run loses at most the line being written. {@link #resume} reopens
 * a file, cuts a partial last line, and tells the caller which keys are done. Every start or resume adds its
 * {@link RunRecord} to the sidecar ({@link Results#metaPath}), rewritten atomically. Not thread-safe.
 *
 * <pre>{@code
 * try (ResultsWriter w = ResultsWriter.resume(out, run)) {
 *     for (Utterance u : list) if (!w.isDone(u.key())) w.write(entry(u));
 * }
 * }</pre>
 */
public final class ResultsWriter implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final Set<String> done;
    private final boolean sync;

    private ResultsWriter(Path file, FileChannel channel, Set<String> done, boolean sync) {
        this.file = file;
        this.channel = channel;
        this.done = done;
        this.sync = sync;
    }

    /** Starts a new results file; refuses to overwrite one that has entries (use {@link #resume}). */
    public static ResultsWriter create(Path file, RunRecord run) {
        try {
            if (Files.exists(file) && Files.size(file) > 0)
                throw new IllegalArgumentException(file + ": results file exists and is not empty; resume it or choose another name");
            Path abs = file.toAbsolutePath();
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
            writeRuns(file, List.of(run));
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new ResultsWriter(file, ch, new LinkedHashSet<>(), false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot create results file", e);
        }
    }

    /**
     * Continues a results file (or starts it when absent): a cut-off last line is removed, the run record is
     * added to the sidecar, and {@link #doneKeys()} lists the keys already written.
     */
    public static ResultsWriter resume(Path file, RunRecord run) {
        if (!Files.exists(file)) return create(file, run);
        Results existing = ResultsReader.read(file);
        long keep = ResultsReader.validLength(file);
        try {
            List<RunRecord> runs = new java.util.ArrayList<>(ResultsReader.readRuns(file));
            runs.add(run);
            writeRuns(file, runs);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
            ch.truncate(keep);
            ch.position(keep);
            if (keep > 0 && !endsWithNewline(file, keep)) ch.write(ByteBuffer.wrap(new byte[]{'\n'}));
            return new ResultsWriter(file, ch, new LinkedHashSet<>(existing.doneKeys()), false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot resume results file", e);
        }
    }

    /** A copy that also forces each line to the disk (survives power loss, not only a killed process; slower). */
    public ResultsWriter syncEachLine() {
        return new ResultsWriter(file, channel, done, true);
    }

    public Path file() {
        return file;
    }

    /** Keys written so far (including those of earlier runs of a resumed file). */
    public Set<String> doneKeys() {
        return java.util.Collections.unmodifiableSet(done);
    }

    public boolean isDone(String key) {
        return done.contains(key);
    }

    /** Appends one entry as a line and flushes it; a key written before is an error. */
    public void write(Results.Entry entry) {
        if (done.contains(entry.key())) throw new IllegalArgumentException(file + ": key '" + entry.key() + "' already has a result");
        byte[] line = (Results.toLine(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) channel.write(buf);      // FileChannel writes go straight to the OS: no buffer to lose
            if (sync) channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append result for '" + entry.key() + "'", e);
        }
        done.add(entry.key());
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot close results file", e);
        }
    }

    private static boolean endsWithNewline(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, length - 1);
            return b.get(0) == '\n';
        }
    }

    /** Rewrites the sidecar with these run records (temp file + rename). */
    private static void writeRuns(Path file, List<RunRecord> runs) throws IOException {
        ObjectNode root = Results.JSON.createObjectNode();
        root.put("format", Results.FORMAT);
        ArrayNode arr = root.putArray("runs");
        for (RunRecord r : runs) arr.add(r.toJson());
        Path meta = Results.metaPath(file).toAbsolutePath();
        Path tmp = meta.resolveSibling(meta.getFileName() + "." + System.nanoTime() + ".tmp");
        try {
            Files.writeString(tmp, Results.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
            Files.move(tmp, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
