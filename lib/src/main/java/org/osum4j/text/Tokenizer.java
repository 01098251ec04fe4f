package org.osum4j.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text tokenizer OSUM's LLM reads and writes: a facade over DJL's native HF tokenizer that loads a
 * {@code tokenizer.json} (or a Qwen2 {@code vocab.json + merges.txt} folder, converted on the fly by
 * {@link Qwen2TokenizerConverter}) and works offline. It knows nothing about prompts or tasks
 * ({@code org.osum4j.data}); text normalisation is {@link TextNorm}.
 *
 * <pre>{@code
 * try (Tokenizer tok = Tokenizer.load(Path.of("qwen2-7b"))) {
 *     long[] ids = tok.encode("转录如下音频。");   // no special tokens added, as OSUM
 *     String s = tok.decode(ids, true);
 * }
 * }</pre>
 */
public final class Tokenizer implements AutoCloseable {

    /** The end-of-text token OSUM appends to every target and stops generation on (151643 in Qwen2). */
    public static final String ENDOFTEXT = "<|endoftext|>";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer hf;
    private final String json;
    private final String origin;
    private final Map<String, Integer> tokenToId;
    private final String[] idToToken;         // [vocabSize], null for unused ids
    private final Set<Integer> specialIds;

    private Tokenizer(HuggingFaceTokenizer hf, String json, String origin, Map<String, Integer> tokenToId,
                      String[] idToToken, Set<Integer> specialIds) {
        this.hf = hf;
        this.json = json;
        this.origin = origin;
        this.tokenToId = tokenToId;
        this.idToToken = idToToken;
        this.specialIds = specialIds;
    }

    /**
     * Loads a tokenizer from a {@code tokenizer.json} file, or from a folder holding either a
     * {@code tokenizer.json} or a Qwen2 {@code vocab.json} + {@code merges.txt} (+ {@code tokenizer_config.json}).
     */
    public static Tokenizer load(Path path) throws IOException {
        if (Files.isRegularFile(path)) return fromJson(Files.readString(path, StandardCharsets.UTF_8), path.toString());
        if (!Files.isDirectory(path)) throw new IOException(path + ": no such tokenizer file or folder");
        Path tj = path.resolve("tokenizer.json");
        if (Files.exists(tj)) return fromJson(Files.readString(tj, StandardCharsets.UTF_8), tj.toString());
        if (Files.exists(path.resolve("vocab.json")) && Files.exists(path.resolve("merges.txt")))
            return fromJson(Qwen2TokenizerConverter.convert(path), path + " (vocab.json + merges.txt)");
        throw new IOException(path + ": expected tokenizer.json, or vocab.json + merges.txt");
    }

    /** Builds a tokenizer from tokenizer.json text; {@code origin} names it in error messages. */
    public static Tokenizer fromJson(String tokenizerJson, String origin) throws IOException {
        JsonNode root = JSON.readTree(tokenizerJson);
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject()) throw new IOException(origin + ": tokenizer.json has no model.vocab object");
        Map<String, Integer> tokenToId = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tokenToId.put(e.getKey(), e.getValue().intValue());
        }
        Set<Integer> special = new HashSet<>();
        for (JsonNode t : root.path("added_tokens")) {
            tokenToId.put(t.path("content").asText(), t.path("id").intValue());
            if (t.path("special").asBoolean(false)) special.add(t.path("id").intValue());
        }
        int size = tokenToId.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String[] idToToken = new String[size];
        tokenToId.forEach((tok, id) -> idToToken[id] = tok);
        Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
                new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)), options);
        return new Tokenizer(hf, tokenizerJson, origin, Map.copyOf(tokenToId), idToToken, Set.copyOf(special));
    }

    /** Token ids of {@code text}, with no special tokens added (OSUM tokenises prompts and targets this way). */
    public long[] encode(String text) {
        return hf.encode(text, false, false).getIds();
    }

    /** The token strings of {@code text} (byte-level symbols, e.g. {@code Ġhello}). */
    public List<String> tokens(String text) {
        return Arrays.asList(hf.encode(text, false, false).getTokens());
    }

    /** Text of {@code ids}; with {@code skipSpecial} the added special tokens (e.g. endoftext) are left out. */
    public String decode(long[] ids, boolean skipSpecial) {
        for (long id : ids) {
            if (id < 0 || id >= idToToken.length || idToToken[(int) id] == null)
                throw new IllegalArgumentException(origin + ": token id " + id + " not in vocabulary of size " + idToToken.length);
        }
        return hf.decode(ids, skipSpecial);
    }

    /** Text of {@code ids}, special tokens kept. */
    public String decode(long[] ids) {
        return decode(ids, false);
    }

    /** Id of a token string (byte-level form, or an added token's content); throws if absent. */
    public int id(String token) {
        Integer id = tokenToId.get(token);
        if (id == null) throw new IllegalArgumentException(origin + ": no token '" + token + "' in the vocabulary");
        return id;
    }

    public boolean hasToken(String token) {
        return tokenToId.containsKey(token);
    }

    /** Token string of an id (byte-level form). */
    public String token(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null)
            throw new IllegalArgumentException(origin + ": token id " + id + " not in vocabulary of size " + idToToken.length);
        return idToToken[id];
    }

    /** One more than the largest id (the LLM's embedding table may have extra unused rows). */
    public int vocabSize() {
        return idToToken.length;
    }

    public boolean isSpecial(int id) {
        return specialIds.contains(id);
    }

    /** Id of {@code <|endoftext|>}: OSUM's eod (appended to targets), eos and prompt pad id. */
    public int endOfTextId() {
        return id(ENDOFTEXT);
    }

    /** Alias of {@link #endOfTextId()}: OSUM uses endoftext as eos. */
    public int eosId() {
        return endOfTextId();
    }

    /** The tokenizer.json text this tokenizer was built from. */
    public String json() {
        return json;
    }

    /** Writes the tokenizer.json atomically (e.g. to save a converted Qwen2 tokenizer). */
    public void save(Path file) {
        try {
            Qwen2TokenizerConverter.writeAtomically(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write tokenizer.json", e);
        }
    }

    @Override
    public void close() {
        hf.close();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + origin + ", vocab " + vocabSize() + ", special " + specialIds.size() + "]";
    }
}
