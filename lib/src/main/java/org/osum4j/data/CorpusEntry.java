package org.osum4j.data;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One recording of a loaded corpus before it becomes OSUM list items: audio, normalised transcript and
 * the labels it has, by label-set name ({@code GENDER -> female}, {@code EMOTION -> happy}). {@link Corpus}
 * turns it into one {@link Utterance} per requested task. Not a list item itself (no task, no target text).
 *
 * @param key        corpus utterance id (LibriSpeech {@code 9001-1010-0000}, IEMOCAP turn name)
 * @param audio      absolute audio path
 * @param transcript normalised transcript (lower case, no punctuation or markers)
 * @param labels     final OSUM labels by label-set name; a set is absent when the corpus has no usable label
 * @param duration   seconds from the audio header, or null when the header does not say
 * @param speaker    corpus speaker id
 * @param extra      corpus metadata copied into the item's {@code extra} (speaker, split, raw labels, …)
 */
public record CorpusEntry(String key, Path audio, String transcript, Map<String, String> labels, Double duration,
                          String speaker, Map<String, Object> extra) {

    public CorpusEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(audio, "audio of " + key);
        Objects.requireNonNull(transcript, "transcript of " + key);
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels == null ? Map.of() : labels));
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
    }
}
