package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.AdapterConfig;
import org.osum4j.model.io.WhisperConfig;
import org.osum4j.model.nn.RandomInit;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training forward ({@code trace}) gives exactly the inference numbers, the backward names a gradient
 * for every trainable parameter with its shape (what AdamW matches by name), and the speech assembly's
 * backward takes the right columns. Gradient values are the golden test's job (OsumGradientParityTest).
 */
class SpeechSideTrainingTest {

    private final SplittableRandom rng = new SplittableRandom(5);
    private final WhisperConfig ec = new WhisperConfig(6, 8, 2, 2, 12, 40, 1e-5);       // 6 mels, D 8, 2 blocks, 2 heads
    private final AdapterConfig ac = new AdapterConfig(8, 3, List.of(1, 2, 2), 2, 2, 2, 10, "relu", 50, 1e-5, 12);
    private final WhisperEncoder encoder = WhisperEncoder.random(ec, rng, 0.3);
    private final OsumAdapter adapter = OsumAdapter.random(ac, rng, 0.3);

    @Test
    void trace_oddPaddedBatch_givesTheInferenceNumbersExactly() {
        INDArray feats = new RandomInit(rng, 1.0).normal(2, 23, 6);                    // odd T: wenet's mask quirk
        long[] lengths = {23, 16};
        WhisperEncoder.Output inf = encoder.forwardFrames(feats, lengths, false);
        WhisperEncoder.Trace tr = encoder.trace(feats, lengths);
        assertEquals(inf.mask(), tr.output().mask());
        assertEquals(0.0, inf.lastHiddenState().sub(tr.output().lastHiddenState()).amaxNumber().doubleValue());
        OsumAdapter.Output a = adapter.forward(inf.lastHiddenState(), inf.mask());
        OsumAdapter.Trace at = adapter.trace(tr.output().lastHiddenState(), tr.output().mask());
        assertEquals(a.mask(), at.output().mask());
        assertEquals(0.0, a.speech().sub(at.output().speech()).amaxNumber().doubleValue());
    }

    @Test
    void backward_namesAGradientForEveryParameterWithItsShape() {
        INDArray feats = new RandomInit(rng, 1.0).normal(2, 20, 6);
        WhisperEncoder.Trace tr = encoder.trace(feats, new long[]{20, 13});
        OsumAdapter.Trace at = adapter.trace(tr.output().lastHiddenState(), tr.output().mask());
        Map<String, INDArray> grads = new TreeMap<>();
        INDArray dEnc = adapter.backward(at, new RandomInit(rng, 1.0).normal(at.output().speech().shape()), grads);
        assertArrayEquals(tr.output().lastHiddenState().shape(), dEnc.shape());
        assertArrayEquals(feats.shape(), encoder.backward(tr, dEnc, grads).shape());
        Map<String, INDArray> params = new TreeMap<>(encoder.parameters());
        params.putAll(adapter.parameters());
        assertEquals(params.keySet(), grads.keySet());
        params.forEach((n, p) -> assertArrayEquals(p.shape(), grads.get(n).shape(), n));
    }

    @Test
    void backward_hfNamedEncoder_usesHfNames() throws Exception {
        WhisperEncoder hf = WhisperEncoder.loadHf(GoldenSuite.defaultDir().resolve("whisper_encoder_a"));
        WhisperConfig c = hf.config();
        WhisperEncoder.Trace tr = hf.trace(new RandomInit(rng, 1.0).normal(1, 8, c.numMelBins()), null);
        Map<String, INDArray> grads = new TreeMap<>();
        hf.backward(tr, tr.output().lastHiddenState(), grads);
        assertEquals(new TreeMap<>(hf.parameters()).keySet(), grads.keySet());
        for (String leaf : List.of("conv1.weight", "layers.0.self_attn.q_proj.weight", "layers.0.final_layer_norm.bias", "layer_norm.weight")) {
            assertTrue(grads.keySet().stream().anyMatch(n -> n.endsWith(leaf)), leaf + " not in " + grads.keySet());
        }
    }

    @Test
    void speechSegment_splitsSpeechColumnsAndSumsBosEosRows() {
        INDArray dX = new RandomInit(rng, 1.0).normal(2, 10, 3);                      // prompt 2 | bos | 4 | eos | 2
        SpeechSegment seg = new SpeechSegment(2, 4);
        INDArray ds = seg.speechGradient(dX);
        assertEquals(0.0, ds.sub(dX.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 7), NDArrayIndex.all())).amaxNumber().doubleValue());
        INDArray tab = seg.tokenTableGradient(dX, 5);                                  // rows 5 (bos), 6 (eos)
        assertArrayEquals(new long[]{7, 3}, tab.shape());
        assertEquals(0.0, tab.getRow(5).sub(dX.get(NDArrayIndex.all(), NDArrayIndex.point(2), NDArrayIndex.all()).sum(0))
                .amaxNumber().doubleValue(), 1e-6);
        assertEquals(0.0, tab.getRow(6).sub(dX.get(NDArrayIndex.all(), NDArrayIndex.point(7), NDArrayIndex.all()).sum(0))
                .amaxNumber().doubleValue(), 1e-6);
        assertEquals(0.0, tab.get(NDArrayIndex.interval(0, 5), NDArrayIndex.all()).amaxNumber().doubleValue());
        assertThrows(IllegalArgumentException.class, () -> new SpeechSegment(4, 6).speechGradient(dX));
    }
}
