package org.osum4j.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WhisperConfigTest {

    @Test
    void fromHfConfig_readsEncoderFieldsOfFixtureB() throws Exception {
        WhisperConfig c = WhisperConfig.fromHfConfig(GoldenSuite.defaultDir().resolve("whisper_encoder_b/config.json"));
        assertEquals(new WhisperConfig(128, 96, 3, 6, 384, 150, 1e-5), c);
        assertEquals(16, c.headDim());
        assertEquals(300, c.maxInputFrames());
    }

    @Test
    void fromHf_missingKey_namesFileAndKey() {
        Map<String, Object> m = new HashMap<>(Map.of("num_mel_bins", 80, "d_model", 64, "encoder_layers", 2,
                "encoder_attention_heads", 4, "max_source_positions", 1500));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromHf(m, "cfg.json"));
        assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("encoder_ffn_dim"), e.getMessage());
    }

    @Test
    void fromHf_otherActivation_isRejected() {
        Map<String, Object> m = new HashMap<>(Map.of("num_mel_bins", 80, "d_model", 64, "encoder_layers", 2,
                "encoder_attention_heads", 4, "encoder_ffn_dim", 256, "max_source_positions", 1500, "activation_function", "relu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromHf(m, "cfg.json"));
        assertTrue(e.getMessage().contains("activation_function"), e.getMessage());
    }

    @Test
    void constructor_headsNotDividingWidth_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WhisperConfig(80, 100, 2, 3, 256, 1500, 1e-5));
    }

    @Test
    void fromOsumConfig_readsTheOsumSectionOfTheFixture() throws Exception {
        WhisperConfig c = WhisperConfig.fromOsumConfig(GoldenSuite.defaultDir().resolve("osum_tiny/config.json"));
        assertEquals(80, c.numMelBins());
        assertEquals(64, c.dModel());
        assertEquals(2, c.encoderLayers());
        assertEquals(4, c.encoderAttentionHeads());
        assertEquals(128, c.encoderFfnDim());
        assertEquals(WhisperConfig.OSUM_MAX_SOURCE_POSITIONS, c.maxSourcePositions());
    }

    @Test
    void fromOsumConfig_yamlWithUnknownEncoderKey_isRejected(@TempDir Path tmp) throws Exception {
        Path yaml = tmp.resolve("osum.yaml");
        Files.writeString(yaml, String.join("\n",
                "input_dim: 80", "encoder: transformer", "encoder_conf:", "  output_size: 1024", "  attention_heads: 16",
                "  linear_units: 4096", "  num_blocks: 24", "  input_layer: conv1d2", "  pos_enc_layer_type: abs_pos_whisper",
                "  rel_shift: true", ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromOsumConfig(yaml));
        assertTrue(e.getMessage().contains("rel_shift"), e.getMessage());
    }

    @Test
    void fromOsumConfig_yamlOfOsumMedium_givesWhisperMediumEncoder(@TempDir Path tmp) throws Exception {
        Path yaml = tmp.resolve("osum.yaml");
        Files.writeString(yaml, String.join("\n",
                "input_dim: 80", "encoder: transformer", "adapter_type: gxl", "downsample_rate: 4", "encoder_conf:",
                "  output_size: 1024", "  attention_heads: 16", "  linear_units: 4096", "  num_blocks: 24",
                "  input_layer: conv1d2", "  pos_enc_layer_type: abs_pos_whisper", "  key_bias: false",
                "  activation_type: gelu", "  normalize_before: true", "  dropout_rate: 0.1", "  static_chunk_size: -1",
                "  use_dynamic_chunk: false", "  gradient_checkpointing: true", ""));
        assertEquals(new WhisperConfig(80, 1024, 24, 16, 4096, 1500, 1e-5), WhisperConfig.fromOsumConfig(yaml));
        AdapterConfig a = AdapterConfig.fromOsumConfig(yaml, 3584);
        assertEquals(AdapterConfig.osum(1024, 3584), a);
        assertEquals(375, a.outputFrames(1500), "30 s → 375 speech tokens");
    }

    @Test
    void adapterFromFixtureConfig_usesTheEffectiveTinySizes() throws Exception {
        AdapterConfig a = AdapterConfig.fromOsumFixtureConfig(GoldenSuite.defaultDir().resolve("osum_tiny/config.json"));
        assertEquals(new AdapterConfig(64, 3, List.of(1, 2, 2), 2, 2, 4, 96, "relu", 5000, 1e-5, 64), a);
        assertEquals(17, a.outputFrames(65));
        assertEquals(12, a.outputFrames(45));
    }
}
