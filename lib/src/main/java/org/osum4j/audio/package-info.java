/**
 * Audio in, features out: the first step of the OSUM pipeline (plain Java; imports nothing else of osum4j).
 *
 * <pre>{@code
 * Waveform w = AudioIO.readForModel(Path.of("a.flac"));        // WAV/FLAC → mono → 16 kHz
 * LogMelFeatures f = LogMel.of(80).compute(w);                  // OSUM: [80][n / 160], no 30 s padding
 * LogMelFeatures p = LogMel.of(128).computePadded(w.samples()); // Whisper: [128][3000]
 * LogMelFeatures aug = SpecSub.osum().apply(SpecAugment.osum().apply(f, rng), rng);   // training only
 * }</pre>
 *
 * <p>Order of the files follows the pipeline: {@link org.osum4j.audio.AudioIO} ({@link org.osum4j.audio.WavReader},
 * {@link org.osum4j.audio.FlacReader}) → {@link org.osum4j.audio.Resampler} → {@link org.osum4j.audio.LogMel}
 * ({@link org.osum4j.audio.BatchedPowerSpectrum} for the fast path) → {@link org.osum4j.audio.SpecAugment},
 * {@link org.osum4j.audio.SpecSub}. {@code org.osum4j.golden.LogMelParity} checks the front end against the
 * golden fixtures; {@link org.osum4j.audio.LogMelBenchmark} measures its throughput.
 */
package org.osum4j.audio;
