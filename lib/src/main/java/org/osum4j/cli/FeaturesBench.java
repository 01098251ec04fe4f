package org.osum4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.osum4j.audio.LogMel;
import org.osum4j.audio.LogMelBenchmark;

import java.util.List;
import java.util.Map;

/**
 * {@code ./osum bench features}: log-mel of {@code bench.features.audio_seconds} of 16 kHz audio as one
 * utterance, OSUM style (no 30 s padding), {@code n_mels} bins; value = audio seconds per second.
 */
final class FeaturesBench implements Bench.Workload {

    @Override
    public List<Bench.Measurement> setup(JsonNode cfg, int threads) {
        double seconds = cfg.path("bench").path("features").path("audio_seconds").asDouble(60);
        int nMels = cfg.path("n_mels").asInt(80);
        float[] x = LogMelBenchmark.testSignal(seconds, cfg.path("bench").path("seed").asLong(1234));
        LogMel fe = LogMel.of(nMels).withThreads(threads);
        int frames = x.length / LogMel.HOP_LENGTH;
        return List.of(new Bench.Measurement() {
            @Override public String bench() { return "features"; }
            @Override public String unit() { return "audio_s_per_s"; }
            @Override public String section() { return "features"; }
            @Override public int minWarmup() { return 200; }   // C2 needs ~150 calls to compile the FFT loops fully (measured)
            @Override public Map<String, Object> run() {
                fe.compute(x);
                return Map.of();
            }
            @Override public double valueOf(double s, Map<String, Object> d) { return seconds / s; }
            @Override public Map<String, Object> detail() {
                return Map.of("audio_seconds", seconds, "output_shape", List.of(nMels, frames), "path", "FAST");
            }
        });
    }
}
