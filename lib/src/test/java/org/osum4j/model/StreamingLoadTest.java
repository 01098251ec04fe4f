package org.osum4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.osum4j.model.io.Checkpoints;
import org.osum4j.model.io.DType;
import org.osum4j.model.io.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loading streams shard by shard with no second full copy: a ≈ 1.3 GB multi-shard bf16 Qwen2 checkpoint
 * (≈ 2.7 GB as fp32) is loaded in a child JVM with a 768 MiB heap (the fp32 weights cannot pass through the
 * heap at once), and the child's peak resident memory must stay below one fp32 copy + the mapped bf16 files +
 * 1.2 GB for the JVM — a second full copy (another 2.7 GB) would exceed it. (The peak RSS is the cap, not
 * {@code -Dorg.bytedeco.javacpp.maxbytes}: ND4J's CPU buffers are not counted against that limit, measured.)
 * Heavy (writes 1.3 GB): runs only with {@code -Dosum.heavy=true}, e.g.
 * {@code mvn -pl lib test -Dtest=StreamingLoadTest -Dosum.heavy=true}.
 */
@EnabledIfSystemProperty(named = "osum.heavy", matches = "true")
class StreamingLoadTest {

    // ≈ 672 M parameters: 12 layers of width 2048, GQA 16/4 heads, SwiGLU 5632, vocabulary 32000, untied head.
    static final String CONFIG = """
            {"model_type": "qwen2", "vocab_size": 32000, "hidden_size": 2048, "intermediate_size": 5632,
             "num_hidden_layers": 12, "num_attention_heads": 16, "num_key_value_heads": 4, "rms_norm_eps": 1e-6,
             "rope_theta": 1000000.0, "tie_word_embeddings": false, "max_position_embeddings": 4096,
             "hidden_act": "silu"}""";

    @TempDir
    Path tmp;

    /** A bf16 tensor filled from a small table of N(0, 0.02)-like values (fast to make, finite, not constant). */
    static TensorData bf16(String name, long... shape) {
        long n = TensorData.numel(shape);
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * 2)).order(ByteOrder.LITTLE_ENDIAN);
        short[] table = new short[4099];
        java.util.SplittableRandom r = new java.util.SplittableRandom(name.hashCode());
        for (int i = 0; i < table.length; i++) table[i] = TensorData.floatToBf16((float) (r.nextGaussian() * 0.02));
        for (long i = 0; i < n; i++) b.putShort((int) (i * 2), table[(int) (i % table.length)]);
        return new TensorData(name, DType.BF16, shape, b);
    }

    @Test
    void shardedBf16Checkpoint_loadsUnderCapsASecondCopyWouldExceed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ckpt"));
        Files.writeString(dir.resolve("config.json"), CONFIG);
        long h = 2048, kv = 512, ff = 5632, v = 32000;
        List<TensorData> tensors = new ArrayList<>();
        tensors.add(bf16("model.embed_tokens.weight", v, h));
        tensors.add(bf16("lm_head.weight", v, h));
        tensors.add(ones("model.norm.weight", h));
        for (int l = 0; l < 12; l++) {
            String p = "model.layers." + l + ".";
            tensors.add(bf16(p + "self_attn.q_proj.weight", h, h));
            tensors.add(bf16(p + "self_attn.q_proj.bias", h));
            tensors.add(bf16(p + "self_attn.k_proj.weight", kv, h));
            tensors.add(bf16(p + "self_attn.k_proj.bias", kv));
            tensors.add(bf16(p + "self_attn.v_proj.weight", kv, h));
            tensors.add(bf16(p + "self_attn.v_proj.bias", kv));
            tensors.add(bf16(p + "self_attn.o_proj.weight", h, h));
            tensors.add(bf16(p + "mlp.gate_proj.weight", ff, h));
            tensors.add(bf16(p + "mlp.up_proj.weight", ff, h));
            tensors.add(bf16(p + "mlp.down_proj.weight", h, ff));
            tensors.add(ones(p + "input_layernorm.weight", h));
            tensors.add(ones(p + "post_attention_layernorm.weight", h));
        }
        long expectedParams = tensors.stream().mapToLong(TensorData::numel).sum();
        List<Path> shards = Checkpoints.writeSharded(dir, tensors, 300_000_000L, false, Map.of());
        tensors.clear();
        long bytes = 0;
        for (Path s : shards) bytes += Files.size(s);
        assertTrue(shards.size() >= 4, "several shards");
        assertTrue(bytes > 1_200_000_000L, "≈ 1.3 GB of bf16, got " + bytes);

        // fp32 weights: 4 · 672 M ≈ 2.69 GB; a second copy would need another 2.69 GB.
        String out = child(dir);
        assertTrue(out.contains("status 0"), out);
        assertTrue(out.contains("loaded " + expectedParams + " parameters"), out);
        long peakKib = Long.parseLong(out.replaceAll("(?s).*peak_rss_kib=(\\d+).*", "$1"));
        long limit = expectedParams * 4 + bytes + 1_200_000_000L;
        System.out.printf("streaming load: %d parameters, peak RSS %d MiB, limit %d MiB%n", expectedParams,
                peakKib / 1024, limit / (1 << 20));
        assertTrue(peakKib * 1024 < limit, "peak RSS " + peakKib / 1024 + " MiB over " + limit / (1 << 20)
                + " MiB (one fp32 copy + mapped bf16 + JVM): a second copy was made?\n" + out);
    }

    private static String child(Path dir) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-cp", System.getProperty("java.class.path"), Child.class.getName(), dir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "load timed out");
        return out + "\nstatus " + p.exitValue();
    }

    static TensorData ones(String name, long n) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putShort(i * 2, TensorData.floatToBf16(1f));
        return new TensorData(name, DType.BF16, new long[]{n}, b);
    }

    /** The capped child: loads the checkpoint, runs one token, prints the parameter count. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Qwen2Model m = Qwen2Model.load(Path.of(args[0]));
            long params = 0;
            for (var e : m.parameters().values()) params += e.length();
            var ids = Nd4j.createFromArray(new long[][]{{1, 2, 3}});
            var logits = m.forwardIds(ids, Nd4j.ones(DataType.LONG, 1, 3), Nd4j.createFromArray(new long[][]{{0, 1, 2}})).logits();
            if (!Double.isFinite(logits.sumNumber().doubleValue())) throw new AssertionError("non-finite logits");
            System.out.println("loaded " + params + " parameters");
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) System.out.println("peak_rss_kib=" + line.replaceAll("\\D", ""));
            }
        }
    }
}
