package org.osum4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.model.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The converted Qwen2 tokenizer against the ids OSUM's own (slow HF) tokenizer produced in osum_tiny. */
class TokenizerTest {

    static Path fixture;
    static Tokenizer tok;
    static JsonNode meta;
    static SafeTensors io;

    @BeforeAll
    static void load() throws IOException {
        fixture = GoldenSuite.defaultDir().resolve("osum_tiny");
        assertTrue(Files.isDirectory(fixture), "golden fixture missing: " + fixture);
        tok = Tokenizer.load(fixture.resolve("llm"));
        meta = new ObjectMapper().readTree(fixture.resolve("meta.json").toFile());
        io = SafeTensors.read(fixture.resolve("io.safetensors"));
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void encode_goldenPrompts_equalOsumPromptIds() {
        JsonNode gens = meta.get("generate");
        assertTrue(gens.size() > 0);
        long[][] batch = batchRows("batch.prompt", "batch.prompt_lengths");
        for (int i = 0; i < gens.size(); i++) {
            String prompt = gens.get(i).get("prompt").asText();
            long[] ref = io.get("generate." + i + ".prompt_ids").toLongs();
            assertArrayEquals(ref, tok.encode(prompt), "prompt " + i + ": " + prompt);
            // Training batch items are the spec items in the same order.
            String trainPrompt = meta.get("spec").get("items").get(i).get("prompt").asText();
            assertArrayEquals(batch[i], tok.encode(trainPrompt), "batch.prompt row " + i);
        }
    }

    @Test
    void decode_goldenPromptIds_giveBackPrompt() {
        JsonNode gens = meta.get("generate");
        for (int i = 0; i < gens.size(); i++) {
            long[] ids = io.get("generate." + i + ".prompt_ids").toLongs();
            assertEquals(gens.get(i).get("prompt").asText(), tok.decode(ids, true));
        }
    }

    @Test
    void decode_greedyOutputIds_equalsOsumDecodedText() {
        JsonNode gens = meta.get("generate");
        for (int i = 0; i < gens.size(); i++) {
            long[] ids = io.get("generate." + i + ".output_ids").toLongs();
            assertEquals(gens.get(i).get("text_greedy").asText(), tok.decode(ids, true), "output " + i);
        }
    }

    @Test
    void endOfText_isFixtureEodAndSkippedWhenDecoding() throws IOException {
        JsonNode cfg = new ObjectMapper().readTree(fixture.resolve("config.json").toFile());
        int eod = cfg.get("tokenizer").get("endoftext_id").intValue();
        assertEquals(eod, tok.endOfTextId());
        assertTrue(tok.isSpecial(eod));
        long[] ids = tok.encode("a<|endoftext|>");
        assertEquals(eod, ids[ids.length - 1], "special token matched verbatim in text");
        assertEquals("a", tok.decode(ids, true));
        assertEquals("a<|endoftext|>", tok.decode(ids, false));
        assertEquals(Tokenizer.ENDOFTEXT, tok.token(eod));
    }

    @Test
    void encode_longText_isNotTruncated() {
        String text = "转录如下音频。".repeat(300);
        long[] one = tok.encode("转录如下音频。");
        assertEquals(300 * one.length, tok.encode(text).length);
    }

    @Test
    void encode_addsNoSpecialTokens() {
        long[] ids = tok.encode("ab");
        for (long id : ids) assertFalse(tok.isSpecial((int) id));
    }

    @Test
    void save_thenLoad_givesSameIds(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("tokenizer.json");
        tok.save(out);
        try (Tokenizer again = Tokenizer.load(out)) {
            String text = meta.get("generate").get(1).get("prompt").asText() + " it looks 12 <happy>";
            assertArrayEquals(tok.encode(text), again.encode(text));
        }
    }

    @Test
    void decode_unknownId_namesId() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tok.decode(new long[]{tok.vocabSize() + 5}, true));
        assertTrue(e.getMessage().contains(String.valueOf(tok.vocabSize() + 5)));
    }

    @Test
    void convert_badMergesLine_namesFileAndLine(@TempDir Path tmp) throws IOException {
        Files.copy(fixture.resolve("llm/vocab.json"), tmp.resolve("vocab.json"));
        Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\nè ½\nbroken\n");
        IOException e = assertThrows(IOException.class, () -> Qwen2TokenizerConverter.convert(tmp));
        assertTrue(e.getMessage().contains("merges.txt:3"), e.getMessage());
    }

    @Test
    void convert_producesQwen2Layout() throws IOException {
        JsonNode j = new ObjectMapper().readTree(Qwen2TokenizerConverter.convert(fixture.resolve("llm")));
        assertEquals("NFC", j.at("/normalizer/type").asText());
        assertEquals(Qwen2TokenizerConverter.QWEN2_SPLIT_REGEX, j.at("/pre_tokenizer/pretokenizers/0/pattern/Regex").asText());
        assertFalse(j.at("/pre_tokenizer/pretokenizers/1/use_regex").asBoolean(true));
        assertEquals("ByteLevel", j.at("/decoder/type").asText());
        assertEquals(3, j.get("added_tokens").size());
        int merges = new ObjectMapper().readTree(fixture.resolve("config.json").toFile()).at("/tokenizer/n_merges").intValue();
        assertEquals(merges, j.at("/model/merges").size());
    }

    private static long[][] batchRows(String ids, String lengths) {
        long[] flat = io.get(ids).toLongs();
        int[] shape = io.get(ids).intShape();
        long[] lens = io.get(lengths).toLongs();
        long[][] rows = new long[shape[0]][];
        for (int i = 0; i < shape[0]; i++)
            rows[i] = Arrays.copyOfRange(flat, i * shape[1], i * shape[1] + (int) lens[i]);
        return rows;
    }
}
