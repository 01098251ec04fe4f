package org.osum4j.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entry point of the library's command-line tools, reached through {@code ./osum <command>}. Each command is
 * a small class with its own {@code --help}; this class only dispatches. The launcher script handles the
 * commands that are not Java (run, test, notebook, jshell, kernel install).
 */
public final class Main {

    /** A sub-command: runs with its arguments and returns the process exit status. */
    public interface Command {
        String summary();

        int run(String[] args) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("check-golden", new CheckGolden());
        COMMANDS.put("bench", new Bench());
        COMMANDS.put("eval", new Eval());
        COMMANDS.put("infer", new Infer());
        COMMANDS.put("runtime", new RuntimeInfo.Command());
        COMMANDS.put("backend", new RuntimeInfo.BackendCommand());
        COMMANDS.put("prepare", new Prepare());
        COMMANDS.put("convert", new ModelCommands.Convert());
        COMMANDS.put("export", new ModelCommands.Export());
        COMMANDS.put("describe", new ModelCommands.DescribeModel());
        COMMANDS.put("train", new Train());
        COMMANDS.put("ctc-eval", new CtcEval());
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Dispatches without exiting (for tests). */
    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("osum4j tools: ./osum <command> [--help]");
            COMMANDS.forEach((k, v) -> System.out.printf("  %-14s %s%n", k, v.summary()));
            return args.length == 0 ? 2 : 0;
        }
        Command c = COMMANDS.get(args[0]);
        if (c == null) {
            System.err.println("osum: unknown command '" + args[0] + "' (./osum --help lists the commands)");
            return 2;
        }
        try {
            // the ND4J backend is chosen (and logged) before any command touches ND4J; `backend` computes the
            // environment that choice needs, so it must not refuse a process that lacks it
            if (!args[0].equals("backend")) org.osum4j.model.Backends.select();
            return c.run(Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println("osum " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("osum " + args[0] + ": " + e);
            return 1;
        }
    }
}
