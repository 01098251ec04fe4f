package org.osum4j.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stage presets over OSUM's canonical names, the batch sources' determinism, and the trainer's generator. */
class StagesAndSourcesTest {

    private static final List<String> NAMES = List.of("encoder.conv1.weight", "encoder.layers.0.fc1.weight",
            "adapter.convs.0.weight", "adapter.proj.weight", "speech_embed.weight", "llm.model.embed_tokens.weight",
            "llm.model.layers.0.self_attn.q_proj.weight", "llm.model.layers.0.self_attn.q_proj.lora_A.weight",
            "llm.model.layers.0.mlp.down_proj.lora_B.weight", "llm.lm_head.weight");

    private static List<String> selected(Predicate<String> p) {
        return NAMES.stream().filter(p).toList();
    }

    @Test
    void presets_selectOsumStages() {
        assertEquals(List.of("adapter.convs.0.weight", "adapter.proj.weight", "speech_embed.weight"), selected(Stages.preset("adapter")));
        assertEquals(5, selected(Stages.preset("adapter+encoder")).size());
        List<String> lora = selected(Stages.preset("adapter+encoder+lora"));
        assertEquals(7, lora.size());
        assertTrue(lora.contains("llm.model.layers.0.self_attn.q_proj.lora_A.weight"));
        assertFalse(lora.contains("llm.model.layers.0.self_attn.q_proj.weight"), "base LLM stays frozen");
        assertEquals(NAMES, selected(Stages.preset("all")));
    }

    @Test
    void custom_regexWholeName_andErrors() {
        assertEquals(List.of("llm.lm_head.weight"), selected(Stages.of(Stages.CUSTOM, List.of("llm\\.lm_head\\..*"))));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Stages.preset("lora-only")).getMessage().contains("adapter+encoder"));
        assertThrows(IllegalArgumentException.class, () -> Stages.of(Stages.CUSTOM, List.of("(")));
        assertThrows(IllegalArgumentException.class, () -> Stages.of("adapter", List.of("x")));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Stages.select(List.of("w", "b"), Stages.preset("adapter"), "adapter"));
        assertTrue(none.getMessage().contains("selects none") && none.getMessage().contains("w, b"), none.getMessage());
    }

    private record KeyBatch(List<String> keys) implements Batch {
        static List<KeyBatch> of(String prefix, int n) {
            List<KeyBatch> out = new ArrayList<>();
            for (int i = 0; i < n; i++) out.add(new KeyBatch(List.of(prefix + i)));
            return out;
        }
    }

    private static List<String> epoch(BatchSource<KeyBatch> s, long seed, long epoch, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) keys.add(s.batch(seed, new BatchSource.Position(epoch, i)).keys().get(0));
        return keys;
    }

    @Test
    void shuffled_eachEpochAPermutation_seededAndDifferentPerEpoch() {
        ListBatchSource<KeyBatch> s = ListBatchSource.shuffled(KeyBatch.of("k", 20));
        List<String> e0 = epoch(s, 1, 0, 20), e1 = epoch(s, 1, 1, 20);
        assertEquals(20, new HashSet<>(e0).size());
        assertEquals(new HashSet<>(e0), new HashSet<>(e1));
        assertNotEquals(e0, e1);
        assertEquals(e0, epoch(ListBatchSource.shuffled(KeyBatch.of("k", 20)), 1, 0, 20));
        assertNotEquals(e0, epoch(s, 2, 0, 20));
        assertEquals(new BatchSource.Position(1, 0), s.next(1, new BatchSource.Position(0, 19)));
    }

    @Test
    void weightedMix_followsWeights_andRandomAccessEqualsSequential() {
        Map<String, BatchSource<KeyBatch>> sources = new LinkedHashMap<>();
        sources.put("asr", ListBatchSource.shuffled(KeyBatch.of("asr", 7)));
        sources.put("emotion", ListBatchSource.shuffled(KeyBatch.of("emo", 5)));
        WeightedMixSource<KeyBatch> mix = new WeightedMixSource<>(sources, Map.of("asr", 3.0, "emotion", 1.0));
        int draws = 4000, asr = 0;
        List<String> sequential = new ArrayList<>();
        BatchSource.Position p = BatchSource.Position.start();
        for (int i = 0; i < draws; i++) {
            String k = mix.batch(9, p).keys().get(0);
            sequential.add(k);
            if (k.startsWith("asr")) asr++;
            p = mix.next(9, p);
        }
        assertEquals(0.75, asr / (double) draws, 0.03);
        WeightedMixSource<KeyBatch> fresh = new WeightedMixSource<>(sources, Map.of("asr", 3.0, "emotion", 1.0));
        for (int i : new int[]{3999, 17, 2500, 0})                             // out of order: replayed from the start
            assertEquals(sequential.get(i), fresh.batch(9, new BatchSource.Position(0, i)).keys().get(0), "draw " + i);
    }

    @Test
    void dynamicBatches_coverEveryEpoch_withinLimits_collatedOnDemand() {
        List<org.osum4j.data.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 60; i++) samples.add(org.osum4j.data.Sample.of("u" + i, "asr", 100 + 37 * (i % 11), 10, 5));
        int[] collated = {0};
        DynamicBatchSource<KeyBatch> s = new DynamicBatchSource<>(samples, new org.osum4j.data.DynamicBatcher.Config(2000, 1e9, 20, 30),
                b -> { collated[0]++; return new KeyBatch(b.stream().map(org.osum4j.data.Sample::key).toList()); });
        List<List<org.osum4j.data.Sample>> e0 = s.plan(3, 0);
        assertEquals(60, e0.stream().mapToInt(List::size).sum());
        for (List<org.osum4j.data.Sample> b : e0)
            assertTrue(b.size() == 1 || b.stream().mapToInt(org.osum4j.data.Sample::frames).max().orElseThrow() * b.size() <= 2000);
        assertEquals(0, collated[0], "planning loads nothing");
        assertEquals(e0.get(2).stream().map(org.osum4j.data.Sample::key).toList(), s.batch(3, new BatchSource.Position(0, 2)).keys());
        assertEquals(1, collated[0]);
        assertNotEquals(e0, s.plan(3, 1), "a new order each epoch");
        assertEquals(new BatchSource.Position(1, 0), s.next(3, new BatchSource.Position(0, e0.size() - 1)));
    }

    @Test
    void trainRandom_restoredStateContinuesTheSameStream() {
        TrainRandom a = new TrainRandom(777);
        for (int i = 0; i < 5; i++) a.nextGaussian();
        long[] saved = a.state();
        double[] expected = {a.nextDouble(), a.nextGaussian(), a.nextInt(1000), a.nextLong()};
        TrainRandom b = TrainRandom.ofState(saved);
        assertArrayEquals(expected, new double[]{b.nextDouble(), b.nextGaussian(), b.nextInt(1000), b.nextLong()});
        assertNotEquals(new TrainRandom(1).nextLong(), new TrainRandom(2).nextLong());
        assertThrows(IllegalArgumentException.class, () -> TrainRandom.ofState(new long[4]));
    }
}
