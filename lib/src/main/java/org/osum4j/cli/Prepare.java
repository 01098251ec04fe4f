package org.osum4j.cli;

import org.osum4j.data.Corpus;
import org.osum4j.data.Report;
import org.osum4j.data.Shards;
import org.osum4j.data.Utterance;
import org.osum4j.golden.GoldenSuite;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./osum prepare <synth|librispeech|iemocap|shards> ...}: turns corpora into OSUM data lists and lists
 * into WeNet tar shards, printing a summary (items per task, hours, what was skipped and why). The synthetic
 * corpus is made by the Python generator {@code data/synth/make_corpus.py} (run from the repository root,
 * its output streamed). Loading and shard writing live in {@code org.osum4j.data}; this class parses options.
 */
final class Prepare implements Main.Command {

    /** Tools the synthetic-corpus generator needs on PATH, with the Debian package that has each. */
    private static final Map<String, String> SYNTH_TOOLS = new LinkedHashMap<>();

    static {
        SYNTH_TOOLS.put("python3", "python3");
        SYNTH_TOOLS.put("espeak-ng", "espeak-ng");
        SYNTH_TOOLS.put("sox", "sox");
        SYNTH_TOOLS.put("flac", "flac");
    }

    static final String SYNTH_SCRIPT = "data/synth/make_corpus.py";
    private static final int DEFAULT_PER_SHARD = 1000;   // OSUM's shards hold ~1000 utterances (spec §3.1)

    private final PrintStream sink;    // null: System.out at the time of the call (tests may swap it)
    private final String searchPath;   // PATH used to find the generator's tools (injectable for tests)

    Prepare() {
        this(null, System.getenv().getOrDefault("PATH", ""));
    }

    Prepare(PrintStream out, String searchPath) {
        this.sink = out;
        this.searchPath = searchPath;
    }

    @Override
    public String summary() {
        return "corpora -> OSUM data lists, lists -> tar shards (synth, librispeech, iemocap, shards)";
    }

    private static final String USAGE = """
            usage: ./osum prepare <sub-command> [options]   (each sub-command has --help)
              synth --out DIR [--seed N] [--train N --dev N --test N] [--flac] [--no-noise] [--jobs N]
                                 generate the synthetic multi-task corpus (data/synth/make_corpus.py)
              librispeech DIR --out LIST.jsonl [--gender] [--strict]
                                 LibriSpeech tree -> <TRANSCRIBE> (and <TRANSCRIBE> <GENDER>) items
              iemocap DIR --out LIST.jsonl [--tasks ser,sgc] [--strict]
                                 IEMOCAP release -> <TRANSCRIBE> <EMOTION> and <TRANSCRIBE> <GENDER> items
              shards LIST.jsonl --out DIR [--per-shard N]
                                 data list -> WeNet tar shards + DIR/shards.list""";

    @Override
    public int run(String[] args) throws Exception {
        if (args.length == 0 || isHelp(args[0])) {
            out().println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "synth" -> synth(rest);
            case "librispeech" -> librispeech(rest);
            case "iemocap" -> iemocap(rest);
            case "shards" -> shards(rest);
            default -> throw new IllegalArgumentException("unknown sub-command '" + args[0] + "'\n" + USAGE);
        };
    }

    // ---- sub-commands --------------------------------------------------------------------------------

    private int librispeech(String[] args) {
        Opts o = Opts.parse("librispeech", args, Set.of("--out"), Set.of("--gender", "--strict"));
        if (o.help) {
            out().println("""
                    usage: ./osum prepare librispeech DIR --out LIST.jsonl [--gender] [--strict]
                    Reads DIR/<subset>/<speaker>/<chapter>/*.flac + *.trans.txt (+ SPEAKERS.TXT for the reader's sex;
                    DIR may also be one subset folder) and writes an OSUM jsonl list of <TRANSCRIBE> items (transcripts
                    lower-cased), plus <TRANSCRIBE> <GENDER> items with --gender (keys then end in _asr / _sgc).
                    A FLAC without a transcript line or a line without its FLAC is skipped and counted; --strict stops
                    at the first one with the file and line instead.""");
            return 0;
        }
        Path dir = o.onePositional("LibriSpeech folder");
        Corpus c = Corpus.librispeech(dir, o.flag("--strict") ? Corpus.OnMissing.FAIL : Corpus.OnMissing.SKIP);
        if (o.flag("--gender")) c = c.withTasks(Corpus.LIBRISPEECH_TASK, "<TRANSCRIBE> <GENDER>");
        return saveCorpus(c, o.required("--out"));
    }

    private int iemocap(String[] args) {
        Opts o = Opts.parse("iemocap", args, Set.of("--out", "--tasks"), Set.of("--strict"));
        if (o.help) {
            out().println("""
                    usage: ./osum prepare iemocap DIR --out LIST.jsonl [--tasks ser,sgc] [--strict]
                    Reads DIR/Session*/sentences/wav/<dialog>/<turn>.wav with dialog/EmoEvaluation and
                    dialog/transcriptions and writes <TRANSCRIBE> <EMOTION> (ser) and <TRANSCRIBE> <GENDER> (sgc) items
                    (default both; keys <turn>_ser / <turn>_sgc). Emotions: neu->neutral, hap/exc->happy, sad->sad,
                    ang->anger, fru->other, sur->surprise, fea->fear, dis->disgust, oth->other, xxx dropped from
                    <EMOTION> (see data/CORPORA.md). Missing audio/transcripts are skipped and counted; --strict
                    stops at the first one with the file and line.""");
            return 0;
        }
        Path dir = o.onePositional("IEMOCAP folder");
        Corpus c = Corpus.iemocap(dir, o.flag("--strict") ? Corpus.OnMissing.FAIL : Corpus.OnMissing.SKIP);
        String tasks = o.value("--tasks");
        if (tasks != null) {
            List<String> tags = new ArrayList<>();
            for (String t : tasks.split(",")) {
                switch (t.strip().toLowerCase(Locale.ROOT)) {
                    case "ser" -> tags.add("<TRANSCRIBE> <EMOTION>");
                    case "sgc" -> tags.add("<TRANSCRIBE> <GENDER>");
                    case "asr" -> tags.add("<TRANSCRIBE>");
                    default -> throw new IllegalArgumentException("--tasks: unknown task '" + t.strip() + "' (expected ser, sgc, asr)");
                }
            }
            c = c.withTasks(tags.toArray(String[]::new));
        }
        return saveCorpus(c, o.required("--out"));
    }

    private int shards(String[] args) {
        Opts o = Opts.parse("shards", args, Set.of("--out", "--per-shard"), Set.of());
        if (o.help) {
            out().println("""
                    usage: ./osum prepare shards LIST.jsonl --out DIR [--per-shard N]
                    Packs the items of an OSUM jsonl list (wav paths relative to the list's folder) with their audio
                    into WeNet tar shards DIR/shard_000000.tar, ... of N items each (default 1000) and writes
                    DIR/shards.list (absolute shard paths), the input of OSUM's shard_full_data loader. Items whose
                    audio is missing are skipped and counted.""");
            return 0;
        }
        Path list = o.onePositional("data list");
        int perShard = o.intValue("--per-shard", DEFAULT_PER_SHARD);
        if (perShard < 1) throw new IllegalArgumentException("--per-shard must be >= 1, got " + perShard);
        Path dir = Path.of(o.required("--out"));
        Corpus c = Corpus.list(list);
        List<Utterance> items = c.utterances();
        if (items.isEmpty()) throw new IllegalArgumentException(list + ": no items with audio to pack");
        List<Path> shards = Shards.write(items, dir, perShard, null);
        out().printf(Locale.ROOT, "%d items, %.3f h -> %d shard(s) of <= %d in %s%n", items.size(), c.hours(), shards.size(),
                perShard, dir.toAbsolutePath().normalize());
        out().println("shard list: " + dir.resolve(Shards.LIST_NAME).toAbsolutePath().normalize());
        printReport(c.loadReport());
        return 0;
    }

    private int synth(String[] args) throws Exception {
        Opts o = Opts.parse("synth", args, Set.of("--out", "--seed", "--train", "--dev", "--test", "--jobs"),
                Set.of("--flac", "--no-noise"));
        if (o.help) {
            out().println("""
                    usage: ./osum prepare synth --out DIR [--seed N] [--train N --dev N --test N] [--flac] [--no-noise] [--jobs N]
                    Runs python3 data/synth/make_corpus.py from the repository root (needs python3, espeak-ng, sox, flac:
                    sudo apt-get install -y espeak-ng sox flac) and streams its output. Writes DIR/{train,dev,test}.jsonl,
                    DIR/wav/<split>/, manifest.json and DATA_CARD.md; defaults 2000/150/300 utterances, seed 1, WAV.
                    The same seed and tool versions give byte-identical files; --jobs does not change the output.""");
            return 0;
        }
        if (!o.positionals.isEmpty()) throw new IllegalArgumentException("synth takes no positional arguments, got " + o.positionals);
        Path outDir = Path.of(o.required("--out")).toAbsolutePath().normalize();
        List<String> missing = new ArrayList<>();
        SYNTH_TOOLS.forEach((tool, pkg) -> {
            if (findOnPath(tool) == null) missing.add(tool);
        });
        if (!missing.isEmpty())
            throw new IllegalStateException("prepare synth needs " + String.join(", ", missing) + " on PATH; install with: sudo apt-get install -y "
                    + String.join(" ", missing.stream().map(SYNTH_TOOLS::get).toList()));
        Path root = GoldenSuite.repoRoot();
        Path script = root.resolve(SYNTH_SCRIPT);
        if (!Files.isRegularFile(script))
            throw new IllegalStateException("generator not found: " + script + " (run from the osum4j repository, or set -Dosum.root)");
        List<String> cmd = new ArrayList<>(List.of(findOnPath("python3").toString(), script.toString(), "--out", outDir.toString()));
        for (String k : List.of("--seed", "--train", "--dev", "--test", "--jobs")) {
            if (o.value(k) != null) {
                cmd.add(k);
                cmd.add(String.valueOf(o.intValue(k, 0)));
            }
        }
        for (String f : List.of("--flac", "--no-noise")) if (o.flag(f)) cmd.add(f);
        out().println("running: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) out().println("  | " + line);
        }
        int rc = p.waitFor();
        if (rc != 0) {
            out().println("prepare synth: generator exited with status " + rc);
            return 1;
        }
        for (String split : List.of("train", "dev", "test")) {
            Path list = outDir.resolve(split + ".jsonl");
            if (!Files.isRegularFile(list)) continue;
            Corpus c = Corpus.list(list);
            out().printf(Locale.ROOT, "%-5s %5d items  %.3f h  %s%n", split, c.utterances().size(), c.hours(), list);
            if (c.loadReport().skippedCount() > 0) printReport(c.loadReport());
        }
        return 0;
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private int saveCorpus(Corpus c, String outList) {
        List<Utterance> items = c.utterances();
        if (items.isEmpty()) {
            printReport(c.loadReport());
            printReport(c.taskReport());
            throw new IllegalArgumentException(c.name() + ": no items to write");
        }
        Path saved = c.save(Path.of(outList));
        printSummary(c.manifest().summary());
        out().printf(Locale.ROOT, "%s: %d recordings -> %d items (%s), %.3f h (a recording counts once per task)%n", c.name(), c.entries().size(),
                items.size(), String.join(", ", c.tasks()), c.hours());
        printReport(c.loadReport());
        printReport(c.taskReport());
        out().println("wrote " + saved);
        return 0;
    }

    /** The manifest summary, one line per task, rounded for a terminal. */
    private void printSummary(tech.tablesaw.api.Table s) {
        out().printf(Locale.ROOT, "%-36s %8s %9s %8s %8s %8s %9s%n", "task", "items", "hours", "mean_s", "min_s", "max_s", "speakers");
        for (int r = 0; r < s.rowCount(); r++) {
            out().printf(Locale.ROOT, "%-36s %8d %9.3f %8.2f %8.2f %8.2f %9d%n", s.stringColumn("task").get(r),
                    s.intColumn("utterances").getInt(r), s.doubleColumn("hours").getDouble(r), s.doubleColumn("mean_s").getDouble(r),
                    s.doubleColumn("min_s").getDouble(r), s.doubleColumn("max_s").getDouble(r), s.intColumn("speakers").getInt(r));
        }
    }

    private PrintStream out() {
        return sink != null ? sink : System.out;
    }

    private void printReport(Report r) {
        out().println(r);
    }

    /** The first executable named {@code tool} on the search path, or null. */
    Path findOnPath(String tool) {
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static boolean isHelp(String a) {
        return a.equals("--help") || a.equals("-h");
    }

    /** Parsed options of one sub-command: positionals, {@code --key value} options and {@code --flag}s. */
    private static final class Opts {
        final List<String> positionals = new ArrayList<>();
        final Map<String, String> values = new LinkedHashMap<>();
        final Set<String> flags = new java.util.HashSet<>();
        final String command;
        boolean help;

        private Opts(String command) {
            this.command = command;
        }

        static Opts parse(String command, String[] args, Set<String> valued, Set<String> flags) {
            Opts o = new Opts(command);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (isHelp(a)) {
                    o.help = true;
                } else if (valued.contains(a)) {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(command + ": " + a + " needs a value");
                    o.values.put(a, args[++i]);
                } else if (flags.contains(a)) {
                    o.flags.add(a);
                } else if (a.startsWith("--")) {
                    throw new IllegalArgumentException(command + ": unknown option '" + a + "' (see ./osum prepare " + command + " --help)");
                } else {
                    o.positionals.add(a);
                }
            }
            return o;
        }

        Path onePositional(String what) {
            if (positionals.size() != 1)
                throw new IllegalArgumentException(command + ": expected one " + what + ", got " + positionals
                        + " (see ./osum prepare " + command + " --help)");
            return Path.of(positionals.get(0));
        }

        String value(String k) {
            return values.get(k);
        }

        String required(String k) {
            String v = values.get(k);
            if (v == null) throw new IllegalArgumentException(command + ": " + k + " is required (see ./osum prepare " + command + " --help)");
            return v;
        }

        int intValue(String k, int dflt) {
            String v = values.get(k);
            if (v == null) return dflt;
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(command + ": " + k + " expects an integer, got '" + v + "'");
            }
        }

        boolean flag(String f) {
            return flags.contains(f);
        }
    }
}
