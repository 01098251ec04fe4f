package org.osum4j.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import java.util.Arrays;

/**
 * Checkpoint tensors → fp32 {@link INDArray}s, with a shape check whose message names the file, the
 * tensor and the expected shape. The bridge between {@code model.io} (no ND4J) and the layers here.
 * Not a name mapper: each model class knows its own checkpoint names.
 */
public final class Params {

    private Params() {
    }

    /** A float32 C-order copy of any tensor (BF16/F16/F64 converted), in its stored shape. */
    public static INDArray toArray(TensorData t) {
        return Nd4j.create(t.toFloats(), t.shape(), 'c').castTo(DataType.FLOAT);
    }

    /**
     * The tensor {@code name} as fp32, checked against {@code expected} (a dimension of −1 matches any
     * size). Missing tensors and wrong shapes throw with the file and tensor named.
     */
    public static INDArray load(SafeTensors st, String name, long... expected) {
        TensorData t = st.get(name);
        long[] shape = t.shape();
        boolean ok = shape.length == expected.length;
        for (int i = 0; ok && i < shape.length; i++) ok = expected[i] < 0 || expected[i] == shape[i];
        if (!ok) {
            throw new IllegalArgumentException(st.file() + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", expected " + Arrays.toString(expected) + " (−1 = any)");
        }
        return toArray(t);
    }

    /** The shape of an array as text, for error messages: {@code [2, 80, 3000]}. */
    public static String shape(INDArray x) {
        return Arrays.toString(x.shape());
    }
}
