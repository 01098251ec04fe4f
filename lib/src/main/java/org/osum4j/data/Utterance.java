package org.osum4j.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One item of an OSUM data list or shard: metadata only (the audio is the path {@code wav}, or the bytes
 * a shard carries beside it). Every field of the source is kept: the known ones are typed, anything else
 * lands in {@code other} (in source order) and is written back unchanged.
 *
 * @param key      utterance id, unique within a list
 * @param wav      audio path (null for items read from a shard; the bytes are in {@link Shards.Item})
 * @param txt      the full target text (transcript + tags), as OSUM's data carry it
 * @param task     task tag, or null (OSUM then uses {@code <TRANSCRIBE>})
 * @param lang     language, speaker, emotion, gender: shard metadata, not used for targets (spec §2.3)
 * @param duration seconds, or null
 * @param start    crop start in seconds, or null
 * @param end      crop end in seconds, or null
 * @param extra    the {@code extra} object ({@code extra.question} overrides the prompt at inference); never null
 * @param other    any further fields, name to JSON value (String, Number, Boolean, List, Map); never null
 */
public record Utterance(String key, String wav, String txt, String task, String lang, String speaker,
                        String emotion, String gender, Double duration, Double start, Double end,
                        Map<String, Object> extra, Map<String, Object> other) {

    public Utterance {
        Objects.requireNonNull(key, "utterance key");
        if (key.isEmpty()) throw new IllegalArgumentException("empty utterance key");
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
        other = Collections.unmodifiableMap(new LinkedHashMap<>(other == null ? Map.of() : other));
    }

    /** The minimal item: key, audio path and target text. */
    public static Utterance of(String key, String wav, String txt) {
        return new Utterance(key, wav, txt, null, null, null, null, null, null, null, null, null, null);
    }

    public Utterance withTask(String t) {
        return new Utterance(key, wav, txt, t, lang, speaker, emotion, gender, duration, start, end, extra, other);
    }

    public Utterance withWav(String w) {
        return new Utterance(key, w, txt, task, lang, speaker, emotion, gender, duration, start, end, extra, other);
    }

    public Utterance withTxt(String t) {
        return new Utterance(key, wav, t, task, lang, speaker, emotion, gender, duration, start, end, extra, other);
    }

    public Utterance withDuration(Double d) {
        return new Utterance(key, wav, txt, task, lang, speaker, emotion, gender, d, start, end, extra, other);
    }

    public Utterance withSpeaker(String s) {
        return new Utterance(key, wav, txt, task, lang, s, emotion, gender, duration, start, end, extra, other);
    }

    public Utterance withExtra(Map<String, Object> e) {
        return new Utterance(key, wav, txt, task, lang, speaker, emotion, gender, duration, start, end, e, other);
    }

    /** The canonical task tag ({@code <TRANSCRIBE>} when absent). */
    public String taskTag() {
        return TaskRegistry.normalizeTag(task);
    }

    /** Seconds of audio this item stands for: {@code end - start} if cropped, else {@code duration}, else null. */
    public Double seconds() {
        if (start != null && end != null) return end - start;
        if (duration != null) return duration;
        Object d = extra.get("duration");                 // lists that keep the duration under extra
        return d instanceof Number n ? n.doubleValue() : null;
    }

    /** {@code extra.question} (the prompt override at inference), or null. */
    public String question() {
        Object q = extra.get("question");
        return q == null ? null : q.toString();
    }
}
