package org.osum4j.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a small byte-level BPE tokenizer for models trained from scratch (tiny LLMs on synthetic
 * corpora), with the same normaliser, pre-tokeniser and decoder as Qwen2 ({@link Qwen2TokenizerConverter}),
 * so everything downstream treats it like the real one. Special tokens (at least {@code <|endoftext|>})
 * get the ids after the BPE vocabulary. Train on the normalised targets ({@link TextNorm}) plus every task
 * prompt, so prompts and tags ({@code <happy>}) get short encodings. Not a fast trainer: fine for
 * corpora of a few MB of text (about 2 s per MB of text for a 4000-token vocabulary).
 *
 * <pre>{@code
 * Tokenizer tok = TokenizerBuilder.create().vocabSize(1000).train(texts);   // texts: targets + prompts
 * tok.save(dir.resolve("tokenizer.json"));
 * }</pre>
 */
public final class TokenizerBuilder {

    /** Byte-level BPE starts from all 256 byte symbols. */
    public static final int BYTE_ALPHABET = 256;

    private int vocabSize = 1000;
    private int minFrequency = 2;
    private List<String> specialTokens = List.of(Tokenizer.ENDOFTEXT);

    private TokenizerBuilder() {
    }

    public static TokenizerBuilder create() {
        return new TokenizerBuilder();
    }

    /** Target size including the 256 byte symbols and the special tokens; fewer if merges run out. */
    public TokenizerBuilder vocabSize(int v) {
        if (v < BYTE_ALPHABET + specialTokens.size())
            throw new IllegalArgumentException("vocab size " + v + " below the byte alphabet + special tokens ("
                    + (BYTE_ALPHABET + specialTokens.size()) + ")");
        this.vocabSize = v;
        return this;
    }

    /** Pairs seen fewer times than this are never merged (guards against memorising one-off strings). */
    public TokenizerBuilder minFrequency(int f) {
        if (f < 1) throw new IllegalArgumentException("min frequency must be >= 1, got " + f);
        this.minFrequency = f;
        return this;
    }

    /** Special tokens, matched verbatim and never split; {@code <|endoftext|>} is always first. */
    public TokenizerBuilder specialTokens(List<String> tokens) {
        List<String> s = new ArrayList<>();
        s.add(Tokenizer.ENDOFTEXT);
        for (String t : tokens) if (!s.contains(t)) s.add(t);
        this.specialTokens = List.copyOf(s);
        return this;
    }

    /** Trains and returns the tokenizer (loaded through DJL, as any other). */
    public Tokenizer train(Iterable<String> texts) {
        try {
            return Tokenizer.fromJson(trainJson(texts), "trained BPE (vocab " + vocabSize + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("trained tokenizer.json did not load", e);
        }
    }

    /** Trains and returns the tokenizer.json text. Deterministic: the same texts give the same file. */
    public String trainJson(Iterable<String> texts) {
        // 1. pre-tokenise as the tokenizer will (NFC, Qwen2 split), count each piece in byte-level symbols
        Pattern split = Pattern.compile(Qwen2TokenizerConverter.QWEN2_SPLIT_REGEX, Pattern.UNICODE_CHARACTER_CLASS);
        Map<String, Integer> pieceCounts = new LinkedHashMap<>();
        for (String text : texts) {
            Matcher m = split.matcher(Normalizer.normalize(text, Normalizer.Form.NFC));
            while (m.find()) pieceCounts.merge(m.group(), 1, Integer::sum);
        }
        // 2. the byte alphabet, in GPT-2's bytes_to_unicode order
        String[] byteSymbol = ByteLevel.symbols();
        List<String> vocab = new ArrayList<>(List.of(ByteLevel.alphabetInIdOrder()));
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i), i);

        List<int[]> words = new ArrayList<>();    // each piece as symbol ids
        List<Integer> freq = new ArrayList<>();
        for (Map.Entry<String, Integer> e : pieceCounts.entrySet()) {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] w = new int[b.length];
            for (int i = 0; i < b.length; i++) w[i] = ids.get(byteSymbol[b[i] & 0xff]);
            words.add(w);
            freq.add(e.getValue());
        }
        // 3. pair statistics: count and the words each pair occurs in
        Map<Long, Long> pairCount = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int wi = 0; wi < words.size(); wi++) addPairs(words.get(wi), wi, freq.get(wi), pairCount, where, new HashSet<>());

        // 4. merge the most frequent pair until the vocabulary is full. A heap with lazy deletion: an entry
        //    is stale when its count differs from the pair's current count.
        Comparator<long[]> byCountThenText = (x, y) -> x[1] != y[1] ? Long.compare(y[1], x[1]) : tieBreak(x[0], y[0], vocab);
        PriorityQueue<long[]> heap = new PriorityQueue<>(byCountThenText);
        pairCount.forEach((k, c) -> heap.add(new long[]{k, c}));
        List<String[]> merges = new ArrayList<>();
        int bpeTarget = vocabSize - specialTokens.size();
        while (vocab.size() < bpeTarget && !heap.isEmpty()) {
            long[] top = heap.poll();
            Long current = pairCount.get(top[0]);
            if (current == null || current != top[1]) continue;
            if (top[1] < minFrequency) break;
            long best = top[0];
            int a = (int) (best >>> 32), b = (int) best;
            int newId = vocab.size();
            vocab.add(vocab.get(a) + vocab.get(b));
            merges.add(new String[]{vocab.get(a), vocab.get(b)});
            Set<Long> touched = new HashSet<>();
            for (int wi : new ArrayList<>(where.getOrDefault(best, Set.of()))) {
                int[] w = words.get(wi);
                removePairs(w, wi, freq.get(wi), pairCount, where, touched);
                int[] nw = mergeWord(w, a, b, newId);
                words.set(wi, nw);
                addPairs(nw, wi, freq.get(wi), pairCount, where, touched);
            }
            for (long k : touched) {
                Long c = pairCount.get(k);
                if (c != null) heap.add(new long[]{k, c});
            }
        }
        // 5. tokenizer.json: BPE vocab then special tokens
        Map<String, Integer> vocabMap = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) vocabMap.put(vocab.get(i), i);
        List<Qwen2TokenizerConverter.AddedToken> added = new ArrayList<>();
        for (int i = 0; i < specialTokens.size(); i++)
            added.add(Qwen2TokenizerConverter.AddedToken.special(vocab.size() + i, specialTokens.get(i)));
        return Qwen2TokenizerConverter.tokenizerJson(vocabMap, merges, added);
    }

    /** Equal counts: the lexicographically smaller pair wins, so training is deterministic. */
    private static int tieBreak(long candidate, long best, List<String> vocab) {
        int c = vocab.get((int) (candidate >>> 32)).compareTo(vocab.get((int) (best >>> 32)));
        return c != 0 ? c : vocab.get((int) candidate).compareTo(vocab.get((int) best));
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    private static void addPairs(int[] w, int wi, long f, Map<Long, Long> count, Map<Long, Set<Integer>> where, Set<Long> touched) {
        for (int i = 0; i + 1 < w.length; i++) {
            long k = key(w[i], w[i + 1]);
            touched.add(k);
            count.merge(k, f, Long::sum);
            where.computeIfAbsent(k, x -> new HashSet<>()).add(wi);
        }
    }

    private static void removePairs(int[] w, int wi, long f, Map<Long, Long> count, Map<Long, Set<Integer>> where, Set<Long> touched) {
        for (int i = 0; i + 1 < w.length; i++) {
            long k = key(w[i], w[i + 1]);
            touched.add(k);
            long c = count.merge(k, -f, Long::sum);
            if (c <= 0) count.remove(k);
            Set<Integer> s = where.get(k);
            if (s != null) {
                s.remove(wi);
                if (s.isEmpty()) where.remove(k);
            }
        }
    }

    private static int[] mergeWord(int[] w, int a, int b, int merged) {
        int[] out = new int[w.length];
        int n = 0;
        for (int i = 0; i < w.length; i++) {
            if (i + 1 < w.length && w[i] == a && w[i + 1] == b) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = w[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** GPT-2's reversible byte → printable-character map that byte-level BPE vocabularies are written in. */
    static final class ByteLevel {
        private ByteLevel() {
        }

        /** Symbol of each byte value 0..255. */
        static String[] symbols() {
            String[] s = new String[BYTE_ALPHABET];
            int extra = 0;
            for (int b = 0; b < BYTE_ALPHABET; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                s[b] = printable ? String.valueOf((char) b) : String.valueOf((char) (BYTE_ALPHABET + extra++));
            }
            return s;
        }

        /** The 256 symbols in the id order of GPT-2/Qwen2 vocabularies: printable bytes first, then the rest. */
        static String[] alphabetInIdOrder() {
            String[] sym = symbols();
            List<String> first = new ArrayList<>(), rest = new ArrayList<>();
            for (int b = 0; b < BYTE_ALPHABET; b++) (sym[b].charAt(0) == b ? first : rest).add(sym[b]);
            first.addAll(rest);
            return first.toArray(new String[0]);
        }
    }
}
