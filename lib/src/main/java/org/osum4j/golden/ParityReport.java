package org.osum4j.golden;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Collects parity {@link Check}s, llm.c style: per tensor the max difference, the tolerance and the
 * first mismatching index. Numerical code is compared here against the reference numbers in
 * {@code shared/golden}, never against itself.
 */
public final class ParityReport {

    private final List<Check> checks = new ArrayList<>();
    private final PrintStream live;

    /** A report that prints each check as it is added to {@code live} (null: silent). */
    public ParityReport(PrintStream live) {
        this.live = live;
    }

    public ParityReport() {
        this(null);
    }

    public synchronized Check add(Check c) {
        checks.add(c);
        if (live != null) live.println(c.line());
        return c;
    }

    /**
     * Compares two arrays of the same shape element by element: passes when every
     * |ours − ref| ≤ tol and no NaN appears where the reference has none.
     */
    public Check compare(String fixture, String tensor, float[] ref, float[] ours, long[] shape, double tol) {
        if (ref.length != ours.length) {
            return add(Check.failed(fixture, tensor, "size mismatch: reference " + ref.length + " elements "
                    + Arrays.toString(shape) + ", ours " + ours.length));
        }
        double max = 0;
        int first = -1;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs((double) ours[i] - ref[i]);
            boolean bad = Double.isNaN(d) ? !(Float.isNaN(ref[i]) && Float.isNaN(ours[i])) : d > tol;
            if (Double.isNaN(d)) d = bad ? Double.POSITIVE_INFINITY : 0;
            if (d > max) max = d;
            if (bad && first < 0) first = i;
        }
        String mismatch = first < 0 ? "" : "first at " + Arrays.toString(unravel(first, shape))
                + ": ref " + ref[first] + ", ours " + ours[first];
        return add(new Check(fixture, tensor, max, tol, mismatch, first < 0));
    }

    /** Compares with a masked subset: only elements where {@code mask[i]} is true count. */
    public Check compareMasked(String fixture, String tensor, float[] ref, float[] ours, boolean[] mask, long[] shape, double tol) {
        if (ref.length != ours.length || mask.length != ref.length) {
            return add(Check.failed(fixture, tensor, "size mismatch: reference " + ref.length + ", ours " + ours.length
                    + ", mask " + mask.length));
        }
        double max = 0;
        int first = -1;
        for (int i = 0; i < ref.length; i++) {
            if (!mask[i]) continue;
            double d = Math.abs((double) ours[i] - ref[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            if (d > max) max = d;
            if (d > tol && first < 0) first = i;
        }
        String mismatch = first < 0 ? "" : "first at " + Arrays.toString(unravel(first, shape))
                + ": ref " + ref[first] + ", ours " + ours[first];
        return add(new Check(fixture, tensor, max, tol, mismatch, first < 0));
    }

    /** Exact comparison of integer tensors (token ids, masks, lengths). */
    public Check compareExact(String fixture, String tensor, long[] ref, long[] ours, long[] shape) {
        if (ref.length != ours.length) {
            return add(Check.failed(fixture, tensor, "size mismatch: reference " + ref.length + ", ours " + ours.length));
        }
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] != ours[i]) {
                return add(new Check(fixture, tensor, Math.abs((double) ref[i] - ours[i]), 0,
                        "first at " + Arrays.toString(unravel(i, shape)) + ": ref " + ref[i] + ", ours " + ours[i], false));
            }
        }
        return add(new Check(fixture, tensor, 0, 0, "", true));
    }

    /** Index of a flat position in a row-major shape. */
    static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            long n = Math.max(1, shape[d]);
            idx[d] = flat % n;
            flat /= n;
        }
        return idx;
    }

    public synchronized List<Check> checks() {
        return Collections.unmodifiableList(new ArrayList<>(checks));
    }

    public synchronized long okCount() {
        return checks.stream().filter(Check::ok).count();
    }

    public synchronized boolean allOk() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::ok);
    }

    /** Prints every check and the closing line {@code N/M tensors OK}. */
    public synchronized void print(PrintStream out) {
        out.println(String.format("%-20s %-48s %11s %11s  %s", "fixture", "tensor", "max|diff|", "tolerance", "result"));
        for (Check c : checks) out.println(c.line());
        out.println(summary());
    }

    public synchronized String summary() {
        return okCount() + "/" + checks.size() + " tensors OK";
    }

    /** The failing checks as one message, for test assertions. */
    public synchronized String failures() {
        StringBuilder sb = new StringBuilder();
        for (Check c : checks) if (!c.ok()) sb.append(c.line()).append('\n');
        return sb.toString();
    }
}
