package org.osum4j.model.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small pickle interpreter for the data a {@code torch.save} state dict contains: protocols 0-5 minus
 * the object-construction opcodes plain state dicts never use (INST, OBJ, EXT*, out-of-band buffers).
 * It never imports or runs code: every GLOBAL goes through a {@link Resolver}, which decides what the
 * name means or refuses it. Python values become Java ones: dict to LinkedHashMap, list to ArrayList,
 * tuple to an unmodifiable List, int to Long (BigInteger when wider), float to Double, str to String,
 * bytes to byte[], None to null. The torch-specific meaning lives in {@link TorchCheckpoint}.
 */
final class Pickle {

    /** What a resolved global is called with by REDUCE / NEWOBJ. */
    interface Callable {
        Object call(List<Object> args);
    }

    /** An object whose state BUILD may set (used for opaque objects of unknown classes). */
    interface Buildable {
        void build(Object state);
    }

    /** Turns {@code module.name} into a value (usually a {@link Callable}) or throws a clear error. */
    interface Resolver {
        Object resolve(String module, String name);
    }

    /** Turns a persistent id (torch: the storage tuple) into the object it stands for. */
    interface PersistentLoader {
        Object load(Object pid);
    }

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final ByteBuffer in;
    private final String where;
    private final Resolver resolver;
    private final PersistentLoader persistent;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opPos;

    private Pickle(ByteBuffer in, String where, Resolver resolver, PersistentLoader persistent) {
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.where = where;
        this.resolver = resolver;
        this.persistent = persistent;
    }

    /** Runs the pickle program in {@code data} and returns the object STOP leaves on the stack. */
    static Object load(ByteBuffer data, String where, Resolver resolver, PersistentLoader persistent) {
        return new Pickle(data, where, resolver, persistent).run();
    }

    /** A Python tuple as an unmodifiable list (null elements allowed). */
    static List<Object> tuple(Object... items) {
        return Collections.unmodifiableList(Arrays.asList(items));
    }

    private IllegalArgumentException error(String msg) {
        return new IllegalArgumentException(where + ": pickle byte " + opPos + ": " + msg);
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining()) throw error("pickle ended without a STOP opcode (truncated data.pkl?)");
            opPos = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = in.get() & 0xff;
                    if (proto > 5) throw error("pickle protocol " + proto + " is not supported (max 5)");
                }
                case 0x95 -> in.getLong(); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1) throw error("STOP with " + stack.size() + " items on the stack");
                    return stack.get(0);
                }
                case '(' -> { marks.add(stack.size()); stack.add(MARK); }
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'I' -> { // INT (text); "00"/"01" are False/True in protocol 0
                    String s = line();
                    if (s.equals("00")) push(Boolean.FALSE);
                    else if (s.equals("01")) push(Boolean.TRUE);
                    else push(integer(new BigInteger(s)));
                }
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 'L' -> { // LONG (text, trailing 'L')
                    String s = line();
                    if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
                    push(integer(new BigInteger(s)));
                }
                case 0x8a -> push(longBytes(in.get() & 0xff)); // LONG1
                case 0x8b -> push(longBytes(length32())); // LONG4
                case 'F' -> push(Double.parseDouble(line()));
                case 'G' -> push(in.duplicate().order(ByteOrder.BIG_ENDIAN).getDouble(advance(8)));
                case 'S' -> push(unquote(line())); // STRING (protocol 0)
                case 'T' -> push(new String(bytes(length32()), StandardCharsets.ISO_8859_1)); // BINSTRING
                case 'U' -> push(new String(bytes(in.get() & 0xff), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
                case 'V' -> push(line()); // UNICODE (raw-unicode-escape; ASCII in practice)
                case 'X' -> push(new String(bytes(length32()), StandardCharsets.UTF_8)); // BINUNICODE
                case 0x8c -> push(new String(bytes(in.get() & 0xff), StandardCharsets.UTF_8)); // SHORT_BINUNICODE
                case 0x8d -> push(new String(bytes(length64()), StandardCharsets.UTF_8)); // BINUNICODE8
                case 'B' -> push(bytes(length32())); // BINBYTES
                case 'C' -> push(bytes(in.get() & 0xff)); // SHORT_BINBYTES
                case 0x8e, 0x96 -> push(bytes(length64())); // BINBYTES8, BYTEARRAY8
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, items);
                    push(m);
                }
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(peek()).put(k, v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putPairs(dict(peek()), items);
                }
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> { Object v = pop(); list(peek()).add(v); }
                case 'e' -> { List<Object> items = popMark(); list(peek()).addAll(items); }
                case ')' -> push(tuple());
                case 't' -> push(tuple(popMark().toArray()));
                case 0x85 -> push(tuple(pop()));
                case 0x86 -> { Object b = pop(); Object a = pop(); push(tuple(a, b)); }
                case 0x87 -> { Object c = pop(); Object b = pop(); Object a = pop(); push(tuple(a, b, c)); }
                case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                case 0x90 -> { List<Object> items = popMark(); set(peek()).addAll(items); } // ADDITEMS
                case 0x91 -> push(Collections.unmodifiableSet(new LinkedHashSet<>(popMark()))); // FROZENSET
                case 'c' -> { // GLOBAL "module\nname\n"
                    String module = line();
                    String name = line();
                    push(resolve(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings, got " + describe(module) + ", " + describe(name));
                    }
                    push(resolve(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object f = pop();
                    push(call(f, args));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop();
                    Object cls = pop();
                    push(call(cls, args));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop();
                    Object args = pop();
                    Object cls = pop();
                    if (kwargs instanceof Map<?, ?> kw && !kw.isEmpty()) {
                        throw error("NEWOBJ_EX with keyword arguments " + kw.keySet() + " is not supported");
                    }
                    push(call(cls, args));
                }
                case 'b' -> build(pop(), peek());
                case 'p' -> memo.put(Long.parseLong(line()), peek());
                case 'q' -> memo.put((long) (in.get() & 0xff), peek());
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'g' -> push(memoGet(Long.parseLong(line())));
                case 'h' -> push(memoGet(in.get() & 0xff));
                case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
                case 'P' -> push(persistentLoad(line())); // PERSID
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                default -> throw error(String.format("unsupported pickle opcode 0x%02x%s (a state dict of tensors, "
                        + "dicts, lists, tuples, numbers and strings never needs it)", op,
                        op >= 0x20 && op < 0x7f ? " '" + (char) op + "'" : ""));
            }
        }
    }

    private Object resolve(String module, String name) {
        try {
            return resolver.resolve(module, name);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private Object persistentLoad(Object pid) {
        try {
            return persistent.load(pid);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw error(e.getMessage());
        }
    }

    private Object call(Object f, Object args) {
        if (!(f instanceof Callable c)) throw error("REDUCE on " + describe(f) + ", which is not callable");
        if (!(args instanceof List<?> a)) throw error("REDUCE arguments are " + describe(args) + ", not a tuple");
        try {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) a;
            return c.call(list);
        } catch (IllegalArgumentException | ClassCastException | IndexOutOfBoundsException e) {
            throw error(e.getMessage());
        }
    }

    private void build(Object state, Object obj) {
        if (obj instanceof Buildable b) {
            b.build(state);
        } else if (obj instanceof Map<?, ?> && (state instanceof Map<?, ?> || state instanceof List<?>)) {
            // OrderedDict attributes such as a state_dict's `_metadata` (module versions): not weights, dropped.
        } else {
            throw error("BUILD (set object state) on " + describe(obj) + " is not supported");
        }
    }

    // ---- stack helpers ----------------------------------------------------------------------------

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) throw error("stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw error("unexpected MARK on the stack");
        return o;
    }

    private Object peek() {
        if (stack.isEmpty()) throw error("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw error("no MARK on the stack");
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) throw error("memo key " + key + " was never stored");
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw error("SETITEM on " + describe(o) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw error("APPEND on " + describe(o) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object o) {
        if (o instanceof LinkedHashSet<?> s) return (Set<Object>) s;
        throw error("ADDITEMS on " + describe(o) + ", not a set");
    }

    private void putPairs(Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) throw error("odd number of items for a dict");
        for (int i = 0; i < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
    }

    // ---- reading arguments ------------------------------------------------------------------------

    private int advance(int n) {
        if (in.remaining() < n) throw error("needs " + n + " more bytes, " + in.remaining() + " left (truncated?)");
        int p = in.position();
        in.position(p + n);
        return p;
    }

    private int length32() {
        long n = in.getInt() & 0xffffffffL;
        if (n > in.remaining()) throw error("length " + n + " exceeds the remaining " + in.remaining() + " bytes");
        return (int) n;
    }

    private int length64() {
        long n = in.getLong();
        if (n < 0 || n > in.remaining()) throw error("length " + n + " exceeds the remaining " + in.remaining() + " bytes");
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        in.get(advance(n), b);
        return b;
    }

    private String line() {
        int start = in.position();
        while (in.hasRemaining()) {
            if (in.get() == '\n') {
                byte[] b = new byte[in.position() - 1 - start];
                in.get(start, b);
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw error("text argument without a newline (truncated?)");
    }

    /** LONG1/LONG4: little-endian two's complement of n bytes. */
    private Object longBytes(int n) {
        byte[] le = bytes(n);
        if (n == 0) return 0L;
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
        return integer(new BigInteger(be));
    }

    private static Object integer(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        throw error("STRING argument is not quoted: " + s);
    }

    /** A short description of a Python value for error messages. */
    static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof String s) return "str '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        if (o instanceof Map<?, ?> m) return "dict of " + m.size();
        if (o instanceof List<?> l) return (o instanceof ArrayList ? "list" : "tuple") + " of " + l.size();
        if (o instanceof TensorData t) return "tensor " + t.dtype() + Arrays.toString(t.shape());
        return o.getClass().getSimpleName() + " " + o;
    }
}
