package org.osum4j.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.nn.Kernels;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with PyTorch's semantics ({@code torch.optim.AdamW}): decoupled weight decay applied to the parameter
 * before the Adam update, bias-corrected moments, {@code eps} added after the bias-corrected square root.
 * OSUM's values are lr 5e-5, betas (0.9, 0.99), eps 1e-6, weight decay 0.01 (osum-spec §4.1).
 *
 * <p>State (first and second moments, step count) exists only for the parameters passed to {@link #step}:
 * frozen weights get none. The state is exposed for checkpointing ({@link #state()}, {@link #restore}).
 */
public final class AdamW {

    /** Hyper-parameters; {@code lr} is the base rate a schedule scales. */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay) {
        /** OSUM's fine-tuning defaults. */
        public static Options osum() {
            return new Options(5e-5, 0.9, 0.99, 1e-6, 0.01);
        }

        public Options withLr(double newLr) {
            return new Options(newLr, beta1, beta2, eps, weightDecay);
        }
    }

    private final Options options;
    private final Map<String, INDArray> m = new LinkedHashMap<>();   // first moments, same shapes as params
    private final Map<String, INDArray> v = new LinkedHashMap<>();   // second moments
    private long step;

    public AdamW(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** Optimizer steps taken so far. */
    public long steps() {
        return step;
    }

    /**
     * One update of every parameter that has a gradient, in place, at learning rate {@code lr} (the schedule's
     * value for this step). Parameters and gradients are matched by name; a gradient without a parameter, or of
     * another shape, is an error naming the tensor.
     */
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(options.beta1, step);
        double bc2 = 1 - Math.pow(options.beta2, step);
        Coefficients c = new Coefficients((float) (1 - lr * options.weightDecay), (float) options.beta1, (float) (1 - options.beta1),
                (float) options.beta2, (float) (1 - options.beta2), (float) Math.sqrt(bc2), (float) options.eps, (float) (lr / bc1),
                options.weightDecay != 0);
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            String name = e.getKey();
            INDArray g = e.getValue();
            INDArray p = params.get(name);
            if (p == null) throw new IllegalArgumentException("gradient for unknown parameter '" + name + "'");
            if (!java.util.Arrays.equals(p.shape(), g.shape())) {
                throw new IllegalArgumentException("gradient of '" + name + "' has shape " + java.util.Arrays.toString(g.shape())
                        + ", parameter has " + java.util.Arrays.toString(p.shape()));
            }
            if (p.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("parameter '" + name + "' is " + p.dataType() + "; AdamW updates fp32 parameters only");
            }
            INDArray mi = m.computeIfAbsent(name, k -> Nd4j.zeros(DataType.FLOAT, p.shape()));
            INDArray vi = v.computeIfAbsent(name, k -> Nd4j.zeros(DataType.FLOAT, p.shape()));
            boolean inPlace = Kernels.isPacked(p);
            INDArray pp = inPlace ? p : p.dup('c');                                   // a view: update a packed copy, write back
            update(Kernels.buffer(pp), Kernels.buffer(Kernels.packed(g)), Kernels.buffer(mi), Kernels.buffer(vi), (int) p.length(), c);
            if (!inPlace) p.assign(pp);
        }
    }

    /**
     * The step's scalars in fp32, as ND4J's scalar ops on fp32 arrays used them (the update was once six such
     * ops per tensor): decay 1 − lr·wd, β1, 1 − β1, β2, 1 − β2, √bc2, eps and the step size lr/bc1.
     */
    private record Coefficients(float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float sqrtBc2,
                                float eps, float stepSize, boolean decays) {
    }

    /**
     * The fused update of one tensor, one pass over its n floats, each element in the order of the math:
     * p ← p·(1 − lr·wd); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − (lr/bc1)·m / (√v / √bc2 + eps).
     * Every step is rounded to fp32 as the former element-wise ops rounded it.
     */
    private static void update(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, int n, Coefficients c) {
        for (int i = 0; i < n; i++) {
            float gi = g.get(i);
            float pi = c.decays ? p.get(i) * c.decay : p.get(i);
            float mi = m.get(i) * c.beta1 + gi * c.oneMinusBeta1;
            float vi = v.get(i) * c.beta2 + (gi * gi) * c.oneMinusBeta2;
            float denom = (float) Math.sqrt(vi) / c.sqrtBc2 + c.eps;
            m.put(i, mi);
            v.put(i, vi);
            p.put(i, pi - (mi / denom) * c.stepSize);
        }
    }

    /** Moments and step for checkpoints: names {@code m.<param>}, {@code v.<param>}. */
    public Map<String, INDArray> state() {
        Map<String, INDArray> s = new LinkedHashMap<>();
        m.forEach((k, x) -> s.put("m." + k, x));
        v.forEach((k, x) -> s.put("v." + k, x));
        return s;
    }

    /** Restores {@link #state()} and the step count (resume). */
    public void restore(Map<String, INDArray> state, long steps) {
        m.clear();
        v.clear();
        state.forEach((k, x) -> {
            if (k.startsWith("m.")) m.put(k.substring(2), x.castTo(DataType.FLOAT).dup('c'));   // packed: the update reads it directly
            else if (k.startsWith("v.")) v.put(k.substring(2), x.castTo(DataType.FLOAT).dup('c'));
            else throw new IllegalArgumentException("optimizer state entry '" + k + "' is neither m.* nor v.*");
        });
        this.step = steps;
    }
}
