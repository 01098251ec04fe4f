package org.osum4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * WeNet/OSUM tar shards ({@code shard_full_data}): per utterance the members {@code {key}.wav} (audio
 * bytes as stored, any of {@link #AUDIO_FORMATS}), {@code {key}.txt}, {@code .task}, {@code .lang},
 * {@code .speaker}, {@code .emotion}, {@code .gender}, {@code .duration} and {@code .extra} (JSON), as
 * written by OSUM's {@code make_shard_list_osum.py}; the member name is split into key and field at the
 * LAST '.'. To make lists ↔ shards lossless, osum4j also writes {@code .start}/{@code .end} and any other
 * field as {@code {key}.{field}} holding JSON. Audio is bytes here: decoding is {@code org.osum4j.audio}.
 *
 * <pre>{@code
 * List<Path> tars = Shards.write(DataList.read(list), outDir, 1000, null);   // + outDir/shards.list
 * for (Shards.Item it : Shards.read(tars.get(0))) { ... it.utterance().txt(), it.audio() ... }
 * }</pre>
 */
public final class Shards {

    /** Member suffixes OSUM treats as audio (processor.py AUDIO_FORMAT_SETS). */
    public static final Set<String> AUDIO_FORMATS = Set.of("flac", "mp3", "m4a", "ogg", "opus", "wav", "wma");
    /** Name of the list of shard paths that {@link #write} puts beside the shards. */
    public static final String LIST_NAME = "shards.list";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXT_FIELDS = List.of("txt", "task", "lang", "speaker", "emotion", "gender");

    private Shards() {
    }

    /** One shard item: the metadata ({@code wav} is null) and the audio bytes with their format suffix. */
    public record Item(Utterance utterance, byte[] audio, String audioFormat) {
    }

    /**
     * Writes items into tar shards of {@code perShard} items ({@code outDir/shard_000000.tar}, …) and a
     * {@code shards.list} with their absolute paths; audio is read from each item's {@code wav}, relative
     * paths resolved against {@code audioBase} (null = working directory). Each file is written atomically.
     */
    public static List<Path> write(List<Utterance> items, Path outDir, int perShard, Path audioBase) {
        if (perShard < 1) throw new IllegalArgumentException("perShard must be >= 1, got " + perShard);
        List<Path> shards = new ArrayList<>();
        try {
            Files.createDirectories(outDir);
            for (int from = 0, n = 0; from < items.size(); from += perShard, n++) {
                Path tar = outDir.resolve(String.format(Locale.ROOT, "shard_%06d.tar", n)).toAbsolutePath();
                writeShard(tar, items.subList(from, Math.min(items.size(), from + perShard)), audioBase);
                shards.add(tar);
            }
            StringBuilder list = new StringBuilder();
            for (Path p : shards) list.append(p).append('\n');
            writeAtomically(outDir.resolve(LIST_NAME), list.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(outDir + ": cannot write shards", e);
        }
        return shards;
    }

    /** Writes one shard atomically. Keys must be unique, must not contain '/', and every item needs audio. */
    public static void writeShard(Path tar, List<Utterance> items, Path audioBase) throws IOException {
        Path abs = tar.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp));
                 Tar.Writer w = new Tar.Writer(os, 0)) {
                Set<String> keys = new HashSet<>();
                for (Utterance u : items) {
                    if (!keys.add(u.key())) throw new IllegalArgumentException(tar + ": duplicate key '" + u.key() + "'");
                    if (u.key().contains("/")) throw new IllegalArgumentException(tar + ": key '" + u.key() + "' contains '/'");
                    if (u.wav() == null) throw new IllegalArgumentException(tar + ": item '" + u.key() + "' has no wav path");
                    Path audio = audioBase == null ? Path.of(u.wav()) : audioBase.resolve(u.wav());
                    if (!Files.isRegularFile(audio))
                        throw new IOException(tar + ": audio of '" + u.key() + "' not found: " + audio);
                    writeItem(w, u, Files.readAllBytes(audio), audioFormat(u.wav()));
                }
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes one item's members (audio first, then text fields, as OSUM's writer). */
    public static void writeItem(Tar.Writer w, Utterance u, byte[] audio, String format) throws IOException {
        String k = u.key();
        w.add(k + "." + format, audio);
        String[] texts = {u.txt(), u.task(), u.lang(), u.speaker(), u.emotion(), u.gender()};
        for (int i = 0; i < texts.length; i++)
            if (texts[i] != null) w.add(k + "." + TEXT_FIELDS.get(i), utf8(texts[i]));
        if (u.duration() != null) w.add(k + ".duration", utf8(num(u.duration())));
        if (u.start() != null) w.add(k + ".start", utf8(num(u.start())));
        if (u.end() != null) w.add(k + ".end", utf8(num(u.end())));
        if (!u.extra().isEmpty()) w.add(k + ".extra", utf8(json(u.extra())));
        for (Map.Entry<String, Object> e : u.other().entrySet()) {
            if (e.getKey().contains(".") || e.getKey().contains("/"))
                throw new IllegalArgumentException("item '" + k + "': field name '" + e.getKey() + "' cannot be a shard member suffix");
            if (AUDIO_FORMATS.contains(e.getKey()) || TEXT_FIELDS.contains(e.getKey()))
                throw new IllegalArgumentException("item '" + k + "': extra field '" + e.getKey() + "' clashes with a shard member");
            w.add(k + "." + e.getKey(), utf8(json(e.getValue())));
        }
    }

    /** All items of a shard, in archive order. */
    public static List<Item> read(Path tar) {
        List<Item> out = new ArrayList<>();
        forEach(tar, out::add);
        return out;
    }

    /** The metadata of a shard's items (audio bytes dropped), e.g. for a {@link Manifest}. */
    public static List<Utterance> readMetadata(Path tar) {
        List<Utterance> out = new ArrayList<>();
        forEach(tar, it -> out.add(it.utterance()));
        return out;
    }

    /**
     * Streams the items of a shard. Members of one key must be consecutive (as every shard writer does);
     * a key seen again later, an item without audio, or an unreadable field is a {@link DataFormatException}
     * naming the shard and the member.
     */
    public static void forEach(Path tar, Consumer<Item> sink) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tar))) {
            Tar.Reader r = new Tar.Reader(in, tar.toString());
            Set<String> done = new HashSet<>();
            String key = null;
            Map<String, byte[]> fields = new LinkedHashMap<>();
            for (Tar.Entry e = r.next(); ; e = r.next()) {
                String name = e == null ? null : e.name();
                int dot = name == null ? -1 : name.lastIndexOf('.');
                if (e != null && dot <= 0)
                    throw new DataFormatException(tar, 0, "member '" + name + "' has no {key}.{field} name");
                String k = e == null ? null : name.substring(0, dot);
                if (key != null && !key.equals(k)) {
                    sink.accept(toItem(tar, key, fields));
                    done.add(key);
                    fields.clear();
                }
                if (e == null) break;
                if (done.contains(k))
                    throw new DataFormatException(tar, 0, "member '" + name + "': key '" + k + "' appears again after other keys");
                key = k;
                String field = name.substring(dot + 1);
                if (fields.put(field, e.data()) != null)
                    throw new DataFormatException(tar, 0, "member '" + name + "' appears twice");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(tar + ": cannot read shard", e);
        }
    }

    /**
     * Extracts a shard: audio files to {@code audioDir/{key}.{format}} and the items (with {@code wav}
     * pointing there) returned, ready for {@link DataList#write}. Inverse of {@link #writeShard}.
     */
    public static List<Utterance> unpack(Path tar, Path audioDir) {
        List<Utterance> out = new ArrayList<>();
        try {
            Files.createDirectories(audioDir);
        } catch (IOException e) {
            throw new UncheckedIOException(audioDir + ": cannot create", e);
        }
        forEach(tar, it -> {
            Path audio = audioDir.resolve(it.utterance().key() + "." + it.audioFormat()).toAbsolutePath();
            try {
                writeAtomically(audio, it.audio());
            } catch (IOException e) {
                throw new UncheckedIOException(audio + ": cannot write", e);
            }
            out.add(it.utterance().withWav(audio.toString()));
        });
        return out;
    }

    /** The shard paths of a list file (one per line; relative paths resolved against the list's folder). */
    public static List<Path> readList(Path listFile) {
        List<Path> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(listFile, StandardCharsets.UTF_8);
            for (String line : lines) {
                String s = line.strip();
                if (s.isEmpty()) continue;
                Path p = Path.of(s);
                out.add(p.isAbsolute() ? p : listFile.toAbsolutePath().getParent().resolve(p).normalize());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(listFile + ": cannot read shard list", e);
        }
        return out;
    }

    private static Item toItem(Path tar, String key, Map<String, byte[]> fields) {
        String where = "item '" + key + "'";
        byte[] audio = null;
        String format = null;
        Map<String, String> text = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> f : fields.entrySet()) {
            if (AUDIO_FORMATS.contains(f.getKey())) {
                if (audio != null) throw new DataFormatException(tar, 0, where + ": two audio members (" + format + ", " + f.getKey() + ")");
                audio = f.getValue();
                format = f.getKey();
            } else {
                text.put(f.getKey(), new String(f.getValue(), StandardCharsets.UTF_8));
            }
        }
        if (audio == null) throw new DataFormatException(tar, 0, where + ": no audio member (" + AUDIO_FORMATS + ")");
        Map<String, Object> extra = Map.of();
        if (text.containsKey("extra")) {
            try {
                extra = DataList.toMap(JSON.readTree(text.get("extra")));
            } catch (IOException | IllegalArgumentException e) {
                throw new DataFormatException(tar, 0, "member '" + key + ".extra': not a JSON object", e);
            }
        }
        Map<String, Object> other = new LinkedHashMap<>();
        Set<String> known = new HashSet<>(TEXT_FIELDS);
        known.addAll(List.of("duration", "start", "end", "extra"));
        for (Map.Entry<String, String> t : text.entrySet()) {
            if (known.contains(t.getKey())) continue;
            other.put(t.getKey(), jsonOrText(t.getValue()));
        }
        Utterance u = new Utterance(key, null, strip(text.get("txt")), strip(text.get("task")), strip(text.get("lang")),
                strip(text.get("speaker")), strip(text.get("emotion")), strip(text.get("gender")),
                number(tar, key, "duration", text), number(tar, key, "start", text), number(tar, key, "end", text), extra, other);
        return new Item(u, audio, format);
    }

    private static Object jsonOrText(String s) {
        try {
            return JSON.readValue(s, Object.class);
        } catch (IOException e) {
            return s.strip(); // a foreign shard's plain-text member
        }
    }

    private static Double number(Path tar, String key, String field, Map<String, String> text) {
        String s = text.get(field);
        if (s == null) return null;
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new DataFormatException(tar, 0, "member '" + key + "." + field + "': expected a number of seconds, got '" + s + "'");
        }
    }

    /** WeNet strips member text on reading; so do we. */
    private static String strip(String s) {
        return s == null ? null : s.strip();
    }

    static String audioFormat(String path) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
        return AUDIO_FORMATS.contains(ext) ? ext : "wav";
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + o, e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
