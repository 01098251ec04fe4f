package org.osum4j.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        double stepSize = lr / bc1;
        double sqrtBc2 = Math.sqrt(bc2);
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            String name = e.getKey();
            INDArray g = e.getValue();
            INDArray p = params.get(name);
            if (p == null) throw new IllegalArgumentException("gradient for unknown parameter '" + name + "'");
            if (!java.util.Arrays.equals(p.shape(), g.shape())) {
                throw new IllegalArgumentException("gradient of '" + name + "' has shape " + java.util.Arrays.toString(g.shape())
                        + ", parameter has " + java.util.Arrays.toString(p.shape()));
            }
            INDArray mi = m.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            INDArray vi = v.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            if (options.weightDecay != 0) p.muli(1 - lr * options.weightDecay);      // decoupled decay
            mi.muli(options.beta1).addi(g.mul(1 - options.beta1));                   // m = β1 m + (1-β1) g
            vi.muli(options.beta2).addi(g.mul(g).muli(1 - options.beta2));           // v = β2 v + (1-β2) g²
            INDArray denom = Transforms.sqrt(vi, true).divi(sqrtBc2).addi(options.eps);
            p.subi(mi.div(denom).muli(stepSize));                                    // p -= lr/bc1 · m / denom
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
            if (k.startsWith("m.")) m.put(k.substring(2), x.dup());
            else if (k.startsWith("v.")) v.put(k.substring(2), x.dup());
            else throw new IllegalArgumentException("optimizer state entry '" + k + "' is neither m.* nor v.*");
        });
        this.step = steps;
    }
}
