package org.osum4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.osum4j.data.DataList;
import org.osum4j.data.Task;
import org.osum4j.data.TaskRegistry;
import org.osum4j.data.Utterance;
import org.osum4j.eval.Evaluation;
import org.osum4j.infer.OutputParser;
import org.osum4j.infer.ParsedOutput;
import org.osum4j.infer.Results;
import org.osum4j.infer.ResultsReader;
import org.osum4j.run.RunRecord;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./osum eval --ref LIST.jsonl --hyp RESULTS.jsonl [--hyp2 OTHER.jsonl] [--out REPORT.json]
 * [--html REPORT.html] [--tasks TASKS.json]}: joins a reference data list and a results file by key, re-parses
 * every raw output for the reference's task, and prints the per-task table of {@link Evaluation}; writes the
 * JSON report and a standalone HTML report atomically. With {@code --hyp2}, compares the two systems (paired
 * bootstrap) on the same references. This class only reads files and joins; scoring is {@code org.osum4j.eval}.
 */
public final class Eval implements Main.Command {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keys listed per direction in the comparison section of the JSON report. */
    private static final int MAX_CHANGED_KEYS = 200;

    private final PrintStream out;
    private final PrintStream err;

    public Eval() {
        this(System.out, System.err);
    }

    Eval(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public String summary() {
        return "score a results file against a reference list (WER/CER, label accuracy, AAS, answers; --hyp2 compares)";
    }

    private static final String USAGE = """
            usage: ./osum eval --hyp RESULTS.jsonl [--ref LIST.jsonl] [--hyp2 OTHER.jsonl] [--out REPORT.json] [--html REPORT.html]
                               [--tasks TASKS.json|yaml]
              --ref    data list (key, txt, task) with the references; default: the 'ref' field of the results
              --hyp    results file written by inference (one JSON object per utterance)
              --hyp2   second system's results: paired bootstrap comparison B - A and better/worse utterances
              --out    JSON report (written atomically)
              --html   standalone HTML report with confusion matrices and worst utterances
              --tasks  task file adding/overriding tasks (default: OSUM's tasks)
              --where  FIELD=VALUE: score only reference items whose field has that value (needs --ref; repeatable,
                       all must hold); FIELD is a list field (task, speaker, lang, ...) or extra.NAME, e.g.
                       --where extra.text_cue=false --where 'task=<TRANSCRIBE> <EMOTION>'; null matches a missing value
            Reference keys without a hypothesis are scored as empty outputs (errors); extra hypothesis keys are listed.""";

    @Override
    public int run(String[] args) throws Exception {
        Path ref = null, hyp = null, hyp2 = null, json = null, html = null, taskFile = null;
        List<String> where = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--ref" -> ref = Path.of(value(args, ++i, "--ref"));
                case "--hyp" -> hyp = Path.of(value(args, ++i, "--hyp"));
                case "--hyp2" -> hyp2 = Path.of(value(args, ++i, "--hyp2"));
                case "--out" -> json = Path.of(value(args, ++i, "--out"));
                case "--html" -> html = Path.of(value(args, ++i, "--html"));
                case "--tasks" -> taskFile = Path.of(value(args, ++i, "--tasks"));
                case "--where" -> where.add(value(args, ++i, "--where"));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (hyp == null) throw new IllegalArgumentException("--hyp RESULTS.jsonl is required\n" + USAGE);
        TaskRegistry tasks = taskFile == null ? TaskRegistry.osum() : TaskRegistry.osum().withFile(taskFile);
        OutputParser parser = new OutputParser(tasks);

        Results a = ResultsReader.read(hyp);
        warnTruncated(a);
        if (!where.isEmpty() && ref == null) throw new IllegalArgumentException("--where filters the reference list: give it with --ref");
        List<Reference> refs = ref != null ? references(select(DataList.read(ref), where, ref.toString()), tasks, ref.toString())
                : refsFromResults(a, tasks);
        if (refs.isEmpty()) throw new IllegalArgumentException("no reference item left to score" + (where.isEmpty() ? "" : " after --where " + where));
        Evaluation ea = evaluate(refs, a, parser, tasks);
        out.print(ea);

        ObjectNode report = ea.toJson();
        ObjectNode inputs = report.putObject("inputs");
        inputs.put("ref", ref == null ? hyp + " (ref fields)" : ref.toString());
        inputs.set("hyp", describe(a));
        Evaluation.Comparison cmp = null;
        if (hyp2 != null) {
            Results b = ResultsReader.read(hyp2);
            warnTruncated(b);
            Evaluation eb = evaluate(refs, b, parser, tasks);
            cmp = ea.compare(eb);
            out.println("\nsystem B: " + hyp2);
            out.print(eb);
            out.println("\ncomparison B - A (paired bootstrap):");
            out.print(Evaluation.toText(cmp));
            inputs.set("hyp2", describe(b));
            report.set("system_b", eb.toJson());
            report.set("compare", Evaluation.toJson(cmp, MAX_CHANGED_KEYS));
        }
        if (json != null) {
            Evaluation.writeAtomically(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            err.println("wrote " + json);
        }
        if (html != null) {
            Evaluation.writeAtomically(html, ea.html("osum4j evaluation: " + hyp.getFileName(), cmp));
            err.println("wrote " + html);
        }
        return 0;
    }

    /**
     * Scores a results file against a reference list, joined by key, for a notebook:
     * {@code Eval.evaluate(DataList.read(refPath), ResultsReader.read(hypPath), TaskRegistry.osum())}.
     */
    public static Evaluation evaluate(List<Utterance> refs, Results results, TaskRegistry tasks) {
        return evaluate(references(refs, tasks, "reference list"), results, new OutputParser(tasks), tasks);
    }

    /** One reference utterance: key, task and target text. */
    record Reference(String key, Task task, String text) {}

    /**
     * The items whose fields match every {@code FIELD=VALUE} condition. Values compare as text ({@code true},
     * {@code 3.5}); {@code null} matches a missing or null field.
     */
    static List<Utterance> select(List<Utterance> list, List<String> conditions, String origin) {
        if (conditions.isEmpty()) return list;
        List<Utterance> out = new ArrayList<>();
        for (Utterance u : list) {
            boolean all = true;
            for (String c : conditions) {
                int eq = c.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("--where " + c + ": expected FIELD=VALUE, e.g. extra.text_cue=false");
                String field = c.substring(0, eq).trim(), want = c.substring(eq + 1).trim();
                Object v = field(u, field, origin);
                if (!(v == null ? want.equals("null") : String.valueOf(v).equals(want))) {
                    all = false;
                    break;
                }
            }
            if (all) out.add(u);
        }
        return out;
    }

    private static Object field(Utterance u, String field, String origin) {
        if (field.startsWith("extra.")) return u.extra().get(field.substring("extra.".length()));
        return switch (field) {
            case "key" -> u.key();
            case "task" -> u.taskTag();
            case "txt" -> u.txt();
            case "lang" -> u.lang();
            case "speaker" -> u.speaker();
            case "emotion" -> u.emotion();
            case "gender" -> u.gender();
            default -> {
                if (u.other().containsKey(field)) yield u.other().get(field);
                throw new IllegalArgumentException("--where " + field + ": " + origin + " item '" + u.key()
                        + "' has no such field (list fields: key, task, txt, lang, speaker, emotion, gender, or extra.NAME)");
            }
        };
    }

    private static List<Reference> references(List<Utterance> list, TaskRegistry tasks, String origin) {
        List<Reference> out = new ArrayList<>();
        for (Utterance u : list) {
            if (!tasks.has(u.taskTag()))
                throw new IllegalArgumentException(origin + ": utterance '" + u.key() + "' has task " + u.taskTag()
                        + " which no task file defines (add one with --tasks)");
            out.add(new Reference(u.key(), tasks.get(u.taskTag()), u.txt() == null ? "" : u.txt()));
        }
        return out;
    }

    private static List<Reference> refsFromResults(Results r, TaskRegistry tasks) {
        List<Reference> out = new ArrayList<>();
        for (Results.Entry e : r.entries()) {
            if (e.ref() == null)
                throw new IllegalArgumentException(r.file() + ": entry '" + e.key() + "' has no 'ref' field; give the references with --ref");
            if (!tasks.has(e.task())) throw new IllegalArgumentException(r.file() + ": entry '" + e.key() + "' has unknown task " + e.task());
            out.add(new Reference(e.key(), tasks.get(e.task()), e.ref()));
        }
        return out;
    }

    /** Joins references and results by key; outputs are re-parsed for the reference's task. */
    static Evaluation evaluate(List<Reference> refs, Results results, OutputParser parser, TaskRegistry tasks) {
        Map<String, Results.Entry> byKey = results.byKey();
        Set<String> refKeys = new LinkedHashSet<>();
        List<Evaluation.Item> items = new ArrayList<>(refs.size());
        for (Reference r : refs) {
            refKeys.add(r.key());
            ParsedOutput ref = parser.parse(r.task(), r.text());
            Results.Entry e = byKey.get(r.key());
            if (e == null) {
                ParsedOutput none = new ParsedOutput(r.task().tag(), "", "", List.of(), List.of(), "", "missing hypothesis");
                items.add(new Evaluation.Item(r.key(), r.task(), r.text(), ref.target(), ref.problem(), "", none.target(), none.problem(), true));
                continue;
            }
            ParsedOutput hyp = parser.parse(r.task(), e.output());
            String problem = hyp.problem();
            if (problem == null && !TaskRegistry.normalizeTag(e.task()).equals(r.task().tag()))
                problem = "run for task " + e.task() + " but the reference is " + r.task().tag();
            items.add(new Evaluation.Item(r.key(), r.task(), r.text(), ref.target(), ref.problem(), e.output(), hyp.target(), problem, false));
        }
        List<String> extra = new ArrayList<>();
        for (String k : byKey.keySet()) if (!refKeys.contains(k)) extra.add(k);
        return Evaluation.of(items, extra, tasks);
    }

    private void warnTruncated(Results r) {
        if (r.truncated()) err.println("osum eval: " + r.file() + ": " + r.truncatedTail() + " (ignored; the run was interrupted)");
    }

    private static ObjectNode describe(Results r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", r.file().toString());
        o.put("entries", r.entries().size());
        if (r.truncated()) o.put("truncated_tail", r.truncatedTail());
        Map<String, Double> totals = new java.util.TreeMap<>();
        for (Results.Entry e : r.entries()) e.timing().forEach((k, v) -> totals.merge(k, v, Double::sum));
        ObjectNode t = o.putObject("timing_totals");                // e.g. audio_s and decode_ms: a real-time factor
        totals.forEach(t::put);
        ArrayNode runs = o.putArray("runs");
        for (RunRecord rr : r.runs()) runs.add(rr.toJson());
        return o;
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) throw new IllegalArgumentException(opt + " needs a value");
        return args[i];
    }
}
