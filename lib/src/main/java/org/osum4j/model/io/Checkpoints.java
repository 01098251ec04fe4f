package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds and opens model weights in whatever layout they come: one safetensors file, a sharded safetensors
 * folder ({@code model.safetensors.index.json} + {@code model-0000i-of-0000N.safetensors}), a torch
 * checkpoint ({@code infer.pt}, {@code pytorch_model.bin}, also sharded with {@code pytorch_model.bin.index.json}).
 * The result is a lazy name-to-tensor map: a shard is opened (memory-mapped, never copied to the heap) the
 * first time one of its tensors is asked for. The writer side makes sharded safetensors for {@code ./osum
 * convert}, optionally narrowing F32 to BF16 one tensor at a time. Name mapping is {@link NameMapping}'s job.
 */
public final class Checkpoints {

    public static final String SAFETENSORS_INDEX = "model.safetensors.index.json";
    public static final String TORCH_INDEX = "pytorch_model.bin.index.json";
    public static final String SINGLE_SAFETENSORS = "model.safetensors";
    /** Hugging Face's default shard size, 5 GB (decimal, as in {@code max_shard_size="5GB"}). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ZIP_MAGIC = 0x04034b50;

    private Checkpoints() {
    }

    /**
     * Opens a checkpoint file or folder. A folder is searched in this order: {@value #SAFETENSORS_INDEX},
     * {@value #SINGLE_SAFETENSORS}, {@value #TORCH_INDEX}, then a single {@code *.safetensors},
     * {@code *.pt}, {@code *.pth} or {@code *.bin} file. Torch files nested under DeepSpeed's
     * {@code module} (or {@code model}, {@code state_dict}) key are unwrapped.
     */
    public static Weights open(Path fileOrDir) throws IOException {
        if (Files.isDirectory(fileOrDir)) return openDir(fileOrDir);
        if (!Files.isRegularFile(fileOrDir)) throw new IOException(fileOrDir + ": no such checkpoint file or folder");
        String n = fileOrDir.getFileName().toString();
        if (n.endsWith(".index.json")) return openIndex(fileOrDir);
        return single(fileOrDir);
    }

    private static Weights openDir(Path dir) throws IOException {
        for (String name : List.of(SAFETENSORS_INDEX, SINGLE_SAFETENSORS, TORCH_INDEX)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return open(p);
        }
        List<Path> candidates = new ArrayList<>();
        List<String> all = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                all.add(n);
                if (Files.isRegularFile(p) && (n.endsWith(".safetensors") || n.endsWith(".pt") || n.endsWith(".pth")
                        || n.endsWith(".bin") || n.endsWith(".index.json"))) {
                    candidates.add(p);
                }
            }
        }
        Collections.sort(candidates);
        List<Path> indexes = candidates.stream().filter(p -> p.toString().endsWith(".index.json")).toList();
        if (indexes.size() == 1) return openIndex(indexes.get(0));
        if (candidates.size() == 1) return single(candidates.get(0));
        Collections.sort(all);
        throw new IOException(dir + ": cannot tell which checkpoint to load: expected " + SAFETENSORS_INDEX + ", "
                + SINGLE_SAFETENSORS + ", " + TORCH_INDEX + " or exactly one weights file, found "
                + (candidates.isEmpty() ? "none among " + all : candidates.stream().map(p -> p.getFileName().toString()).toList()));
    }

    private static Weights single(Path file) throws IOException {
        Map<String, TensorData> tensors = readFile(file);
        Map<String, Path> where = new LinkedHashMap<>();
        for (String n : tensors.keySet()) where.put(n, file);
        Weights w = new Weights(file, where);
        w.loaded.put(file, tensors);
        return w;
    }

    private static Weights openIndex(Path index) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new IOException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode wm = root == null ? null : root.get("weight_map");
        if (wm == null || !wm.isObject() || wm.isEmpty()) {
            throw new IOException(index + ": no \"weight_map\" object (name -> shard file)");
        }
        Path dir = index.toAbsolutePath().getParent();
        Map<String, Path> where = new LinkedHashMap<>();
        Set<Path> missing = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wm.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Path shard = dir.resolve(e.getValue().asText()).normalize();
            if (!shard.startsWith(dir)) throw new IOException(index + ": shard path '" + e.getValue().asText() + "' leaves the folder");
            if (!Files.isRegularFile(shard)) missing.add(shard.getFileName());
            where.put(e.getKey(), shard);
        }
        if (!missing.isEmpty()) throw new IOException(index + ": shard files listed in weight_map are missing: " + missing);
        return new Weights(index, where);
    }

    /** Reads one weights file, torch zip or safetensors, told apart by the first bytes. */
    static Map<String, TensorData> readFile(Path file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(head, 0);
        }
        if (head.position() == 4 && head.getInt(0) == ZIP_MAGIC) return TorchCheckpoint.load(file);
        String n = file.getFileName().toString();
        if (n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".bin")) return TorchCheckpoint.load(file); // its error
        return SafeTensors.read(file).tensors();
    }

    /**
     * A read-only, lazily loaded name-to-tensor view of a checkpoint. Iteration order is the file's (or the
     * index's) order. Each shard is opened at most once, when a tensor in it is first requested.
     */
    public static final class Weights extends AbstractMap<String, TensorData> {
        private final Path source;
        private final Map<String, Path> where;
        private final Map<Path, Map<String, TensorData>> loaded = new HashMap<>();

        private Weights(Path source, Map<String, Path> where) {
            this.source = source;
            this.where = Collections.unmodifiableMap(where);
        }

        /** The file (or index file) this view was opened from. */
        public Path source() {
            return source;
        }

        /** The distinct files holding the tensors, in first-use order. */
        public List<Path> files() {
            return new ArrayList<>(new LinkedHashSet<>(where.values()));
        }

        /** How many files have been opened so far (for tests and progress displays). */
        public synchronized int openedFiles() {
            return loaded.size();
        }

        /** The file holding {@code name}, without opening it. */
        public Path fileOf(String name) {
            Path p = where.get(name);
            if (p == null) throw new IllegalArgumentException(source + ": no tensor named '" + name + "'");
            return p;
        }

        @Override
        public boolean containsKey(Object key) {
            return where.containsKey(key);
        }

        @Override
        public Set<String> keySet() {
            return where.keySet();
        }

        @Override
        public int size() {
            return where.size();
        }

        @Override
        public TensorData get(Object key) {
            Path file = where.get(key);
            if (file == null) return null;
            TensorData t = shard(file).get(key);
            if (t == null) {
                throw new IllegalStateException(source + " lists '" + key + "' in " + file.getFileName()
                        + ", but that file has no such tensor");
            }
            return t;
        }

        /** Like {@link #get} but an absent name is an error naming the checkpoint. */
        public TensorData require(String name) {
            TensorData t = get(name);
            if (t == null) {
                throw new IllegalArgumentException(source + ": no tensor named '" + name + "' (has " + where.size() + " tensors)");
            }
            return t;
        }

        private synchronized Map<String, TensorData> shard(Path file) {
            Map<String, TensorData> m = loaded.get(file);
            if (m == null) {
                try {
                    m = readFile(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                loaded.put(file, m);
            }
            return m;
        }

        @Override
        public Set<Entry<String, TensorData>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, TensorData>> iterator() {
                    Iterator<String> names = where.keySet().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return names.hasNext();
                        }

                        @Override
                        public Entry<String, TensorData> next() {
                            String n = names.next();
                            return new SimpleImmutableEntry<>(n, get(n));
                        }
                    };
                }

                @Override
                public int size() {
                    return where.size();
                }
            };
        }
    }

    // ---- writing -----------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} (in their iteration order) as {@code model-0000i-of-0000N.safetensors} shards of
     * at most {@code maxShardBytes} each (a larger tensor gets a shard of its own) plus
     * {@value #SAFETENSORS_INDEX}. Every file is written to a temporary name and renamed; the index comes
     * last, so a reader never sees an index naming a half-written shard. Shards of an earlier write that the
     * new index does not name are deleted afterwards. With {@code f32ToBf16}, F32 tensors are stored as BF16
     * (round to nearest even), converted one tensor at a time while writing.
     *
     * @return the shard files written, in order
     */
    public static List<Path> writeSharded(Path dir, Collection<TensorData> tensors, long maxShardBytes,
                                          boolean f32ToBf16, Map<String, String> metadata) throws IOException {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        List<List<SafeTensors.Planned>> shards = new ArrayList<>();
        List<SafeTensors.Planned> cur = new ArrayList<>();
        long curBytes = 0;
        long total = 0;
        Set<String> seen = new LinkedHashSet<>();
        for (TensorData t : tensors) {
            if (!seen.add(t.name())) throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "' writing " + dir);
            SafeTensors.Planned p = plan(t, f32ToBf16);
            long bytes = TensorData.numel(p.shape()) * p.dtype().bytes;
            if (!cur.isEmpty() && curBytes + bytes > maxShardBytes) {
                shards.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(p);
            curBytes += bytes;
            total += bytes;
        }
        if (!cur.isEmpty() || shards.isEmpty()) shards.add(cur);

        Files.createDirectories(dir);
        int n = shards.size();
        Map<String, String> shardMeta = new LinkedHashMap<>();
        shardMeta.put("format", "pt");
        if (metadata != null) shardMeta.putAll(metadata);
        Map<String, String> weightMap = new TreeMap<>();
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, n);
            Path f = dir.resolve(name);
            SafeTensors.writePlanned(f, shards.get(i), shardMeta);
            for (SafeTensors.Planned p : shards.get(i)) weightMap.put(p.name(), name);
            written.add(f);
        }
        ObjectNode index = JSON.createObjectNode();
        ObjectNode meta = index.putObject("metadata");
        meta.put("total_size", total);
        if (metadata != null) metadata.forEach(meta::put);
        ObjectNode wm = index.putObject("weight_map");
        weightMap.forEach(wm::put);
        Path idx = dir.resolve(SAFETENSORS_INDEX);
        Path tmp = Files.createTempFile(dir, "." + SAFETENSORS_INDEX, ".tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), index);
            Files.move(tmp, idx, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        deleteStaleShards(dir, written);
        return written;
    }

    private static SafeTensors.Planned plan(TensorData t, boolean f32ToBf16) {
        if (f32ToBf16 && t.dtype() == DType.F32) {
            return new SafeTensors.Planned(t.name(), DType.BF16, t.shape(),
                    () -> TensorData.ofFloatsAsBf16(t.name(), t.shape(), t.toFloats()).data());
        }
        return new SafeTensors.Planned(t.name(), t.dtype(), t.shape(), t::data);
    }

    private static void deleteStaleShards(Path dir, List<Path> keep) throws IOException {
        Set<Path> k = new LinkedHashSet<>();
        for (Path p : keep) k.add(p.toAbsolutePath().normalize());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "model-*-of-*.safetensors")) {
            for (Path p : ds) {
                if (!k.contains(p.toAbsolutePath().normalize())) Files.deleteIfExists(p);
            }
        }
    }
}
