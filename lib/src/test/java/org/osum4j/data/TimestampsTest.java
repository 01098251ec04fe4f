package org.osum4j.data;

import org.junit.jupiter.api.Test;
import org.osum4j.text.TextNorm;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TimestampsTest {

    @Test
    void parse_thenFormat_roundTripsCanonicalText() {
        String s = "<0.3>hello<0.7><0.8>world<1.2><1.3>你<1.5><1.5>好<12.0>";
        List<Timestamps.Word> w = Timestamps.parse(s);
        assertEquals(4, w.size());
        assertEquals(new Timestamps.Word("world", 8, 12), w.get(1));
        assertEquals(12.0, w.get(3).endSeconds());
        assertEquals(s, Timestamps.format(w));
    }

    @Test
    void format_thenParse_roundTripsWords() {
        List<Timestamps.Word> w = List.of(Timestamps.Word.of("it", 0.04, 0.21), Timestamps.Word.of("works", 0.26, 0.9));
        assertEquals("<0.0>it<0.2><0.3>works<0.9>", Timestamps.format(w));
        assertEquals(w, Timestamps.parse(Timestamps.format(w)));
    }

    @Test
    void canonicalText_isFixedPointOfOsumNormalisation() {
        String spaced = "<0.3> Hello <0.7> <0.8> World <1.2>";
        String norm = TextNorm.processText(spaced);
        assertEquals("<0.3>hello<0.7><0.8>world<1.2>", norm);
        assertEquals(norm, Timestamps.format(Timestamps.parse(norm)));
        assertEquals(Timestamps.parse(norm), Timestamps.parse("<0.3>hello<0.7> <0.8>world<1.2>"));
    }

    @Test
    void parse_malformed_namesPositionAndExpectation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("<0.3>hi<0.75>"));
        assertTrue(e.getMessage().contains("char 7") && e.getMessage().contains("0.1 s"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("<0.3>hi there<0.7>"));
        assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("<0.9>hi<0.7>"));
        assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("<0.3>a<0.7><0.5>b<0.9>"), "overlap");
        assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("<0.3>hi"));
        assertFalse(Timestamps.isValid("plain text"));
    }

    @Test
    void transcript_spacesEnglishOnly() {
        List<Timestamps.Word> w = Timestamps.parse("<0.0>我<0.2><0.2>爱<0.4><0.5>new<0.7><0.7>york<1.0><1.0>市<1.2>");
        assertEquals("我爱new york市", Timestamps.transcript(w));
    }
}
