package org.osum4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ShardsTest {

    /** Items with every kind of field, and fake audio files (bytes only: shards do not decode audio). */
    static List<Utterance> corpus(Path dir, int n) throws IOException {
        List<Utterance> items = new ArrayList<>();
        Random rng = new Random(5);
        for (int i = 0; i < n; i++) {
            byte[] audio = new byte[100 + rng.nextInt(2000)];
            rng.nextBytes(audio);
            String ext = i % 3 == 0 ? "flac" : "wav";
            Path wav = dir.resolve("utt" + i + "." + ext);
            Files.write(wav, audio);
            items.add(new Utterance("spk1.utt." + i, wav.toString(), "说做得还真是棒<female> " + i,
                    i % 2 == 0 ? "<TRANSCRIBE> <GENDER>" : null, "zh", "spk" + (i % 4), i % 2 == 0 ? "neutral" : null, "female",
                    1.5 + i, i == 3 ? 0.2 : null, i == 3 ? 1.4 : null,
                    i == 1 ? Map.of("question", "请转录。") : Map.of(), i == 2 ? Map.of("score", 0.75, "note", "x y") : Map.of()));
        }
        return items;
    }

    @Test
    void listToShardsToList_isLossless(@TempDir Path tmp) throws IOException {
        List<Utterance> items = corpus(Files.createDirectory(tmp.resolve("audio")), 7);
        List<Path> tars = Shards.write(items, tmp.resolve("shards"), 3, null);
        assertEquals(3, tars.size());
        assertEquals(tars, Shards.readList(tmp.resolve("shards").resolve(Shards.LIST_NAME)));

        List<Utterance> back = new ArrayList<>();
        for (Path t : tars) back.addAll(Shards.unpack(t, tmp.resolve("out")));
        assertEquals(items.size(), back.size());
        for (int i = 0; i < items.size(); i++) {
            Utterance a = items.get(i), b = back.get(i);
            assertEquals(a.withWav(null), b.withWav(null), "metadata of " + a.key());
            assertArrayEquals(Files.readAllBytes(Path.of(a.wav())), Files.readAllBytes(Path.of(b.wav())), "audio of " + a.key());
            assertTrue(b.wav().endsWith(a.wav().substring(a.wav().lastIndexOf('.'))), "audio format kept");
        }
        // and through a jsonl list again
        DataList.write(tmp.resolve("back.jsonl"), back);
        assertEquals(back, DataList.read(tmp.resolve("back.jsonl")));
    }

    @Test
    void read_keyWithDots_splitsAtLastDot(@TempDir Path tmp) throws IOException {
        List<Utterance> items = corpus(Files.createDirectory(tmp.resolve("audio")), 2);
        Path tar = tmp.resolve("s.tar");
        Shards.writeShard(tar, items, null);
        List<Shards.Item> read = Shards.read(tar);
        assertEquals("spk1.utt.0", read.get(0).utterance().key());
        assertEquals("flac", read.get(0).audioFormat());
        assertEquals("wav", read.get(1).audioFormat());
        assertEquals(read.stream().map(Shards.Item::utterance).toList(), Shards.readMetadata(tar));
    }

    @Test
    void read_osumStyleShard_stripsTextAndParsesExtra() throws IOException {
        byte[] tar = Tar.toBytes(List.of(
                new Tar.Entry("BAC009.wav", new byte[]{1, 2, 3}),
                new Tar.Entry("BAC009.txt", "你好<happy>\n".getBytes(StandardCharsets.UTF_8)),
                new Tar.Entry("BAC009.task", "<TRANSCRIBE> <EMOTION>".getBytes(StandardCharsets.UTF_8)),
                new Tar.Entry("BAC009.duration", "3.25".getBytes(StandardCharsets.UTF_8)),
                new Tar.Entry("BAC009.extra", "{\"question\": \"q\"}".getBytes(StandardCharsets.UTF_8)),
                new Tar.Entry("BAC009.dialect", "north".getBytes(StandardCharsets.UTF_8))));
        Path f = Files.createTempFile("osum", ".tar");
        try {
            Files.write(f, tar);
            Shards.Item it = Shards.read(f).get(0);
            assertEquals("你好<happy>", it.utterance().txt());
            assertEquals(3.25, it.utterance().duration());
            assertEquals("q", it.utterance().question());
            assertEquals("north", it.utterance().other().get("dialect"), "foreign plain-text member kept as text");
            assertArrayEquals(new byte[]{1, 2, 3}, it.audio());
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void read_itemWithoutAudio_isErrorNamingKey() throws IOException {
        byte[] tar = Tar.toBytes(List.of(new Tar.Entry("k1.txt", "x".getBytes(StandardCharsets.UTF_8))));
        Path f = Files.createTempFile("noaudio", ".tar");
        try {
            Files.write(f, tar);
            DataFormatException e = assertThrows(DataFormatException.class, () -> Shards.read(f));
            assertTrue(e.getMessage().contains("'k1'") && e.getMessage().contains("no audio"), e.getMessage());
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void tar_longNamesAndUnicode_roundTrip() throws IOException {
        String longName = "x".repeat(150) + "中文.txt";
        String longPath = "dir/" + "y".repeat(120) + "/file.wav";
        List<Tar.Entry> in = List.of(new Tar.Entry(longName, "a".getBytes(StandardCharsets.UTF_8)),
                new Tar.Entry(longPath, new byte[513]), new Tar.Entry("empty", new byte[0]));
        byte[] bytes = Tar.toBytes(in);
        assertEquals(0, bytes.length % Tar.BLOCK);
        List<Tar.Entry> out = Tar.readAll(new ByteArrayInputStream(bytes), "mem");
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(in.get(i).name(), out.get(i).name());
            assertArrayEquals(in.get(i).data(), out.get(i).data());
        }
    }

    @Test
    void tar_corruptHeader_isErrorWithOffset() throws IOException {
        byte[] bytes = Tar.toBytes(List.of(new Tar.Entry("a.txt", new byte[10]), new Tar.Entry("b.txt", new byte[10])));
        bytes[1024 + 3] ^= 1; // second header starts at 1024
        IOException e = assertThrows(IOException.class, () -> Tar.readAll(new ByteArrayInputStream(bytes), "mem.tar"));
        assertTrue(e.getMessage().contains("mem.tar") && e.getMessage().contains("byte 1024"), e.getMessage());
    }

    @Test
    void write_sameInput_givesIdenticalBytes(@TempDir Path tmp) throws IOException {
        List<Utterance> items = corpus(Files.createDirectory(tmp.resolve("audio")), 3);
        Shards.writeShard(tmp.resolve("a.tar"), items, null);
        Shards.writeShard(tmp.resolve("b.tar"), items, null);
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a.tar")), Files.readAllBytes(tmp.resolve("b.tar")));
    }
}
