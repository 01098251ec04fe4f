package org.osum4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * OSUM's {@code filter} step ({@code filter_conf}, spec §3.2) over {@link Sample}s: length limits on frames
 * and tokens, the sequence-length limit, and the random crop of over-long {@code <CAPTION>} clips. Every
 * dropped or cropped item is counted in a {@link Report} under a named reason; nothing disappears silently.
 * Order of checks: min frames, max frames (crop or drop), no task, label tokens min/max, seq_len.
 * The seq_len check uses the frames after cropping.
 */
public final class Filter {

    public static final String TOO_SHORT = "frames < min_length";
    public static final String TOO_LONG = "frames > max_length";
    public static final String CROPPED = "cropped to max_length";
    public static final String NO_TASK = "no task (filter_no_extra_info)";
    public static final String LABEL_TOO_SHORT = "label tokens < token_min_length";
    public static final String LABEL_TOO_LONG = "label tokens > token_max_length";
    public static final String SEQ_TOO_LONG = "seq_len > max_seq_len";

    /**
     * @param maxLength         max frames (2900 = 29 s at 100 frames/s; Whisper's 30 s window minus a margin)
     * @param minLength         min frames
     * @param tokenMinLength    min target tokens incl. eod (1: an empty transcript + eod still trains eod)
     * @param tokenMaxLength    max target tokens incl. eod
     * @param maxSeqLen         max prompt + frames/8 + label: bounds the LLM's activation memory
     * @param filterNoExtraInfo drop items without a task (training: true; inference: false)
     * @param cropTaskWord      items whose tag contains {@code <word>} are cropped instead of dropped when too
     *                          long (CAPTION: an event is still audible in a random 29 s window)
     */
    public record Config(int maxLength, int minLength, int tokenMinLength, int tokenMaxLength, int maxSeqLen,
                         boolean filterNoExtraInfo, String cropTaskWord) {
        public Config {
            if (maxLength < 1 || minLength < 0 || minLength > maxLength || tokenMinLength < 0
                    || tokenMaxLength < tokenMinLength || maxSeqLen < 1)
                throw new IllegalArgumentException("inconsistent filter config: " + maxLength + "/" + minLength + "/"
                        + tokenMinLength + "/" + tokenMaxLength + "/" + maxSeqLen);
        }

        /** OSUM's shipped {@code filter_conf}. */
        public static Config osum() {
            return new Config(2900, 0, 1, 200, 1000, true, "CAPTION");
        }

        public Config withMaxSeqLen(int v) {
            return new Config(maxLength, minLength, tokenMinLength, tokenMaxLength, v, filterNoExtraInfo, cropTaskWord);
        }

        public Config withFilterNoExtraInfo(boolean v) {
            return new Config(maxLength, minLength, tokenMinLength, tokenMaxLength, maxSeqLen, v, cropTaskWord);
        }
    }

    private final Config config;

    public Filter(Config config) {
        this.config = config;
    }

    public static Filter osum() {
        return new Filter(Config.osum());
    }

    public Config config() {
        return config;
    }

    /** The sample as kept (possibly cropped), or null when dropped; either way counted in {@code report}. */
    public Sample apply(Sample s, RandomGenerator rng, Report report) {
        report.seen();
        if (s.frames() < config.minLength()) return drop(report, TOO_SHORT, s, s.frames() + " frames");
        if (s.frames() > config.maxLength()) {
            if (s.task() != null && config.cropTaskWord() != null && s.task().contains("<" + config.cropTaskWord() + ">")) {
                int start = rng.nextInt(s.frames() - config.maxLength() + 1);
                report.change(CROPPED, s.key(), s.frames() + " frames -> [" + start + ", " + (start + config.maxLength()) + ")");
                s = s.cropped(start, config.maxLength());
            } else {
                return drop(report, TOO_LONG, s, s.frames() + " frames");
            }
        }
        if (config.filterNoExtraInfo() && s.task() == null) return drop(report, NO_TASK, s, "");
        if (s.labelTokens() < config.tokenMinLength()) return drop(report, LABEL_TOO_SHORT, s, s.labelTokens() + " tokens");
        if (s.labelTokens() > config.tokenMaxLength()) return drop(report, LABEL_TOO_LONG, s, s.labelTokens() + " tokens");
        if (s.seqLen() > config.maxSeqLen()) return drop(report, SEQ_TOO_LONG, s, "seq_len " + s.seqLen());
        report.kept();
        return s;
    }

    /** Filters a list in order. */
    public List<Sample> apply(List<Sample> samples, RandomGenerator rng, Report report) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            Sample k = apply(s, rng, report);
            if (k != null) out.add(k);
        }
        return out;
    }

    private static Sample drop(Report report, String reason, Sample s, String detail) {
        report.skip(reason, s.key(), detail);
        return null;
    }
}
