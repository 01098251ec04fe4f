package org.osum4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a "slow" Qwen2 tokenizer folder ({@code vocab.json} + {@code merges.txt}, optionally
 * {@code tokenizer_config.json} with {@code added_tokens_decoder}) into an equivalent HF
 * {@code tokenizer.json} that DJL's native tokenizer loads. It writes JSON only; encoding lives in
 * {@link Tokenizer}. The same JSON layout serves {@link TokenizerBuilder}'s from-scratch tokenizers.
 *
 * <p>Layout (as HF {@code Qwen2TokenizerFast}): NFC normaliser; pre-tokeniser = Split on the Qwen2
 * regex (isolated) then ByteLevel without prefix space and without its own regex; BPE model with
 * byte-level symbols, no unk; ByteLevel decoder; added tokens matched verbatim and marked special.
 */
public final class Qwen2TokenizerConverter {

    /** Qwen2's pre-tokeniser regex: contractions, letter runs, single digits, punctuation runs, spaces. */
    public static final String QWEN2_SPLIT_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One added (special) token: id and verbatim content, with HF's matching flags. */
    public record AddedToken(int id, String content, boolean lstrip, boolean rstrip, boolean singleWord,
                             boolean normalized, boolean special) {
        public static AddedToken special(int id, String content) {
            return new AddedToken(id, content, false, false, false, false, true);
        }
    }

    private Qwen2TokenizerConverter() {
    }

    /** Reads {@code dir/vocab.json}, {@code dir/merges.txt} and (if present) {@code dir/tokenizer_config.json}. */
    public static String convert(Path dir) throws IOException {
        Map<String, Integer> vocab = readVocab(dir.resolve("vocab.json"));
        List<String[]> merges = readMerges(dir.resolve("merges.txt"));
        Path config = dir.resolve("tokenizer_config.json");
        List<AddedToken> added = Files.exists(config) ? readAddedTokens(config) : List.of();
        return tokenizerJson(vocab, merges, added);
    }

    /** {@link #convert(Path)} and writes the result atomically to {@code out}. */
    public static void convert(Path dir, Path out) throws IOException {
        writeAtomically(out, convert(dir));
    }

    /** The tokenizer.json text for a byte-level BPE vocabulary with Qwen2's pre-tokeniser. */
    public static String tokenizerJson(Map<String, Integer> vocab, List<String[]> merges, List<AddedToken> added) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedNode = root.putArray("added_tokens");
        List<AddedToken> sorted = new ArrayList<>(added);
        sorted.sort(Comparator.comparingInt(AddedToken::id));
        for (AddedToken t : sorted) {
            ObjectNode n = addedNode.addObject();
            n.put("id", t.id());
            n.put("content", t.content());
            n.put("single_word", t.singleWord());
            n.put("lstrip", t.lstrip());
            n.put("rstrip", t.rstrip());
            n.put("normalized", t.normalized());
            n.put("special", t.special());
        }
        root.putObject("normalizer").put("type", "NFC");

        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        ObjectNode split = pres.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", QWEN2_SPLIT_REGEX);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        byteLevel(pres.addObject());
        // The post-processor only matters for offsets; it adds no tokens.
        byteLevel(root.putObject("post_processor"));
        byteLevel(root.putObject("decoder"));

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> v.put(e.getKey(), e.getValue()));
        ArrayNode m = model.putArray("merges");
        for (String[] pair : merges) m.add(pair[0] + " " + pair[1]);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise tokenizer.json", e);
        }
    }

    private static void byteLevel(ObjectNode n) {
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", false);
        n.put("use_regex", false);
    }

    static Map<String, Integer> readVocab(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isObject())
            throw new IOException(file + ": expected a JSON object token -> id");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt())
                throw new IOException(file + ": token " + e.getKey() + " has non-integer id " + e.getValue());
            vocab.put(e.getKey(), e.getValue().intValue());
        }
        return vocab;
    }

    static List<String[]> readMerges(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String[]> merges = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            String[] parts = line.split(" ");
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty())
                throw new IOException(file + ":" + (i + 1) + ": expected two space-separated symbols, got '" + line + "'");
            merges.add(parts);
        }
        return merges;
    }

    static List<AddedToken> readAddedTokens(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode dec = root.path("added_tokens_decoder");
        List<AddedToken> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = dec.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new IOException(file + ": added_tokens_decoder key '" + e.getKey() + "' is not an integer id");
            }
            JsonNode t = e.getValue();
            if (!t.path("content").isTextual())
                throw new IOException(file + ": added token " + id + " has no string 'content'");
            // Added tokens are matched verbatim and skipped by decode(skipSpecial); Qwen2 marks them all special.
            out.add(new AddedToken(id, t.get("content").asText(), t.path("lstrip").asBoolean(false),
                    t.path("rstrip").asBoolean(false), t.path("single_word").asBoolean(false),
                    t.path("normalized").asBoolean(false), true));
        }
        return out;
    }

    static void writeAtomically(Path out, String text) throws IOException {
        Path abs = out.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
