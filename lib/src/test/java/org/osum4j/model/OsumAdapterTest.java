package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.nn.FrameMask;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module-boundary checks of the adapter (the numbers are covered by {@link OsumEncoderAdapterParityTest}). */
class OsumAdapterTest {

    private static OsumAdapter tinyAdapter() throws Exception {
        Path dir = GoldenSuite.defaultDir().resolve("osum_tiny");
        return OsumAdapter.load(AdapterConfig.fromOsumFixtureConfig(dir.resolve("config.json")),
                SafeTensors.read(dir.resolve("model.safetensors")), "");
    }

    @Test
    void forward_wrongWidth_namesExpectedAndActualShape() throws Exception {
        OsumAdapter ad = tinyAdapter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ad.forward(Nd4j.zeros(DataType.FLOAT, 1, 65, 32), null));
        assertTrue(e.getMessage().contains("[B, T, 64]") && e.getMessage().contains("[1, 65, 32]"), e.getMessage());
    }

    @Test
    void forward_maskOfOtherLength_isRejected() throws Exception {
        OsumAdapter ad = tinyAdapter();
        assertThrows(IllegalArgumentException.class,
                () -> ad.forward(Nd4j.zeros(DataType.FLOAT, 1, 65, 64), new FrameMask(new int[]{60}, 64)));
    }

    @Test
    void forward_quartersTheFramesAndTheMask() throws Exception {
        OsumAdapter.Output out = tinyAdapter().forward(Nd4j.zeros(DataType.FLOAT, 2, 65, 64), new FrameMask(new int[]{65, 45}, 65));
        assertArrayEquals(new long[]{2, 17, 64}, out.speech().shape());
        assertArrayEquals(new int[]{17, 12}, out.mask().valid());
    }
}
