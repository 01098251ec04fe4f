package org.osum4j.audio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SpecAugment and SpecSub: OSUM's parameters, bounds, untouched values, determinism, short inputs. */
class SpecAugmentTest {

    /** Features whose every value is distinct and nonzero, so masks and copies are visible. */
    static LogMelFeatures ramp(int nMels, int frames) {
        float[] d = new float[nMels * frames];
        for (int i = 0; i < d.length; i++) d[i] = 1 + i;
        return new LogMelFeatures(nMels, frames, d);
    }

    @Test
    void osumConfigs_matchSpec() {
        assertEquals(new SpecAugment.Config(2, 50, 2, 10), SpecAugment.Config.osum());
        assertEquals(new SpecSub.Config(3, 30), SpecSub.Config.osum());
    }

    @Test
    void specAugment_masksHaveWidthsInBounds_andEverythingElseIsUnchanged() {
        LogMelFeatures x = ramp(80, 400);
        for (long seed = 0; seed < 200; seed++) {
            List<SpecAugment.Mask> masks = new ArrayList<>();
            LogMelFeatures y = SpecAugment.osum().apply(x, new SplittableRandom(seed), masks);
            assertEquals(4, masks.size());
            boolean[][] masked = new boolean[80][400];
            for (SpecAugment.Mask m : masks) {
                int w = m.end() - m.start();
                assertTrue(w >= 1 && w <= (m.time() ? 50 : 10), "width " + w + " of " + m);
                assertTrue(m.end() <= (m.time() ? 400 : 80));
                for (int a = m.start(); a < m.end(); a++) {
                    if (m.time()) for (int f = 0; f < 80; f++) masked[f][a] = true;
                    else Arrays.fill(masked[a], true);
                }
            }
            for (int f = 0; f < 80; f++) {
                for (int t = 0; t < 400; t++) {
                    final int ff = f, tt = t;
                    final long sd = seed;
                    assertEquals(masked[f][t] ? 0f : x.get(f, t), y.get(f, t), () -> "mel " + ff + " frame " + tt + " seed " + sd);
                }
            }
        }
    }

    @Test
    void specAugment_sameSeedSameResult_otherSeedDifferent_inputUntouched() {
        LogMelFeatures x = ramp(80, 300);
        float[] before = x.data().clone();
        LogMelFeatures a = SpecAugment.osum().apply(x, new SplittableRandom(42));
        LogMelFeatures b = SpecAugment.osum().apply(x, new SplittableRandom(42));
        LogMelFeatures c = SpecAugment.osum().apply(x, new SplittableRandom(43));
        assertArrayEquals(a.data(), b.data());
        assertFalse(Arrays.equals(a.data(), c.data()));
        assertArrayEquals(before, x.data());
    }

    @Test
    void specAugment_shortUtterance_clipsMasksAtTheEnd() {
        LogMelFeatures x = ramp(80, 3);
        for (long seed = 0; seed < 50; seed++) {
            List<SpecAugment.Mask> masks = new ArrayList<>();
            LogMelFeatures y = SpecAugment.osum().apply(x, new SplittableRandom(seed), masks);
            for (SpecAugment.Mask m : masks) if (m.time()) assertTrue(m.start() < 3 && m.end() <= 3);
            // At least one time mask: some frame of every mel bin is zero.
            for (int f = 0; f < 80; f++) {
                final int ff = f;
                assertTrue(java.util.stream.IntStream.range(0, 3).anyMatch(t -> y.get(ff, t) == 0f));
            }
        }
        LogMelFeatures empty = new LogMelFeatures(80, 0, new float[0]);
        assertEquals(0, SpecAugment.osum().apply(empty, new SplittableRandom(1)).frames());
    }

    @Test
    void specSub_replacesSegmentsWithEarlierFramesOfTheOriginal() {
        LogMelFeatures x = ramp(80, 500);
        for (long seed = 0; seed < 200; seed++) {
            List<SpecSub.Substitution> subs = new ArrayList<>();
            LogMelFeatures y = SpecSub.osum().apply(x, new SplittableRandom(seed), subs);
            assertEquals(3, subs.size());
            int[] sourceOf = new int[500];                        // which original frame each output frame holds
            for (int t = 0; t < 500; t++) sourceOf[t] = t;
            for (SpecSub.Substitution s : subs) {
                int w = s.end() - s.start();
                assertTrue(w >= 1 && w <= 30, "width " + w);
                assertTrue(s.shift() >= 0 && s.shift() <= s.start(), "source before the segment and inside: " + s);
                for (int t = s.start(); t < s.end(); t++) sourceOf[t] = t - s.shift();
            }
            for (int f = 0; f < 80; f++) {
                for (int t = 0; t < 500; t++) {
                    final int ff = f, tt = t;
                    final long sd = seed;
                    assertEquals(x.get(f, sourceOf[t]), y.get(f, t), () -> "mel " + ff + " frame " + tt + " seed " + sd);
                }
            }
        }
    }

    @Test
    void specSub_sameSeedSameResult_andShortUtteranceWorks() {
        LogMelFeatures x = ramp(80, 200);
        assertArrayEquals(SpecSub.osum().apply(x, new SplittableRandom(7)).data(),
                SpecSub.osum().apply(x, new SplittableRandom(7)).data());
        // With 1 frame the only earlier segment is itself: nothing changes.
        LogMelFeatures one = ramp(80, 1);
        assertArrayEquals(one.data(), SpecSub.osum().apply(one, new SplittableRandom(3)).data());
        // Over many seeds a 200-frame utterance does change.
        long changed = java.util.stream.LongStream.range(0, 20)
                .filter(s -> !Arrays.equals(x.data(), SpecSub.osum().apply(x, new SplittableRandom(s)).data())).count();
        assertNotEquals(0, changed);
    }
}
