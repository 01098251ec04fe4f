package org.osum4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.data.DataList;
import org.osum4j.data.Utterance;
import org.osum4j.golden.GoldenSuite;
import org.osum4j.infer.Osum;
import org.osum4j.model.OsumModel;
import org.osum4j.model.io.OsumConfig;
import org.osum4j.train.OsumTrainable;
import org.osum4j.train.TrainCheckpoint;
import org.osum4j.train.TrainLog;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./osum train end to end on a very small from-scratch model, and the shipped tiny config. */
class TrainCommandTest {

    /** 8 synth-mini utterances with absolute audio paths, as a list in {@code dir}. */
    private static Path smallList(Path dir, String split, int n) throws Exception {
        Path mini = GoldenSuite.repoRoot().resolve("data/synth-mini");
        List<Utterance> us = new ArrayList<>();
        for (Utterance u : DataList.read(mini.resolve(split + ".jsonl")).subList(0, n)) us.add(u.withWav(mini.resolve(u.wav()).toString()));
        Path list = dir.resolve(split + ".jsonl");
        DataList.write(list, us);
        return list;
    }

    private static final String CONFIG = """
            model:
              init: random
              seed: 3
              config:
                encoder: {numMelBins: 80, dModel: 32, encoderLayers: 1, encoderAttentionHeads: 2, encoderFfnDim: 64,
                          maxSourcePositions: 1500, layerNormEps: 1.0e-5}
                adapter: {dModel: 32, convKernel: 3, convStrides: [1, 2, 2], convLeftPad: 2, numLayers: 1, numHeads: 2,
                          ffnDim: 64, activation: relu, maxPositions: 500, layerNormEps: 1.0e-5, llmHidden: 32}
                llm: {vocab_size: 400, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2,
                      num_key_value_heads: 1, rms_norm_eps: 1.0e-6, rope_theta: 10000.0, tie_word_embeddings: true,
                      max_position_embeddings: 2048}
                lora: {r: 4, alpha: 8, dropout: 0.0, target_modules: [q_proj, v_proj]}
                speech_token_num: 0
                eod_id: 0
                prompt_pad_id: 0
            tokenizer: {vocab_size: 400}
            data:
              train: [{list: train.jsonl, weight: 1.0}]
              dev: dev.jsonl
              max_frames_in_batch: 1200
            train:
              seed: 5
              steps: 100
              optimizer: {lr: 1.0e-3}
              schedule: {kind: cosine, warmup_steps: 1, min_lr: 1.0e-5}
              checkpoint_every: 2
              validate_every: 2
              stage: all
              output_dir: ignored-out
            """;

    @Test
    void train_threeSteps_writesCheckpointsLogsAndALoadableModel_thenResumes(@TempDir Path tmp) throws Exception {
        smallList(tmp, "train", 8);
        smallList(tmp, "dev", 2);
        Path cfg = tmp.resolve("train.yaml");
        Files.writeString(cfg, CONFIG);
        Path out = tmp.resolve("out");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Train cmd = new Train(new PrintStream(buf, true));
        assertEquals(0, cmd.run(new String[]{"--config", cfg.toString(), "--out", out.toString(), "--steps", "3", "--quiet"}));

        assertTrue(Files.isRegularFile(out.resolve(Train.TOKENIZER_FILE)));
        assertTrue(Files.isRegularFile(out.resolve("run.json")));
        assertEquals(1 + 3, Files.readAllLines(out.resolve(TrainLog.CSV)).size(), "header + 3 steps");
        assertTrue(Files.isRegularFile(out.resolve(TrainLog.VALIDATION_CSV)), "dev loss logged");
        assertEquals(3, TrainCheckpoint.load(out).state().step());
        try (Osum o = Osum.load(out.resolve(Train.MODEL_DIR))) {
            assertEquals(Osum.Layout.OWN, o.layout());
            assertEquals(32, o.config().encoder().dModel());
            assertEquals(o.tokenizer().endOfTextId(), o.config().eodId());
        }

        // continue the same run to step 5
        assertEquals(0, cmd.run(new String[]{"--config", cfg.toString(), "--out", out.toString(), "--steps", "5", "--quiet", "--resume"}));
        assertEquals(1 + 5, Files.readAllLines(out.resolve(TrainLog.CSV)).size());
        assertEquals(5, TrainCheckpoint.load(out).state().step());
        // a fresh run into a folder with checkpoints must not silently start over
        assertThrows(IllegalStateException.class,
                () -> cmd.run(new String[]{"--config", cfg.toString(), "--out", out.toString(), "--steps", "6", "--quiet"}));
    }

    @Test
    void train_withDevDecoding_logsPerTaskWerAndAccuracyOfGreedyAnswers(@TempDir Path tmp) throws Exception {
        smallList(tmp, "train", 8);
        Path dev = smallList(tmp, "dev", 8);
        Path cfg = tmp.resolve("train.yaml");
        Files.writeString(cfg, CONFIG.replace("  dev: dev.jsonl\n", "  dev: dev.jsonl\n  dev_decode_per_task: 1\n"));
        Path out = tmp.resolve("out");
        Train cmd = new Train(new PrintStream(new ByteArrayOutputStream(), true));
        assertEquals(0, cmd.run(new String[]{"--config", cfg.toString(), "--out", out.toString(), "--steps", "2", "--quiet"}));

        // one decoded utterance per task of the dev list; every task gets a WER (every OSUM target starts with a
        // transcript) and the label tasks a first-tag accuracy, each a proper rate
        java.util.Set<String> devTasks = new java.util.TreeSet<>();
        for (Utterance u : DataList.read(dev)) devTasks.add(u.taskTag());
        List<String> rows = Files.readAllLines(out.resolve(TrainLog.VALIDATION_CSV));
        java.util.Set<String> decoded = new java.util.TreeSet<>();
        for (String r : rows.subList(1, rows.size())) {
            String[] f = r.split(",");
            if (f[2].equals("decoded")) {
                if (!f[1].equals("all")) decoded.add(f[1]);
                assertEquals("all".equals(f[1]) ? devTasks.size() : 1.0, Double.parseDouble(f[3]), 0.0, r);
            }
            if (f[2].equals("wer")) assertTrue(Double.parseDouble(f[3]) >= 0, r);
            if (f[2].endsWith("_acc")) assertTrue(Double.parseDouble(f[3]) >= 0 && Double.parseDouble(f[3]) <= 1, r);
        }
        assertEquals(devTasks, decoded, "every dev task decoded");
        assertTrue(rows.stream().anyMatch(r -> r.contains(",<TRANSCRIBE>,wer,")) || !devTasks.contains("<TRANSCRIBE>"), "ASR WER logged");
        assertTrue(rows.stream().anyMatch(r -> r.matches("2,<TRANSCRIBE> <GENDER>,gender_acc,.*")) || !devTasks.contains("<TRANSCRIBE> <GENDER>"),
                "gender accuracy logged: " + rows);
    }

    @Test
    void train_twoWeightedLists_runsOnTheirMix(@TempDir Path tmp) throws Exception {
        Path mini = GoldenSuite.repoRoot().resolve("data/synth-mini");
        List<Utterance> all = DataList.read(mini.resolve("train.jsonl"));
        List<Utterance> a = new ArrayList<>(), b = new ArrayList<>();
        for (Utterance u : all.subList(0, 4)) a.add(u.withWav(mini.resolve(u.wav()).toString()));
        for (Utterance u : all.subList(40, 44)) b.add(u.withWav(mini.resolve(u.wav()).toString()));
        DataList.write(tmp.resolve("a.jsonl"), a);
        DataList.write(tmp.resolve("b.jsonl"), b);
        Path cfg = tmp.resolve("train.yaml");
        Files.writeString(cfg, CONFIG.replace("train: [{list: train.jsonl, weight: 1.0}]", "train: [{list: a.jsonl, weight: 1.0}, {list: b.jsonl, weight: 1.0}]")
                .replace("  dev: dev.jsonl\n", "").replace("max_frames_in_batch: 1200", "max_frames_in_batch: 300"));
        Path out = tmp.resolve("out");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new Train(new PrintStream(buf, true)).train(cfg, out, 6L, false, true);
        assertEquals(6, Files.readString(out.resolve(TrainLog.JSONL)).lines().count());
        String printed = buf.toString();
        assertTrue(printed.contains("a.jsonl#0 (weight 1.0)") && printed.contains("b.jsonl#1 (weight 1.0)"), printed);
    }

    /**
     * The encoder CTC stage writes the whole model plus its letter head and logs greedy error rates; an OSUM stage
     * then takes that encoder ({@code model.encoder_from}) and, with the encoder frozen, leaves it bit-identical.
     */
    @Test
    void train_encoderCtcStage_thenAnOsumStageOnItsFrozenEncoder(@TempDir Path tmp) throws Exception {
        smallList(tmp, "train", 8);
        smallList(tmp, "dev", 2);
        Path cfg = tmp.resolve("ctc.yaml");
        Files.writeString(cfg, CONFIG.replace("tokenizer: {vocab_size: 400}\n", "tokenizer: {vocab_size: 400}\nobjective: {kind: encoder_ctc}\n")
                .replace("  max_frames_in_batch: 1200\n", "  max_frames_in_batch: 1200\n  spec_augment: {max_time_width: 10}\n"));
        Path out = tmp.resolve("ctc");
        Train cmd = new Train(new PrintStream(new ByteArrayOutputStream(), true));
        assertEquals(0, cmd.run(new String[]{"--config", cfg.toString(), "--out", out.toString(), "--steps", "2", "--quiet"}));
        Path model = out.resolve(Train.MODEL_DIR);
        org.osum4j.model.io.SafeTensors head = org.osum4j.model.io.SafeTensors.read(model.resolve(Train.CTC_HEAD_FILE));
        assertEquals(List.of((long) org.osum4j.train.EncoderCtcTrainable.ALPHABET.length(), 32L),
                java.util.Arrays.stream(head.get(org.osum4j.train.EncoderCtcTrainable.HEAD_WEIGHT).shape()).boxed().toList());
        List<String> rows = Files.readAllLines(out.resolve(TrainLog.VALIDATION_CSV));
        assertTrue(rows.stream().anyMatch(r -> r.matches("2,all,cer,[0-9.]+.*")), "greedy letter error rate logged: " + rows);
        assertTrue(rows.stream().anyMatch(r -> r.matches("2,all,wer,[0-9.]+.*")), "greedy word error rate logged: " + rows);
        // ./osum ctc-eval on the same dev list reads the saved head back and gets the last validation's letter error rate
        Path json = tmp.resolve("ctc-eval.json");
        assertEquals(0, new CtcEval(new PrintStream(new ByteArrayOutputStream(), true)).run(new String[]{
                "--model", model.toString(), "--data", tmp.resolve("dev.jsonl").toString(), "--out", json.toString()}));
        com.fasterxml.jackson.databind.JsonNode all = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).path("rates").path("all");
        assertEquals(2, all.path("utterances").asInt());
        double loggedCer = rows.stream().filter(r -> r.startsWith("2,all,cer,")).mapToDouble(r -> Double.parseDouble(r.split(",")[3])).findFirst().orElseThrow();
        assertEquals(loggedCer, all.path("cer").asDouble(), 1e-3, "ctc-eval = the validation's greedy CER of the same weights");
        IllegalArgumentException noHead = assertThrows(IllegalArgumentException.class, () -> new CtcEval().run(new String[]{
                "--model", GoldenSuite.repoRoot().resolve("models/tiny/model").toString(), "--data", tmp.resolve("dev.jsonl").toString()}));
        assertTrue(noHead.getMessage().contains(Train.CTC_HEAD_FILE), noHead.getMessage());

        // stage on top: random adapter/LLM, the CTC stage's encoder, everything but the encoder trains
        Path cfg2 = tmp.resolve("osum.yaml");
        Files.writeString(cfg2, CONFIG.replace("  seed: 3\n", "  seed: 4\n  encoder_from: ctc/model\n")
                .replace("  stage: all\n", "  stage: custom\n  trainable_patterns: ['adapter\\..*', 'speech_embed\\.weight', 'llm\\..*']\n")
                .replace("  max_frames_in_batch: 1200\n", "  max_frames_in_batch: 1200\n  spec_sub: false\n"));
        Path out2 = tmp.resolve("osum");
        assertEquals(0, cmd.run(new String[]{"--config", cfg2.toString(), "--out", out2.toString(), "--steps", "2", "--quiet"}));
        try (Osum pre = Osum.load(model); Osum post = Osum.load(out2.resolve(Train.MODEL_DIR))) {
            java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> a = pre.model().encoder().parameters(), b = post.model().encoder().parameters();
            assertEquals(a.keySet(), b.keySet());
            for (String n : a.keySet()) assertEquals(a.get(n), b.get(n), n + " must be the CTC stage's, unchanged");
            assertTrue(!pre.model().adapter().parameters().values().iterator().next().equals(post.model().adapter().parameters().values().iterator().next()),
                    "the adapter is not the CTC stage's");
        }

        // an encoder of another shape is an error naming the tensor
        Path cfg3 = tmp.resolve("bad.yaml");
        Files.writeString(cfg3, CONFIG.replace("  seed: 3\n", "  seed: 4\n  encoder_from: ctc/model\n").replace("encoderFfnDim: 64", "encoderFfnDim: 48"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cmd.train(cfg3, tmp.resolve("o3"), 2L, false, true));
        assertTrue(e.getMessage().contains("encoder_from") && e.getMessage().contains("has shape [64, 32]"), e.getMessage());
    }

    @Test
    void train_unknownKey_isAnErrorNamingIt(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, CONFIG.replace("data:\n", "data:\n  agument: true\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Train().train(cfg, tmp.resolve("o"), 2L, false, true));
        assertTrue(e.getMessage().contains("data.agument"), e.getMessage());
    }

    @Test
    void tinyConfig_isAFromScratchModelOf2To3MParameters() throws Exception {
        OsumConfig c = Train.modelConfig(GoldenSuite.repoRoot().resolve("models/tiny/train.yaml"));
        OsumModel m = OsumModel.random(c, 1, 0.02);
        long params = new OsumTrainable(m, null, null).parameters().values().stream().mapToLong(a -> a.length()).sum();
        System.out.printf("models/tiny: %,d parameters%n", params);
        assertTrue(params >= 2_000_000 && params <= 3_000_000, params + " parameters");
        assertTrue(c.encoder().dModel() >= 128 && c.encoder().dModel() <= 192);
    }
}
