package org.osum4j.model.io;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** ModelWeights: missing, mis-shaped and unexpected tensors are all reported in one message. */
class ModelWeightsTest {

    private static TensorData t(String name, long... shape) {
        return TensorData.ofFloats(name, shape, new float[(int) TensorData.numel(shape)]);
    }

    @Test
    void check_matchingWeights_isOk() {
        Map<String, long[]> expected = Map.of("a", new long[]{2, 3}, "b", new long[]{4});
        Map<String, TensorData> actual = Map.of("a", t("a", 2, 3), "b", t("b", 4));
        ModelWeights.Report r = ModelWeights.check(expected, ModelWeights.shapes(actual));
        assertTrue(r.ok());
        assertDoesNotThrow(() -> ModelWeights.require(expected, actual, "model"));
    }

    @Test
    void require_missingMisshapedUnexpected_messageListsEachWithShapes() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("enc.w", new long[]{64, 80, 3});
        expected.put("enc.b", new long[]{64});
        expected.put("gone", new long[]{1});
        Map<String, TensorData> actual = new LinkedHashMap<>();
        actual.put("enc.w", t("enc.w", 64, 3, 80));
        actual.put("enc.b", t("enc.b", 64));
        actual.put("extra", t("extra", 5));
        ModelWeights.Report r = ModelWeights.check(expected, ModelWeights.shapes(actual));
        assertEquals(List.of("gone"), r.missing());
        assertEquals(List.of("extra"), r.unexpected());
        assertEquals(1, r.misshaped().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelWeights.require(expected, actual, "whisper encoder"));
        String m = e.getMessage();
        assertTrue(m.startsWith("whisper encoder"), m);
        assertTrue(m.contains("missing (1)") && m.contains("gone"), m);
        assertTrue(m.contains("enc.w: expected [64, 80, 3], got [64, 3, 80]"), m);
        assertTrue(m.contains("unexpected (1)") && m.contains("extra"), m);
    }

    @Test
    void tensorData_reshapeAndWithName_shareBytesAndCheckCounts() {
        TensorData a = TensorData.ofFloats("pe", new long[]{1, 3, 2}, new float[]{1, 2, 3, 4, 5, 6});
        TensorData b = a.withName("table").reshape(3, 2);
        assertEquals("table", b.name());
        assertArrayEquals(new long[]{3, 2}, b.shape());
        assertArrayEquals(a.toFloats(), b.toFloats());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2));
        assertTrue(e.getMessage().contains("'pe'") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }

    @Test
    void report_ignoredNamesDoNotFail() {
        ModelWeights.Report r = new ModelWeights.Report(List.of(), List.of(), List.of(), List.of("speaker_head.weight"));
        assertTrue(r.ok());
        assertTrue(r.toString().contains("speaker_head.weight"));
    }
}
