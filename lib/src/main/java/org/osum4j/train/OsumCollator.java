package org.osum4j.train;

import org.osum4j.audio.LogMel;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.data.DataList;
import org.osum4j.data.DynamicBatcher;
import org.osum4j.data.Examples;
import org.osum4j.data.Features;
import org.osum4j.data.Filter;
import org.osum4j.data.Report;
import org.osum4j.data.Sample;
import org.osum4j.data.Utterance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * OSUM's data pipeline up to the batch (spec §3.2), deterministic in (seed, epoch): tokenize (random prompt per
 * item, drawn from a stream derived from the seed and epoch, so each epoch may pick other prompts) → filter →
 * log-mel → shuffle/sort/dynamic batch → {@link OsumBatch}. Features are computed once per utterance and cached
 * in memory; SpecAugment/SpecSub are not applied here (they belong to the step: {@link OsumTrainable} draws them
 * from the trainer's generator). Not a streaming loader: the list must fit in memory (fine for synth sets).
 */
public final class OsumCollator {

    /** Stream ids of {@link TrainRandom#derive}: prompt choice / cropping, and the batcher's shuffle. */
    private static final long PROMPT_STREAM = 0x9207_3A7EL;
    private static final long BATCH_STREAM = 0xBA7C_0502L;

    private final List<Utterance> utterances;
    private final Path audioBase;
    private final LogMel logMel;
    private final Examples examples;
    private final Filter filter;
    private final DynamicBatcher.Config batching;
    private final Map<String, LogMelFeatures> cache = new HashMap<>();
    private final String manifestHash;

    /**
     * @param utterances the data list (order matters for determinism)
     * @param audioBase  folder relative {@code wav} paths resolve against (the list's folder)
     * @param logMel     feature extractor (n_mels of the model's encoder)
     * @param examples   tokenizer + tasks (training: random prompts, {@code useQuestion false})
     * @param filter     OSUM's length filters
     * @param batching   dynamic batch limits
     */
    public OsumCollator(List<Utterance> utterances, Path audioBase, LogMel logMel, Examples examples, Filter filter,
                        DynamicBatcher.Config batching) {
        if (utterances.isEmpty()) throw new IllegalArgumentException("OSUM collator: the data list is empty");
        this.utterances = List.copyOf(utterances);
        this.audioBase = audioBase;
        this.logMel = logMel;
        this.examples = examples;
        this.filter = filter;
        this.batching = batching;
        this.manifestHash = hash(this.utterances);
    }

    /** A collator over a jsonl data list, audio paths relative to the list's folder. */
    public static OsumCollator of(Path list, LogMel logMel, Examples examples, Filter filter, DynamicBatcher.Config batching) {
        return new OsumCollator(DataList.read(list), list.toAbsolutePath().getParent(), logMel, examples, filter, batching);
    }

    /** SHA-256 over (key, wav, task, txt) of every utterance in order. */
    public String manifestHash() {
        return manifestHash;
    }

    public List<Utterance> utterances() {
        return utterances;
    }

    /** An utterance's log-mel features [n_mels, frames], computed on first use and cached (bad audio throws, naming the key). */
    public synchronized LogMelFeatures features(Utterance u) {
        LogMelFeatures f = cache.get(u.key());
        if (f == null) {
            try {
                f = logMel.compute(Features.waveform(u, audioBase));
            } catch (IOException | IllegalArgumentException e) {
                throw new UncheckedIOException(new IOException("utterance '" + u.key() + "' (" + Features.audioPath(u, audioBase)
                        + "): " + e.getMessage(), e));
            }
            cache.put(u.key(), f);
        }
        return f;
    }

    /** One tokenised, filtered item (sample sizes, possibly cropped) with its example. */
    private record Item(Examples.Example example, Sample sample, Utterance utterance) {
    }

    /** Tokenize + filter every utterance with prompts drawn from {@code rng}; skipped items are counted in {@code report}. */
    private List<Item> items(RandomGenerator rng, Report report, boolean applyFilter) {
        List<Item> out = new ArrayList<>();
        for (Utterance u : utterances) {
            Examples.Example e = examples.build(u, rng, report);
            if (e == null) continue;
            Sample s = e.toSample(features(u).frames());
            if (applyFilter) s = filter.apply(s, rng, report);
            if (s != null) out.add(new Item(e, s, u));
        }
        return out;
    }

    /**
     * The batches of one epoch: tokenize/filter with a stream of (seed, epoch), then OSUM's shuffle → sort →
     * dynamic batching seeded from (seed, epoch). The same arguments always give the same batches.
     */
    public List<OsumBatch> epoch(long seed, long epoch) {
        Report report = new Report("train epoch " + epoch);
        List<Item> items = items(TrainRandom.derive(seed, epoch, PROMPT_STREAM), report, true);
        if (items.isEmpty()) throw new IllegalStateException("epoch " + epoch + ": every utterance was filtered out: " + report);
        Map<String, Item> byKey = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        for (Item it : items) {
            byKey.put(it.sample().key(), it);
            samples.add(it.sample());
        }
        List<List<Sample>> plan = new DynamicBatcher(batching, TrainRandom.derive(seed, epoch, BATCH_STREAM).nextLong()).batches(samples);
        List<OsumBatch> out = new ArrayList<>(plan.size());
        for (List<Sample> b : plan) {
            List<Item> chosen = new ArrayList<>(b.size());
            for (Sample s : b) chosen.add(byKey.get(s.key()));
            out.add(collate(chosen));
        }
        return out;
    }

    /** The epochs as a trainer data source (batches recomputed per epoch, features from the cache). */
    public BatchSource<OsumBatch> source() {
        return ListBatchSource.perEpoch(this::epoch, manifestHash);
    }

    /**
     * Validation batches as OSUM's CV loader makes them: one utterance per batch, no filter on lengths, the
     * prompt drawn once from a stream of {@code seed} (so every validation sees the same prompts).
     */
    public List<OsumBatch> singles(long seed) {
        List<Item> items = items(TrainRandom.derive(seed, Long.MAX_VALUE, PROMPT_STREAM), new Report("validation"), false);
        List<OsumBatch> out = new ArrayList<>(items.size());
        for (Item it : items) out.add(collate(List.of(it)));
        return out;
    }

    /** The first {@code n} usable utterances as one batch (tests, overfitting checks). */
    public OsumBatch firstBatch(long seed, int n) {
        List<Item> items = items(TrainRandom.derive(seed, 0, PROMPT_STREAM), new Report("first batch"), true);
        if (items.size() < n) throw new IllegalArgumentException("only " + items.size() + " usable utterances, " + n + " asked");
        return collate(items.subList(0, n));
    }

    private OsumBatch collate(List<Item> items) {
        List<String> keys = new ArrayList<>(), tasks = new ArrayList<>();
        List<LogMelFeatures> feats = new ArrayList<>();
        long[][] prompts = new long[items.size()][], targets = new long[items.size()][], transcripts = new long[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            keys.add(it.example().key());
            tasks.add(it.example().task());
            feats.add(crop(features(it.utterance()), it.sample().cropStart(), it.sample().frames()));
            prompts[i] = it.example().promptIds();
            targets[i] = it.example().targetIds();
            transcripts[i] = examples.transcriptIds(it.example());
        }
        return new OsumBatch(keys, tasks, feats, prompts, targets, transcripts);
    }

    /** Frames [start, start + frames) of the features (the filter's random crop of long clips); the same object when whole. */
    private static LogMelFeatures crop(LogMelFeatures f, int start, int frames) {
        if (start == 0 && frames == f.frames()) return f;
        float[] out = new float[f.nMels() * frames];
        for (int m = 0; m < f.nMels(); m++) System.arraycopy(f.data(), m * f.frames() + start, out, m * frames, frames);
        return new LogMelFeatures(f.nMels(), frames, out);
    }

    private static String hash(List<Utterance> us) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Utterance u : us) {
                d.update((u.key() + "\t" + u.wav() + "\t" + u.task() + "\t" + u.txt() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
