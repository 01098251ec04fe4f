package org.osum4j.model.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key-padding properties of {@link SelfAttention} (its numbers are covered by the golden parity tests). */
class SelfAttentionTest {

    private final RandomInit init = new RandomInit(new SplittableRandom(7), 0.5);
    private final SelfAttention attn = init.block(8, 16, 2, true, Activation.RELU, 1e-5).attn();

    @Test
    void apply_paddedKeys_doNotChangeTheValidFrames() {
        INDArray x = init.normal(1, 600, 8);                                   // > QUERY_BLOCK frames: several blocks
        INDArray valid = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 300), NDArrayIndex.all()).dup();
        INDArray alone = attn.apply(valid, null);                              // [1, 300, 8]
        INDArray padded = attn.apply(x, new FrameMask(new int[]{300}, 600))    // [1, 600, 8]
                .get(NDArrayIndex.all(), NDArrayIndex.interval(0, 300), NDArrayIndex.all());
        double diff = alone.sub(padded).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "valid frames moved by " + diff);
        INDArray unmasked = attn.apply(x, null).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 300), NDArrayIndex.all());
        assertTrue(alone.sub(unmasked).amaxNumber().doubleValue() > 1e-3, "without the mask the padded keys must matter");
    }

    @Test
    void apply_itemWithoutValidFrames_staysFinite() {
        INDArray y = attn.apply(init.normal(2, 5, 8), new FrameMask(new int[]{5, 0}, 5));
        assertFalse(Double.isNaN(y.sumNumber().doubleValue()) || Double.isInfinite(y.sumNumber().doubleValue()));
    }
}
