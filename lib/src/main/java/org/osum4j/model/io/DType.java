package org.osum4j.model.io;

/** Element types of safetensors / PyTorch checkpoints, with their safetensors names and sizes. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    /** Bytes per element. */
    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** True for the floating-point types. */
    public boolean isFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** Parses a safetensors dtype name ({@code "F32"}, {@code "BF16"}, ...). */
    public static DType parse(String name, String where) {
        try {
            return DType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": unsupported dtype '" + name
                    + "' (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        }
    }
}
