package org.osum4j.cli;

import org.osum4j.infer.Osum;
import org.osum4j.model.io.OsumConfig;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code ./osum convert}, {@code ./osum export} and {@code ./osum describe}: argument parsing around
 * {@link Osum#convert}, {@link Osum#export} and {@link OsumConfig#describe()}. No model math and no file
 * format logic here.
 */
final class ModelCommands {

    private ModelCommands() {
    }

    /** {@code ./osum convert --in OSUM_DIR --out DIR [--bf16]}. */
    static final class Convert implements Main.Command {
        private static final String USAGE = """
                usage: ./osum convert --in OSUM_DIR --out DIR [--bf16]
                  --in    OSUM's release layout: infer.pt + OSUM config (config.json or *.yaml) + llm/ (Qwen2 config, tokenizer)
                  --out   this project's layout: sharded safetensors (canonical names), config.json, tokenizer.json
                  --bf16  store F32 weights as BF16 (half the size; round to nearest even)""";

        @Override
        public String summary() {
            return "OSUM release folder (infer.pt) -> sharded safetensors + config + tokenizer.json";
        }

        @Override
        public int run(String[] args) throws Exception {
            Args a = Args.parse(args, USAGE, true);
            if (a == null) return 0;
            Osum.convert(a.in, a.out, a.bf16);
            System.out.println("converted " + a.in + " -> " + a.out + (a.bf16 ? " (bf16)" : ""));
            return 0;
        }
    }

    /** {@code ./osum export --in DIR --out DIR}. */
    static final class Export implements Main.Command {
        private static final String USAGE = """
                usage: ./osum export --in DIR --out DIR
                  --in    a model folder (this project's layout, or OSUM's)
                  --out   safetensors with OSUM's state-dict names (as infer.pt), OSUM config.json, llm/ (config + tokenizer.json)""";

        @Override
        public String summary() {
            return "model folder -> safetensors with OSUM's names + OSUM config, for the Python tool chain";
        }

        @Override
        public int run(String[] args) throws Exception {
            Args a = Args.parse(args, USAGE, false);
            if (a == null) return 0;
            Osum.export(a.in, a.out);
            System.out.println("exported " + a.in + " -> " + a.out);
            return 0;
        }
    }

    /** {@code ./osum describe [DIR]}: parameter counts and memory per part (OSUM-7B without DIR). */
    static final class DescribeModel implements Main.Command {
        @Override
        public String summary() {
            return "parameter counts and memory per part of a model folder's config (default: OSUM-7B)";
        }

        @Override
        public int run(String[] args) throws Exception {
            if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
                System.out.println("usage: ./osum describe [DIR]   (reads only the config; no weights are loaded)");
                return 0;
            }
            if (args.length > 1) throw new IllegalArgumentException("expected at most one folder, got " + args.length + " arguments");
            OsumConfig c = args.length == 1 ? OsumConfig.read(Paths.get(args[0])) : OsumConfig.osum7b();
            System.out.println(c.describe());
            return 0;
        }
    }

    /** --in, --out and (convert only) --bf16. */
    private record Args(Path in, Path out, boolean bf16) {
        static Args parse(String[] args, String usage, boolean allowBf16) {
            Path in = null, out = null;
            boolean bf16 = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        System.out.println(usage);
                        return null;
                    }
                    case "--in" -> in = Paths.get(value(args, ++i, "--in"));
                    case "--out" -> out = Paths.get(value(args, ++i, "--out"));
                    case "--bf16" -> {
                        if (!allowBf16) throw new IllegalArgumentException("--bf16 is only for convert\n" + usage);
                        bf16 = true;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'\n" + usage);
                }
            }
            if (in == null || out == null) throw new IllegalArgumentException("--in and --out are required\n" + usage);
            if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("--out must differ from --in");
            }
            return new Args(in, out, bf16);
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
            return args[i];
        }
    }
}
