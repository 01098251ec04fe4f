package org.osum4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.osum4j.audio.LogMel;
import org.osum4j.data.DynamicBatcher;
import org.osum4j.data.Examples;
import org.osum4j.data.Filter;
import org.osum4j.data.TaskRegistry;
import org.osum4j.infer.Osum;
import org.osum4j.train.EncoderCtcTrainable;
import org.osum4j.train.OsumBatch;
import org.osum4j.train.OsumCollator;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./osum ctc-eval --model DIR --data LIST [--out FILE.json]}: how well the encoder of an encoder CTC stage
 * ({@code objective.kind: encoder_ctc}) transcribes a list on its own, by greedy CTC decoding with the letter head
 * saved beside the model: letter and word error rates per task and overall. A probe of the encoder (does it
 * listen?), not an ASR system: no language model, no beam.
 */
public final class CtcEval implements Main.Command {

    private static final String USAGE = """
            usage: ./osum ctc-eval --model DIR --data LIST.jsonl [--out FILE.json]
              --model  the model folder an encoder_ctc stage wrote (with %s beside the weights)
              --data   a data list with transcripts
              --out    also write the rates as JSON (atomically)""".formatted(Train.CTC_HEAD_FILE);

    private final PrintStream out;

    public CtcEval() {
        this(System.out);
    }

    CtcEval(PrintStream out) {
        this.out = out;
    }

    @Override
    public String summary() {
        return "greedy CTC letter/word error rates of an encoder_ctc stage's encoder on a data list";
    }

    @Override
    public int run(String[] args) throws Exception {
        Path model = null, data = null, json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--model" -> model = Path.of(value(args, ++i));
                case "--data" -> data = Path.of(value(args, ++i));
                case "--out" -> json = Path.of(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (model == null || data == null) throw new IllegalArgumentException("--model and --data are required\n" + USAGE);
        Map<String, Map<String, Double>> rates = evaluate(model, data);
        out.printf("%-34s %8s %8s %6s%n", "task", "CER %", "WER %", "utts");
        rates.forEach((task, m) -> out.printf("%-34s %8.2f %8.2f %6d%n", task, m.get("cer"), m.get("wer"), m.get("utterances").longValue()));
        if (json != null) {
            ObjectNode root = new ObjectMapper().createObjectNode();
            root.put("model", model.toString());
            root.put("data", data.toString());
            ObjectNode per = root.putObject("rates");
            rates.forEach((task, m) -> {
                ObjectNode n = per.putObject(task);
                m.forEach(n::put);
            });
            Path tmp = json.resolveSibling(json.getFileName() + ".tmp");
            Files.writeString(tmp, root.toPrettyString() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return 0;
    }

    /** Per task (and "all"): cer and wer in %, and the number of utterances. */
    public static Map<String, Map<String, Double>> evaluate(Path modelDir, Path list) throws Exception {
        Path head = modelDir.resolve(Train.CTC_HEAD_FILE);
        if (!Files.isRegularFile(head))
            throw new IllegalArgumentException(modelDir + ": no " + Train.CTC_HEAD_FILE + " (ctc-eval needs the output of an encoder_ctc stage)");
        try (Osum osum = Osum.load(modelDir)) {
            EncoderCtcTrainable ctc = new EncoderCtcTrainable(osum.model().encoder(), null, ids -> osum.tokenizer().decode(ids), 0, 0)
                    .loadHead(head);
            DynamicBatcher.Config batching = DynamicBatcher.Config.osum();
            List<OsumBatch> batches = OsumCollator.of(list, LogMel.of(osum.config().encoder().numMelBins()),
                    new Examples(TaskRegistry.osum(), osum.tokenizer(), false), Filter.osum(), batching).singles(0);
            Map<String, List<String>> refs = new LinkedHashMap<>(), hyps = new LinkedHashMap<>();
            for (OsumBatch b : batches) {                                                      // single utterances
                String ref = ctc.references(b).get(0), hyp = ctc.greedy(b).get(0);
                for (String task : List.of("all", b.task())) {
                    refs.computeIfAbsent(task, k -> new ArrayList<>()).add(ref);
                    hyps.computeIfAbsent(task, k -> new ArrayList<>()).add(hyp);
                }
            }
            Map<String, Map<String, Double>> out = new LinkedHashMap<>();
            refs.forEach((task, r) -> {
                Map<String, Double> m = new LinkedHashMap<>(Train.ctcErrorRates(r, hyps.get(task)));
                m.put("utterances", (double) r.size());
                out.put(task, m);
            });
            return out;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }
}
