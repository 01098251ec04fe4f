package org.osum4j.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.golden.Check;
import org.osum4j.golden.FixtureChecker;
import org.osum4j.golden.ParityReport;
import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.nn.Params;

import java.nio.file.Path;
import java.util.List;

/**
 * Golden parity of {@link WhisperEncoder} against HF transformers ({@code whisper_encoder_*} fixtures,
 * golden/README.md §2): from the stored {@code input_features}, every {@code hidden_states.i},
 * {@code last_layer_output_before_layer_norm} and {@code last_hidden_state}, within
 * max(5e-5, 2e-5·max|ref|). The chained log-mel → encoder check lives with the audio front end.
 */
public final class WhisperEncoderParity implements FixtureChecker {

    /** README §2: abs ≤ 5e-5, or ≤ 2e-5·max|ref| for tensors with large values. */
    static final double ABS_TOL = 5e-5;
    static final double REL_TOL = 2e-5;

    @Override
    public String name() {
        return "whisper-encoder";
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        return "whisper_encoder".equals(kind);
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName().toString();
        WhisperEncoder encoder = WhisperEncoder.loadHf(dir);
        SafeTensors io = SafeTensors.read(dir.resolve("io.safetensors"));
        INDArray features = Params.toArray(io.get("input_features"));                  // [B, n_mels, T]
        WhisperEncoder.Output out = encoder.forward(features, null, true);

        List<INDArray> hidden = out.hiddenStates();                                     // L + 1 entries
        int expected = encoder.config().encoderLayers() + 1;
        int stored = 0;
        while (io.has("hidden_states." + stored)) stored++;
        if (stored != expected) {
            report.add(Check.failed(fx, "hidden_states.*", "fixture has " + stored + " hidden states, the config's "
                    + encoder.config().encoderLayers() + " layers give " + expected));
        }
        for (int i = 0; i < Math.min(stored, hidden.size()); i++) {
            compare(report, fx, io.get("hidden_states." + i), hidden.get(i), null);
        }
        compare(report, fx, io.get("last_layer_output_before_layer_norm"), out.lastLayerBeforeNorm(), null);
        compare(report, fx, io.get("last_hidden_state"), out.lastHiddenState(), null);
    }

    /**
     * One row: ours vs the reference tensor, tolerance max(5e-5, 2e-5·max|ref|) over the compared
     * elements; {@code valid} (null = all) restricts the comparison, e.g. to valid frames.
     */
    static Check compare(ParityReport report, String fixture, TensorData ref, INDArray ours, boolean[] valid) {
        return compare(report, fixture, ref, ours, valid, ABS_TOL);
    }

    /** As above with another absolute floor of the tolerance (the OSUM fixture's rule is purely relative). */
    static Check compare(ParityReport report, String fixture, TensorData ref, INDArray ours, boolean[] valid, double absFloor) {
        return compare(report, fixture, ref.name(), ref.toFloats(), ref.shape(), ours, valid, absFloor);
    }

    /** As above with an explicit name, reference values and absolute floor of the tolerance. */
    static Check compare(ParityReport report, String fixture, String tensor, float[] ref, long[] shape, INDArray ours,
                         boolean[] valid, double absFloor) {
        if (!java.util.Arrays.equals(ours.shape(), shape)) {
            return report.add(Check.failed(fixture, tensor, "shape: reference " + java.util.Arrays.toString(shape)
                    + ", ours " + Params.shape(ours)));
        }
        double maxRef = 0;
        for (int i = 0; i < ref.length; i++) if (valid == null || valid[i]) maxRef = Math.max(maxRef, Math.abs(ref[i]));
        double tol = Math.max(absFloor, REL_TOL * maxRef);
        float[] mine = flat(ours);
        return valid == null ? report.compare(fixture, tensor, ref, mine, shape, tol)
                : report.compareMasked(fixture, tensor, ref, mine, valid, shape, tol);
    }

    /** Row-major float copy of any array (views included). */
    static float[] flat(INDArray x) {
        return Nd4j.toFlattened('c', x).toFloatVector();
    }
}
