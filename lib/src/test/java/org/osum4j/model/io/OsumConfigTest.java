package org.osum4j.model.io;

import org.junit.jupiter.api.Test;
import org.osum4j.golden.GoldenSuite;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OsumConfig: the OSUM-7B breakdown from shapes alone, the fixture's config, and the own-layout JSON round trip. */
class OsumConfigTest {

    /**
     * The issue's breakdown of OSUM-7B, in billions: each part within ±3 % of the stated figure, or within half a
     * unit of its last stated digit where that is wider (the adapter's "0.06 B" is 0.057 B: 51.96 M weights plus
     * its 5.12 M positional table).
     */
    private static final double TOLERANCE = 0.03;

    @Test
    void describe_osum7b_givesAboutEightBillionWithTheIssuesBreakdown() {
        OsumConfig c = OsumConfig.osum7b();
        Describe d = c.describe();
        System.out.println(d);
        Map<String, Long> parts = new TreeMap<>();
        d.rows().forEach(r -> parts.put(r.part(), r.parameters()));
        near(7.62e9, 0.01e9, parts.get("llm (Qwen2)"), "Qwen2-7B");
        near(0.31e9, 0.01e9, parts.get("encoder"), "encoder");
        near(0.06e9, 0.01e9, parts.get("adapter"), "adapter");
        near(0.03e9, 0.01e9, parts.get("speech emb + spk head"), "speech embeddings + speaker head");
        near(0.015e9, 0.001e9, parts.get("lora"), "LoRA");
        near(8.0e9, 0.1e9, d.totalParameters(), "total");
        assertEquals(305_680_384L + 1500L * 1024, parts.get("encoder"), "encoder weights + its positional table");
        assertEquals(540_672L * 28, parts.get("lora"), "spec §1.6: 540,672 LoRA parameters per layer");
        assertEquals(c.llm().parameterCount(), parts.get("llm (Qwen2)"), "the LLM part is the base Qwen2 (LoRA counted apart)");
        assertEquals(2L * d.totalParameters(), d.total().bytesAs(DType.BF16));
    }

    /** {@code unit}: the place value of the stated figure's last digit. */
    private static void near(double expected, double unit, Long actual, String what) {
        assertNotNull(actual, what + " missing from describe()");
        double tol = Math.max(TOLERANCE * expected, unit / 2);
        assertTrue(Math.abs(actual - expected) <= tol,
                what + ": " + String.format("%,d", actual) + " not within " + String.format("%,.0f", tol) + " of " + String.format("%,.0f", expected));
    }

    @Test
    void read_osumTinyFixture_matchesItsDerivedSection() throws Exception {
        List<Path> f = GoldenSuite.fixtures(GoldenSuite.defaultDir(), (dir, k) -> k.equals("osum_tiny"));
        assertFalse(f.isEmpty());
        OsumConfig c = OsumConfig.read(f.get(0));
        var derived = new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.get(0).resolve("config.json").toFile()).get("derived");
        assertEquals(derived.get("speech_token_num").asInt(), c.speechTokenNum());
        assertEquals(derived.get("speech_bos_row").asInt(), c.speechBosRow());
        assertEquals(derived.get("speech_eos_row").asInt(), c.speechEosRow());
        assertEquals(derived.get("eod_id (appended to every target)").asInt(), c.eodId());
        assertEquals(derived.get("prompt_pad_id (tokenizer.eos_token_id)").asInt(), c.promptPadId());
        assertEquals(derived.get("lora_scaling").asDouble(), c.lora().scaling(), 0);
        assertEquals(derived.get("llm").get("hidden_size").asInt(), c.llm().hiddenSize());
        assertEquals(derived.get("speech_transformer").get("linear_units").asInt(), c.adapter().ffnDim());
        // the full state dict (unused modules and buffers included) has exactly the fixture's non-alias keys
        Map<String, long[]> shapes = c.osumShapes(true, true);
        var st = SafeTensors.read(f.get(0).resolve("model.safetensors"));
        List<String> fileKeys = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.get(0).resolve("meta.json").toFile()).get("state_dict_keys")
                .forEach(k -> fileKeys.add(k.asText()));
        fileKeys.removeAll(List.of("embed_tokens.weight", "lm_head.weight"));
        assertEquals(fileKeys, List.copyOf(shapes.keySet()), "infer.pt order");
        for (String k : fileKeys) assertEquals(java.util.Arrays.toString(st.get(k).shape()), java.util.Arrays.toString(shapes.get(k)), k);
    }

    @Test
    void ownJson_roundTripsAndOsumJsonReadsBack(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        OsumConfig c = OsumConfig.osum7b();
        assertEquals(c, OsumConfig.fromOwnJson(c.toOwnJson(), "test"));
        OsumConfig.writeJson(tmp.resolve("config.json"), c.toOsumJson());
        assertEquals(c, OsumConfig.read(tmp));
        OsumConfig noLora = new OsumConfig(c.encoder(), c.adapter(), c.llm(), null, c.speechTokenNum(), c.eodId(), c.promptPadId());
        assertNull(OsumConfig.fromOwnJson(noLora.toOwnJson(), "test").lora());
    }

    @Test
    void constructor_adapterWidthNotTheLlms_isRejected() {
        OsumConfig c = OsumConfig.osum7b();
        AdapterConfig wrong = AdapterConfig.osum(c.encoder().dModel(), 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OsumConfig(c.encoder(), wrong, c.llm(), c.lora(), c.speechTokenNum(), c.eodId(), c.promptPadId()));
        assertTrue(e.getMessage().contains("1024") && e.getMessage().contains("3584"), e.getMessage());
    }

    @Test
    void read_releaseYamlWithAbsoluteLlmPath_usesLlmFolderAndOsumsHardCodedAdapter(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path fx = GoldenSuite.fixtures(GoldenSuite.defaultDir(), (dir, k) -> k.equals("osum_tiny")).get(0);
        Map<String, Object> osum = SpeechConfigKeys.section(SpeechConfigKeys.readMap(fx.resolve("config.json")), "osum", "fixture");
        Map<String, Object> yaml = new java.util.LinkedHashMap<>(osum);
        yaml.put("llm_path", "/models/qwen2_7b_instruct");      // as in OSUM's shipped YAML: a path on their machine
        java.nio.file.Files.writeString(tmp.resolve("config_llm_huawei_base-version.yaml"), new org.yaml.snakeyaml.Yaml().dump(yaml));
        java.nio.file.Files.createDirectories(tmp.resolve("llm"));
        java.nio.file.Files.copy(fx.resolve("llm/config.json"), tmp.resolve("llm/config.json"));
        OsumConfig c = OsumConfig.read(tmp);
        OsumConfig tiny = OsumConfig.read(fx);
        assertEquals(tiny.encoder(), c.encoder());
        assertEquals(tiny.llm(), c.llm());
        assertEquals(tiny.lora(), c.lora());
        assertEquals(AdapterConfig.osum(tiny.encoder().dModel(), tiny.llm().hiddenSize()), c.adapter(),
                "a plain OSUM YAML has no adapter sizes: OSUM's hard-coded ones apply");
    }
}
