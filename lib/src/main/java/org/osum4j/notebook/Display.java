package org.osum4j.notebook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The one entry point for rich output from library code: {@code Display.show(chart)} in a notebook
 * renders the chart; in a terminal it prints its text form. The kernel installs its sink with
 * {@link #install(DisplaySink)}; nothing else in the library knows about Jupyter.
 */
public final class Display {

    private static final DisplaySink TERMINAL = new DisplaySink() {
        @Override public void display(Object value, String displayId) {
            System.out.println(bundle(value).get("text/plain"));
        }
        @Override public void update(String displayId, Object value) {
            // A terminal cannot replace earlier output; progress bars use carriage returns instead.
        }
        @Override public boolean supportsUpdates() { return false; }
    };

    private static volatile DisplaySink sink = TERMINAL;

    /** Renderers for types that cannot implement {@link Rich} themselves (third-party types), by class. */
    private static final Map<Class<?>, java.util.function.Function<Object, Rich>> RENDERERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    static {
        register(tech.tablesaw.api.Table.class, Tables::rich);
    }

    private Display() {}

    /** Installs the sink (the kernel calls this once at start-up); null restores the terminal sink. */
    public static void install(DisplaySink newSink) {
        sink = newSink == null ? TERMINAL : newSink;
    }

    /** The sink in use. */
    public static DisplaySink sink() {
        return sink;
    }

    /** True when running inside a notebook kernel that can update outputs in place. */
    public static boolean inNotebook() {
        return sink.supportsUpdates();
    }

    /** Shows {@code value} as a new output. */
    public static void show(Object value) {
        sink.display(value, null);
    }

    /** Shows {@code value} under a fresh display id and returns the id for {@link #update}. */
    public static String showUpdatable(Object value) {
        String id = UUID.randomUUID().toString();
        sink.display(value, id);
        return id;
    }

    /** Replaces the output shown under {@code displayId}. */
    public static void update(String displayId, Object value) {
        sink.update(Objects.requireNonNull(displayId, "displayId"), value);
    }

    /**
     * Makes values of {@code type} (and its subclasses) render through {@code renderer}, e.g. a Tablesaw
     * {@code Table} as an HTML table. The kernel stays generic: it only ever asks {@link #bundle(Object)}.
     */
    @SuppressWarnings("unchecked")
    public static <T> void register(Class<T> type, java.util.function.Function<? super T, ? extends Rich> renderer) {
        RENDERERS.put(type, o -> renderer.apply((T) o));
    }

    /**
     * The MIME bundle for any object: a {@link Rich} object's own bundle (with {@code text/plain}
     * added from {@code toString()} when missing), otherwise just {@code text/plain}.
     */
    public static Map<String, String> bundle(Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value != null && !(value instanceof Rich)) {
            for (Map.Entry<Class<?>, java.util.function.Function<Object, Rich>> r : RENDERERS.entrySet()) {
                if (r.getKey().isInstance(value)) {
                    value = r.getValue().apply(value);
                    break;
                }
            }
        }
        if (value instanceof Rich) {
            Map<String, String> own = ((Rich) value).mimeBundle();
            if (own != null) {
                out.putAll(own);
            }
        }
        out.putIfAbsent("text/plain", String.valueOf(value));
        return out;
    }
}
