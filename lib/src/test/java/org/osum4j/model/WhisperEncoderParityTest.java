package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenTesting;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WhisperEncoder} against the HF golden fixtures (whisper_encoder_*), and a corrupted copy that must fail. */
class WhisperEncoderParityTest {

    private final WhisperEncoderParity checker = new WhisperEncoderParity();

    @Test
    void encoder_matchesHfOnEveryWhisperEncoderFixture() throws Exception {
        ParityReport report = GoldenTesting.checkEvery(checker);
    }

    @Test
    void encoder_corruptedWeight_isNotOk(@TempDir Path tmp) throws Exception {
        Path src = GoldenTesting.firstFixture(checker);
        Path copy = GoldenTesting.copyTree(src, tmp.resolve(src.getFileName().toString()));
        corrupt(copy.resolve("model.safetensors"), "layers.0.fc2.bias", 0.1f);
        ParityReport report = new ParityReport();
        checker.check(copy, report);
        report.print(System.out);
        assertFalse(report.allOk(), "a changed fc2 bias must change the encoder output");
        assertTrue(report.checks().get(0).ok(), "hidden_states.0 comes before the corrupted block and must still match");
    }


    /**
     * Rewrites a safetensors file with {@code delta} added to the first element of one float tensor (one
     * element, not all: a constant shift of a bias would vanish in the next LayerNorm).
     */
    static void corrupt(Path file, String tensor, float delta) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        List<TensorData> all = new ArrayList<>();
        for (String n : st.names()) {
            TensorData t = st.get(n);
            if (n.equals(tensor)) {
                float[] v = t.toFloats();
                v[0] += delta;
                t = TensorData.ofFloats(n, t.shape(), v);
            } else {
                t = new TensorData(n, t.dtype(), t.shape(), copyOf(t.data()));
            }
            all.add(t);
        }
        Map<String, String> meta = st.metadata();
        SafeTensors.write(file, all, meta);
    }

    private static java.nio.ByteBuffer copyOf(java.nio.ByteBuffer b) {
        java.nio.ByteBuffer c = java.nio.ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }
}
