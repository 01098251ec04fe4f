package org.osum4j.cli;

import org.osum4j.audio.Waveform;
import org.osum4j.data.DataList;
import org.osum4j.data.Features;
import org.osum4j.data.Report;
import org.osum4j.data.Utterance;
import org.osum4j.infer.Answer;
import org.osum4j.infer.Inference;
import org.osum4j.infer.Osum;
import org.osum4j.infer.ResultsWriter;
import org.osum4j.infer.decode.DecodingOptions;
import org.osum4j.notebook.Progress;
import org.osum4j.run.RunRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./osum infer --model DIR --data LIST.jsonl --task TAG|--task-from-list --out RESULTS.jsonl}: batched
 * inference over a data list into a results file, written one utterance at a time so that an interrupted run
 * resumes where it stopped (keys already in the file are skipped). Shows a progress bar with utterances/s and
 * the real-time factor; unreadable audio is skipped and counted. Only argument handling and file I/O: the
 * inference itself is {@link Inference}.
 */
public final class Infer implements Main.Command {

    /** Utterances read and decoded per round (times the batch size): bounds the speech embeddings held at once. */
    private static final int BATCHES_PER_ROUND = 4;
    /** Audio shorter than this (0.1 s at 16 kHz: 10 feature frames) is skipped as too short to hold speech. */
    static final int MIN_SAMPLES = 1600;

    private final PrintStream out;
    private final PrintStream err;

    public Infer() {
        this(System.out, System.err);
    }

    Infer(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public String summary() {
        return "batched inference over a data list into a resumable results file (greedy, beam, sampling, OSUM's)";
    }

    private static final String USAGE = """
            usage: ./osum infer --model DIR --data LIST.jsonl (--task TAG | --task-from-list) --out RESULTS.jsonl
                                [--decoding greedy|beam:N|sample:T,K,P|osum] [--batch N] [--max-new N]
                                [--prompt default|random] [--seed N]
              --model           model folder (OSUM release layout or converted)
              --data            data list; relative audio paths are resolved against its folder
              --task            one task tag for every utterance, e.g. '<TRANSCRIBE>' or '<TRANSCRIBE> <EMOTION>'
              --task-from-list  each utterance's own task field (extra.question, when present, is the prompt)
              --out             results file (jsonl + .meta.json); an existing one is resumed
              --decoding        greedy (default) | beam:N | sample:T,K,P (temperature, top-k, top-p) | osum
                                (OSUM's beam sampling: 4 beams, top-k 5, top-p 0.9, repetition penalty 1.05)
              --batch           rows decoded together, sorted by length (default 8)
              --max-new         new tokens per window (default 400)
              --prompt          default: each task's fixed prompt; random: one of its prompts per key (seeded)
              --seed            seed of sampling and of --prompt random (default 777)
            Audio longer than 30 s is decoded in windows cut at pauses and the transcripts joined.""";

    @Override
    public int run(String[] args) throws IOException {
        Path model = null, data = null, results = null;
        String task = null, decodingSpec = "greedy", promptMode = "default";
        boolean fromList = false;
        int batch = Inference.DEFAULT_BATCH, maxNew = DecodingOptions.OSUM_MAX_NEW_TOKENS;
        long seed = Inference.OSUM_PROMPT_SEED;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--model" -> model = Path.of(value(args, ++i, "--model"));
                case "--data" -> data = Path.of(value(args, ++i, "--data"));
                case "--out" -> results = Path.of(value(args, ++i, "--out"));
                case "--task" -> task = value(args, ++i, "--task");
                case "--task-from-list" -> fromList = true;
                case "--decoding" -> decodingSpec = value(args, ++i, "--decoding");
                case "--batch" -> batch = intValue(args, ++i, "--batch");
                case "--max-new" -> maxNew = intValue(args, ++i, "--max-new");
                case "--prompt" -> promptMode = value(args, ++i, "--prompt");
                case "--seed" -> seed = intValue(args, ++i, "--seed");
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (model == null || data == null || results == null) {
            throw new IllegalArgumentException("--model, --data and --out are required\n" + USAGE);
        }
        if ((task == null) == !fromList) throw new IllegalArgumentException("give exactly one of --task TAG and --task-from-list\n" + USAGE);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        DecodingOptions decoding = parseDecoding(decodingSpec, seed).withMaxNewTokens(maxNew);
        Inference.PromptChoice prompts = switch (promptMode) {
            case "default" -> Inference.PromptChoice.DEFAULT;
            case "random" -> Inference.PromptChoice.RANDOM;
            default -> throw new IllegalArgumentException("--prompt: expected default or random, got '" + promptMode + "'");
        };

        List<Utterance> items = DataList.read(data);
        Path base = data.toAbsolutePath().getParent();
        try (Osum osum = Osum.load(model)) {
            if (task != null) osum.tasks().get(task);                                   // unknown tag: fail before any work
            Inference inference = Inference.of(osum).withDecoding(decoding).withPrompts(prompts, seed);
            Map<String, Object> dec = decodingRecord(inference.decoding(), batch, promptMode, seed, inference.windowSeconds());
            RunRecord run = RuntimeInfo.runRecord(String.valueOf(model.toAbsolutePath().normalize().getFileName()), model.toString(), dec)
                    .withExtra("data", data.toString())
                    .withExtra("task", task != null ? task : "from list");
            try (ResultsWriter writer = ResultsWriter.resume(results, run)) {
                List<Utterance> todo = items.stream().filter(u -> !writer.isDone(u.key())).toList();
                if (task == null) {
                    for (Utterance u : todo) {                                          // unknown task: fail before any work
                        if (u.question() == null && !osum.tasks().has(u.taskTag())) {
                            throw new IllegalArgumentException(data + ": utterance '" + u.key() + "': unknown task " + u.taskTag()
                                    + "; known: " + osum.tasks().tags());
                        }
                    }
                }
                int resumed = items.size() - todo.size();
                if (resumed > 0) err.println("infer: resuming " + results + ": " + resumed + " of " + items.size() + " keys already done");
                Stats s = decodeAll(inference, todo, base, task, batch, writer);
                out.println(summaryLine(s, resumed));
                if (s.skipped > 0) out.print(s.bad);
            }
        }
        return 0;
    }

    /** Counters of one run. */
    private static final class Stats {
        final Report bad = new Report("infer audio");
        long written, skipped, malformed;
        double audioSeconds, wallSeconds;
    }

    private Stats decodeAll(Inference inference, List<Utterance> todo, Path base, String task, int batch,
                            ResultsWriter writer) {
        Stats s = new Stats();
        long t0 = System.nanoTime();
        int round = batch * BATCHES_PER_ROUND;
        try (Progress bar = Progress.builder("infer", todo.size()).terminal(err).start()) {
            for (int from = 0; from < todo.size(); from += round) {
                List<Utterance> chunk = todo.subList(from, Math.min(todo.size(), from + round));
                List<Utterance> kept = new ArrayList<>();
                List<Inference.Input> inputs = new ArrayList<>();
                List<List<Inference.Query>> queries = new ArrayList<>();
                for (Utterance u : chunk) {
                    s.bad.seen();
                    try {
                        Waveform w = Features.waveform(u, base);
                        if (w.length() < MIN_SAMPLES) {
                            throw new IllegalArgumentException(w.length() + " samples, fewer than " + MIN_SAMPLES + " (0.1 s)");
                        }
                        inputs.add(new Inference.Input(u.key(), w));
                        queries.add(Inference.queriesFor(u, task == null ? List.of() : List.of(task)));
                        kept.add(u);
                        s.bad.kept();
                    } catch (IOException | IllegalArgumentException e) {
                        s.bad.skip("bad audio", u.key(), e.getMessage());
                        s.skipped++;
                    }
                }
                List<List<Answer>> answers = inference.run(inputs, queries, null, batch);
                for (int i = 0; i < kept.size(); i++) {
                    Answer a = answers.get(i).get(0);
                    writer.write(a.entry(kept.get(i).key(), kept.get(i).txt()));
                    s.written++;
                    if (a.malformed()) s.malformed++;
                    s.audioSeconds += a.timing().get("audio_s");
                }
                s.wallSeconds = (System.nanoTime() - t0) / 1e9;
                bar.step(chunk.size());
                bar.metric("utt/s", s.written / s.wallSeconds);
                if (s.audioSeconds > 0) bar.metric("RTF", s.wallSeconds / s.audioSeconds);
            }
        }
        s.wallSeconds = (System.nanoTime() - t0) / 1e9;
        return s;
    }

    private static String summaryLine(Stats s, int resumed) {
        return String.format(Locale.ROOT,
                "infer: %d written (%d done before), %d skipped (bad audio), %d malformed; %.1f s of audio in %.1f s: "
                        + "%.2f utterances/s, RTF %.3f",
                s.written, resumed, s.skipped, s.malformed, s.audioSeconds, s.wallSeconds,
                s.wallSeconds > 0 ? s.written / s.wallSeconds : 0.0, s.audioSeconds > 0 ? s.wallSeconds / s.audioSeconds : 0.0);
    }

    /** {@code greedy}, {@code beam:N}, {@code sample:T,K,P} or {@code osum} (OSUM's beam sampling). */
    public static DecodingOptions parseDecoding(String spec, long seed) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.equals("greedy")) return DecodingOptions.greedy();
            if (s.equals("osum")) return DecodingOptions.osumBeamSample(seed);
            if (s.startsWith("beam:")) return DecodingOptions.beam(Integer.parseInt(s.substring(5)));
            if (s.startsWith("sample:")) {
                String[] p = s.substring(7).split(",");
                if (p.length != 3) throw new IllegalArgumentException("sample needs T,K,P");
                return DecodingOptions.sampling(Double.parseDouble(p[0]), Integer.parseInt(p[1]), Double.parseDouble(p[2]), seed);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--decoding '" + spec + "': bad number (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException("--decoding '" + spec + "': expected greedy, beam:N, sample:T,K,P or osum");
    }

    /** The decoding settings as the run record stores them. */
    static Map<String, Object> decodingRecord(DecodingOptions d, int batch, String prompt, long seed, double windowSeconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("strategy", d.strategy().name().toLowerCase(Locale.ROOT));
        m.put("beams", d.beams());
        m.put("temperature", d.temperature());
        m.put("top_k", d.topK());
        m.put("top_p", d.topP());
        m.put("repetition_penalty", d.repetitionPenalty());
        m.put("length_penalty", d.lengthPenalty());
        m.put("max_new_tokens", d.maxNewTokens());
        m.put("min_new_tokens", d.minNewTokens());
        m.put("eos_id", d.eosId());
        m.put("seed", d.seed());
        m.put("batch", batch);
        m.put("prompt", prompt);
        m.put("prompt_seed", seed);
        m.put("window_s", windowSeconds);
        return m;
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) throw new IllegalArgumentException(opt + " needs a value");
        return args[i];
    }

    private static int intValue(String[] args, int i, String opt) {
        String v = value(args, i, opt);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + ": expected an integer, got '" + v + "'");
        }
    }
}
