package org.osum4j.data;

/**
 * The lightweight view of a training item that filtering and batching work on (no audio, no ids), so
 * those steps are testable and cheap to plan over a whole corpus.
 *
 * @param key          utterance key
 * @param task         canonical task tag, or null when the item has none
 * @param frames       log-mel frames after any crop (100 per second)
 * @param promptTokens prompt length in tokens
 * @param labelTokens  target length in tokens, including the eod token
 * @param cropStart    first frame kept when the filter cropped the item, else 0
 */
public record Sample(String key, String task, int frames, int promptTokens, int labelTokens, int cropStart)
        implements Batchable {

    /** OSUM counts speech as frames/8 LLM positions (conv stem /2, adapter /4) when measuring sequences. */
    public static final double FRAMES_PER_SPEECH_TOKEN = 8.0;

    public Sample {
        if (frames < 0 || promptTokens < 0 || labelTokens < 0 || cropStart < 0)
            throw new IllegalArgumentException("sample " + key + ": negative size (frames " + frames + ", prompt "
                    + promptTokens + ", label " + labelTokens + ", cropStart " + cropStart + ")");
    }

    public static Sample of(String key, String task, int frames, int promptTokens, int labelTokens) {
        return new Sample(key, task, frames, promptTokens, labelTokens, 0);
    }

    /** seq_len = len(prompt) + frames/8 + len(label), as OSUM's filter and batcher measure it. */
    @Override
    public double seqLen() {
        return promptTokens + frames / FRAMES_PER_SPEECH_TOKEN + labelTokens;
    }

    public Sample cropped(int start, int length) {
        return new Sample(key, task, length, promptTokens, labelTokens, cropStart + start);
    }
}
