package org.osum4j.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.nn.Params;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OsumModel's layout rules and input checks, on the osum_tiny weights. */
class OsumModelTest {

    private static OsumModel model;
    private static SafeTensors io;

    @BeforeAll
    static void load() throws Exception {
        Path fx = GoldenSuite.fixtures(GoldenSuite.defaultDir(), (d, k) -> k.equals(OsumParity.KIND)).get(0);
        model = OsumModel.fromOsumTensors(OsumConfig.read(fx), Checkpoints.open(fx.resolve("infer.pt")), fx);
        io = SafeTensors.read(fx.resolve("io.safetensors"));
    }

    @Test
    void encodeSpeech_oddItemInEvenBatch_losesAFrameThatPrefillKeeps() {
        INDArray a = Params.toArray(io.get("features.0"));                                          // [130, M]
        INDArray b = Params.toArray(io.get("features.1"));
        int odd = (int) b.size(0) - 1;                                                             // 89 frames
        INDArray bOdd = b.get(NDArrayIndex.interval(0, odd), NDArrayIndex.all()).dup('c');
        assertEquals(0, a.size(0) % 2, "the batch length must be even for the quirk");
        OsumModel.Speech batch = model.encodeSpeech(OsumParity.padBatch(List.of(a, bOdd)), new long[]{a.size(0), odd});
        long alone = model.encodeUtterance(bOdd).size(0);
        // encoder: 89 // 2 = 44 valid frames in the batch, ⌈89/2⌉ = 45 alone; after ×4 downsampling 11 vs 12
        assertEquals(alone - 1, batch.lengths()[1]);
        assertEquals(model.encodeUtterance(a).size(0), batch.lengths()[0]);
    }

    @Test
    void buildInputs_layoutHasHolesLabelsAndSkippingPositions() {
        OsumModel.Speech s = model.encodeSpeech(Params.toArray(io.get("batch.feats")), io.get("batch.feats_lengths").toLongs());
        long[][] prompts = {{1, 2, 3}, {4}};
        long[][] targets = {{7, model.config().eodId()}, {model.config().eodId()}};
        OsumModel.Inputs in = model.buildInputs(prompts, s, targets);
        int p = 3, sw = in.speechWidth(), len = p + 2 + sw + 2;
        assertEquals(len, in.length());
        long[] mask = in.attentionMask().getRow(1).dup().data().asLong();
        long[] pos = in.positionIds().getRow(1).dup().data().asLong();
        long[] lab = in.labels().getRow(1).dup().data().asLong();
        assertArrayEquals(new long[]{1, 0, 0, 1}, java.util.Arrays.copyOf(mask, 4), "prompt hole before the speech bos");
        assertArrayEquals(new long[]{0, 1, 1, 1}, java.util.Arrays.copyOf(pos, 4), "holes get position 1, bos continues at 1");
        assertEquals(1, mask[len - 2]);
        assertEquals(0, mask[len - 1], "shorter target leaves a trailing pad");
        assertEquals(model.config().eodId(), lab[len - 2]);
        assertEquals(OsumModel.IGNORE, lab[len - 1]);
        assertEquals(p + 1 + sw, in.eosColumn());
        // the bos column holds speech_token_emded[N] for every row
        INDArray bos = in.embeds().get(NDArrayIndex.all(), NDArrayIndex.point(in.bosColumn()), NDArrayIndex.all());
        assertEquals(0.0, bos.getRow(0).sub(model.speechBosEos().getRow(0)).amaxNumber().doubleValue(), 0);
        assertEquals(0.0, bos.getRow(1).sub(model.speechBosEos().getRow(0)).amaxNumber().doubleValue(), 0);
    }

    @Test
    void buildInputs_badIds_areErrorsNamingTheItem() {
        OsumModel.Speech s = model.encodeSpeech(Params.toArray(io.get("batch.feats")), io.get("batch.feats_lengths").toLongs());
        int v = model.config().llm().vocabSize();
        var e = assertThrows(IllegalArgumentException.class, () -> model.buildInputs(new long[][]{{1}, {v}}, s, null));
        assertTrue(e.getMessage().contains("item 1") && e.getMessage().contains(String.valueOf(v)), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.buildInputs(new long[][]{{1}, {}}, s, null));
        assertTrue(e.getMessage().contains("prompt of item 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.buildInputs(new long[][]{{1}}, s, null));
        assertTrue(e.getMessage().contains("1 prompts"), e.getMessage());
    }

    @Test
    void prefill_wrongFeatureWidth_isRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> model.prefill(new long[][]{{1}}, List.of(Nd4j.zeros(10, 3))));
        assertTrue(e.getMessage().contains("[10, 3]"), e.getMessage());
    }

    @Test
    void loss_equalsTheLlmTrainingLoss() {
        OsumModel.Speech s = model.encodeSpeech(Params.toArray(io.get("batch.feats")), io.get("batch.feats_lengths").toLongs());
        OsumModel.Inputs in = model.buildInputs(OsumParity.unpad(io.get("batch.prompt"), io.get("batch.prompt_lengths")), s,
                OsumParity.unpad(io.get("batch.target"), io.get("batch.target_lengths")));
        double viaGradients = model.llmLossAndGradients(in, Qwen2Model.loraOnly()).loss();
        assertEquals(viaGradients, model.loss(in), 1e-6);
        assertEquals(io.get("loss").toFloats()[0], model.loss(in), 1e-5);
    }

    @Test
    void random_tinyConfig_buildsAndGivesAFiniteLossNearLogV() {
        OsumModel r = OsumModel.random(model.config(), 7, 0.02);
        OsumModel.Speech s = r.encodeSpeech(Params.toArray(io.get("batch.feats")), io.get("batch.feats_lengths").toLongs());
        assertArrayEquals(model.encodeSpeech(Params.toArray(io.get("batch.feats")), io.get("batch.feats_lengths").toLongs()).lengths(),
                s.lengths(), "lengths depend on the config only");
        double loss = r.loss(r.buildInputs(OsumParity.unpad(io.get("batch.prompt"), io.get("batch.prompt_lengths")), s,
                OsumParity.unpad(io.get("batch.target"), io.get("batch.target_lengths"))));
        // small weights give near-uniform predictions: loss ≈ ln V
        assertEquals(Math.log(model.config().llm().vocabSize()), loss, 0.2);
    }
}
