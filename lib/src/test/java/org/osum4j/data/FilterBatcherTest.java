package org.osum4j.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class FilterBatcherTest {

    private static final String ASR = "<TRANSCRIBE>";
    private static final String VED = "<TRANSCRIBE> <CAPTION>";

    @Test
    void filter_overlongCaption_isCroppedTo2900AndCounted() {
        Report r = new Report("filter");
        Sample s = Filter.osum().apply(Sample.of("cap", VED, 4000, 30, 10), new Random(1), r);
        assertNotNull(s);
        assertEquals(2900, s.frames());
        assertTrue(s.cropStart() >= 0 && s.cropStart() <= 1100);
        assertEquals(1, r.changed(Filter.CROPPED));
        assertEquals(1, r.keptCount());
    }

    @Test
    void filter_overlongNonCaption_isDroppedAndCounted() {
        Report r = new Report("filter");
        assertNull(Filter.osum().apply(Sample.of("long", ASR, 2901, 30, 10), new Random(1), r));
        assertEquals(1, r.skipped(Filter.TOO_LONG));
        assertNotNull(Filter.osum().apply(Sample.of("ok", ASR, 2900, 30, 10), new Random(1), r), "2900 is allowed");
    }

    @Test
    void filter_tokenAndSeqLimits() {
        Report r = new Report("filter");
        Filter f = Filter.osum();
        Random rng = new Random(1);
        assertNull(f.apply(Sample.of("empty", ASR, 100, 30, 0), rng, r));
        assertNull(f.apply(Sample.of("longlabel", ASR, 100, 30, 201), rng, r));
        assertNotNull(f.apply(Sample.of("label200", ASR, 100, 30, 200), rng, r));
        // seq = 450 + 2800/8 + 200 = 1000 -> kept; one more prompt token -> 1001 -> dropped
        assertEquals(1000.0, Sample.of("x", ASR, 2800, 450, 200).seqLen());
        assertNotNull(f.apply(Sample.of("seq1000", ASR, 2800, 450, 200), rng, r));
        assertNull(f.apply(Sample.of("seq1001", ASR, 2800, 451, 200), rng, r));
        assertNull(f.apply(Sample.of("notask", null, 100, 30, 5), rng, r));
        assertNotNull(new Filter(Filter.Config.osum().withFilterNoExtraInfo(false)).apply(Sample.of("notask", null, 100, 30, 5), rng, r));
        assertEquals(1, r.skipped(Filter.LABEL_TOO_SHORT));
        assertEquals(1, r.skipped(Filter.LABEL_TOO_LONG));
        assertEquals(1, r.skipped(Filter.SEQ_TOO_LONG));
        assertEquals(1, r.skipped(Filter.NO_TASK));
        assertEquals(r.seenCount(), r.keptCount() + r.skippedCount(), "every item accounted for");
    }

    @Test
    void filter_cropSeeded_isDeterministic() {
        List<Sample> in = new ArrayList<>();
        for (int i = 0; i < 20; i++) in.add(Sample.of("c" + i, VED, 3000 + 100 * i, 30, 5));
        List<Sample> a = Filter.osum().apply(in, new Random(9), new Report("a"));
        List<Sample> b = Filter.osum().apply(in, new Random(9), new Report("b"));
        assertEquals(a, b);
        assertTrue(a.stream().map(Sample::cropStart).distinct().count() > 1, "crop offsets are random");
    }

    static List<Sample> corpus(int n, long seed) {
        Random rng = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Sample.of("u" + i, ASR, 50 + rng.nextInt(2850), 10 + rng.nextInt(50), 1 + rng.nextInt(200)));
        return out;
    }

    @Test
    void batches_respectFrameAndSeqLimits_andKeepEveryItemOnce() {
        DynamicBatcher.Config cfg = DynamicBatcher.Config.osum();
        List<Sample> in = corpus(4000, 3);
        List<List<Sample>> batches = new DynamicBatcher(cfg, 7).batches(in);
        Set<String> seen = new HashSet<>();
        for (List<Sample> b : batches) {
            assertFalse(b.isEmpty());
            int maxF = b.stream().mapToInt(Sample::frames).max().orElseThrow();
            double maxS = b.stream().mapToDouble(Sample::seqLen).max().orElseThrow();
            if (b.size() > 1) {
                assertTrue(maxF * b.size() <= cfg.maxFramesInBatch(), "frames " + maxF + " x " + b.size());
                assertTrue(maxS * b.size() <= cfg.maxSeqInBatch(), "seq " + maxS + " x " + b.size());
            }
            for (Sample s : b) assertTrue(seen.add(s.key()), "duplicate " + s.key());
        }
        assertEquals(in.size(), seen.size());
        DynamicBatcher.Stats st = DynamicBatcher.stats(batches);
        assertEquals(in.size(), st.items());
        assertTrue(st.frameFill() > 0.5 && st.frameFill() <= 1.0, st.toString());
    }

    @Test
    void batches_sameSeed_sameBatches_otherSeed_differs() {
        List<Sample> in = corpus(3000, 4);
        DynamicBatcher.Config cfg = DynamicBatcher.Config.osum();
        assertEquals(new DynamicBatcher(cfg, 11).batches(in), new DynamicBatcher(cfg, 11).batches(in));
        assertNotEquals(new DynamicBatcher(cfg, 11).batches(in), new DynamicBatcher(cfg, 12).batches(in));
    }

    @Test
    void dynamicBatch_growsUntilLimit_thenStartsNew() {
        DynamicBatcher b = new DynamicBatcher(new DynamicBatcher.Config(1000, 1e9, 500, 1500), 1);
        List<Sample> in = List.of(Sample.of("a", ASR, 300, 1, 1), Sample.of("b", ASR, 300, 1, 1),
                Sample.of("c", ASR, 300, 1, 1), Sample.of("d", ASR, 400, 1, 1), Sample.of("e", ASR, 1200, 1, 1));
        List<List<Sample>> out = b.dynamicBatch(in);
        // a,b,c: 300*3=900 ok; +d: 400*4=1600 > 1000 -> new; d alone 400; +e: 1200*2 > 1000 -> new; e alone (over limit) kept
        assertEquals(List.of(List.of("a", "b", "c"), List.of("d"), List.of("e")),
                out.stream().map(x -> x.stream().map(Sample::key).toList()).toList());
    }

    @Test
    void sort_ordersWithinBuffersOnly() {
        DynamicBatcher b = new DynamicBatcher(new DynamicBatcher.Config(3900, 1900, 2, 1500), 1);
        List<Sample> in = List.of(Sample.of("a", ASR, 30, 1, 1), Sample.of("b", ASR, 10, 1, 1), Sample.of("c", ASR, 20, 1, 1), Sample.of("d", ASR, 5, 1, 1));
        assertEquals(List.of("b", "a", "d", "c"), b.sort(in).stream().map(Sample::key).toList());
    }
}
