package org.osum4j.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.audio.LogMelFeatures;
import org.osum4j.audio.SpecAugment;
import org.osum4j.model.WhisperEncoder;
import org.osum4j.model.io.NameMapping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * An encoder pre-training stage that is not in OSUM: the Whisper-style encoder alone, with a linear character head
 * on its 50 Hz frames, trained by CTC on the transcript's letters. OSUM starts from Whisper, an encoder that
 * already listens; a model trained here from scratch has none, and trained end to end its LLM learns the text
 * prior long before the encoder learns to hear (see models/tiny/README.md). This stage gives it an encoder that
 * listens first; the OSUM stages then train the adapter and the LLM on top ({@code model.encoder_from}).
 *
 * <p>Parameters: the encoder's, under their canonical names ({@code encoder.*}), and the head
 * {@value #HEAD_WEIGHT} [C, D], {@value #HEAD_BIAS} [C] over {@link #ALPHABET} (index 0 is the blank). The loss is
 * the CTC loss summed over the batch's utterances divided by its letters (per-token, like the LLM's loss). The
 * head is thrown away afterwards. Not here: decoding beyond greedy CTC (this is a probe of the encoder, not an ASR).
 */
public final class EncoderCtcTrainable implements Trainable<OsumBatch> {

    /** Blank, then word space, apostrophe and A–Z: what the synthetic and LibriSpeech transcripts hold, upper-cased. */
    public static final String ALPHABET = "\0 'ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public static final int BLANK = 0;
    public static final String HEAD_WEIGHT = "ctc_head.weight";
    public static final String HEAD_BIAS = "ctc_head.bias";

    private final WhisperEncoder encoder;
    private final SpecAugment specAugment;                // null: none
    private final Function<long[], String> detokenize;  // transcript ids → text
    private final Map<String, INDArray> parameters;      // canonical → live array
    private final Map<String, String> internal;          // canonical → the encoder's own name
    private final INDArray weight;                       // [C, D]
    private final INDArray bias;                         // [C]

    /**
     * @param encoder     trained in place
     * @param specAugment time/frequency masks in training, or null
     * @param detokenize  the text of a batch's transcript ids (the tokenizer's decode)
     * @param seed        the head's initialisation seed
     * @param std         the head's N(0, std²) initialisation
     */
    public EncoderCtcTrainable(WhisperEncoder encoder, SpecAugment specAugment, Function<long[], String> detokenize, long seed, double std) {
        this.encoder = encoder;
        this.specAugment = specAugment;
        this.detokenize = detokenize;
        int c = ALPHABET.length(), d = encoder.config().dModel();
        Random r = new Random(seed);
        float[] w = new float[c * d];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * std);
        this.weight = Nd4j.create(w, new long[]{c, d}, 'c');
        this.bias = Nd4j.zeros(DataType.FLOAT, c);
        Map<String, INDArray> p = new LinkedHashMap<>();
        Map<String, String> toInternal = new LinkedHashMap<>();
        encoder.parameters().forEach((name, a) -> {
            String canonical = NameMapping.osumToCanonical(name);
            if (canonical == null) throw new IllegalStateException("encoder parameter '" + name + "' has no canonical name");
            p.put(canonical, a);
            toInternal.put(canonical, name);
        });
        p.put(HEAD_WEIGHT, weight);
        p.put(HEAD_BIAS, bias);
        this.parameters = Collections.unmodifiableMap(p);
        this.internal = Collections.unmodifiableMap(toInternal);
    }

    /**
     * Assigns the letter head saved beside an encoder CTC stage's model ({@code ctc_head.safetensors}); an error
     * names the file and the tensor when it is missing or of another shape.
     */
    public EncoderCtcTrainable loadHead(java.nio.file.Path file) throws java.io.IOException {
        org.osum4j.model.io.SafeTensors st = org.osum4j.model.io.SafeTensors.read(file);
        for (String n : List.of(HEAD_WEIGHT, HEAD_BIAS)) {
            INDArray target = parameters.get(n);
            if (!st.names().contains(n)) throw new IllegalArgumentException(file + ": no tensor '" + n + "'");
            org.osum4j.model.io.TensorData t = st.get(n);
            if (!Arrays.equals(t.shape(), target.shape()))
                throw new IllegalArgumentException(file + ": tensor '" + n + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                        + Arrays.toString(target.shape()) + " (" + ALPHABET.length() + " letters incl. blank x the encoder width)");
            target.assign(Nd4j.create(t.toFloats(), t.shape(), 'c'));
        }
        return this;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    @Override
    public void parametersChanged() {
        encoder.weightsChanged();
    }

    /** The letters of a transcript as alphabet indices: upper-cased, other characters dropped, spaces collapsed. */
    public static long[] letters(String text) {
        String t = text.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z' ]+", " ").replaceAll(" +", " ").strip();
        long[] out = new long[t.length()];
        for (int i = 0; i < t.length(); i++) out[i] = ALPHABET.indexOf(t.charAt(i));
        return out;
    }

    /** The text of alphabet indices (blanks skipped). */
    public static String text(long[] letters) {
        StringBuilder sb = new StringBuilder();
        for (long l : letters) if (l != BLANK) sb.append(ALPHABET.charAt((int) l));
        return sb.toString();
    }

    @Override
    public StepResult lossAndGradients(OsumBatch batch, Set<String> trainable, boolean training, RandomGenerator rng) {
        Set<String> unknown = new TreeSet<>(trainable);
        unknown.removeAll(parameters.keySet());
        if (!unknown.isEmpty()) throw new IllegalArgumentException("encoder CTC model has no parameters " + unknown);
        if (batch.transcripts() == null) throw new IllegalArgumentException("encoder CTC: batch " + batch.keys() + " carries no transcripts");
        parametersChanged();
        boolean encoderTrains = trainable.stream().anyMatch(n -> n.startsWith("encoder."));
        List<LogMelFeatures> feats = new ArrayList<>(batch.size());
        for (LogMelFeatures f : batch.features()) feats.add(training && specAugment != null ? specAugment.apply(f, rng) : f);
        long[] lengths = new long[feats.size()];
        INDArray x = OsumTrainable.pad(feats, encoder.config().numMelBins(), lengths);       // [B, T, n_mels]

        WhisperEncoder.Trace trace = encoderTrains ? encoder.trace(x, lengths) : null;
        WhisperEncoder.Output out = trace != null ? trace.output() : encoder.forwardFrames(x, lengths, false);
        INDArray h = out.lastHiddenState();                                                    // [B, S, D]
        int b = (int) h.size(0), s = (int) h.size(1), d = (int) h.size(2), c = ALPHABET.length();
        float[] z = logits(h);                                                                  // [B·S, C]
        int[] valid = out.mask().valid();

        long letters = 0;
        double lossSum = 0;
        float[] dz = trainable.isEmpty() ? null : new float[b * s * c];                        // [B·S, C]
        List<long[]> targets = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            long[] y = letters(detokenize.apply(batch.transcripts()[i]));
            targets.add(y);
            letters += y.length;
        }
        for (int i = 0; i < b; i++) {
            long[] y = targets.get(i);
            if (y.length == 0) continue;
            float[] zi = Arrays.copyOfRange(z, i * s * c, (i * s + valid[i]) * c);
            Ctc.Result r = Ctc.lossAndGradient(zi, valid[i], c, y, BLANK);
            if (!Double.isFinite(r.loss())) continue;                                          // too many letters for its frames
            lossSum += r.loss();
            if (dz != null) {
                float[] g = r.dLogits();
                for (int k = 0; k < g.length; k++) dz[i * s * c + k] = (float) (g[k] / letters);
            }
        }
        double loss = letters == 0 ? 0 : lossSum / letters;
        if (dz == null) return new StepResult(loss, letters, batch.audioSeconds(), Map.of());

        INDArray dLogits = Nd4j.create(dz, new long[]{(long) b * s, c}, 'c');                 // [B·S, C]
        Map<String, INDArray> grads = new LinkedHashMap<>();                                   // encoder: internal names
        INDArray dW = dLogits.transpose().mmul(h.reshape(b * s, d));                          // [C, D]
        INDArray dB = dLogits.sum(0);                                                           // [C]
        if (trace != null) {
            INDArray dH = dLogits.mmul(weight).reshape(b, s, d);                               // [B, S, D]
            encoder.backward(trace, dH, grads);
        }
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String n : trainable) {
            INDArray g = switch (n) {
                case HEAD_WEIGHT -> dW;
                case HEAD_BIAS -> dB;
                default -> grads.get(internal.get(n));
            };
            if (g == null) throw new IllegalStateException("encoder CTC step on " + batch.keys() + ": no gradient computed for '" + n + "'");
            result.put(n, g);
        }
        return new StepResult(loss, letters, batch.audioSeconds(), result);
    }

    /** Greedy CTC transcripts of a batch (no augmentation): the best letter per frame, repeats merged, blanks dropped. */
    public List<String> greedy(OsumBatch batch) {
        parametersChanged();
        long[] lengths = new long[batch.size()];
        INDArray x = OsumTrainable.pad(batch.features(), encoder.config().numMelBins(), lengths);
        WhisperEncoder.Output out = encoder.forwardFrames(x, lengths, false);
        INDArray h = out.lastHiddenState();                                                    // [B, S, D]
        int b = (int) h.size(0), s = (int) h.size(1), c = ALPHABET.length();
        float[] z = logits(h);                                                                  // [B·S, C]
        List<String> texts = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            StringBuilder sb = new StringBuilder();
            int prev = BLANK;
            for (int t = 0; t < out.mask().valid()[i]; t++) {
                int best = 0;
                for (int k = 1; k < c; k++) if (z[(i * s + t) * c + k] > z[(i * s + t) * c + best]) best = k;
                if (best != prev && best != BLANK) sb.append(ALPHABET.charAt(best));
                prev = best;
            }
            texts.add(sb.toString().replaceAll(" +", " ").strip());
        }
        return texts;
    }

    /** The head's letter scores of encoder frames h [B, S, D], row-major [B·S, C]. */
    private float[] logits(INDArray h) {
        return h.reshape(h.size(0) * h.size(1), h.size(2)).mmul(weight.transpose()).addiRowVector(bias).dup('c').data().asFloat();
    }

    /** The reference letters of a batch as text (what the loss is computed against). */
    public List<String> references(OsumBatch batch) {
        List<String> refs = new ArrayList<>(batch.size());
        for (long[] ids : batch.transcripts()) refs.add(text(letters(detokenize.apply(ids))));
        return refs;
    }
}
