package org.osum4j.eval;

import org.junit.jupiter.api.Test;
import org.osum4j.data.Task;
import org.osum4j.data.TaskRegistry;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-utterance table of {@link Evaluation}, the grouped error views and the comparison table, on hand-made outputs. */
class ErrorBreakdownTest {

    private static final TaskRegistry TASKS = TaskRegistry.osum();
    private static final String ASR = "<TRANSCRIBE>";
    private static final String SER = "<TRANSCRIBE> <EMOTION>";

    private static Evaluation.Item item(String key, String tag, String ref, String hyp) {
        Task t = TASKS.get(tag);
        return new Evaluation.Item(key, t, ref, TASKS.parse(t, ref), null, hyp, TASKS.parse(t, hyp), null, false);
    }

    /** Three utterances: one ASR with a substitution and a deletion, two SER (one label right, one wrong). */
    private static Evaluation system(String hypA1, String hypE1, String hypE2) {
        List<Evaluation.Item> items = new ArrayList<>();
        items.add(item("a1", ASR, "the red cup is on the shelf", hypA1));
        items.add(item("e1", SER, "i am so happy<happy>", hypE1));
        items.add(item("e2", SER, "leave me alone<anger>", hypE2));
        return Evaluation.of(items, List.of(), TASKS);
    }

    @Test
    void table_hasOneRowPerUtteranceWithErrorsByTypeLabelAndAlignment() {
        Table t = system("the bed cup is on shelf", "i am so happy<happy>", "leave me alone<sad>").table();
        assertEquals(3, t.rowCount());
        assertEquals(List.of("a1", "e1", "e2"), t.stringColumn("key").asList());
        assertEquals(7, t.intColumn("ref_tokens").getInt(0));
        assertEquals(1, t.intColumn("sub").getInt(0));
        assertEquals(1, t.intColumn("del").getInt(0));
        assertEquals(0, t.intColumn("ins").getInt(0));
        assertEquals(2.0 / 7, t.doubleColumn("err_rate").getDouble(0), 1e-12);
        assertTrue(t.booleanColumn("label_ok").isMissing(0), "ASR has no label");
        assertTrue(t.booleanColumn("label_ok").get(1));
        assertFalse(t.booleanColumn("label_ok").get(2));
        assertEquals("anger", t.stringColumn("ref_label").get(2));
        assertEquals("sad", t.stringColumn("hyp_label").get(2));
        String html = t.stringColumn("alignment").get(0);
        assertTrue(html.contains(AlignmentHtml.STYLE_SUB) && html.contains("RED→BED"), html);
        assertTrue(html.contains(AlignmentHtml.STYLE_DEL), html);
    }

    @Test
    void table_srwtRowCarriesAas_sttcRowCarriesAnswer_flagsAreListed() {
        Evaluation e = Evaluation.of(List.of(
                item("t1", "<TRANSCRIBE> <ALIGN>", "<0.3>hello<0.7> <0.8>world<1.2>", "<0.4>hello<0.7> <0.8>world<1.4>"),
                item("c1", "<TRANSCRIBE> <S2TCHAT>", "what is two plus two<开始回答>four", "what is two plus two<开始回答>4."),
                item("a1", ASR, "good morning", "good morning<happy>")), List.of(), TASKS);
        Table t = e.table();
        assertEquals(75.0, t.doubleColumn("aas_ms").getDouble(0), 1e-9, "(100 + 0 + 0 + 200) ms over 4 boundaries");
        assertTrue(Double.isNaN(t.doubleColumn("aas_ms").getDouble(1)));
        assertTrue(t.booleanColumn("answer_ok").isMissing(0));
        assertTrue(t.booleanColumn("answer_ok").get(1), "'four' and '4.' agree once normalised");
        assertEquals("EXTRA_TAG", t.stringColumn("flags").get(2));
        assertEquals("", t.stringColumn("flags").get(0));
    }

    @Test
    void by_poolsErrorsWithinEachGroup_notMeanOfRates() {
        // a1: 2 errors / 7 tokens; e1: 0 / 4; e2: 1 / 3 ("alone" deleted)
        Table t = system("the bed cup is on shelf", "i am so happy<happy>", "leave me<sad>").table();
        Table byTask = ErrorBreakdown.by(t, "task");
        assertEquals(List.of(ASR, SER), byTask.stringColumn("task").asList());
        assertEquals(2.0 / 7, byTask.doubleColumn("err_rate").getDouble(0), 1e-12);
        assertEquals(1.0 / 7, byTask.doubleColumn("err_rate").getDouble(1), 1e-12, "SER: (0 + 1) / (4 + 3), pooled");
        assertEquals(2, byTask.intColumn("labelled").getInt(1));
        assertEquals(0.5, byTask.doubleColumn("label_acc").getDouble(1), 1e-12);
        assertTrue(Double.isNaN(byTask.doubleColumn("label_acc").getDouble(0)), "no labels in ASR");
    }

    @Test
    void by_anyJoinedColumn_missingValuesFormTheirOwnGroup() {
        Table t = system("the red cup is on the shelf", "i am so happy<happy>", "leave me alone<anger>").table();
        StringColumn speaker = StringColumn.create("speaker", new String[]{"s1", null, "s1"});
        t.addColumns(speaker);
        Table bySpeaker = ErrorBreakdown.by(t, "speaker");
        assertEquals(List.of("(none)", "s1"), bySpeaker.stringColumn("speaker").asList());
        assertEquals(2, bySpeaker.intColumn("utterances").getInt(1));
        assertEquals(10, bySpeaker.intColumn("ref_tokens").getInt(1));
    }

    @Test
    void by_unknownColumn_namesTheColumns() {
        Table t = system("x", "y<happy>", "z<anger>").table();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ErrorBreakdown.by(t, "accent"));
        assertTrue(e.getMessage().contains("accent") && e.getMessage().contains("ref_tokens"), e.getMessage());
    }

    @Test
    void substitutions_countPairsMostFrequentFirst() {
        List<Alignment> al = List.of(Alignment.ofText("a red cup", "a bed cup"), Alignment.ofText("red hat", "bed cat"),
                Alignment.ofText("one", "two"));
        Table t = ErrorBreakdown.substitutions(al, 2);
        assertEquals(2, t.rowCount());
        assertEquals("RED", t.stringColumn("ref").get(0));
        assertEquals("BED", t.stringColumn("hyp").get(0));
        assertEquals(2, t.intColumn("count").getInt(0));
        assertEquals("HAT", t.stringColumn("ref").get(1), "ties ordered by reference word (HAT < ONE)");
    }

    @Test
    void wordErrors_countSubstitutionsAndDeletionsPerReferenceWord() {
        List<Alignment> al = List.of(Alignment.ofText("the red cup", "the bed cup"), Alignment.ofText("red red hat", "bed hat"),
                Alignment.ofText("the cup", "the cup extra"));
        Table t = ErrorBreakdown.wordErrors(al, 10);
        assertEquals(List.of("RED"), t.stringColumn("word").asList(), "only misrecognised words; insertions have no reference word");
        assertEquals(3, t.intColumn("in_ref").getInt(0));
        assertEquals(2, t.intColumn("substituted").getInt(0));
        assertEquals(1, t.intColumn("deleted").getInt(0));
        assertEquals(1.0, t.doubleColumn("err_share").getDouble(0), 1e-12);
        assertEquals("BED", t.stringColumn("most_often_as").get(0));
    }

    @Test
    void comparisonTable_hasOneRowPerPairedMetric() {
        Evaluation a = system("the bed cup is on shelf", "i am so happy<sad>", "leave me alone<sad>");
        Evaluation b = system("the red cup is on the shelf", "i am so happy<happy>", "leave me alone<sad>");
        Evaluation.Comparison c = a.compare(b);
        Table t = Evaluation.comparisonTable(c);
        assertEquals(c.metrics().size(), t.rowCount());
        int asr = t.stringColumn("task").indexOf(ASR);
        assertEquals("transcript_error", t.stringColumn("metric").get(asr));
        assertEquals(-2.0 / 7, t.doubleColumn("difference").getDouble(asr), 1e-12);
        assertEquals(List.of("a1", "e1"), c.better().stream().map(Evaluation.Change::key).toList());
    }
}
