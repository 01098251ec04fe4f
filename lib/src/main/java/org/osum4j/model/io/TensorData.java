package org.osum4j.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor as raw bytes: dtype, shape and a little-endian buffer holding exactly
 * {@code numel * dtype.bytes} bytes (often a slice of a memory-mapped file). No ND4J types here, so a
 * GPU engine without ND4J can reuse it; conversion to float/long arrays happens on demand.
 */
public record TensorData(String name, DType dtype, long[] shape, ByteBuffer data) {

    public TensorData {
        long n = numel(shape);
        if (data.remaining() != n * dtype.bytes) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.remaining() + " bytes for "
                    + dtype + " shape " + Arrays.toString(shape) + " (expected " + n * dtype.bytes + ")");
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        shape = shape.clone();
    }

    /** Number of elements of a shape (1 for a scalar shape []). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return numel(shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The same bytes under another name (no copy). */
    public TensorData withName(String newName) {
        return newName.equals(name) ? this : new TensorData(newName, dtype, shape, data);
    }

    /** The same bytes viewed with another shape of the same element count (no copy), e.g. [1, T, D] to [T, D]. */
    public TensorData reshape(long... newShape) {
        if (numel(newShape) != numel()) {
            throw new IllegalArgumentException("tensor '" + name + "': cannot reshape " + Arrays.toString(shape)
                    + " to " + Arrays.toString(newShape) + " (element counts differ)");
        }
        return new TensorData(name, dtype, newShape, data);
    }

    /** The shape as ints (throws when a dimension does not fit). */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(shape[i]);
        }
        return s;
    }

    /** All elements converted to float32 (F16/BF16 widened exactly; F64 and integers rounded). */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
        }
        return out;
    }

    /** All elements as float64 (exact for F64 and every narrower float type). */
    public double[] toDoubles() {
        if (dtype == DType.F64) {
            double[] out = new double[Math.toIntExact(numel())];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            return out;
        }
        if (dtype == DType.I64) {
            long[] l = toLongs();
            double[] out = new double[l.length];
            for (int i = 0; i < l.length; i++) out[i] = l[i];
            return out;
        }
        float[] f = toFloats();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    /** All elements as longs; only for integer and bool dtypes. */
    public long[] toLongs() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
            default -> throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not an integer type");
        }
        return out;
    }

    /** A float32 tensor from an array (copied). */
    public static TensorData ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TensorData(name, DType.F32, shape, b);
    }

    /** A bfloat16 tensor from float32 values, rounded to nearest even. */
    public static TensorData ofFloatsAsBf16(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            b.putShort(i * 2, floatToBf16(values[i]));
        }
        return new TensorData(name, DType.BF16, shape, b);
    }

    /** An int64 tensor from an array (copied). */
    public static TensorData ofLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new TensorData(name, DType.I64, shape, b);
    }

    /** IEEE 754 binary16 bits → float32, exact (Java 17 has no Float.float16ToFloat). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {                       // inf / NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);     // ±0
            float v = mant * 0x1p-24f;                             // subnormal: mant · 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float32 → bfloat16 bits, round to nearest even (NaN stays NaN). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
