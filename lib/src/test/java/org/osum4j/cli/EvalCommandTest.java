package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.data.DataList;
import org.osum4j.data.Utterance;
import org.osum4j.infer.OutputParser;
import org.osum4j.infer.Results;
import org.osum4j.infer.ResultsWriter;
import org.osum4j.run.RunRecord;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./osum eval} end to end on small hand-made files: exit codes and the JSON report's numbers. */
class EvalCommandTest {

    @TempDir
    Path dir;

    private static final String SER = "<TRANSCRIBE> <EMOTION>";
    private static final String SRWT = "<TRANSCRIBE> <ALIGN>";
    private static final String STTC = "<TRANSCRIBE> <S2TCHAT>";
    private static final String ASR = "<TRANSCRIBE>";
    private static final String AG = "<AGE> <GENDER>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private Path refs() {
        Path f = dir.resolve("refs.jsonl");
        DataList.write(f, List.of(
                Utterance.of("e1", "e1.wav", "it looks much better<happy>").withTask(SER),
                Utterance.of("e2", "e2.wav", "i am so sad<sad>").withTask(SER),
                Utterance.of("e3", "e3.wav", "leave me alone<anger>").withTask(SER),
                Utterance.of("t1", "t1.wav", "<0.3>hello<0.7><0.8>world<1.2>").withTask(SRWT),
                Utterance.of("c1", "c1.wav", "what is two plus two<开始回答>four").withTask(STTC),
                Utterance.of("a1", "a1.wav", "good morning").withTask(ASR),
                Utterance.of("g1", "g1.wav", "<adult><female>").withTask(AG)));
        return f;
    }

    /** Writes results; each pair is key, task, output. */
    private Path results(String name, String... kto) {
        Path f = dir.resolve(name);
        OutputParser p = OutputParser.osum();
        RunRecord run = new RunRecord("test-model", null, Map.of("beam", 1), null, "2026-11-26T12:00:00Z", Map.of(), Map.of());
        try (ResultsWriter w = ResultsWriter.create(f, run)) {
            for (int i = 0; i < kto.length; i += 3)
                w.write(new Results.Entry(kto[i], kto[i + 1], "p", p.parse(kto[i + 1], kto[i + 2]), null, Map.of("decode_ms", 10.0)));
        }
        return f;
    }

    private Path systemA() {
        return results("a.jsonl",
                "e1", SER, "it looks much better<happy>",
                "e2", SER, "i am so sad<happy>",
                "e3", SER, "leave me alone",                        // malformed: no label
                "t1", SRWT, "<0.4>hello<0.7> <0.8>world<1.4>",
                "c1", STTC, "what is two plus two<开始回答>4.",
                "g1", AG, "<adult><male>",
                "zz", ASR, "not in the references");
    }

    private int eval(String... args) throws Exception {
        return new Eval(new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void eval_writesJsonWithPerTaskScoresMissingAndExtraKeys() throws Exception {
        Path out = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        int rc = eval("--ref", refs().toString(), "--hyp", systemA().toString(), "--out", out.toString(), "--html", html.toString());
        assertEquals(0, rc, stderr.toString());
        JsonNode r = JSON.readTree(out.toFile());
        assertEquals(7, r.at("/summary/utterances").asInt());
        assertEquals(1, r.at("/summary/missing").asInt());
        assertEquals(1, r.at("/summary/extra").asInt());
        assertEquals(1, r.at("/summary/malformed").asInt());
        assertEquals("a1", r.at("/missing_keys/0").asText());
        assertEquals("zz", r.at("/extra_keys/0").asText());
        assertEquals("e3", r.at("/malformed/0/key").asText());
        JsonNode tasks = r.get("tasks");
        assertEquals(1.0 / 3, tasks.get(SER).at("/labels/EMOTION/estimate").asDouble(), 1e-12);
        assertEquals(1, tasks.get(SER).at("/labels/EMOTION/invalid").asInt());
        assertEquals(0.0, tasks.get(SER).at("/transcript/estimate").asDouble(), 1e-12);
        assertEquals(75.0, tasks.get(SRWT).at("/aas_ms/estimate").asDouble(), 1e-9);   // (100 + 0 + 0 + 200) / 4
        assertEquals(1.0, tasks.get(SRWT).at("/aas_ms/coverage").asDouble(), 1e-12);
        assertEquals(1.0, tasks.get(STTC).at("/answer_accuracy/estimate").asDouble(), 1e-12);
        assertEquals(1.0, tasks.get(ASR).at("/transcript/estimate").asDouble(), 1e-12);     // missing: 2 deletions of 2
        assertEquals(1, tasks.get(ASR).at("/flags/MISSING").asInt());
        assertEquals(1.0, tasks.get(AG).at("/labels/AGE/estimate").asDouble(), 1e-12);
        assertEquals(0.0, tasks.get(AG).at("/labels/GENDER/estimate").asDouble(), 1e-12);
        assertTrue(tasks.get(AG).path("transcript").isMissingNode());
        assertEquals("test-model", r.at("/inputs/hyp/runs/0/model").asText());
        assertEquals(70.0, r.at("/inputs/hyp/timing_totals/decode_ms").asDouble(), 1e-9);   // 7 entries x 10 ms
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("data:image/png;base64,"));
        assertTrue(stdout.toString().contains("EMOTION 33.33"), stdout.toString());
        assertTrue(stdout.toString().contains("MALFORMED=1"), stdout.toString());
    }

    @Test
    void eval_where_scoresOnlyTheMatchingReferenceItems() throws Exception {
        Path f = dir.resolve("cues.jsonl");
        DataList.write(f, List.of(
                Utterance.of("e1", "e1.wav", "it looks much better<happy>").withTask(SER).withExtra(Map.of("text_cue", true)),
                Utterance.of("e2", "e2.wav", "i am so sad<sad>").withTask(SER).withExtra(Map.of("text_cue", false)),
                Utterance.of("e3", "e3.wav", "leave me alone<anger>").withTask(SER).withExtra(Map.of("text_cue", false)),
                Utterance.of("a1", "a1.wav", "good morning").withTask(ASR)));
        Path hyp = results("h.jsonl",
                "e1", SER, "it looks much better<happy>",
                "e2", SER, "i am so sad<happy>",
                "e3", SER, "leave me alone<anger>",
                "a1", ASR, "good morning");
        Path out = dir.resolve("cue.json");
        assertEquals(0, eval("--ref", f.toString(), "--hyp", hyp.toString(), "--where", "extra.text_cue=false", "--out", out.toString()));
        JsonNode r = JSON.readTree(out.toFile());
        assertEquals(2, r.at("/summary/utterances").asInt(), "e2 and e3 only");
        assertEquals(0.5, r.at("/tasks/" + SER.replace("/", "~1") + "/labels/EMOTION/estimate").asDouble(), 1e-12);
        // a missing field matches null; a task condition with a space; a field no item has is an error naming it
        assertEquals(0, eval("--ref", f.toString(), "--hyp", hyp.toString(), "--where", "extra.text_cue=null", "--where", "task=" + ASR,
                "--out", out.toString()));
        assertEquals(1, JSON.readTree(out.toFile()).at("/summary/utterances").asInt());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> eval("--ref", f.toString(), "--hyp", hyp.toString(), "--where", "colour=red"));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> eval("--hyp", hyp.toString(), "--where", "extra.text_cue=false"));
    }

    @Test
    void eval_hyp2_pairedComparisonListsBetterUtterances() throws Exception {
        Path b = results("b.jsonl",
                "e1", SER, "it looks much better<happy>",
                "e2", SER, "i am so sad<sad>",
                "e3", SER, "leave me alone",
                "t1", SRWT, "<0.4>hello<0.7><0.8>world<1.4>",
                "c1", STTC, "what is two plus two<开始回答>4.",
                "a1", ASR, "good morning",
                "g1", AG, "<adult><male>");
        Path out = dir.resolve("cmp.json");
        assertEquals(0, eval("--ref", refs().toString(), "--hyp", systemA().toString(), "--hyp2", b.toString(), "--out", out.toString()));
        JsonNode c = JSON.readTree(out.toFile()).get("compare");
        assertEquals(2, c.get("better_count").asInt());
        assertEquals(0, c.get("worse_count").asInt());
        List<String> better = new ArrayList<>();
        c.get("better").forEach(x -> better.add(x.get("key").asText()));
        assertEquals(List.of("e2", "a1"), better);
        boolean sawAsr = false;
        for (JsonNode m : c.get("metrics")) {
            if (m.get("task").asText().equals(ASR) && m.get("metric").asText().equals("transcript_error")) {
                assertEquals(-1.0, m.get("difference").asDouble(), 1e-12);
                sawAsr = true;
            }
        }
        assertTrue(sawAsr);
    }

    @Test
    void eval_withoutRef_usesRefFieldsAndTruncatedTailIsReported() throws Exception {
        Path f = dir.resolve("withref.jsonl");
        OutputParser p = OutputParser.osum();
        try (ResultsWriter w = ResultsWriter.create(f, new RunRecord("m", null, Map.of(), null, null, Map.of(), Map.of()))) {
            w.write(new Results.Entry("u1", SER, "p", p.parse(SER, "hi<happy>"), "hi<happy>", Map.of()));
            w.write(new Results.Entry("u2", SER, "p", p.parse(SER, "yo<sad>"), "yo<anger>", Map.of()));
        }
        Files.writeString(f, "{\"key\":\"u3\"", StandardOpenOption.APPEND);
        Path out = dir.resolve("r.json");
        assertEquals(0, eval("--hyp", f.toString(), "--out", out.toString()));
        JsonNode r = JSON.readTree(out.toFile());
        assertEquals(0.5, r.at("/tasks/" + SER.replace("/", "~1") + "/labels/EMOTION/estimate").asDouble(), 1e-12);
        assertTrue(r.at("/inputs/hyp/truncated_tail").asText().startsWith("line 3"));
        assertTrue(stderr.toString().contains("interrupted"), stderr.toString());
    }

    @Test
    void evaluate_badReferenceIsCountedAndNotLabelScored_wrongTaskRunIsMalformed() {
        Path f = results("w.jsonl",
                "e1", SER, "fine<happy>",
                "e2", ASR, "also fine<sad>");                    // produced by an ASR run, scored as SER
        List<Utterance> refs = List.of(
                Utterance.of("e1", "e1.wav", "fine").withTask(SER),             // reference lacks its label
                Utterance.of("e2", "e2.wav", "also fine<sad>").withTask(SER));
        org.osum4j.eval.Evaluation ev = Eval.evaluate(refs, org.osum4j.infer.ResultsReader.read(f), org.osum4j.data.TaskRegistry.osum());
        JsonNode r = ev.toJson();
        assertEquals(1, r.at("/summary/bad_refs").asInt());
        assertEquals("e1", r.at("/bad_refs/0/key").asText());
        assertEquals(1, r.at("/tasks/" + SER.replace("/", "~1") + "/labels/EMOTION/n").asInt());
        assertEquals("e2", r.at("/malformed/0/key").asText());
        assertTrue(r.at("/malformed/0/problem").asText().contains("run for task"));
    }

    @Test
    void main_evalWithoutHyp_isAUsageError() {
        assertEquals(2, Main.run(new String[]{"eval", "--ref", "x.jsonl"}));
        assertEquals(2, Main.run(new String[]{"eval", "--bogus"}));
    }
}
