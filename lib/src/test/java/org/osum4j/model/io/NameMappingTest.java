package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * NameMapping on the golden osum_tiny infer.pt: the canonical names and shapes equal the state_dict of the
 * PyTorch baseline (osum_torch.py's OSUM module, listed once by Python in osum_torch_state_dict_osum_tiny.txt),
 * the encoder / LLM sections carry the golden Whisper / Qwen2 fixture names, and export round-trips.
 */
class NameMappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, TensorData> inferPt;

    /** The golden infer.pt state dict, read once (tensors are read-only views, so sharing them is safe). */
    static synchronized Map<String, TensorData> inferPt() throws IOException {
        if (inferPt == null) inferPt = TorchCheckpoint.open(TorchCheckpointTest.osumTiny().resolve("infer.pt")).stateDict();
        return inferPt;
    }

    static JsonNode config() throws IOException {
        return JSON.readTree(TorchCheckpointTest.osumTiny().resolve("config.json").toFile());
    }

    @Test
    void fromOsum_namesEqualTheTorchBaselineStateDict_shapesFollowTheConfig() throws Exception {
        Map<String, TensorData> osum = inferPt();
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        // Names: the baseline's state_dict for the public fixture, layer indices abstracted so that a held-out
        // fixture with other layer counts compares too.
        Set<String> baseline = new TreeSet<>();
        for (String line : Files.readAllLines(TorchCheckpointTest.resource("osum_torch_state_dict_osum_tiny.txt"))) {
            if (!line.startsWith("#") && !line.isBlank()) baseline.add(line.split(" ")[0]);
        }
        assertEquals(patterns(baseline), patterns(imp.canonical().keySet()));

        // Shapes: as in OSUM except the two documented views; the view shapes follow config.json.
        JsonNode d = config().get("derived");
        long dEnc = d.get("encoder").get("output_size").asLong();
        long hidden = d.get("llm").get("hidden_size").asLong();
        for (Map.Entry<String, TensorData> e : imp.canonical().entrySet()) {
            long[] s = e.getValue().shape();
            switch (e.getKey()) {
                case "encoder.embed_positions.weight", "adapter.embed_positions" -> {
                    assertEquals(2, s.length, e.getKey());
                    assertEquals(dEnc, s[1], e.getKey());
                }
                case "speech_embed.weight" -> assertArrayEquals(new long[]{2, hidden}, s);
                default -> {
                    String src = NameMapping.canonicalToOsum(e.getKey(), imp.style(),
                            osum.containsKey(NameMapping.canonicalToOsum(e.getKey(), imp.style(), true)));
                    assertArrayEquals(osum.get(src).shape(), s, e.getKey() + " <- " + src);
                }
            }
        }
        assertArrayEquals(new long[]{d.get("lora_rank").asLong(), hidden},
                imp.canonical().get("llm.model.layers.0.self_attn.q_proj.lora_A.weight").shape());
    }

    @Test
    void fromOsum_setsAsideUnusedAndAliases_andKeepsSpeechRows() throws IOException {
        Map<String, TensorData> osum = inferPt();
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        assertEquals(Set.of("ln_speech.weight", "ln_speech.bias", "speaker_head.weight", "speaker_head.bias"),
                imp.unused().keySet());
        JsonNode aliases = JSON.readTree(TorchCheckpointTest.osumTiny().resolve("meta.json").toFile()).get("state_dict_aliases");
        Map<String, String> expectedAliases = new LinkedHashMap<>();
        aliases.fields().forEachRemaining(e -> expectedAliases.put(e.getKey(), e.getValue().asText()));
        assertEquals(expectedAliases, imp.aliases());
        assertTrue(imp.unmapped().isEmpty(), imp.unmapped().keySet().toString());
        assertEquals(osum.size(), imp.canonical().size() + imp.unused().size() + imp.aliases().size());

        int n = config().get("derived").get("speech_token_num").asInt();
        assertEquals(n, imp.speechTokenNum());
        float[] table = osum.get("speech_token_emded.weight").toFloats();
        int h = (int) osum.get("speech_token_emded.weight").shape()[1];
        assertArrayEquals(Arrays.copyOfRange(table, n * h, (n + 2) * h), imp.canonical().get("speech_embed.weight").toFloats());
        assertArrayEquals(new long[]{2, h}, imp.canonical().get("speech_embed.weight").shape());
        // [1, max, D] buffer -> [max, D], same bytes
        TensorData pe = imp.canonical().get("adapter.embed_positions");
        assertEquals(osum.get("speech_transformer.embed.pos_enc.pe").data(), pe.data());
        assertEquals(2, pe.shape().length);
    }

    @Test
    void sections_carryTheGoldenWhisperAndQwen2Names() throws IOException {
        NameMapping.OsumImport imp = NameMapping.fromOsum(inferPt());
        Map<String, TensorData> enc = NameMapping.section(imp.canonical(), "encoder.");
        Set<String> whisper = SafeTensors.read(GoldenSuite.defaultDir().resolve("whisper_encoder_a/model.safetensors")).tensors().keySet();
        assertEquals(patterns(whisper), patterns(enc.keySet()));
        Map<String, TensorData> llm = NameMapping.section(imp.canonical(), "llm.");
        Set<String> base = llm.keySet().stream().filter(k -> !k.contains(".lora_")).collect(Collectors.toSet());
        Set<String> qwen = SafeTensors.read(GoldenSuite.defaultDir().resolve("qwen2_a/model.safetensors")).tensors().keySet();
        assertEquals(patterns(qwen), patterns(base));
        assertEquals("model.embed_tokens.weight", llm.get("model.embed_tokens.weight").name());
    }

    /** Names with every layer index replaced by {i}, so fixtures with other layer counts compare equal. */
    private static Set<String> patterns(Set<String> names) {
        return names.stream().map(s -> s.replaceAll("\\.\\d+\\.", ".{i}.")).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void toOsum_roundTripGivesTheSameKeysOrderShapesAndBytes() throws IOException {
        Map<String, TensorData> osum = inferPt();
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        Map<String, TensorData> back = NameMapping.toOsum(imp.canonical(), imp);
        assertEquals(new ArrayList<>(osum.keySet()), new ArrayList<>(back.keySet()));
        for (String k : osum.keySet()) {
            assertEquals(k, back.get(k).name());
            assertArrayEquals(osum.get(k).shape(), back.get(k).shape(), k);
            assertEquals(osum.get(k).data(), back.get(k).data(), k);
        }
    }

    @Test
    void toOsum_changedSpeechEmbed_writesOnlyRowsNAndNPlus1() throws IOException {
        Map<String, TensorData> osum = inferPt();
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        Map<String, TensorData> canon = new LinkedHashMap<>(imp.canonical());
        TensorData se = canon.get("speech_embed.weight");
        float[] v = se.toFloats();
        for (int i = 0; i < v.length; i++) v[i] = i + 0.5f;
        canon.put("speech_embed.weight", TensorData.ofFloats("speech_embed.weight", se.shape(), v));
        TensorData table = NameMapping.toOsum(canon, imp).get("speech_token_emded.weight");
        float[] orig = osum.get("speech_token_emded.weight").toFloats();
        float[] got = table.toFloats();
        int n = imp.speechTokenNum();
        int h = (int) se.shape()[1];
        assertArrayEquals(Arrays.copyOf(orig, n * h), Arrays.copyOf(got, n * h));
        assertArrayEquals(v, Arrays.copyOfRange(got, n * h, (n + 2) * h));
    }

    @Test
    void olderPeftWithoutBaseLayer_mapsToTheSameCanonicalAndBack() throws IOException {
        Map<String, TensorData> old = new LinkedHashMap<>();
        inferPt().forEach((k, t) -> old.put(k.replace(".base_layer.", "."), t));
        NameMapping.OsumImport imp = NameMapping.fromOsum(old);
        NameMapping.OsumImport cur = NameMapping.fromOsum(inferPt());
        assertEquals(cur.canonical().keySet(), imp.canonical().keySet());
        assertFalse(imp.style().baseLayer());
        assertEquals(old.keySet(), NameMapping.toOsum(imp.canonical(), imp).keySet());
    }

    @Test
    void toOsumFresh_hasEveryUsedOsumKeyAndZeroUnusedSpeechRows() throws IOException {
        Map<String, TensorData> osum = inferPt();
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        Map<String, TensorData> fresh = NameMapping.toOsum(imp.canonical(), imp.speechTokenNum());
        Set<String> expected = new TreeSet<>(osum.keySet());
        expected.removeIf(k -> k.startsWith("ln_speech.") || k.startsWith("speaker_head."));
        assertEquals(expected, new TreeSet<>(fresh.keySet()));
        float[] t = fresh.get("speech_token_emded.weight").toFloats();
        int h = (int) osum.get("speech_token_emded.weight").shape()[1];
        for (int i = 0; i < imp.speechTokenNum() * h; i++) assertEquals(0f, t[i]);
        assertEquals(osum.get("lm_head.weight").data(), fresh.get("lm_head.weight").data());
    }

    @Test
    void convertedCheckpointWithExtras_exportsTheCompleteOsumStateDict(@TempDir Path tmp) throws IOException {
        Map<String, TensorData> osum = inferPt();
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        Checkpoints.writeSharded(tmp, imp.withExtras().values(), 1 << 18, false, Map.of());
        Checkpoints.Weights disk = Checkpoints.open(tmp);
        assertFalse(NameMapping.isOsumNaming(disk.keySet()));
        NameMapping.OsumImport again = NameMapping.toCanonical(disk);
        assertEquals(imp.canonical().keySet(), again.canonical().keySet());
        assertEquals(imp.speechTokenNum(), again.speechTokenNum());
        Map<String, TensorData> back = NameMapping.toOsum(again.canonical(), again);
        assertEquals(new TreeSet<>(osum.keySet()), new TreeSet<>(back.keySet()));
        for (String k : osum.keySet()) {
            assertArrayEquals(osum.get(k).shape(), back.get(k).shape(), k);
            assertEquals(osum.get(k).data(), back.get(k).data(), k);
        }
        assertTrue(NameMapping.isOsumNaming(osum.keySet()));
    }

    @Test
    void singleNames_mapBothWays() {
        assertEquals("adapter.convs.1.weight", NameMapping.osumToCanonical("down_sample_2.conv.4.weight"));
        assertEquals("encoder.layers.3.self_attn.out_proj.bias",
                NameMapping.osumToCanonical("encoder.encoders.3.self_attn.linear_out.bias"));
        assertEquals("adapter.input_norm.weight", NameMapping.osumToCanonical("speech_transformer.embed.out.1.weight"));
        assertEquals("llm.model.layers.0.mlp.down_proj.lora_B.weight",
                NameMapping.osumToCanonical("llama_model.base_model.model.model.layers.0.mlp.down_proj.lora_B.default.weight"));
        assertEquals("llm.lm_head.weight", NameMapping.osumToCanonical("llama_model.lm_head.weight"));
        assertNull(NameMapping.osumToCanonical("down_sample_2.conv.2.weight")); // a GELU index holds no weight
        assertNull(NameMapping.osumToCanonical("encoder.embed.conv.0.extra.weight"));
        assertEquals("llama_model.base_model.model.model.layers.0.self_attn.q_proj.base_layer.weight",
                NameMapping.canonicalToOsum("llm.model.layers.0.self_attn.q_proj.weight", NameMapping.PeftStyle.CURRENT, true));
        assertEquals("llama_model.base_model.model.model.layers.0.mlp.up_proj.weight",
                NameMapping.canonicalToOsum("llm.model.layers.0.mlp.up_proj.weight", NameMapping.PeftStyle.CURRENT, false));
    }

    @Test
    void check_reportsUnmappedAsUnexpectedAndUnusedAsIgnored() throws IOException {
        Map<String, TensorData> osum = new LinkedHashMap<>(inferPt());
        TensorData any = osum.get("ln_speech.weight");
        osum.put("new_module.weight", NameMapping.rename(any, "new_module.weight"));
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        ModelWeights.Report r = imp.check(ModelWeights.shapes(imp.canonical()));
        assertFalse(r.ok());
        assertEquals(List.of("new_module.weight"), r.unexpected());
        assertTrue(r.ignored().contains("speaker_head.weight") && r.ignored().contains("lm_head.weight"), r.ignored().toString());
        assertTrue(r.toString().contains("unexpected (1)"), r.toString());
    }

    @Test
    void aliasWithOtherBytes_isNotDroppedButUnmapped() throws IOException {
        Map<String, TensorData> osum = new LinkedHashMap<>(inferPt());
        TensorData lm = osum.get("lm_head.weight");
        osum.put("lm_head.weight", new TensorData("lm_head.weight", lm.dtype(), lm.shape(), ByteBuffer.allocate(lm.data().remaining())));
        NameMapping.OsumImport imp = NameMapping.fromOsum(osum);
        assertTrue(imp.unmapped().containsKey("lm_head.weight"));
        assertFalse(imp.aliases().containsKey("lm_head.weight"));
    }

    static Path tiny() {
        return TorchCheckpointTest.osumTiny();
    }
}
