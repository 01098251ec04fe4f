package org.osum4j.eval;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorReportTest {

    private static ErrorReport sample() {
        return ErrorReport.of(List.of(
                new ErrorReport.Item("u1", "<TRANSCRIBE> <GENDER>", "the cat sat<male>", "the cat sat<male>"),
                new ErrorReport.Item("u2", "<TRANSCRIBE> <GENDER>", "a dog ran<female>", "a dog run<male>"),
                new ErrorReport.Item("u3", "<TRANSCRIBE>", "hello world", "hello"),
                new ErrorReport.Item("u4", "<TRANSCRIBE> <S2TCHAT>", "two plus two<开始回答>four", "two plus two<开始回答>five")),
                task -> task.contains("GENDER") ? Set.of("male", "female") : Set.of());
    }

    @Test
    void headline_poolsTranscriptErrorsAndFirstTagAccuracy() {
        ErrorReport r = sample();
        ErrorReport.TaskScore all = r.tasks().get("all");
        // N = 3 + 3 + 2 + 3 = 11; errors: u2 ran→run (1), u3 deletion (1); the chat answer is not transcript
        assertEquals(11, all.transcript().refTokens());
        assertEquals(2, all.transcript().errors());
        assertEquals(2, all.labelled());
        assertEquals(0.5, all.accuracy().estimate(), 1e-12);
        assertEquals(0.0, r.tasks().get("<TRANSCRIBE> <GENDER>").accuracy().estimate() - 0.5, 1e-12);
    }

    @Test
    void table_hasOneRowPerUtteranceWithCounts() {
        Table t = sample().table();
        assertEquals(4, t.rowCount());
        assertEquals(1, t.intColumn("del").get(2));
        assertEquals("MALE", t.stringColumn("hyp_label").get(1));
        assertFalse(t.booleanColumn("label_ok").get(1));
    }

    @Test
    void worstAndSubstitutions_pointAtTheErrors() {
        ErrorReport r = sample();
        List<Scored> w = r.worst(2);
        assertTrue(Set.of("u2", "u3").contains(w.get(0).key()));
        assertEquals(Map.of("RAN → RUN", 1), r.topSubstitutions(5));
    }

    @Test
    void html_marksSubstitutionsAndEscapesText() {
        String html = sample().html(4);
        assertTrue(html.contains("RAN→RUN"), html);
        assertTrue(html.contains(AlignmentHtml.STYLE_DEL), "a deletion is marked");
        assertFalse(html.contains("<male>"), "tags are escaped, not raw HTML");
        assertTrue(sample().mimeBundle().containsKey("text/html"));
    }
}
