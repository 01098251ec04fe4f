package org.osum4j.cli;

import org.osum4j.data.DataList;
import org.osum4j.data.TaskRegistry;
import org.osum4j.data.Utterance;
import org.osum4j.eval.Evaluation;
import org.osum4j.eval.ErrorRate;
import org.osum4j.infer.Answer;
import org.osum4j.infer.Inference;
import org.osum4j.infer.Osum;
import org.osum4j.infer.Results;
import org.osum4j.infer.decode.DecodingOptions;
import org.osum4j.model.OsumModel;
import org.osum4j.text.Tokenizer;
import org.osum4j.train.Trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validation by decoding: greedy answers of the model being trained on a fixed, task-stratified subset of the
 * dev list, scored as {@code ./osum eval} scores them — WER of the transcript part, first-tag accuracy of the
 * label part, SRWT boundary shift, chat-answer accuracy — per task. A pooled loss hides multi-task interference;
 * these numbers show it. Not a second decoder or scorer: it runs {@link Inference} and {@link Evaluation}.
 */
public final class DecodeValidator implements Trainer.Validator {

    /** Rows decoded together (length-sorted), as {@code ./osum infer}'s default. */
    public static final int BATCH = Inference.DEFAULT_BATCH;
    /** New tokens allowed beyond the longest reference target of the subset (its tokens). */
    public static final int SLACK_TOKENS = 16;

    private final OsumModel model;
    private final Tokenizer tokenizer;
    private final TaskRegistry tasks;
    private final Path base;
    private final List<Utterance> subset;
    private final int maxNewTokens;

    /**
     * @param dev       the dev list (audio relative to its folder)
     * @param perTask   utterances per task, taken in list order (deterministic); ≤ 0 → none
     */
    public DecodeValidator(OsumModel model, Tokenizer tokenizer, TaskRegistry tasks, Path dev, int perTask) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.tasks = tasks;
        this.base = dev.toAbsolutePath().getParent();
        this.subset = stratified(DataList.read(dev), perTask);
        int longest = 0;
        for (Utterance u : subset) longest = Math.max(longest, u.txt() == null ? 0 : tokenizer.encode(u.txt()).length);
        this.maxNewTokens = longest + SLACK_TOKENS;
    }

    /** The first {@code perTask} utterances of each task, in list order. */
    static List<Utterance> stratified(List<Utterance> list, int perTask) {
        Map<String, Integer> taken = new TreeMap<>();
        List<Utterance> out = new ArrayList<>();
        if (perTask <= 0) return out;
        for (Utterance u : list) {
            int n = taken.merge(u.taskTag(), 1, Integer::sum);
            if (n <= perTask) out.add(u);
        }
        return out;
    }

    public List<Utterance> subset() {
        return subset;
    }

    /** Decodes and scores the subset; per task tag (and "all"): wer, labels_acc, aas_ms, answer_acc. */
    public Evaluation evaluate() {
        Osum osum = Osum.of(model, tokenizer, tasks, Path.of("(training)"));
        Inference inf = Inference.of(osum);
        List<List<Answer>> answers = inf.askAll(subset, base, List.of(), DecodingOptions.greedy().withMaxNewTokens(maxNewTokens), BATCH);
        List<Results.Entry> entries = new ArrayList<>();
        for (int i = 0; i < subset.size(); i++) entries.add(answers.get(i).get(0).entry(subset.get(i).key(), subset.get(i).txt()));
        return Eval.evaluate(subset, new Results(Path.of("(validation)"), entries, List.of(), null), tasks);
    }

    @Override
    public Map<String, Map<String, Double>> validate(long step) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (subset.isEmpty()) return out;
        evaluate().tasks().forEach((tag, r) -> out.put(tag, metrics(r)));
        return out;
    }

    /** The headline numbers of one task as a flat map (absent parts are left out). */
    static Map<String, Double> metrics(Evaluation.TaskResult r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("decoded", (double) r.utterances());
        ErrorRate t = r.transcript();
        if (t != null && t.refTokens() > 0) m.put("wer", t.rate());
        if (r.labels() != null) {
            for (Evaluation.LabelScore l : r.labels()) {
                if (l.n() > 0 && l.accuracy() != null) m.put(l.labelSet().toLowerCase(java.util.Locale.ROOT) + "_acc", l.accuracy().estimate());
            }
        }
        if (r.aas() != null && r.aas().matched() > 0) {
            m.put("aas_ms", r.aas().meanShiftMs());
            m.put("aas_coverage", r.aas().coverage());
        }
        if (r.answered() > 0 && r.answerAccuracy() != null) m.put("answer_acc", r.answerAccuracy().estimate());
        return m;
    }
}
