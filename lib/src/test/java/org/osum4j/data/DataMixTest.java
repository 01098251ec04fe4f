package org.osum4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class DataMixTest {

    @Test
    void shardList_appliesOsumWeightRule(@TempDir Path tmp) throws IOException {
        Files.write(tmp.resolve("a.list"), List.of("/s/a0.tar", "/s/a1.tar"));
        Files.write(tmp.resolve("b.list"), IntStream.range(0, 10).mapToObj(i -> "/s/b" + i + ".tar").toList());
        Files.writeString(tmp.resolve("data.yaml"), """
                asr: {path: a.list, weight: 3}
                ser:
                  path: b.list
                  weight: 0.5
                """);
        DataMix mix = DataMix.load(tmp.resolve("data.yaml"));
        List<String> out = mix.shardList();
        assertEquals(3 * 2 + 5, out.size());
        assertEquals(3, Collections.frequency(out, "/s/a0.tar"));
        assertEquals(5, out.stream().filter(s -> s.contains("/b")).distinct().count(), "subset without repeats");
        assertEquals(out, mix.shardList(DataMix.OSUM_SEED), "seeded");
        assertNotEquals(out, mix.shardList(1), "seed matters");
    }

    @Test
    void load_badWeight_namesSource(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("d.yaml"), "asr: {path: a.list, weight: -1}\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataMix.load(tmp.resolve("d.yaml")));
        assertTrue(e.getMessage().contains("asr") && e.getMessage().contains("weight"), e.getMessage());
        Files.writeString(tmp.resolve("d.yaml"), "asr: {path: a.list, wieght: 1}\n");
        assertThrows(DataFormatException.class, () -> DataMix.load(tmp.resolve("d.yaml")));
    }
}
