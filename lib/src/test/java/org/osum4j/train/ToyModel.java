package org.osum4j.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A two-layer tanh MLP regression with analytic gradients, the trainer tests' stand-in for OSUM: same
 * contract (names, trainable subset, rng-driven input noise as augmentation), seconds to train.
 * Loss = mean over rows ("target tokens") of ½‖ŷ − y‖².
 */
class ToyModel implements Trainable<ToyModel.ToyBatch> {

    static final int IN = 4, HIDDEN = 8, OUT = 2;

    /** Rows of inputs and targets with one key per row. */
    record ToyBatch(List<String> keys, INDArray x, INDArray y) implements Batch {   // x [n, IN], y [n, OUT]
        static ToyBatch concat(ToyBatch a, ToyBatch b) {
            List<String> k = new ArrayList<>(a.keys);
            k.addAll(b.keys);
            return new ToyBatch(k, Nd4j.vstack(a.x, b.x), Nd4j.vstack(a.y, b.y));
        }
    }

    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final double noiseStd;

    ToyModel(long initSeed, double noiseStd) {
        this.noiseStd = noiseStd;
        TrainRandom r = new TrainRandom(initSeed);
        params.put("layer1.weight", randn(r, 0.5, IN, HIDDEN));     // [IN, H]
        params.put("layer1.bias", Nd4j.zeros(DataType.FLOAT, HIDDEN));
        params.put("layer2.weight", randn(r, 0.5, HIDDEN, OUT));    // [H, OUT]
        params.put("layer2.bias", Nd4j.zeros(DataType.FLOAT, OUT));
    }

    private static INDArray randn(RandomGenerator r, double std, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (std * r.nextGaussian());
        return Nd4j.createFromArray(v).reshape('c', rows, cols);
    }

    /** {@code count} batches of {@code rows} rows of y = [sin(x0 + x1), x2·x3], keys "b&lt;i&gt;-&lt;row&gt;". */
    static List<ToyBatch> data(long seed, int count, int rows) {
        TrainRandom r = new TrainRandom(seed);
        List<ToyBatch> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            float[] x = new float[rows * IN], y = new float[rows * OUT];
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < IN; j++) x[i * IN + j] = (float) (2 * r.nextDouble() - 1);
                y[i * OUT] = (float) Math.sin(x[i * IN] + x[i * IN + 1]);
                y[i * OUT + 1] = x[i * IN + 2] * x[i * IN + 3];
                keys.add("b" + b + "-" + i);
            }
            out.add(new ToyBatch(keys, Nd4j.createFromArray(x).reshape('c', rows, IN), Nd4j.createFromArray(y).reshape('c', rows, OUT)));
        }
        return out;
    }

    /** A batch whose inputs are NaN (keys "bad&lt;tag&gt;-&lt;row&gt;"). */
    static ToyBatch nanBatch(String tag, int rows) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < rows; i++) keys.add("bad" + tag + "-" + i);
        return new ToyBatch(keys, Nd4j.valueArrayOf(new long[]{rows, IN}, Float.NaN), Nd4j.zeros(DataType.FLOAT, rows, OUT));
    }

    @Override
    public Map<String, INDArray> parameters() {
        return params;
    }

    @Override
    public StepResult lossAndGradients(ToyBatch batch, Set<String> trainable, boolean training, RandomGenerator rng) {
        INDArray x = batch.x().dup();                                           // [n, IN]
        int n = (int) x.size(0);
        if (training && noiseStd > 0) {                                         // augmentation from the trainer's rng
            float[] noise = new float[(int) x.length()];
            for (int i = 0; i < noise.length; i++) noise[i] = (float) (noiseStd * rng.nextGaussian());
            x.addi(Nd4j.createFromArray(noise).reshape('c', x.shape()));
        }
        INDArray w1 = params.get("layer1.weight"), b1 = params.get("layer1.bias");
        INDArray w2 = params.get("layer2.weight"), b2 = params.get("layer2.bias");
        INDArray a = Transforms.tanh(x.mmul(w1).addiRowVector(b1), true);       // [n, H]
        INDArray yHat = a.mmul(w2).addiRowVector(b2);                           // [n, OUT]
        INDArray diff = yHat.sub(batch.y());                                    // [n, OUT]
        double loss = 0.5 * diff.mul(diff).sumNumber().doubleValue() / n;

        Map<String, INDArray> g = new LinkedHashMap<>();
        if (!trainable.isEmpty()) {
            INDArray dY = diff.div(n);                                          // [n, OUT]
            INDArray dZ = dY.mmul(w2.transpose()).muli(a.mul(a).rsubi(1));     // [n, H]  (1 − a²)
            Map<String, INDArray> all = Map.of(
                    "layer2.weight", a.transpose().mmul(dY), "layer2.bias", dY.sum(0),
                    "layer1.weight", x.transpose().mmul(dZ), "layer1.bias", dZ.sum(0));
            for (String name : params.keySet()) if (trainable.contains(name)) g.put(name, all.get(name));
        }
        return new StepResult(loss, n, n * 0.5, g);
    }
}
