package org.osum4j.infer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.OsumModel;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.DType;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.nn.Params;
import org.osum4j.model.nn.Sinusoids;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Osum.load on both layouts, convert / export round trips (identical logits), and bad checkpoints. */
class OsumLoadTest {

    private static Path fixture() throws Exception {
        List<Path> f = GoldenSuite.fixtures(GoldenSuite.defaultDir(), (d, k) -> k.equals("osum_tiny"));
        assertFalse(f.isEmpty(), "no osum_tiny fixture under " + GoldenSuite.defaultDir());
        return f.get(0);
    }

    /** Logits [B, L, V] of the fixture's training batch (batch.feats, prompts, targets) through a loaded model. */
    private static float[] batchLogits(Osum o, Path fixture) throws Exception {
        SafeTensors io = SafeTensors.read(fixture.resolve("io.safetensors"));
        OsumModel m = o.model();
        OsumModel.Speech s = m.encodeSpeech(Params.toArray(io.get("batch.feats")), io.get("batch.feats_lengths").toLongs());
        INDArray logits = m.logits(m.buildInputs(unpad(io, "batch.prompt"), s, unpad(io, "batch.target")));
        return logits.dup('c').data().asFloat();
    }

    private static long[][] unpad(SafeTensors io, String name) {
        long[] v = io.get(name).toLongs();
        long[] len = io.get(name + "_lengths").toLongs();
        int w = (int) io.get(name).shape()[1];
        long[][] out = new long[len.length][];
        for (int b = 0; b < len.length; b++) out[b] = java.util.Arrays.copyOfRange(v, b * w, (int) (b * w + len[b]));
        return out;
    }

    @Test
    void convertThenExport_giveIdenticalLogitsAndOsumKeys(@TempDir Path tmp) throws Exception {
        Path fx = fixture();
        float[] ref;
        try (Osum release = Osum.load(fx)) {
            assertEquals(Osum.Layout.OSUM, release.layout());
            ref = batchLogits(release, fx);
            assertEquals(597, release.tokenizer().endOfTextId());
            assertFalse(release.tasks().tasks().isEmpty());
        }

        Path own = tmp.resolve("own");
        Osum.convert(fx, own, false);
        assertTrue(Files.isRegularFile(own.resolve(Checkpoints.SAFETENSORS_INDEX)));
        assertTrue(Files.isRegularFile(own.resolve("tokenizer.json")));
        assertTrue(Checkpoints.open(own).keySet().contains("llm.model.embed_tokens.weight"), "canonical names expected");
        try (Osum converted = Osum.load(own)) {
            assertEquals(Osum.Layout.OWN, converted.layout());
            assertEquals(OsumConfig.read(fx), converted.config());
            assertArrayEquals(ref, batchLogits(converted, fx), 0f);
        }

        Path back = tmp.resolve("exported");
        Osum.export(own, back);
        Map<String, TensorData> exported = Checkpoints.open(back);
        assertEquals(new TreeSet<>(SafeTensors.read(fx.resolve("model.safetensors")).names()), new TreeSet<>(exported.keySet()),
                "export must restore OSUM's complete state dict");
        try (Osum reloaded = Osum.load(back)) {
            assertEquals(Osum.Layout.OSUM, reloaded.layout());
            assertArrayEquals(ref, batchLogits(reloaded, fx), 0f);
        }
    }

    @Test
    void convert_bf16_storesBf16AndStaysClose(@TempDir Path tmp) throws Exception {
        Path fx = fixture();
        Path own = tmp.resolve("bf16");
        Osum.convert(fx, own, true);
        assertEquals(DType.BF16, Checkpoints.open(own).get("llm.lm_head.weight").dtype());
        float[] ref;
        try (Osum release = Osum.load(fx)) {
            ref = batchLogits(release, fx);
        }
        try (Osum o = Osum.load(own)) {
            float[] got = batchLogits(o, fx);
            double max = 0;
            for (int i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i] - got[i]));
            assertTrue(max > 0 && max < 0.5, "bf16 weights should move logits a little, moved " + max);
        }
    }

    @Test
    void load_missingTensor_namesItAndMisshapedNamesBothShapes() throws Exception {
        Path fx = fixture();
        OsumConfig cfg = OsumConfig.read(fx);
        Map<String, TensorData> w = new LinkedHashMap<>(Checkpoints.open(fx.resolve("infer.pt")));
        String gone = "speech_llama_proj.bias";
        String bad = "encoder.encoders.0.feed_forward.w_1.weight";
        w.remove(gone);
        TensorData t = w.get(bad);
        long[] s = t.shape();
        w.put(bad, t.reshape(s[1], s[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OsumModel.fromOsumTensors(cfg, w, fx));
        String msg = e.getMessage();
        assertTrue(msg.contains(gone), msg);
        assertTrue(msg.contains(bad) && msg.contains(java.util.Arrays.toString(s))
                && msg.contains(java.util.Arrays.toString(new long[]{s[1], s[0]})), msg);
    }

    @Test
    void load_checkpointWithoutPositionBuffers_usesTheInitSinusoids(@TempDir Path tmp) throws Exception {
        Path own = tmp.resolve("own");
        Osum.convert(fixture(), own, false);
        // a training checkpoint's folder: parameters only, no positional buffers (canonical names, one file)
        Path ckpt = Files.createDirectories(tmp.resolve("step-000500"));
        List<TensorData> params = Checkpoints.open(own).values().stream()
                .filter(t -> !t.name().contains("embed_positions")).toList();
        assertEquals(2, Checkpoints.open(own).size() - params.size(), "the converted model holds both position buffers");
        Checkpoints.writeSharded(ckpt, params, Checkpoints.DEFAULT_MAX_SHARD_BYTES, false, Map.of("format", "pt"));
        Files.copy(own.resolve(Osum.CONFIG_JSON), ckpt.resolve(Osum.CONFIG_JSON));
        Files.copy(own.resolve(Osum.TOKENIZER_JSON), ckpt.resolve(Osum.TOKENIZER_JSON));
        try (Osum o = Osum.load(ckpt); Osum full = Osum.load(own)) {
            OsumConfig c = o.config();
            INDArray enc = o.model().encoder().positionTable(), ad = o.model().adapter().positionTable();
            assertEquals(Sinusoids.whisper(c.encoder().maxSourcePositions(), c.encoder().dModel()), enc.reshape(enc.size(-2), enc.size(-1)));
            assertEquals(Sinusoids.interleaved(c.adapter().maxPositions(), c.adapter().dModel()), ad.reshape(ad.size(-2), ad.size(-1)));
            // the fixture's own tables carry noise on purpose: where a file has tables, they are used, not recomputed
            INDArray fileEnc = full.model().encoder().positionTable();
            assertFalse(fileEnc.equalsWithEps(enc.reshape(fileEnc.shape()), 1e-6), "a present table must be kept as stored");
        }
    }

    @Test
    void load_folderWithoutConfig_saysWhatItExpected(@TempDir Path tmp) {
        Exception e = assertThrows(Exception.class, () -> Osum.load(tmp));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void greedyText_promptStringAndFeatures_reproduceOsumsGenerate() throws Exception {
        Path fx = fixture();
        SafeTensors io = SafeTensors.read(fx.resolve("io.safetensors"));
        var gen = new com.fasterxml.jackson.databind.ObjectMapper().readTree(fx.resolve("meta.json").toFile()).get("generate");
        try (Osum o = Osum.load(fx)) {
            for (int i = 0; i < gen.size(); i++) {
                String prompt = gen.get(i).get("prompt").asText();
                assertArrayEquals(io.get("generate." + i + ".prompt_ids").toLongs(), o.promptIds(prompt), "prompt " + i);
                INDArray feats = Params.toArray(io.get("features." + i));
                long[] ref = io.get("generate." + i + ".output_ids").toLongs();
                assertArrayEquals(ref, o.greedyIds(prompt, feats, ref.length), "item " + i);   // no eod among them (tiny vocab)
                assertEquals(gen.get(i).get("text_greedy").asText(), o.greedyText(prompt, feats, ref.length), "text " + i);
            }
        }
    }
}
