package org.osum4j.audio;

/**
 * A log-mel spectrogram of one utterance: {@code data} is row-major [nMels][frames] (mel bin major, like
 * Whisper / Hugging Face {@code input_features[i]}); value (m, t) is {@code data[m * frames + t]}.
 * OSUM's WeNet code keeps the transpose [frames][nMels]; {@link #transposed()} gives that layout.
 *
 * @param nMels  mel bins (80 for OSUM / Whisper-medium, 128 for Whisper-large-v3)
 * @param frames 10 ms frames
 * @param data   [nMels * frames] row-major values in normalised log10 space, (log10(mel) + 4) / 4
 */
public record LogMelFeatures(int nMels, int frames, float[] data) {

    public LogMelFeatures {
        if (nMels <= 0 || frames < 0 || data.length != (long) nMels * frames) {
            throw new IllegalArgumentException("log-mel features: expected [" + nMels + ", " + frames + "] = "
                    + (long) nMels * frames + " values, got " + data.length);
        }
    }

    /** The value at mel bin {@code m}, frame {@code t}. */
    public float get(int m, int t) {
        return data[m * frames + t];
    }

    /** [nMels][frames] as a nested array (a copy). */
    public float[][] toArray() {
        float[][] out = new float[nMels][frames];
        for (int m = 0; m < nMels; m++) System.arraycopy(data, m * frames, out[m], 0, frames);
        return out;
    }

    /** The transposed layout [frames][nMels], flat row-major (OSUM / WeNet's {@code feat}). */
    public float[] transposed() {
        float[] out = new float[data.length];
        for (int m = 0; m < nMels; m++) {
            for (int t = 0; t < frames; t++) out[t * nMels + m] = data[m * frames + t];
        }
        return out;
    }

    /** Seconds of audio covered (frames × 10 ms). */
    public double seconds() {
        return frames * (double) LogMel.HOP_LENGTH / LogMel.SAMPLE_RATE;
    }

    /** A deep copy (SpecAugment and SpecSub return new features and never modify their input). */
    public LogMelFeatures copy() {
        return new LogMelFeatures(nMels, frames, data.clone());
    }

    @Override
    public String toString() {
        return "LogMelFeatures[" + nMels + " mels × " + frames + " frames]";
    }
}
