package org.osum4j.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a PyTorch {@code torch.save} checkpoint (the zip format of torch 1.6 and later: {@code <name>/data.pkl},
 * {@code <name>/data/<storage key>}, {@code <name>/version}) without Python, e.g. OSUM's {@code infer.pt}.
 *
 * <p>The pickle is run by {@link Pickle}, a small interpreter that knows only the globals a state dict needs
 * ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter},
 * the {@code torch.*Storage} classes, {@code torch.float32}...); anything else is refused with the file and
 * the name found, unless the checkpoint is opened with {@link #openLenient}. Tensors are zero-copy slices of
 * the memory-mapped zip entries when stored contiguously; strided views (transposes, narrowed slices) are
 * copied into row-major order. This is not a TorchScript or legacy (pre-1.6 tar/pickle) reader.
 *
 * <pre>{@code
 * Map<String, TensorData> sd = TorchCheckpoint.open(Path.of("infer.pt")).stateDict();
 * Map<String, TensorData> ds = TorchCheckpoint.open(p).stateDict("module");   // DeepSpeed model states
 * }</pre>
 */
public final class TorchCheckpoint {

    /** Keys under which training frameworks nest the weights (DeepSpeed, Lightning, many scripts). */
    public static final List<String> WRAPPER_KEYS = List.of("module", "model", "state_dict", "model_state_dict");

    private final Path file;
    private final Object root;

    private TorchCheckpoint(Path file, Object root) {
        this.file = file;
        this.root = root;
    }

    /** Opens a checkpoint; any global outside the state-dict subset is an error naming it. */
    public static TorchCheckpoint open(Path file) throws IOException {
        return open(file, false);
    }

    /**
     * Opens a checkpoint whose non-weight parts (optimizer settings, argparse namespaces, numpy scalars...)
     * use classes this reader does not know: they become opaque {@link PyObject}s. Tensors still must be
     * one of the known forms.
     */
    public static TorchCheckpoint openLenient(Path file) throws IOException {
        return open(file, true);
    }

    /**
     * The state dict of {@code file}, unwrapping one of the {@link #WRAPPER_KEYS} when the root is not flat.
     * Unknown classes outside the weights (DeepSpeed's or a trainer's bookkeeping) are tolerated as in
     * {@link #openLenient}; inside the chosen dict every value must still be a tensor.
     */
    public static Map<String, TensorData> load(Path file) throws IOException {
        TorchCheckpoint c = openLenient(file);
        if (c.root instanceof Map<?, ?> m && !isTensorDict(m)) {
            for (String k : WRAPPER_KEYS) {
                if (m.get(k) instanceof Map<?, ?> inner && isTensorDict(inner)) return c.stateDict(k);
            }
        }
        return c.stateDict();
    }

    /**
     * Storages up to this size are mapped whole, once, so that tensors sharing a storage share the mapping;
     * a larger storage (e.g. a DeepSpeed flat buffer behind many parameter views) is mapped per tensor view.
     */
    static final long WHOLE_STORAGE_MAP_LIMIT = 1L << 30;

    private static TorchCheckpoint open(Path file, boolean lenient) throws IOException {
        return open(file, lenient, WHOLE_STORAGE_MAP_LIMIT);
    }

    static TorchCheckpoint open(Path file, boolean lenient, long wholeMapLimit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(head, 0);
            if (head.position() == 4 && head.getInt(0) != 0x04034b50) {
                int b0 = head.get(0) & 0xff;
                throw new IOException(file + ": not a zip-format torch checkpoint" + (b0 == 0x80
                        ? " (it starts with a raw pickle: the legacy torch.save format of torch < 1.6 or"
                        + " _use_new_zipfile_serialization=False; re-save it with a newer torch or convert it"
                        + " to safetensors)" : String.format(" (first byte 0x%02x)", b0)));
            }
            TorchZip zip = TorchZip.open(file, ch);
            String prefix = archivePrefix(zip);
            checkByteOrder(zip, prefix);
            TorchZip.Entry pkl = zip.entries().get(prefix + "data.pkl");
            Loader loader = new Loader(zip, prefix, lenient, wholeMapLimit);
            String where = file + " (" + pkl.name() + ")";
            Object root = Pickle.load(zip.bytes(pkl), where, loader::resolve, loader::persistentLoad);
            return new TorchCheckpoint(file, root);
        }
    }

    /** The folder inside the zip that holds data.pkl (torch names it after the file: "archive", "infer"...). */
    private static String archivePrefix(TorchZip zip) throws IOException {
        String found = null;
        for (String name : zip.entries().keySet()) {
            if (name.endsWith("/constants.pkl") || name.contains("/code/")) {
                throw new IOException(zip.file() + ": a TorchScript archive (torch.jit.save), not a torch.save"
                        + " state dict");
            }
            if (name.endsWith("data.pkl") && name.indexOf('/') == name.length() - "data.pkl".length() - 1) {
                if (found != null) throw new IOException(zip.file() + ": two data.pkl entries: " + found + ", " + name);
                found = name;
            }
        }
        if (found == null) {
            throw new IOException(zip.file() + ": zip has no <name>/data.pkl entry, so it is not a torch.save"
                    + " checkpoint (entries: " + first(zip.entries().keySet(), 8) + ")");
        }
        return found.substring(0, found.length() - "data.pkl".length());
    }

    private static void checkByteOrder(TorchZip zip, String prefix) throws IOException {
        TorchZip.Entry e = zip.entries().get(prefix + "byteorder");
        if (e == null) return; // before torch 2.1 the order was always little-endian and not recorded
        ByteBuffer b = zip.bytes(e);
        byte[] s = new byte[b.remaining()];
        b.get(s);
        String order = new String(s, StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
            throw new IOException(zip.file() + ": byteorder '" + order + "' (only little-endian checkpoints are supported)");
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The unpickled object: Map (dict/OrderedDict), List (list; tuples are unmodifiable lists), Long, Double,
     * String, Boolean, null, byte[], {@link TensorData}, {@link DType} (a pickled torch dtype) or {@link PyObject}.
     */
    public Object root() {
        return root;
    }

    /** The root as a flat name-to-tensor map; a nested root gives an error listing its keys. */
    public Map<String, TensorData> stateDict() {
        return stateDict(new String[0]);
    }

    /**
     * The name-to-tensor dict found by following {@code path} from the root, e.g. {@code stateDict("module")}
     * for DeepSpeed's {@code mp_rank_00_model_states.pt}. Tensors are renamed to their keys.
     */
    public Map<String, TensorData> stateDict(String... path) {
        Object o = root;
        StringBuilder at = new StringBuilder("root");
        for (String key : path) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(file + ": " + at + " is " + Pickle.describe(o) + ", not a dict");
            }
            if (!m.containsKey(key)) {
                throw new IllegalArgumentException(file + ": " + at + " has no key '" + key + "' (keys: "
                        + first(m.keySet(), 12) + ")");
            }
            o = m.get(key);
            at.append("['").append(key).append("']");
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(file + ": " + at + " is " + Pickle.describe(o) + ", not a state dict");
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new IllegalArgumentException(file + ": " + at + " has a non-string key " + Pickle.describe(e.getKey()));
            }
            Object v = e.getValue();
            if (v instanceof TensorData t) {
                out.put(name, new TensorData(name, t.dtype(), t.shape(), t.data()));
            } else if (v instanceof Map<?, ?>) {
                throw new IllegalArgumentException(file + ": " + at + "['" + name + "'] is a nested dict, not a tensor;"
                        + " pick the nested state dict with stateDict(..., \"" + name + "\") (keys here: "
                        + first(m.keySet(), 12) + ")");
            } else {
                throw new IllegalArgumentException(file + ": " + at + "['" + name + "'] is " + Pickle.describe(v)
                        + ", not a tensor");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static boolean isTensorDict(Map<?, ?> m) {
        if (m.isEmpty()) return false;
        for (Object v : m.values()) if (!(v instanceof TensorData)) return false;
        return true;
    }

    private static String first(java.util.Collection<?> c, int n) {
        List<String> s = new ArrayList<>();
        for (Object o : c) {
            if (s.size() == n) {
                s.add("... " + (c.size() - n) + " more");
                break;
            }
            s.add(String.valueOf(o));
        }
        return s.toString();
    }

    // ---- objects a checkpoint may contain besides tensors -------------------------------------------

    /**
     * An instance of a class this reader does not know (only with {@link #openLenient}): its qualified
     * class name, constructor arguments and pickled state.
     */
    public static final class PyObject implements Pickle.Buildable {
        private final String type;
        private final List<Object> args;
        private Object state;

        PyObject(String type, List<Object> args) {
            this.type = type;
            this.args = args;
        }

        public String type() {
            return type;
        }

        public List<Object> args() {
            return args;
        }

        public Object state() {
            return state;
        }

        @Override
        public void build(Object s) {
            state = s;
        }

        @Override
        public String toString() {
            return type + args;
        }
    }

    /** A class or function global the lenient reader does not know; calling it makes a {@link PyObject}. */
    private record OpaqueGlobal(String qualname) implements Pickle.Callable {
        @Override
        public Object call(List<Object> args) {
            return new PyObject(qualname, args);
        }
    }

    /** A torch storage class ({@code torch.FloatStorage}...), carrying the element type. */
    private record StorageType(String qualname, DType dtype) {
    }

    /** A torch class used only as a type tag, e.g. {@code torch.Tensor} in {@code _rebuild_from_type_v2}. */
    private record TypeTag(String qualname) implements Pickle.Callable {
        @Override
        public Object call(List<Object> args) {
            throw new IllegalArgumentException("cannot construct " + qualname + " directly");
        }
    }

    /**
     * One storage: element type and length, and either all its bytes ({@code whole}: mapped or inflated) or,
     * for a large stored entry, where its data starts in the file so that each view maps its own window.
     */
    private record Storage(String key, DType dtype, long numel, ByteBuffer whole, TorchZip.Entry entry, long dataOffset) {
        /** The same bytes read as another element type (torch's untyped storages of _rebuild_tensor_v3). */
        Storage as(DType d) {
            return d == dtype ? this : new Storage(key, d, numel * dtype.bytes / d.bytes, whole, entry, dataOffset);
        }
    }

    private static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("DoubleStorage", DType.F64), Map.entry("FloatStorage", DType.F32),
            Map.entry("HalfStorage", DType.F16), Map.entry("BFloat16Storage", DType.BF16),
            Map.entry("LongStorage", DType.I64), Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16), Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8), Map.entry("BoolStorage", DType.BOOL),
            Map.entry("UntypedStorage", DType.U8));

    private static final Map<String, DType> TORCH_DTYPES = Map.ofEntries(
            Map.entry("float64", DType.F64), Map.entry("double", DType.F64),
            Map.entry("float32", DType.F32), Map.entry("float", DType.F32),
            Map.entry("float16", DType.F16), Map.entry("half", DType.F16),
            Map.entry("bfloat16", DType.BF16),
            Map.entry("int64", DType.I64), Map.entry("long", DType.I64),
            Map.entry("int32", DType.I32), Map.entry("int", DType.I32),
            Map.entry("int16", DType.I16), Map.entry("short", DType.I16),
            Map.entry("int8", DType.I8), Map.entry("uint8", DType.U8), Map.entry("bool", DType.BOOL));

    /** Resolves globals and persistent ids for one checkpoint; storages are mapped once each. */
    private static final class Loader {
        private final TorchZip zip;
        private final String prefix;
        private final boolean lenient;
        private final long wholeMapLimit;
        private final Map<String, Storage> storages = new HashMap<>();

        Loader(TorchZip zip, String prefix, boolean lenient, long wholeMapLimit) {
            this.zip = zip;
            this.prefix = prefix;
            this.lenient = lenient;
            this.wholeMapLimit = wholeMapLimit;
        }

        Object resolve(String module, String name) {
            String q = module + "." + name;
            switch (q) {
                case "collections.OrderedDict", "builtins.dict", "__builtin__.dict":
                    return (Pickle.Callable) args -> {
                        Map<Object, Object> m = new LinkedHashMap<>();
                        if (!args.isEmpty() && args.get(0) instanceof List<?> pairs) {
                            for (Object p : pairs) {
                                List<?> kv = (List<?>) p;
                                m.put(kv.get(0), kv.get(1));
                            }
                        }
                        return m;
                    };
                case "builtins.set", "__builtin__.set", "builtins.frozenset", "__builtin__.frozenset":
                    return (Pickle.Callable) args -> new java.util.LinkedHashSet<>(
                            args.isEmpty() ? List.of() : (List<?>) args.get(0));
                case "_codecs.encode": // protocol 2 pickles bytes as _codecs.encode(str, 'latin1')
                    return (Pickle.Callable) args -> ((String) args.get(0)).getBytes(StandardCharsets.ISO_8859_1);
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
                    return (Pickle.Callable) this::rebuildTensor;
                case "torch._utils._rebuild_tensor_v3": // (..., backward_hooks, dtype[, metadata]): dtype given explicitly
                    return (Pickle.Callable) args -> {
                        if (args.size() < 7 || !(args.get(6) instanceof DType d) || !(args.get(0) instanceof Storage s)) {
                            throw new IllegalArgumentException("_rebuild_tensor_v3: expected (storage, offset, size, stride,"
                                    + " requires_grad, hooks, dtype, ...), got " + args.size() + " arguments");
                        }
                        List<Object> v2 = new ArrayList<>(args);
                        v2.set(0, s.as(d));
                        return rebuildTensor(v2);
                    };
                case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
                    return (Pickle.Callable) args -> tensorArg(args.get(0), "_rebuild_parameter");
                case "torch._tensor._rebuild_from_type_v2":
                    // (func, type, args, state): a tensor (subclass) rebuilt by func(*args); the type is dropped
                    return (Pickle.Callable) args -> ((Pickle.Callable) args.get(0)).call(castList(args.get(2)));
                case "torch.Tensor", "torch.nn.parameter.Parameter", "torch._tensor.Tensor":
                    return new TypeTag(q);
                case "torch.Size":
                    return (Pickle.Callable) args -> args.isEmpty() ? Pickle.tuple() : args.get(0);
                case "torch.device":
                    return (Pickle.Callable) args -> args.isEmpty() ? "cpu" : String.valueOf(args.get(0))
                            + (args.size() > 1 ? ":" + args.get(1) : "");
                default:
                    break;
            }
            if ((module.equals("torch") || module.equals("torch.cuda")) && STORAGE_TYPES.containsKey(name)) {
                return new StorageType(q, STORAGE_TYPES.get(name));
            }
            if (module.equals("torch") && TORCH_DTYPES.containsKey(name)) {
                return TORCH_DTYPES.get(name);
            }
            if (lenient) return new OpaqueGlobal(q);
            throw new IllegalArgumentException("global '" + q + "' is outside the state-dict subset this reader"
                    + " understands (OrderedDict, torch tensors/parameters/storages/dtypes); if it belongs to"
                    + " non-weight data, open the file with TorchCheckpoint.openLenient");
        }

        /** ('storage', storage_type, key, location, numel) -> the storage's bytes. */
        Object persistentLoad(Object pid) {
            if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))) {
                throw new IllegalArgumentException("persistent id " + Pickle.describe(pid)
                        + " is not a ('storage', type, key, location, numel) tuple");
            }
            if (!(t.get(1) instanceof StorageType type)) {
                throw new IllegalArgumentException("storage type " + Pickle.describe(t.get(1)) + " is not a torch storage class");
            }
            String key = String.valueOf(t.get(2));
            long numel = ((Number) t.get(4)).longValue();
            Storage cached = storages.get(key);
            if (cached != null) {
                if (cached.dtype != type.dtype) {
                    throw new IllegalArgumentException("storage '" + key + "' used as both " + cached.dtype + " and " + type.dtype);
                }
                return cached;
            }
            TorchZip.Entry e = zip.entries().get(prefix + "data/" + key);
            if (e == null) {
                throw new IllegalArgumentException("storage '" + key + "' has no zip entry " + prefix + "data/" + key
                        + " (truncated or incomplete checkpoint)");
            }
            long need = numel * type.dtype.bytes;
            if (e.size() < need) {
                throw new IllegalArgumentException("storage '" + key + "' (" + type.qualname + ", " + numel
                        + " elements) needs " + need + " bytes but its entry has " + e.size());
            }
            Storage s;
            try {
                s = TorchZip.isStored(e) && e.size() > wholeMapLimit
                        ? new Storage(key, type.dtype, numel, null, e, zip.dataOffset(e))
                        : new Storage(key, type.dtype, numel, zip.bytes(e), e, -1);
            } catch (IOException ex) {
                throw new IllegalArgumentException(ex.getMessage(), ex);
            }
            storages.put(key, s);
            return s;
        }

        /** _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]). */
        private Object rebuildTensor(List<Object> args) {
            if (args.size() < 4 || !(args.get(0) instanceof Storage s)) {
                throw new IllegalArgumentException("_rebuild_tensor: expected (storage, offset, size, stride, ...), got "
                        + args.size() + " arguments starting with " + Pickle.describe(args.isEmpty() ? null : args.get(0)));
            }
            long offset = ((Number) args.get(1)).longValue();
            long[] size = longs(args.get(2));
            long[] stride = longs(args.get(3));
            if (size.length != stride.length) {
                throw new IllegalArgumentException("storage '" + s.key + "': size " + Arrays.toString(size)
                        + " and stride " + Arrays.toString(stride) + " differ in rank");
            }
            return view(s, offset, size, stride);
        }

        private TensorData view(Storage s, long offset, long[] size, long[] stride) {
            long numel = TensorData.numel(size);
            int eb = s.dtype.bytes;
            String where = "storage '" + s.key + "' view offset " + offset + " size " + Arrays.toString(size)
                    + " stride " + Arrays.toString(stride);
            if (numel == 0) return new TensorData(s.key, s.dtype, size, ByteBuffer.allocate(0));
            long last = offset;
            for (int i = 0; i < size.length; i++) {
                if (stride[i] < 0) throw new IllegalArgumentException(where + ": negative stride");
                last += (size[i] - 1) * stride[i];
            }
            if (offset < 0 || last >= s.numel) {
                throw new IllegalArgumentException(where + ": reaches element " + last + " of a storage with "
                        + s.numel + " elements");
            }
            ByteBuffer bytes = s.whole;
            long base = offset; // element index of the view's first element within `bytes`
            if (bytes == null) { // large storage: map just the window this view touches
                try {
                    bytes = zip.map(s.entry, s.dataOffset, offset * eb, (last - offset + 1) * eb);
                } catch (IOException ex) {
                    throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
                }
                base = 0;
            }
            if (isContiguous(size, stride)) { // zero-copy slice of the mapped entry
                ByteBuffer b = bytes.duplicate().position(Math.toIntExact(base * eb))
                        .limit(Math.toIntExact((base + numel) * eb)).slice();
                return new TensorData(s.key, s.dtype, size, b);
            }
            return new TensorData(s.key, s.dtype, size, copyStrided(bytes, eb, base, size, stride));
        }

        /** Row-major strides, ignoring dimensions of size 1 (their stride never matters). */
        private static boolean isContiguous(long[] size, long[] stride) {
            long expected = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                if (size[i] != 1 && stride[i] != expected) return false;
                expected *= size[i];
            }
            return true;
        }

        /** Gathers a strided view into a fresh row-major buffer, copying contiguous innermost runs at once. */
        private static ByteBuffer copyStrided(ByteBuffer src, int eb, long offset, long[] size, long[] stride) {
            int rank = size.length;
            long numel = TensorData.numel(size);
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(numel * eb)).order(ByteOrder.LITTLE_ENDIAN);
            boolean innerRun = stride[rank - 1] == 1;
            int run = innerRun ? Math.toIntExact(size[rank - 1]) : 1;
            int outer = innerRun ? rank - 1 : rank;
            long[] idx = new long[outer];
            byte[] buf = new byte[run * eb];
            for (long n = 0; n < numel; n += run) {
                long at = offset;
                for (int d = 0; d < outer; d++) at += idx[d] * stride[d];
                src.get(Math.toIntExact(at * eb), buf);
                out.put(buf);
                for (int d = outer - 1; d >= 0; d--) { // odometer increment
                    if (++idx[d] < size[d]) break;
                    idx[d] = 0;
                }
            }
            return out.flip();
        }

        private static TensorData tensorArg(Object o, String what) {
            if (o instanceof TensorData t) return t;
            throw new IllegalArgumentException(what + ": expected a tensor, got " + Pickle.describe(o));
        }

        @SuppressWarnings("unchecked")
        private static List<Object> castList(Object o) {
            if (o instanceof List<?> l) return (List<Object>) l;
            throw new IllegalArgumentException("expected a tuple, got " + Pickle.describe(o));
        }

        private static long[] longs(Object o) {
            List<Object> l = castList(o);
            long[] r = new long[l.size()];
            for (int i = 0; i < r.length; i++) r[i] = ((Number) l.get(i)).longValue();
            return r;
        }
    }
}
