package org.osum4j.text;

import org.junit.jupiter.api.Test;
import org.osum4j.golden.GoldenSuite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TokenizerBuilderTest {

    static List<String> corpus() {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            t.add(TextNorm.processText("时间 对 珍妮 来说 是 没有 用 的 <happy>"));
            t.add(TextNorm.processText("It looks much better <neutral>"));
            t.add("转录如下音频。");
            t.add("说做得还真是棒<female> " + i);
        }
        return t;
    }

    @Test
    void train_reachesRequestedVocabSize_withEndOfTextLast() {
        try (Tokenizer tok = TokenizerBuilder.create().vocabSize(300).train(corpus())) {
            assertEquals(300, tok.vocabSize());
            assertEquals(299, tok.endOfTextId());
            assertTrue(tok.isSpecial(tok.endOfTextId()));
        }
    }

    @Test
    void train_anyText_roundTripsThroughDecode() {
        try (Tokenizer tok = TokenizerBuilder.create().vocabSize(320).train(corpus())) {
            for (String s : List.of("转录如下音频。", "never seen: Zürich 😀 ½ 123", "说做得还真是棒<female>", "  two  spaces\n")) {
                assertEquals(s, tok.decode(tok.encode(s), true), s);
            }
        }
    }

    @Test
    void train_frequentPieces_becomeSingleTokens() {
        // a generous vocab: merging stops when no pair is seen twice, so every repeated piece is one token
        try (Tokenizer tok = TokenizerBuilder.create().vocabSize(5000).train(corpus())) {
            assertTrue(tok.vocabSize() < 5000, "merges ran out before the target size");
            assertEquals(List.of("Ġlooks"), tok.tokens(" looks"));
            assertEquals(List.of("<happy", ">"), tok.tokens("<happy>"));
            assertEquals(1, tok.encode("转录如下音频").length);
            assertTrue(tok.encode("转录如下音频。").length < "转录如下音频。".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void train_isDeterministic() {
        assertEquals(TokenizerBuilder.create().vocabSize(300).trainJson(corpus()),
                TokenizerBuilder.create().vocabSize(300).trainJson(corpus()));
    }

    @Test
    void byteAlphabet_matchesQwen2VocabularyOrder() throws IOException {
        // the first 256 ids of Qwen2's vocab.json are the byte symbols in this order
        var vocab = Qwen2TokenizerConverter.readVocab(GoldenSuite.defaultDir().resolve("osum_tiny/llm/vocab.json"));
        String[] alpha = TokenizerBuilder.ByteLevel.alphabetInIdOrder();
        for (int i = 0; i < alpha.length; i++) assertEquals(i, vocab.get(alpha[i]), "symbol " + alpha[i]);
    }
}
