package org.osum4j.infer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.audio.AudioIO;
import org.osum4j.audio.LogMel;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.audio.Waveform;
import org.osum4j.data.Features;
import org.osum4j.data.Task;
import org.osum4j.data.TaskRegistry;
import org.osum4j.data.Utterance;
import org.osum4j.infer.decode.Decoding;
import org.osum4j.infer.decode.DecodingOptions;
import org.osum4j.infer.decode.Hypothesis;
import org.osum4j.model.OsumModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Batched OSUM inference (spec §5) over many utterances and tasks: audio → windows of ≤ 30 s ({@link Windows})
 * → log-mel → speech embeddings, computed once per utterance and shared by all its tasks → one
 * {@code [prompt][bos][speech][eos]} row per (utterance, window, task) → rows sorted by length and decoded in
 * batches ({@link OsumStepModel}, {@link Decoding#run}) → text parsed per task ({@link OutputParser}), answers
 * returned in input order. Greedy and beam search give the same ids at any batch size (rows never interact);
 * sampling draws from {@code seed + row in batch}, so sampled outputs depend on the batching.
 * Not here: reading data lists and writing results files (the {@code infer} command), scoring. Not thread-safe
 * (one reusable decoder workspace per instance).
 *
 * <pre>{@code
 * Inference inf = Inference.of(Osum.load(dir)).withDecoding(DecodingOptions.beam(4));
 * Answer a = inf.transcribe(Path.of("a.flac"));
 * List<Answer> more = inf.ask(Path.of("a.flac"), "<TRANSCRIBE> <EMOTION>", "<AGE> <GENDER>");   // encoded once
 * List<List<Answer>> all = inf.askAll(DataList.read(list), list.getParent(), List.of(), null, 8);
 * }</pre>
 */
public final class Inference {

    /** How a task's prompt is chosen when no question is given. */
    public enum PromptChoice {
        /** {@link Task#defaultPrompt()}: the demo's fixed prompt (OSUM's runtime and web demo). */
        DEFAULT,
        /** One of the task's prompts drawn per utterance from {@code seed} and the key (OSUM's recognize4llmasr.py). */
        RANDOM
    }

    /** A task to ask: its tag, and a custom prompt (a question) or null for the task's own prompt. */
    public record Query(String task, String prompt) {
        public Query {
            task = TaskRegistry.normalizeTag(task);
        }

        public static Query of(String tag) {
            return new Query(tag, null);
        }

        /** A custom question; the answer is parsed for {@code tag}. */
        public static Query custom(String tag, String question) {
            if (question == null || question.isBlank()) throw new IllegalArgumentException("custom question is blank");
            return new Query(tag, question);
        }
    }

    /** One utterance's audio for {@link #run}: a name for messages and prompt seeding, and its waveform. */
    public record Input(String key, Waveform audio) {
    }

    /** The default seed of {@link PromptChoice#RANDOM} (OSUM's recognize4llmasr.py seeds 777). */
    public static final long OSUM_PROMPT_SEED = 777;
    /** The default number of (utterance, window, task) rows decoded together. */
    public static final int DEFAULT_BATCH = 8;
    private static final double MS_PER_NS = 1e-6;

    private final Osum osum;
    private final OutputParser parser;
    private final LogMel frontEnd;
    private final DecodingOptions decoding;
    private final PromptChoice promptChoice;
    private final long promptSeed;
    private final double windowSeconds;
    private final OsumStepModel.Workspace workspace;
    private long encoderCalls;

    private Inference(Osum osum, DecodingOptions decoding, PromptChoice promptChoice, long promptSeed, double windowSeconds) {
        this.osum = osum;
        this.parser = new OutputParser(osum.tasks());
        this.frontEnd = LogMel.of(osum.config().encoder().numMelBins());
        this.decoding = decoding.withEosId((int) osum.config().eodId());
        this.promptChoice = promptChoice;
        this.promptSeed = promptSeed;
        this.windowSeconds = windowSeconds;
        this.workspace = new OsumStepModel.Workspace(osum.model().llm());
    }

    /**
     * Inference with deterministic defaults: greedy, {@value DecodingOptions#OSUM_MAX_NEW_TOKENS} new tokens, the
     * model's eod as eos, each task's default prompt, 30 s windows (or less when the encoder takes less).
     */
    public static Inference of(Osum osum) {
        double encoderSeconds = osum.config().encoder().maxInputFrames() * (double) LogMel.HOP_LENGTH / LogMel.SAMPLE_RATE;
        return new Inference(osum, DecodingOptions.greedy(), PromptChoice.DEFAULT, OSUM_PROMPT_SEED,
                Math.min(Windows.MAX_SECONDS, encoderSeconds));
    }

    /** A copy decoding with {@code opts} (its eos is replaced by the model's eod id). */
    public Inference withDecoding(DecodingOptions opts) {
        return new Inference(osum, opts, promptChoice, promptSeed, windowSeconds);
    }

    public Inference withPrompts(PromptChoice choice, long seed) {
        return new Inference(osum, decoding, choice, seed, windowSeconds);
    }

    /** A copy with another window limit (at most what the encoder takes). */
    public Inference withWindowSeconds(double seconds) {
        return new Inference(osum, decoding, promptChoice, promptSeed, seconds);
    }

    public DecodingOptions decoding() {
        return decoding;
    }

    public double windowSeconds() {
        return windowSeconds;
    }

    /** Encoder + adapter runs so far (one per window of each utterance, whatever the number of tasks). */
    public long encoderCalls() {
        return encoderCalls;
    }

    // ================================================================== one utterance

    /** {@code <TRANSCRIBE>} of one waveform. */
    public Answer transcribe(Waveform w) {
        return ask(w, TaskRegistry.DEFAULT_TAG).get(0);
    }

    public Answer transcribe(Path audio) throws IOException {
        return transcribe(read(audio));
    }

    /** Several tasks over one waveform; the audio is encoded once. Answers in the order of the tags. */
    public List<Answer> ask(Waveform w, String... taskTags) {
        if (taskTags.length == 0) throw new IllegalArgumentException("ask: no task tags (e.g. " + TaskRegistry.DEFAULT_TAG + ")");
        return ask(w, Arrays.stream(taskTags).map(Query::of).toArray(Query[]::new));
    }

    public List<Answer> ask(Path audio, String... taskTags) throws IOException {
        return ask(read(audio), taskTags);
    }

    public List<Answer> ask(Waveform w, Query... queries) {
        return run(List.of(new Input(w.source(), w)), List.of(List.of(queries)), null, queries.length).get(0);
    }

    /** A custom question about the audio (OSUM's {@code extra.question}), answer parsed as speech-to-text chat. */
    public Answer askQuestion(Waveform w, String question) {
        String chat = osum.tasks().has("<TRANSCRIBE> <S2TCHAT>") ? "<TRANSCRIBE> <S2TCHAT>" : TaskRegistry.DEFAULT_TAG;
        return ask(w, Query.custom(chat, question)).get(0);
    }

    // ================================================================== many utterances

    /**
     * Every utterance of a data list: audio read relative to {@code base}; the tasks are {@code taskTags}, or
     * the utterance's own task when {@code taskTags} is empty; {@code extra.question}, when present, replaces
     * the prompt. Unreadable audio throws, naming the key. Answers per utterance in input order, per utterance
     * in the order of the tasks.
     */
    public List<List<Answer>> askAll(List<Utterance> items, Path base, List<String> taskTags, DecodingOptions opts,
                                     int batchSize) {
        List<Input> inputs = new ArrayList<>();
        List<List<Query>> queries = new ArrayList<>();
        for (Utterance u : items) {
            try {
                inputs.add(new Input(u.key(), Features.waveform(u, base)));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("utterance '" + u.key() + "': " + e.getMessage(), e);
            }
            queries.add(queriesFor(u, taskTags));
        }
        return run(inputs, queries, opts, batchSize);
    }

    /** The queries of one list item: the given tags (or its own task), its question as the prompt if any. */
    public static List<Query> queriesFor(Utterance u, List<String> taskTags) {
        List<String> tags = taskTags == null || taskTags.isEmpty() ? List.of(u.taskTag()) : taskTags;
        List<Query> q = new ArrayList<>();
        for (String t : tags) q.add(u.question() != null ? Query.custom(t, u.question()) : Query.of(t));
        return q;
    }

    /** One row of the LLM: which input, window and query, and its prompt ids. */
    private record Row(int input, int window, int query, long[] promptIds, int length) {
    }

    /**
     * The core: inputs with their queries, decoded in length-sorted batches of {@code batchSize} rows (one row
     * per input × window × query). Answers per input, per query. {@code opts} null = this instance's
     * options; the model's eod id always replaces their eos.
     */
    public List<List<Answer>> run(List<Input> inputs, List<List<Query>> queries, DecodingOptions opts, int batchSize) {
        DecodingOptions dec = opts == null ? decoding : opts.withEosId((int) osum.config().eodId());
        if (inputs.size() != queries.size()) {
            throw new IllegalArgumentException(inputs.size() + " inputs but " + queries.size() + " query lists");
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        OsumModel model = osum.model();
        int n = inputs.size();
        // speech embeddings once per input and window, shared by every query of the input
        List<List<INDArray>> speech = new ArrayList<>();                      // [input][window] → [S, H]
        double[] encodeMs = new double[n], audioSeconds = new double[n];
        String[][] prompts = new String[n][];
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Input in = inputs.get(i);
            Waveform w = in.audio().sampleRate() == LogMel.SAMPLE_RATE ? in.audio() : in.audio().resampled(LogMel.SAMPLE_RATE);
            audioSeconds[i] = w.seconds();
            long t0 = System.nanoTime();
            List<INDArray> windows = new ArrayList<>();
            for (Windows.Window win : Windows.split(w, windowSeconds)) windows.add(encode(in.key(), frontEnd.compute(win.audio())));
            encodeMs[i] = (System.nanoTime() - t0) * MS_PER_NS;
            speech.add(windows);
            List<Query> qs = queries.get(i);
            prompts[i] = new String[qs.size()];
            for (int q = 0; q < qs.size(); q++) {
                prompts[i][q] = promptFor(in.key(), qs.get(q));
                long[] ids = osum.promptIds(prompts[i][q]);
                for (int win = 0; win < windows.size(); win++) {
                    rows.add(new Row(i, win, q, ids, ids.length + 2 + (int) windows.get(win).size(0)));
                }
            }
        }
        // length-sorted batches: little left padding, and each row's result is independent of its batch; longest
        // first, so that the decoder workspace is sized once by the first batch and reused by the others
        List<Row> order = new ArrayList<>(rows);
        order.sort(Comparator.comparingInt(Row::length).reversed());
        Map<Row, Hypothesis> hyps = new LinkedHashMap<>();
        double[] decodeMs = new double[n];
        for (int from = 0; from < order.size(); from += batchSize) {
            List<Row> batch = order.subList(from, Math.min(order.size(), from + batchSize));
            long t0 = System.nanoTime();
            List<Hypothesis> out = decodeBatch(model, batch, speech, dec);
            org.osum4j.model.NativeMemory.relieve();                 // free dead native buffers when RSS grows
            double share = (System.nanoTime() - t0) * MS_PER_NS / batch.size();
            for (int r = 0; r < batch.size(); r++) {
                hyps.put(batch.get(r), out.get(r));
                decodeMs[batch.get(r).input()] += share;
            }
        }
        // answers in input order, windows joined
        Map<Long, List<Row>> byAnswer = new LinkedHashMap<>();
        for (Row r : rows) byAnswer.computeIfAbsent(((long) r.input() << 32) | r.query(), k -> new ArrayList<>()).add(r);
        List<List<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Answer> mine = new ArrayList<>();
            for (int q = 0; q < queries.get(i).size(); q++) {
                List<Row> parts = byAnswer.get(((long) i << 32) | q);
                parts.sort(Comparator.comparingInt(Row::window));
                mine.add(answer(queries.get(i).get(q), prompts[i][q], parts, hyps, audioSeconds[i], encodeMs[i],
                        decodeMs[i] / queries.get(i).size()));
            }
            answers.add(mine);
        }
        return answers;
    }

    private List<Hypothesis> decodeBatch(OsumModel model, List<Row> batch, List<List<INDArray>> speech, DecodingOptions dec) {
        long[][] prompts = new long[batch.size()][];
        List<INDArray> embeds = new ArrayList<>();
        for (int r = 0; r < batch.size(); r++) {
            prompts[r] = batch.get(r).promptIds();
            embeds.add(speech.get(batch.get(r).input()).get(batch.get(r).window()));
        }
        OsumModel.Prefill p = model.prefillSpeech(prompts, embeds);
        OsumStepModel sm = OsumStepModel.prefill(model, p, dec.beams(), dec.maxNewTokens(), workspace);
        return Decoding.run(sm, sm.firstLogits(), dec);
    }

    private Answer answer(Query q, String prompt, List<Row> parts, Map<Row, Hypothesis> hyps, double audioS,
                          double encodeMs, double decodeMs) {
        StringBuilder text = new StringBuilder();
        List<Long> ids = new ArrayList<>();
        double score = 0;
        String stop = null;
        for (Row r : parts) {
            Hypothesis h = hyps.get(r);
            long[] t = Arrays.stream(h.textTokens()).asLongStream().toArray();
            String piece = osum.tokenizer().decode(t, true).strip();
            if (!piece.isEmpty()) text.append(text.length() == 0 ? "" : " ").append(piece);
            for (long id : t) ids.add(id);
            score += h.score();
            stop = h.stopReason();
        }
        Map<String, Double> timing = new LinkedHashMap<>();
        timing.put("audio_s", audioS);
        timing.put("encode_ms", encodeMs);
        timing.put("decode_ms", decodeMs);
        timing.put("new_tokens", (double) ids.size());
        String s = text.toString();
        return new Answer(q.task(), prompt, s, parser.parse(q.task(), s), ids.stream().mapToLong(Long::longValue).toArray(),
                score, stop, parts.size(), timing);
    }

    /** The prompt of a query: its question, else the task's prompt per {@link PromptChoice}. */
    private String promptFor(String key, Query q) {
        if (q.prompt() != null) return q.prompt();
        Task t = osum.tasks().get(q.task());
        return switch (promptChoice) {
            case DEFAULT -> t.defaultPrompt();
            case RANDOM -> t.randomPrompt(new Random(promptSeed * 31 + (key == null ? 0 : key.hashCode())));
        };
    }

    /** Encoder + adapter of one window: features [T, n_mels] → speech embeddings [S, H]. */
    private INDArray encode(String key, LogMelFeatures f) {
        if (f.frames() == 0) throw new IllegalArgumentException((key == null ? "audio" : key) + ": no feature frames (empty audio)");
        INDArray feats = Nd4j.createFromArray(f.transposed()).reshape(f.frames(), f.nMels());   // [T, n_mels]
        encoderCalls++;
        return osum.model().encodeUtterance(feats);
    }

    private static Waveform read(Path audio) throws IOException {
        Waveform w = AudioIO.read(audio);
        return w.sampleRate() == LogMel.SAMPLE_RATE ? w : w.resampled(LogMel.SAMPLE_RATE);
    }
}
