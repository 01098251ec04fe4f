package org.osum4j.notebook;

import java.util.Map;

/**
 * Something that can show itself in a notebook richer than {@code toString()}.
 *
 * <p>The kernel knows only this interface: when a cell's value (or an argument of
 * {@code display(...)}) implements it, the kernel sends {@link #mimeBundle()} as the output. Library
 * types (tables, charts, audio, reports) implement it without the kernel knowing them.
 *
 * <p>Keys are MIME types ({@code text/plain}, {@code text/html}, {@code image/png},
 * {@code image/svg+xml}, ...). Text types carry their text; binary types such as {@code image/png}
 * carry base64 (as Jupyter's message format wants). A bundle should always contain
 * {@code text/plain} so that plain front ends (and headless diffs) still show something.
 */
public interface Rich {

    /** MIME type to content; binary content base64-encoded. Iteration order is the preference order. */
    Map<String, String> mimeBundle();
}
