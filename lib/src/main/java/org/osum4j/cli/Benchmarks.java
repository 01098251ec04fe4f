package org.osum4j.cli;

import java.util.List;

/** The list of benchmarks {@code ./osum bench} knows; each part registers its workload here. */
final class Benchmarks {

    private Benchmarks() {}

    static List<String> names() {
        return List.of("features", "encoder", "decode", "train_step");
    }

    static void registerAll() {
        Bench.register("features", new FeaturesBench());
        Bench.register("encoder", new EncoderBench());
        Bench.register("decode", new DecodeBench());
        Bench.register("train_step", new TrainStepBench());
    }
}
