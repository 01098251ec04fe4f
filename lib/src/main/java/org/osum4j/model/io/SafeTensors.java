package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format: read (memory-mapped, every tensor a zero-copy slice) and write (atomically).
 *
 * <p>Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype","shape","data_offsets":[begin,end]}} (offsets relative to the first data byte),
 * an optional {@code "__metadata__"} string map, then the data. Sharded checkpoints
 * ({@code model.safetensors.index.json}) are handled by {@code Checkpoints}, not here.
 *
 * <p>A file larger than 2 GiB is mapped in several regions, one per tensor group, since one
 * {@link java.nio.MappedByteBuffer} cannot exceed 2 GiB.
 */
public final class SafeTensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private final Path file;
    private final Map<String, TensorData> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * An in-memory view over tensors that are already open (e.g. a sharded checkpoint renamed by
     * {@code NameMapping}), so that loaders taking a {@code SafeTensors} can read them; {@code label} is what
     * error messages name as the file. Nothing is copied.
     */
    public static SafeTensors of(Path label, Map<String, TensorData> tensors) {
        return new SafeTensors(label, Collections.unmodifiableMap(new LinkedHashMap<>(tensors)), Map.of());
    }

    /** Opens and memory-maps a safetensors file; bad headers give an error naming the file. */
    public static SafeTensors read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file (" + size + " bytes, need at least 8)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n <= 0 || n > MAX_HEADER || 8 + n > size) {
                throw new IOException(file + ": bad safetensors header length " + n + " (file has " + size + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IOException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
            }
            if (!header.isObject()) {
                throw new IOException(file + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + n;
            long dataLen = size - dataStart;
            Map<String, String> meta = new LinkedHashMap<>();
            List<Object[]> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode v = e.getValue();
                if (name.equals("__metadata__")) {
                    v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                String where = file + ": tensor '" + name + "'";
                if (!v.has("dtype") || !v.has("shape") || !v.has("data_offsets")) {
                    throw new IOException(where + ": header entry needs dtype, shape and data_offsets");
                }
                DType dtype = DType.parse(v.get("dtype").asText(), where);
                long[] shape = new long[v.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = v.get("shape").get(i).asLong();
                    if (shape[i] < 0) throw new IOException(where + ": negative dimension in shape");
                }
                long begin = v.get("data_offsets").get(0).asLong();
                long end = v.get("data_offsets").get(1).asLong();
                long expected = TensorData.numel(shape) * dtype.bytes;
                if (begin < 0 || end < begin || end > dataLen) {
                    throw new IOException(where + ": data_offsets [" + begin + ", " + end
                            + "] outside the data section of " + dataLen + " bytes (truncated file?)");
                }
                if (end - begin != expected) {
                    throw new IOException(where + ": " + (end - begin) + " bytes for " + dtype + " "
                            + java.util.Arrays.toString(shape) + ", expected " + expected);
                }
                entries.add(new Object[]{name, dtype, shape, begin, end});
            }
            Map<String, TensorData> out = new LinkedHashMap<>();
            // Map in regions of at most ~1 GiB so files over 2 GiB work.
            entries.sort((a, b) -> Long.compare((Long) a[3], (Long) b[3]));
            final long region = 1L << 30;
            int i = 0;
            while (i < entries.size()) {
                long regStart = (Long) entries.get(i)[3];
                int j = i;
                long regEnd = regStart;
                while (j < entries.size() && ((Long) entries.get(j)[4] - regStart <= region || j == i)) {
                    regEnd = Math.max(regEnd, (Long) entries.get(j)[4]);
                    j++;
                }
                ByteBuffer map = regEnd > regStart
                        ? ch.map(FileChannel.MapMode.READ_ONLY, dataStart + regStart, regEnd - regStart)
                        : ByteBuffer.allocate(0);
                for (int k = i; k < j; k++) {
                    Object[] e = entries.get(k);
                    long b = (Long) e[3] - regStart;
                    long en = (Long) e[4] - regStart;
                    ByteBuffer slice = map.duplicate().position((int) b).limit((int) en).slice();
                    out.put((String) e[0], new TensorData((String) e[0], (DType) e[1], (long[]) e[2], slice));
                }
                i = j;
            }
            // Keep header order for iteration.
            Map<String, TensorData> ordered = new LinkedHashMap<>();
            for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (out.containsKey(name)) ordered.put(name, out.get(name));
            }
            return new SafeTensors(file, Collections.unmodifiableMap(ordered), Collections.unmodifiableMap(meta));
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) throw new IOException("unexpected end of file");
        }
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /** Tensor names in header order ({@code __metadata__} excluded). */
    public Collection<String> names() {
        return tensors.keySet();
    }

    public Map<String, TensorData> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor with this name, or an error naming the file and the tensor. */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(file + ": no tensor named '" + name + "' (has " + tensors.size()
                    + " tensors" + (tensors.size() <= 12 ? ": " + tensors.keySet() : "") + ")");
        }
        return t;
    }

    /**
     * Writes tensors to {@code file} atomically (a temporary file in the same folder, then a rename), in
     * sorted-name order with the header padded to a multiple of 8 bytes, as the reference writer does.
     */
    public static void write(Path file, Collection<TensorData> tensors, Map<String, String> metadata) throws IOException {
        List<Planned> planned = new ArrayList<>();
        for (TensorData t : tensors) planned.add(new Planned(t.name(), t.dtype(), t.shape(), t::data));
        writePlanned(file, planned, metadata);
    }

    /**
     * A tensor to be written whose bytes are produced only when the writer reaches it, so that a converted
     * copy (e.g. F32 to BF16) lives in the heap one tensor at a time.
     */
    record Planned(String name, DType dtype, long[] shape, java.util.function.Supplier<ByteBuffer> data) {
    }

    static void writePlanned(Path file, Collection<Planned> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Planned> sorted = new TreeMap<>();
        for (Planned t : tensors) {
            if (sorted.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "' writing " + file);
            }
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Planned t : sorted.values()) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().name());
            var shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            long len = TensorData.numel(t.shape()) * t.dtype().bytes;
            var off = e.putArray("data_offsets");
            off.add(offset);
            off.add(offset + len);
            offset += len;
        }
        byte[] hjson = JSON.writeValueAsBytes(header);
        int padded = (hjson.length + 7) / 8 * 8;
        byte[] hbytes = new byte[padded];
        System.arraycopy(hjson, 0, hbytes, 0, hjson.length);
        for (int i = hjson.length; i < padded; i++) hbytes[i] = ' ';

        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(hbytes));
            for (Planned t : sorted.values()) {
                ByteBuffer data = t.data().get().duplicate();
                long expected = TensorData.numel(t.shape()) * t.dtype().bytes;
                if (data.remaining() != expected) {
                    throw new IllegalStateException("tensor '" + t.name() + "': " + data.remaining()
                            + " bytes produced, header says " + expected + " (writing " + file + ")");
                }
                writeFully(ch, data);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Writes to an output stream (not atomic; for in-memory use and tests). */
    public static void write(OutputStream out, Collection<TensorData> tensors) throws IOException {
        Path tmp = Files.createTempFile("osum4j-", ".safetensors");
        try {
            write(tmp, tensors, Map.of());
            Files.copy(tmp, out);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
