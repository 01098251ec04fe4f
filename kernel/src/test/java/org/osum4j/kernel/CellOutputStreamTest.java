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
        CellOutputStream stream = new CellOutputStream(new PrintStream(new ByteArrayOutputStream()), List.of());
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
        CellOutputStream stream = new CellOutputStream(new PrintStream(fallback, true, StandardCharsets.UTF_8), List.of());
        new PrintStream(stream, true, StandardCharsets.UTF_8).print("progress 50%\r");
        stream.drain();
        assertEquals("progress 50%\r", fallback.toString(StandardCharsets.UTF_8));
    }

    @Test
    void drain_droppedPrefix_removesWholeLinesEvenWhenSplitAcrossTicks() {
        List<String> sent = new ArrayList<>();
        CellOutputStream stream = new CellOutputStream(new PrintStream(new ByteArrayOutputStream()),
                List.of("Added differentiated op "));
        stream.attach(sent::add);
        PrintStream out = new PrintStream(stream, true, StandardCharsets.UTF_8);
        out.print("epoch 1\nAdded differentiated op matmul");
        stream.drain(); // the partial line might be chatter: held back
        out.print("\nAdded differentiated op add\nloss 0.5\n");
        stream.drain();
        out.print("Add"); // a partial line that stops growing is released after one tick
        stream.drain();
        stream.drain();
        assertEquals(List.of("epoch 1\n", "loss 0.5\n", "Add"), sent);
    }

    @Test
    void completeUtf8Prefix_countsWholeCharactersOnly() {
        byte[] text = "ü😀".getBytes(StandardCharsets.UTF_8); // 2 + 4 bytes
        assertEquals(6, CellOutputStream.completeUtf8Prefix(text));
        assertEquals(2, CellOutputStream.completeUtf8Prefix(java.util.Arrays.copyOf(text, 5)));
        assertEquals(0, CellOutputStream.completeUtf8Prefix(java.util.Arrays.copyOf(text, 1)));
    }
}
