package org.osum4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A weighted mix of shard lists, OSUM's {@code data_config_huawei.yaml} ({@code {name: {path: list.txt,
 * weight: w}}}) with the rule of {@code handle_data_for_weight.py}: an integer weight repeats the list w
 * times, 0 &lt; w &lt; 1 takes a random subset of that fraction; then the whole list is shuffled (seed
 * 7890) and reversed. A weight like 2.5 is read as 2 repeats plus a half subset (osum4j's generalisation).
 * Java's random generator differs from Python's: same seed, different (but reproducible) order.
 */
public final class DataMix {

    /** OSUM's shuffle seed. */
    public static final long OSUM_SEED = 7890;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SOURCE_KEYS = Set.of("path", "weight");

    /** One source: its name, shard-list file and weight. */
    public record Source(String name, Path path, double weight) {
        public Source {
            if (!(weight >= 0) || Double.isInfinite(weight))
                throw new IllegalArgumentException("data source " + name + ": weight must be >= 0, got " + weight);
        }
    }

    private final List<Source> sources;

    public DataMix(List<Source> sources) {
        this.sources = List.copyOf(sources);
    }

    /** Reads a YAML or JSON data config; relative list paths are resolved against the config's folder. */
    public static DataMix load(Path config) {
        JsonNode root;
        try {
            String text = Files.readString(config, StandardCharsets.UTF_8);
            String n = config.getFileName().toString().toLowerCase();
            root = n.endsWith(".json") ? JSON.readTree(text)
                    : JSON.valueToTree(new Yaml(new SafeConstructor(new LoaderOptions())).load(text));
        } catch (IOException e) {
            throw new UncheckedIOException(config + ": cannot read data config", e);
        } catch (RuntimeException e) {
            throw new DataFormatException(config, 0, "not valid YAML/JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) throw new DataFormatException(config, 0, "expected {name: {path, weight}}");
        List<Source> out = new ArrayList<>();
        Path base = config.toAbsolutePath().getParent();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = e.getValue();
            if (!s.isObject() || !s.path("path").isTextual())
                throw new DataFormatException(config, 0, "source '" + e.getKey() + "': expected {path: <shard list>, weight: <number>}");
            s.fieldNames().forEachRemaining(k -> {
                if (!SOURCE_KEYS.contains(k)) throw new DataFormatException(config, 0, "source '" + e.getKey() + "': unknown key '" + k + "'");
            });
            JsonNode w = s.path("weight");
            if (!w.isMissingNode() && !w.isNumber())
                throw new DataFormatException(config, 0, "source '" + e.getKey() + "': weight must be a number, got " + w);
            try {
                out.add(new Source(e.getKey(), base.resolve(s.get("path").asText()).normalize(), w.isMissingNode() ? 1.0 : w.doubleValue()));
            } catch (IllegalArgumentException ex) {
                throw new DataFormatException(config, 0, ex.getMessage());
            }
        }
        return new DataMix(out);
    }

    public List<Source> sources() {
        return sources;
    }

    /** The mixed shard list with OSUM's seed. */
    public List<String> shardList() {
        return shardList(OSUM_SEED);
    }

    /** The mixed shard list: weighted per source, shuffled with {@code seed}, reversed. */
    public List<String> shardList(long seed) {
        Random rng = new Random(seed);
        List<String> all = new ArrayList<>();
        for (Source s : sources) {
            List<String> lines = Shards.readList(s.path()).stream().map(Path::toString).toList();
            int repeats = (int) Math.floor(s.weight());
            for (int i = 0; i < repeats; i++) all.addAll(lines);
            double fraction = s.weight() - repeats;
            if (fraction > 0) {
                List<String> pool = new ArrayList<>(lines);
                Collections.shuffle(pool, rng);
                all.addAll(pool.subList(0, (int) Math.floor(lines.size() * fraction)));
            }
        }
        Collections.shuffle(all, rng);
        Collections.reverse(all);
        return all;
    }

    /** Writes {@link #shardList(long)} one path per line, atomically. */
    public void writeShardList(Path out, long seed) {
        try {
            Path abs = out.toAbsolutePath();
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, shardList(seed), StandardCharsets.UTF_8);
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write shard list", e);
        }
    }
}
