package org.osum4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CellOutputStreamTest {

    @Test
    void drain_splitUtf8Character_waitsForTheRest() {
        List<String> sent = new ArrayList<>();
        CellOutputStream stream = new CellOutputStream(new PrintStream(new ByteArrayOutputStream()));
        stream.attach(sent::add);
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 'a' + 3 bytes
        stream.write(euro, 0, 2);
        stream.drain();
        stream.write(euro, 2, 2);
        stream.drain();
        assertEquals(List.of("a", "€"), sent);
    }

    @Test
    void drain_noTarget_writesToFallback() {
        ByteArrayOutputStream fallback = new ByteArrayOutputStream();
        CellOutputStream stream = new CellOutputStream(new PrintStream(fallback, true, StandardCharsets.UTF_8));
        new PrintStream(stream, true, StandardCharsets.UTF_8).print("progress 50%\r");
        stream.drain();
        assertEquals("progress 50%\r", fallback.toString(StandardCharsets.UTF_8));
    }

    @Test
    void completeUtf8Prefix_countsWholeCharactersOnly() {
        byte[] text = "ü😀".getBytes(StandardCharsets.UTF_8); // 2 + 4 bytes
        assertEquals(6, CellOutputStream.completeUtf8Prefix(text));
        assertEquals(2, CellOutputStream.completeUtf8Prefix(java.util.Arrays.copyOf(text, 5)));
        assertEquals(0, CellOutputStream.completeUtf8Prefix(java.util.Arrays.copyOf(text, 1)));
    }
}
