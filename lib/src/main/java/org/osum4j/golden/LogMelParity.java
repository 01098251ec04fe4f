package org.osum4j.golden;

import org.osum4j.audio.LogMel;
import org.osum4j.audio.LogMelFeatures;

import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parity of {@link LogMel} with Hugging Face's {@code WhisperFeatureExtractor} on the golden fixtures of kind
 * {@code whisper_feature_extractor} ({@code whisper_fe_80}, {@code whisper_fe_128}, held-out variants):
 * mel filters, the padded batch and its attention mask, every unpadded item, and the numpy-path features.
 * Sizes come from the tensor headers; the waveforms are discovered as {@code waveform.0, waveform.1, …}.
 * (This class lives in main code so that {@code ./osum check-golden} can run it; it imports only the golden
 * infrastructure and the safetensors reader, never model code.)
 */
public final class LogMelParity implements FixtureChecker {

    /** The fixture kind in meta.json. */
    public static final String KIND = "whisper_feature_extractor";
    /** Features vs HF's float32 torch STFT path (README: observed 3.8e-5, suggested 2e-4). */
    public static final double FEATURE_TOL = 2e-4;
    /** Features vs HF's float64 numpy path: our STFT is float64 too (README: ≤ 1e-5 for a double FFT). */
    public static final double NUMPY_PATH_TOL = 1e-5;
    /** Mel filters are float64 computed by the same formulas: equal up to a few ulps of 0.03. */
    public static final double FILTER_TOL = 1e-12;

    private final LogMel.Path path;

    /** Checks the default (fast) path. */
    public LogMelParity() {
        this(LogMel.Path.FAST);
    }

    /** Checks the given path. */
    public LogMelParity(LogMel.Path path) {
        this.path = path;
    }

    @Override
    public String name() {
        return "log-mel (" + path.name().toLowerCase() + ")";
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        return KIND.equals(kind);
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName().toString();
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));
        List<float[]> waves = waveforms(io);
        if (waves.isEmpty()) {
            report.add(Check.failed(fx, "waveform.*", "no waveform.0 tensor in " + io.file()));
            return;
        }
        TensorData filtersRef = io.get("mel_filters");
        int[] fs = filtersRef.intShape();                       // [N_FREQS, nMels]
        if (fs.length != 2 || fs[0] != LogMel.N_FREQS) {
            report.add(Check.failed(fx, "mel_filters", "expected shape [" + LogMel.N_FREQS + ", n_mels], got "
                    + Arrays.toString(fs)));
            return;
        }
        LogMel fe = LogMel.of(fs[1]).withPath(path);
        checkFilters(fx, filtersRef, fe, report);

        // Padded batch: its leading dimension says how many waveforms went in (waveform.0 … waveform.B-1).
        if (io.has("input_features.padded")) {
            TensorData ref = io.get("input_features.padded");
            long[] shape = ref.shape();                         // [B, nMels, 3000]
            int batch = (int) shape[0];
            if (batch > waves.size()) {
                report.add(Check.failed(fx, "input_features.padded", "batch of " + batch + " but only "
                        + waves.size() + " waveforms"));
            } else {
                LogMel.PaddedBatch ours = fe.computePaddedBatch(waves.subList(0, batch));
                report.compare(fx, "input_features.padded", ref.toFloats(), flatten(ours.features()), shape, FEATURE_TOL);
                if (io.has("attention_mask.padded")) {
                    TensorData m = io.get("attention_mask.padded");   // [B, 3000]
                    report.compareExact(fx, "attention_mask.padded", m.toLongs(), flatten(ours.mask()), m.shape());
                }
            }
        }
        // Unpadded items, one per waveform that has them.
        for (int i = 0; i < waves.size(); i++) {
            String name = "input_features.unpadded." + i;
            if (!io.has(name)) continue;
            TensorData ref = io.get(name);                      // [nMels, n // 160]
            report.compare(fx, name, ref.toFloats(), fe.compute(waves.get(i)).data(), ref.shape(), FEATURE_TOL);
        }
        // HF's float64 numpy STFT path, padded mode.
        for (int i = 0; i < waves.size(); i++) {
            String name = "input_features.padded_numpy_path." + i;
            if (!io.has(name)) continue;
            TensorData ref = io.get(name);                      // [nMels, 3000]
            report.compare(fx, name, ref.toFloats(), fe.computePadded(waves.get(i)).data(), ref.shape(), NUMPY_PATH_TOL);
        }
    }

    /** waveform.0, waveform.1, … until the first missing index. */
    private static List<float[]> waveforms(SafeTensors io) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; io.has("waveform." + i); i++) out.add(io.get("waveform." + i).toFloats());
        return out;
    }

    private static void checkFilters(String fx, TensorData ref, LogMel fe, ParityReport report) {
        double[] r = ref.toDoubles();
        double[][] ours = fe.melFilters();
        int nMels = fe.nMels();
        double max = 0;
        int first = -1;
        for (int i = 0; i < r.length; i++) {
            double d = Math.abs(ours[i / nMels][i % nMels] - r[i]);
            if (!(d <= FILTER_TOL)) d = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            if (d > max) max = d;
            if (d > FILTER_TOL && first < 0) first = i;
        }
        String why = first < 0 ? "" : "first at [" + first / nMels + ", " + first % nMels + "]: ref " + r[first]
                + ", ours " + ours[first / nMels][first % nMels];
        report.add(new Check(fx, "mel_filters", max, FILTER_TOL, why, first < 0));
    }

    private static float[] flatten(List<LogMelFeatures> items) {
        int per = items.get(0).data().length;
        float[] out = new float[per * items.size()];
        for (int b = 0; b < items.size(); b++) System.arraycopy(items.get(b).data(), 0, out, b * per, per);
        return out;
    }

    private static long[] flatten(long[][] rows) {
        return Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray();
    }
}
