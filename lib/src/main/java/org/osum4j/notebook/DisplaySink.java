package org.osum4j.notebook;

/**
 * Where {@link Display} sends rich output. The Jupyter kernel installs one that publishes
 * {@code display_data} / {@code update_display_data} messages; without a kernel (terminal, tests,
 * JShell) the default sink prints the {@code text/plain} part.
 */
public interface DisplaySink {

    /**
     * Shows an object as a new output.
     *
     * @param value     the object (rendered by {@link Display#bundle(Object)})
     * @param displayId an id under which later {@link #update} calls replace this output, or null
     */
    void display(Object value, String displayId);

    /** Replaces the output shown earlier with {@code displayId}. */
    void update(String displayId, Object value);

    /** True when outputs can be updated in place (a notebook); false for a plain terminal. */
    boolean supportsUpdates();
}
