package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Checkpoints: finding and lazily opening single, sharded and torch checkpoints; the sharded writer. */
class CheckpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, TensorData> golden() throws IOException {
        return SafeTensors.read(TorchCheckpointTest.osumTiny().resolve("model.safetensors")).tensors();
    }

    /** A shard size that splits the golden tensors into about {@code parts} shards, whatever the fixture size. */
    private static long shardBytes(int parts) throws IOException {
        return golden().values().stream().mapToLong(t -> t.data().remaining()).sum() / parts + 1;
    }

    @Test
    void open_goldenFolderAndInferPt_giveTheSameTensors() throws IOException {
        Checkpoints.Weights dir = Checkpoints.open(TorchCheckpointTest.osumTiny()); // picks model.safetensors
        Checkpoints.Weights pt = Checkpoints.open(TorchCheckpointTest.osumTiny().resolve("infer.pt"));
        assertEquals(dir.keySet(), Map.copyOf(pt).keySet());
        for (String k : dir.keySet()) assertEquals(dir.get(k).data(), pt.get(k).data(), k);
        assertEquals("model.safetensors", dir.source().getFileName().toString());
    }

    @Test
    void writeSharded_thenOpen_isLazyAndBitIdentical(@TempDir Path tmp) throws IOException {
        Map<String, TensorData> src = golden();
        long max = shardBytes(5);
        List<Path> shards = Checkpoints.writeSharded(tmp, src.values(), max, false, Map.of("producer", "test"));
        assertTrue(shards.size() > 2, "expected several shards, got " + shards.size());
        assertEquals(String.format("model-00001-of-%05d.safetensors", shards.size()), shards.get(0).getFileName().toString());
        long total = 0;
        for (Path s : shards) {
            SafeTensors st = SafeTensors.read(s);
            long bytes = st.tensors().values().stream().mapToLong(t -> t.data().remaining()).sum();
            assertTrue(bytes <= max || st.tensors().size() == 1, s + " has " + bytes + " bytes");
            assertEquals("test", st.metadata().get("producer"));
            total += bytes;
        }
        JsonNode index = JSON.readTree(tmp.resolve(Checkpoints.SAFETENSORS_INDEX).toFile());
        assertEquals(total, index.get("metadata").get("total_size").asLong());
        assertEquals(src.size(), index.get("weight_map").size());

        Checkpoints.Weights w = Checkpoints.open(tmp);
        assertEquals(0, w.openedFiles());
        assertEquals(src.keySet(), w.keySet());
        String first = src.keySet().iterator().next();
        assertNotNull(w.get(first));
        assertEquals(1, w.openedFiles());
        for (String k : src.keySet()) {
            assertArrayEquals(src.get(k).shape(), w.get(k).shape(), k);
            assertEquals(src.get(k).data(), w.get(k).data(), k);
        }
        assertEquals(shards.size(), w.openedFiles());
    }

    @Test
    void writeSharded_f32ToBf16_roundsToNearestBf16(@TempDir Path tmp) throws IOException {
        Map<String, TensorData> src = golden();
        Checkpoints.writeSharded(tmp, src.values(), Long.MAX_VALUE, true, Map.of());
        Checkpoints.Weights w = Checkpoints.open(tmp);
        assertEquals(1, w.files().size());
        for (String k : src.keySet()) {
            TensorData b = w.get(k);
            assertEquals(DType.BF16, b.dtype(), k);
            float[] x = src.get(k).toFloats();
            float[] y = b.toFloats();
            int bad = -1;
            for (int i = 0; i < x.length && bad < 0; i++) {
                // nearest bf16: the error is at most half a bf16 ulp (8 significant bits) of |x|
                float halfUlp = Math.ulp(x[i]) * (1 << 15);
                if (Math.abs(x[i] - y[i]) > halfUlp || (Float.floatToIntBits(y[i]) & 0xffff) != 0) bad = i;
            }
            if (bad >= 0) fail(k + "[" + bad + "]: " + x[bad] + " -> " + y[bad]);
        }
    }

    @Test
    void writeSharded_again_deletesStaleShards(@TempDir Path tmp) throws IOException {
        Map<String, TensorData> src = golden();
        Checkpoints.writeSharded(tmp, src.values(), shardBytes(4), false, Map.of());
        List<Path> second = Checkpoints.writeSharded(tmp, src.values(), Long.MAX_VALUE, false, Map.of());
        List<String> left = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            s.forEach(p -> left.add(p.getFileName().toString()));
        }
        left.sort(null);
        assertEquals(List.of("model-00001-of-00001.safetensors", Checkpoints.SAFETENSORS_INDEX), left);
        assertEquals(1, second.size());
    }

    @Test
    void open_indexNamingAMissingShard_errorNamesIt(@TempDir Path tmp) throws IOException {
        List<Path> shards = Checkpoints.writeSharded(tmp, golden().values(), shardBytes(3), false, Map.of());
        Files.delete(shards.get(1));
        IOException e = assertThrows(IOException.class, () -> Checkpoints.open(tmp));
        assertTrue(e.getMessage().contains("model-00002-of-") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void open_ambiguousFolder_errorListsCandidates(@TempDir Path tmp) throws IOException {
        SafeTensors.write(tmp.resolve("a.safetensors"), golden().values(), Map.of());
        SafeTensors.write(tmp.resolve("b.safetensors"), golden().values(), Map.of());
        IOException e = assertThrows(IOException.class, () -> Checkpoints.open(tmp));
        assertTrue(e.getMessage().contains("a.safetensors") && e.getMessage().contains("b.safetensors"), e.getMessage());
    }

    @Test
    void writeSharded_duplicateName_isAnError(@TempDir Path tmp) {
        TensorData t = TensorData.ofFloats("x", new long[]{1}, new float[]{1});
        assertThrows(IllegalArgumentException.class, () -> Checkpoints.writeSharded(tmp, List.of(t, t), 100, false, Map.of()));
    }
}
