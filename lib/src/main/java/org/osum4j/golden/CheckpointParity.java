package org.osum4j.golden;

import org.osum4j.model.io.SafeTensors;
import org.osum4j.model.io.TensorData;
import org.osum4j.model.io.TorchCheckpoint;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * For a fixture holding the same weights twice — a PyTorch {@code infer.pt} (as OSUM releases it) and a
 * {@code model.safetensors} — checks that the {@code torch.save} reader gives every tensor of the safetensors
 * file with the same shape and the same bytes. One row per fixture (the worst tensor is named when any differs).
 */
public final class CheckpointParity implements FixtureChecker {

    @Override
    public String name() {
        return "infer.pt vs safetensors";
    }

    @Override
    public boolean primary() {
        return false;
    }

    @Override
    public boolean accepts(Path dir, String kind) {
        return Files.isRegularFile(dir.resolve("infer.pt")) && Files.isRegularFile(dir.resolve("model.safetensors"));
    }

    @Override
    public void check(Path dir, ParityReport report) throws Exception {
        String fx = dir.getFileName().toString();
        Map<String, TensorData> pt = TorchCheckpoint.load(dir.resolve("infer.pt"));
        SafeTensors st = SafeTensors.read(dir.resolve("model.safetensors"));
        int compared = 0;
        double worst = 0;
        String problem = "";
        for (String name : st.names()) {
            TensorData ref = st.get(name);
            TensorData ours = pt.get(name);
            if (ours == null) {
                problem = "infer.pt lacks '" + name + "'";
                break;
            }
            if (!Arrays.equals(ref.shape(), ours.shape())) {
                problem = "'" + name + "': safetensors " + Arrays.toString(ref.shape()) + ", infer.pt " + Arrays.toString(ours.shape());
                break;
            }
            ByteBuffer a = ref.data().duplicate();
            ByteBuffer b = ours.data().duplicate();
            if (ref.dtype() != ours.dtype() || !a.equals(b)) {
                float[] x = ref.toFloats(), y = ours.toFloats();
                for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((double) x[i] - y[i]));
                if (problem.isEmpty()) problem = "'" + name + "' differs (" + ref.dtype() + " vs " + ours.dtype() + ")";
            }
            compared++;
        }
        report.add(new Check(fx, "infer.pt == model.safetensors (" + compared + " tensors)", worst, 0, problem, problem.isEmpty()));
    }
}
