package org.osum4j.infer.decode;

/** HF {@code TemperatureLogitsWarper}: scores / T (float32). Only sampling strategies use it. */
public record Temperature(double temperature) implements LogitFilter {

    public Temperature {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number > 0, got " + temperature
                    + " (for deterministic decoding use DecodingOptions.greedy() or beam(n))");
        }
    }

    @Override
    public void apply(float[] scores, int[] generated) {
        float t = (float) temperature;
        for (int i = 0; i < scores.length; i++) scores[i] = scores[i] / t;
    }
}
