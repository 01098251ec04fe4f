package org.osum4j.kernel;

import java.util.List;

/**
 * A failed cell, already in the shape of a Jupyter {@code error} message: a name ({@code ename}),
 * a one-line value ({@code evalue}) and the traceback lines the front end prints. Thrown by
 * {@link JavaSession} and the magics; the kernel turns it into an error reply.
 */
final class CellError extends Exception {

    /** ename of a cell that did not compile. */
    static final String COMPILE_ERROR = "CompilationError";
    /** ename of a cell stopped by an interrupt. */
    static final String INTERRUPTED = "Interrupted";

    private final String ename;
    private final List<String> traceback;

    CellError(String ename, String evalue, List<String> traceback) {
        super(evalue);
        this.ename = ename;
        this.traceback = List.copyOf(traceback);
    }

    static CellError interrupted() {
        return new CellError(INTERRUPTED, "cell execution was interrupted",
                List.of("Interrupted: the cell was stopped by an interrupt request"));
    }

    /** Jupyter's {@code ename}. */
    String ename() {
        return ename;
    }

    /** Jupyter's {@code evalue}. */
    String evalue() {
        return getMessage();
    }

    /** Jupyter's {@code traceback}: one entry per printed line. */
    List<String> traceback() {
        return traceback;
    }
}
