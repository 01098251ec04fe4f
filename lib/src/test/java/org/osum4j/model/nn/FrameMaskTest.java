package org.osum4j.model.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** wenet's mask subsampling rules as golden/README.md §4 states them. */
class FrameMaskTest {

    @Test
    void encoderSubsample_evenBatchLength_givesHalfTheFrames() {
        FrameMask m = FrameMask.ofLengths(new long[]{130, 90}, 130).subsample((130 + 1) % 2, 2);
        assertEquals(65, m.frames());
        assertArrayEquals(new int[]{65, 45}, m.valid());
    }

    @Test
    void encoderSubsample_oddItemInEvenBatch_losesOneFrameComparedWithAlone() {
        FrameMask batched = FrameMask.ofLengths(new long[]{130, 89}, 130).subsample(1, 2);
        FrameMask alone = FrameMask.ofLengths(new long[]{89}, 89).subsample(0, 2);
        assertEquals(44, batched.valid()[1]);
        assertEquals(45, alone.valid()[0]);
    }

    @Test
    void adapterSubsample_keepsEveryOtherFrameFromZero() {
        FrameMask m = new FrameMask(new int[]{65, 45}, 65).subsample(0, 2).subsample(0, 2);
        assertEquals(17, m.frames());
        assertArrayEquals(new int[]{17, 12}, m.valid());
    }

    @Test
    void keyBias_isZeroAtValidKeysAndLargeNegativeElsewhere() {
        float[] bias = new FrameMask(new int[]{2, 3}, 3).keyBias().reshape(6).toFloatVector();
        assertArrayEquals(new float[]{0, 0, FrameMask.MASKED_SCORE, 0, 0, 0}, bias);
        assertArrayEquals(new long[]{1, 1, 0, 1, 1, 1}, new FrameMask(new int[]{2, 3}, 3).toLongs());
    }
}
