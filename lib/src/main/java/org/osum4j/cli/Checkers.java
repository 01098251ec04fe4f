package org.osum4j.cli;

import org.osum4j.golden.GoldenSuite;

/** The registry of every parity checker the library has; {@code check-golden} and the tests use it. */
public final class Checkers {

    private Checkers() {}

    /** A suite with all checkers registered. */
    public static GoldenSuite all() {
        GoldenSuite s = new GoldenSuite();
        s.register(new org.osum4j.golden.LogMelParity());
        s.register(new org.osum4j.golden.CheckpointParity());
        s.register(new org.osum4j.model.WhisperEncoderParity());
        s.register(new org.osum4j.model.Qwen2Parity());
        s.register(new org.osum4j.model.OsumParity());       // runs OsumEncoderAdapterParity and Qwen2Parity.checkOsumLlm too
        s.register(new org.osum4j.model.OsumGradientParity());
        s.register(new org.osum4j.infer.decode.GreedyReplayParity());
        return s;
    }
}
