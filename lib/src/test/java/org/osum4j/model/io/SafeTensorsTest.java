package org.osum4j.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {

    @TempDir
    Path tmp;

    @Test
    void write_thenRead_roundTripsEveryDtypeAndMetadata() throws IOException {
        float[] f = {1.5f, -2.25f, 3.0e-8f, 1.0e30f, -0.0f, 7f};
        long[] l = {Long.MIN_VALUE, -1, 0, 42};
        Path file = tmp.resolve("t.safetensors");
        SafeTensors.write(file, List.of(
                TensorData.ofFloats("b.f32", new long[]{2, 3}, f),
                TensorData.ofLongs("a.i64", new long[]{4}, l),
                TensorData.ofFloatsAsBf16("c.bf16", new long[]{3, 2}, f)), Map.of("producer", "test"));
        SafeTensors st = SafeTensors.read(file);
        assertEquals(List.of("a.i64", "b.f32", "c.bf16"), List.copyOf(st.names()));
        assertArrayEquals(f, st.get("b.f32").toFloats());
        assertArrayEquals(new long[]{2, 3}, st.get("b.f32").shape());
        assertArrayEquals(l, st.get("a.i64").toLongs());
        assertEquals("test", st.metadata().get("producer"));
        float[] bf = st.get("c.bf16").toFloats();
        for (int i = 0; i < f.length; i++) {
            assertEquals(f[i], bf[i], Math.abs(f[i]) / 128, "bf16 keeps 8 bits of mantissa at " + i);
        }
        assertEquals(0, (Files.size(file) - 8 - (st.get("a.i64").numel() * 8 + 6 * 4 + 6 * 2)) % 8,
                "header padded to a multiple of 8");
    }

    @Test
    void bf16Rounding_isNearestEven() {
        // 1 + 2^-8 is exactly between two bf16 values (1 and 1 + 2^-7): ties go to the even mantissa (1).
        assertEquals(1.0f, Float.intBitsToFloat((TensorData.floatToBf16(1f + 0x1p-8f) & 0xffff) << 16));
        // 1 + 3·2^-8 is between 1+2^-7 (odd) and 1+2^-6 (even): ties go up to 1 + 2^-6.
        assertEquals(1f + 0x1p-6f, Float.intBitsToFloat((TensorData.floatToBf16(1f + 3 * 0x1p-8f) & 0xffff) << 16));
    }

    @Test
    void halfToFloat_decodesNormalsSubnormalsAndSpecials() {
        assertEquals(1.0f, TensorData.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, TensorData.halfToFloat((short) 0xc000));
        assertEquals(65504f, TensorData.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, TensorData.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, TensorData.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(TensorData.halfToFloat((short) 0x7e00)));
    }

    @Test
    void read_goldenFixture_givesHeaderShapesAndF64Filters() throws IOException {
        Path io = GoldenSuite.defaultDir().resolve("whisper_fe_80/io.safetensors");
        SafeTensors st = SafeTensors.read(io);
        TensorData filters = st.get("mel_filters");
        assertEquals(DType.F64, filters.dtype());
        assertEquals(2, filters.shape().length);
        double[] v = filters.toDoubles();
        assertEquals(filters.numel(), v.length);
        assertTrue(java.util.Arrays.stream(v).allMatch(x -> x >= 0), "mel filters are non-negative");
        assertTrue(!st.metadata().isEmpty(), "the fixture carries __metadata__");
    }

    @Test
    void read_truncatedFile_namesFileAndTensor() throws IOException {
        Path file = tmp.resolve("full.safetensors");
        SafeTensors.write(file, List.of(TensorData.ofFloats("w", new long[]{100}, new float[100])), Map.of());
        byte[] all = Files.readAllBytes(file);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(cut));
        assertTrue(e.getMessage().contains("cut.safetensors") && e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void read_garbage_saysNotSafetensors() throws IOException {
        Path file = tmp.resolve("junk.safetensors");
        Files.write(file, new byte[]{1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().contains("junk.safetensors"), e.getMessage());
    }

    @Test
    void get_missingTensor_listsWhatIsThere() throws IOException {
        Path file = tmp.resolve("one.safetensors");
        SafeTensors.write(file, List.of(TensorData.ofFloats("only", new long[]{1}, new float[]{1})), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(file).get("other"));
        assertTrue(e.getMessage().contains("'other'") && e.getMessage().contains("only"), e.getMessage());
    }
}
