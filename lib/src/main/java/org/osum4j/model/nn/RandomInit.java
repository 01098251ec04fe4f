package org.osum4j.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.TensorData;

import java.util.random.RandomGenerator;

/**
 * Fresh layers for models built without a checkpoint (benchmarks, training from scratch), following the
 * benchmark protocol (bench/README.md): weights N(0, std²), biases 0, LayerNorm γ = 1 and β = 0. The random
 * source is injected so results are reproducible.
 */
public final class RandomInit {

    private final RandomGenerator rng;
    private final double std;

    public RandomInit(RandomGenerator rng, double std) {
        this.rng = rng;
        this.std = std;
    }

    /** An array of the given shape filled with N(0, std²). */
    public INDArray normal(long... shape) {
        float[] v = new float[Math.toIntExact(TensorData.numel(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
        return Nd4j.create(v, shape, 'c');
    }

    public Linear linear(long out, long in, boolean withBias) {
        return new Linear(normal(out, in), withBias ? Nd4j.zeros(DataType.FLOAT, out) : null);
    }

    public LayerNorm layerNorm(long d, double eps) {
        return new LayerNorm(Nd4j.ones(DataType.FLOAT, d),
                Nd4j.zeros(DataType.FLOAT, d), eps);
    }

    public Conv1d conv1d(long out, long in, long kernel, int stride, int padLeft, int padRight) {
        return new Conv1d(normal(out, in, kernel), Nd4j.zeros(DataType.FLOAT, out),
                stride, padLeft, padRight);
    }

    /** A pre-LN block of width d, feed-forward width f, {@code heads} heads. */
    public PreLnBlock block(long d, long f, int heads, boolean keyBias, Activation act, double eps) {
        return new PreLnBlock(layerNorm(d, eps),
                new SelfAttention(linear(d, d, true), linear(d, d, keyBias), linear(d, d, true), linear(d, d, true), heads),
                layerNorm(d, eps), linear(f, d, true), linear(d, f, true), act);
    }
}
