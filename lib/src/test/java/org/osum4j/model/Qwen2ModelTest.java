package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.LoraConfig;
import org.osum4j.model.io.Qwen2Config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour at the model's boundaries (the numbers themselves are checked against HF in Qwen2ParityTest). */
class Qwen2ModelTest {

    private static final Qwen2Config SMALL = new Qwen2Config(50, 16, 24, 2, 4, 2, 1e-6, 1e4, false, 128);

    @Test
    void forward_wrongEmbeddingWidth_namesExpectedShape() {
        Qwen2Model m = Qwen2Model.random(SMALL, null, 0.1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(Nd4j.zeros(DataType.FLOAT, 1, 3, 15), null, null, null, false));
        assertTrue(e.getMessage().contains("[B, L, 16]"), e.getMessage());
    }

    @Test
    void embed_idOutsideVocabulary_isRejected() {
        Qwen2Model m = Qwen2Model.random(SMALL, null, 0.1, 1);
        assertThrows(IllegalArgumentException.class, () -> m.embed(Nd4j.createFromArray(new long[][]{{1, 50}})));
    }

    @Test
    void addLora_freshBranchLeavesLogitsUnchanged() {
        Qwen2Model m = Qwen2Model.random(SMALL, null, 0.1, 1);
        INDArray ids = Nd4j.createFromArray(new long[][]{{3, 7, 9, 1}});
        INDArray before = m.forwardIds(ids, null, null).logits();
        m.addLora(LoraConfig.osum(), new Random(2));
        assertEquals(0.0, m.forwardIds(ids, null, null).logits().sub(before).amaxNumber().doubleValue(), 0.0);
        assertEquals(2 * 6 * 2, m.parameters().keySet().stream().filter(n -> n.contains(".lora_")).count());
    }

    @Test
    void lossAndGradients_mergedLora_refusesToTrainIt() {
        Qwen2Model m = Qwen2Model.random(SMALL, LoraConfig.osum(), 0.1, 1);
        m.mergeLora();
        INDArray ids = Nd4j.createFromArray(new long[][]{{3, 7, 9, 1}});
        assertThrows(IllegalStateException.class,
                () -> m.lossAndGradients(m.embed(ids), null, null, ids, null, Qwen2Model.loraOnly()));
        m.unmergeLora();
        Qwen2Gradients g = m.lossAndGradients(m.embed(ids), null, null, ids, null, Qwen2Model.loraOnly());
        assertEquals(24, g.byName().size());
        assertEquals(3, g.tokens());
    }

    @Test
    void lossAndGradients_allLabelsIgnored_isRejected() {
        Qwen2Model m = Qwen2Model.random(SMALL, null, 0.1, 1);
        INDArray ids = Nd4j.createFromArray(new long[][]{{3, 7}});
        INDArray labels = Nd4j.createFromArray(new long[][]{{3, -100}});
        assertThrows(IllegalArgumentException.class, () -> m.lossAndGradients(m.embed(ids), null, null, labels, null, n -> true));
    }

    @Test
    void kvCacheReorder_swappedRowsDecodeAsSwapped() {
        Qwen2Model m = Qwen2Model.random(SMALL, null, 0.3, 1);
        INDArray ids = Nd4j.createFromArray(new long[][]{{0, 3, 7, 9}, {5, 2, 8, 1}});
        INDArray mask = Nd4j.createFromArray(new long[][]{{0, 1, 1, 1}, {1, 1, 1, 1}});             // row 0 left-padded
        INDArray pos = Qwen2Model.generatePositions(mask);
        KvCache plain = m.newCache(2, 8), swapped = m.newCache(2, 8);
        m.forward(m.embed(ids), mask, pos, plain, false);
        m.forward(m.embed(ids), mask, pos, swapped, false);
        swapped.reorder(new int[]{1, 0});
        assertEquals(3, swapped.validCount(1), "row 1 is now the left-padded row 0 (3 real tokens)");
        Qwen2FastDecoder fast = Qwen2FastDecoder.of(m, 2, 8);
        fast.load(plain);
        Qwen2FastDecoder fastSwapped = Qwen2FastDecoder.of(m, 2, 8);
        fastSwapped.load(plain);
        fastSwapped.reorder(new int[]{1, 0});
        INDArray a = m.forward(m.embed(Nd4j.createFromArray(new long[][]{{11}, {12}})), null,
                Nd4j.createFromArray(new long[][]{{3}, {4}}), plain, false).logits().reshape(2, SMALL.vocabSize());   // [2, V]
        INDArray b = m.forward(m.embed(Nd4j.createFromArray(new long[][]{{12}, {11}})), null,
                Nd4j.createFromArray(new long[][]{{4}, {3}}), swapped, false).logits().reshape(2, SMALL.vocabSize());
        assertEquals(0.0, a.getRow(0).sub(b.getRow(1)).amaxNumber().doubleValue(), 1e-6);
        assertEquals(0.0, a.getRow(1).sub(b.getRow(0)).amaxNumber().doubleValue(), 1e-6);
        float[] fa = fast.step(new long[]{11, 12}, new long[]{3, 4});
        float[] fb = fastSwapped.step(new long[]{12, 11}, new long[]{4, 3});
        int v = SMALL.vocabSize();
        for (int i = 0; i < v; i++) {
            assertEquals(fa[i], fb[v + i], 1e-5);
            assertEquals(fa[v + i], fb[i], 1e-5);
            assertEquals(a.getDouble(0, i), fa[i], 1e-4, "fast decoder vs ND4J step");
        }
    }

    @Test
    void load_shardedCheckpoint_equalsSingleFile(@TempDir Path tmp) throws Exception {
        Path src = GoldenSuite.defaultDir().resolve("qwen2_a");
        SafeTensors st = SafeTensors.read(src.resolve("model.safetensors"));
        List<TensorData> first = new ArrayList<>(), second = new ArrayList<>();
        StringBuilder map = new StringBuilder("{\"weight_map\":{");
        int i = 0;
        for (TensorData t : st.tensors().values()) {
            String shard = i % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            (i % 2 == 0 ? first : second).add(t);
            map.append(i++ == 0 ? "" : ",").append('"').append(t.name()).append("\":\"").append(shard).append('"');
        }
        Files.writeString(tmp.resolve("model.safetensors.index.json"), map.append("}}").toString());
        SafeTensors.write(tmp.resolve("model-00001-of-00002.safetensors"), first, Map.of());
        SafeTensors.write(tmp.resolve("model-00002-of-00002.safetensors"), second, Map.of());
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        INDArray ids = Nd4j.createFromArray(new long[][]{{3, 7, 9, 1}});
        INDArray a = Qwen2Model.load(src).forwardIds(ids, null, null).logits();
        INDArray b = Qwen2Model.load(tmp).forwardIds(ids, null, null).logits();
        assertEquals(0.0, a.sub(b).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void kvCache_overflow_isRejectedWithSizes() {
        Qwen2Model m = Qwen2Model.random(SMALL, null, 0.1, 1);
        KvCache cache = m.newCache(1, 3);
        INDArray ids = Nd4j.createFromArray(new long[][]{{3, 7, 9, 1}});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(m.embed(ids), null, null, cache, false));
        assertTrue(e.getMessage().contains("maxLen 3"), e.getMessage());
    }
}
