package org.osum4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.*;

class TaskRegistryTest {

    private final TaskRegistry reg = TaskRegistry.osum();

    @Test
    void osum_eightMainTasks_haveFivePromptsEach() {
        for (String name : List.of("ASR", "SRWT", "STTC", "SER", "SSR", "VED", "SGC", "SAP"))
            assertEquals(5, reg.byName(name).prompts().size(), name);
    }

    @Test
    void osum_firstPrompts_areVerbatim() {
        assertEquals("转录如下音频。", reg.get("<TRANSCRIBE>").prompts().get(0));
        assertEquals("执行语音识别任务，将音频转换为文字。", reg.get("<TRANSCRIBE>").prompts().get(4));
        assertEquals("请将以下音频内容进行转录，并在结尾处给出<情感>标签，情感共分为8类：sad，anger，neutral，happy，surprise，fear，disgust，以及other。",
                reg.get("<TRANSCRIBE> <EMOTION>").prompts().get(0));
        assertEquals("首先将语音转录为文字，然后对语音内容进行回复，转录和文字之间使用<开始回答>分割。",
                reg.get("<TRANSCRIBE> <S2TCHAT>").prompts().get(0));
        assertEquals("将音频内容转换成文字形式，并在转换后的文字末尾添加<年龄>标签，用以指示是child、adult还是old的年龄阶段。",
                reg.get("<TRANSCRIBE> <AGE>").prompts().get(4));
    }

    @Test
    void osum_demoPrompts_followInferGradioMapping() {
        assertEquals(reg.byName("ASR").prompts().get(4), reg.byName("ASR").demoPrompt());
        assertEquals("请" + reg.byName("SRWT").prompts().get(1), reg.byName("SRWT").demoPrompt());
        for (String n : List.of("VED", "SER", "SGC")) assertEquals(reg.byName(n).prompts().get(2), reg.byName(n).demoPrompt(), n);
        for (String n : List.of("SSR", "SAP")) assertEquals("请" + reg.byName(n).prompts().get(2), reg.byName(n).demoPrompt(), n);
        assertEquals(reg.byName("STTC").prompts().get(0), reg.byName("STTC").demoPrompt());
        assertTrue(reg.byName("SSR").demoPrompt().startsWith("请将音频内容进行文字转录，并在最后添加<风格>标签，"));
    }

    @Test
    void get_shellStyleTagWithoutSpaces_findsTask() {
        assertEquals("<TRANSCRIBE> <GENDER>", reg.get("<TRANSCRIBE><GENDER>").tag());
        assertEquals("<TRANSCRIBE>", reg.get("").tag(), "missing task means <TRANSCRIBE>");
        assertThrows(IllegalArgumentException.class, () -> reg.get("<NOPE>"));
    }

    @Test
    void labelVocabularies_matchSpec() {
        assertEquals(List.of("sad", "anger", "neutral", "happy", "surprise", "fear", "disgust", "other"), reg.labelSet("EMOTION").values());
        assertEquals(8, reg.labelSet("CAPTION").values().size());
        assertTrue(reg.labelSet("CAPTION").values().contains("throat clearing"));
        assertEquals(List.of("female", "male"), reg.labelSet("GENDER").values());
        assertEquals(List.of("child", "adult", "old"), reg.labelSet("AGE").values());
        assertEquals(8, reg.labelSet("STYLE").values().size());
    }

    @Test
    void target_eachLabelTask_appendsLabelsAfterTranscript() {
        assertEquals("时间对珍妮来说是没有用的<happy>", reg.target(reg.byName("SER"), "时间对珍妮来说是没有用的", "happy"));
        assertEquals("it looks much better<happy>", reg.target(reg.byName("SER"), "it looks much better", "HAPPY"));
        assertEquals("说做得还真是棒<female>", reg.target(reg.byName("SGC"), "说做得还真是棒", "female"));
        assertEquals("好的<old>", reg.target(reg.byName("SAP"), "好的", "old"));
        assertEquals("哈哈<laugh>", reg.target(reg.byName("VED"), "哈哈", "laugh"));
        assertEquals("从前有座山<童话故事>", reg.target(reg.byName("SSR"), "从前有座山", "童话故事"));
        assertEquals("你好", reg.target(reg.byName("ASR"), "你好"));
        assertEquals("你好<adult><female>", reg.target(reg.get("<TRANSCRIBE> <AGE> <GENDER>"), "你好", "adult", "female"));
        assertEquals("<adult><male>", reg.target(reg.get("<AGE><GENDER>"), null, "adult", "MALE"));
    }

    @Test
    void target_fineStyleLabel_mapsToCoarse() {
        assertEquals("很久以前<有声书>", reg.target(reg.byName("SSR"), "很久以前", "武侠评书"));
        assertEquals("x<诗歌散文>", reg.target(reg.byName("SSR"), "x", "散文"));
        assertEquals("在这里<日常口语>", reg.applyAliases(reg.byName("SSR"), "在这里<对话>"));
        assertEquals("在这里<对话>", reg.applyAliases(reg.byName("SER"), "在这里<对话>"), "only tasks with <STYLE>");
    }

    @Test
    void target_unknownLabel_namesVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reg.target(reg.byName("SER"), "hi", "joyful"));
        assertTrue(e.getMessage().contains("joyful") && e.getMessage().contains("EMOTION"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> reg.target(reg.byName("SER"), "hi"));
    }

    @Test
    void sttcTarget_joinsWithSeparator_andParsesBack() {
        String t = TaskRegistry.sttcTarget("今天天气怎么样", "今天天气很好");
        assertEquals("今天天气怎么样<开始回答>今天天气很好", t);
        TaskRegistry.ParsedTarget p = reg.parse(reg.byName("STTC"), t);
        assertEquals("今天天气怎么样", p.transcript());
        assertEquals("今天天气很好", p.answer());
    }

    @Test
    void parse_multiLabelTarget_splitsTranscriptAndLabels() {
        TaskRegistry.ParsedTarget p = reg.parse(reg.get("<TRANSCRIBE> <AGE> <GENDER>"), "你好<adult><female>");
        assertEquals("你好", p.transcript());
        assertEquals(List.of("adult", "female"), p.labels());
        assertThrows(IllegalArgumentException.class, () -> reg.parse(reg.byName("SER"), "no label here"));
    }

    @Test
    void srwtTarget_parsesBackToWords() {
        List<Timestamps.Word> w = List.of(Timestamps.Word.of("hello", 0.3, 0.7), Timestamps.Word.of("你", 0.8, 1.0));
        String t = TaskRegistry.srwtTarget(w);
        TaskRegistry.ParsedTarget p = reg.parse(reg.byName("SRWT"), t);
        assertEquals(w, p.words());
        assertEquals("hello你", p.transcript());
    }

    @Test
    void isDropped_noneMarkers() {
        assertTrue(TaskRegistry.isDropped("abc<None>"));
        assertTrue(TaskRegistry.isDropped("<NONE>"));
        assertTrue(TaskRegistry.isDropped("x<none>y"));
        assertFalse(TaskRegistry.isDropped("none of it<happy>"));
    }

    @Test
    void randomPrompt_seeded_coversAllPromptsReproducibly() {
        Task asr = reg.byName("ASR");
        Set<String> seen = new HashSet<>();
        Random a = new Random(3), b = new Random(3);
        for (int i = 0; i < 200; i++) {
            String p = asr.randomPrompt(a);
            assertEquals(p, asr.randomPrompt(b));
            seen.add(p);
        }
        assertEquals(Set.copyOf(asr.prompts()), seen);
    }

    @Test
    void taskWithoutKnownPrompts_randomPromptExplains() {
        Task t = reg.get("<STYLE> <AGE> <GENDER>");
        assertFalse(t.hasPrompts());
        assertThrows(IllegalStateException.class, () -> t.randomPrompt(new Random(1)));
    }

    @Test
    void with_codeTask_isAvailableAndOriginalUnchanged() {
        TaskRegistry r = reg.with(LabelSet.of("ACCENT", "north", "south"))
                .with(Task.of("<TRANSCRIBE> <ACCENT>", "SAC", Task.TargetKind.TRANSCRIPT_LABELS, List.of("ACCENT"),
                        List.of("请转录并给出<口音>标签。")));
        assertEquals("你好<south>", r.target(r.get("<TRANSCRIBE><ACCENT>"), "你好", "south"));
        assertFalse(reg.has("<TRANSCRIBE> <ACCENT>"));
    }

    @Test
    void withFile_yamlTask_loads(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("mytasks.yaml");
        Files.writeString(f, """
                label_sets:
                  ACCENT: {values: [north, south]}
                tasks:
                  - tag: "<TRANSCRIBE><ACCENT>"
                    name: SAC
                    target: transcript+labels
                    labels: [ACCENT]
                    prompts: ["请转录并给出<口音>标签。", "转录音频，结尾加<口音>。"]
                """);
        TaskRegistry r = reg.withFile(f);
        assertEquals(2, r.get("<TRANSCRIBE> <ACCENT>").prompts().size());
        assertEquals("请转录并给出<口音>标签。", r.get("<TRANSCRIBE> <ACCENT>").prompts().get(0));
    }

    @Test
    void save_thenLoadIntoEmpty_givesSameTasksAndLabels(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("tasks.json");
        reg.save(f);
        TaskRegistry back = TaskRegistry.empty().withFile(f);
        assertEquals(reg.tasks(), back.tasks());
        assertEquals(reg.labelSets(), back.labelSets());
        assertTrue(Files.readString(f).contains("转录如下音频。"), "UTF-8 Chinese written verbatim");
    }

    @Test
    void withFile_unknownKey_namesFileAndKey(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"tasks\":[{\"tag\":\"<X>\",\"target\":\"transcript\",\"promts\":[\"a\"]}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reg.withFile(f));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("promts"), e.getMessage());
    }
}
