package org.osum4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Where the speech sits in OSUM's training rows, {@code [prompt (P) | bos | speech (S) | eos | target]}
 * (LLMASR_Model.forward, golden README §4), and the backward of that assembly: the LLM's dL/d(inputs_embeds)
 * split into the adapter's gradient and the two rows of {@code speech_token_emded} that bos/eos read.
 * Not the forward assembly itself (the assembled model owns that); every row has the same layout.
 *
 * @param promptLength P, the padded prompt length (bos sits at column P)
 * @param speechFrames S, the adapter's padded output length
 */
public record SpeechSegment(int promptLength, int speechFrames) {

    public SpeechSegment {
        if (promptLength < 0 || speechFrames < 1) {
            throw new IllegalArgumentException("speech segment: prompt " + promptLength + ", speech " + speechFrames);
        }
    }

    /** Column of the speech bos embedding. */
    public int bos() {
        return promptLength;
    }

    /** First speech column. */
    public int speechStart() {
        return promptLength + 1;
    }

    /** Column of the speech eos embedding. */
    public int eos() {
        return promptLength + 1 + speechFrames;
    }

    /** dX [B, L, Hd] → its speech columns [B, S, Hd] (a new array): the adapter output's gradient. */
    public INDArray speechGradient(INDArray dInputsEmbeds) {
        check(dInputsEmbeds);
        return dInputsEmbeds.get(NDArrayIndex.all(), NDArrayIndex.interval(speechStart(), eos()), NDArrayIndex.all()).dup('c');
    }

    /**
     * The gradient of {@code speech_token_emded.weight} [N + 2, Hd]: every row reads row N at bos and row
     * N + 1 at eos, so those rows get the batch sums of dX there; all other rows get 0.
     */
    public INDArray tokenTableGradient(INDArray dInputsEmbeds, int speechTokenNum) {
        check(dInputsEmbeds);
        long hd = dInputsEmbeds.size(2);
        INDArray g = Nd4j.zeros(DataType.FLOAT, speechTokenNum + 2L, hd);                         // [N + 2, Hd]
        g.getRow(speechTokenNum).assign(dInputsEmbeds.get(NDArrayIndex.all(), NDArrayIndex.point(bos()), NDArrayIndex.all()).sum(0));
        g.getRow(speechTokenNum + 1L).assign(dInputsEmbeds.get(NDArrayIndex.all(), NDArrayIndex.point(eos()), NDArrayIndex.all()).sum(0));
        return g;
    }

    private void check(INDArray dX) {
        if (dX.rank() != 3 || dX.size(1) <= eos()) {
            throw new IllegalArgumentException("d inputs_embeds " + java.util.Arrays.toString(dX.shape()) + " has no column "
                    + eos() + " (prompt " + promptLength + " + bos + " + speechFrames + " speech frames + eos)");
        }
    }
}
