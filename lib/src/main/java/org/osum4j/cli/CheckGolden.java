package org.osum4j.cli;

import org.osum4j.golden.GoldenSuite;
import org.osum4j.golden.ParityReport;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code ./osum check-golden [DIR]}: the whole parity suite (features, encoder, decoder, OSUM end to end,
 * gradients) on a folder of golden fixtures. Prints one row per tensor and a last line {@code N/M tensors OK};
 * exits 1 when any tensor is off or any fixture could not be checked.
 */
final class CheckGolden implements Main.Command {

    @Override
    public String summary() {
        return "parity suite on a golden fixture folder (default ../shared/golden)";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("usage: ./osum check-golden [DIR]\n"
                    + "Checks every fixture folder under DIR (default: ../shared/golden beside the repository) against\n"
                    + "osum4j's implementation; prints name, max abs difference, tolerance, OK/NOT OK per tensor.");
            return 0;
        }
        if (args.length > 1) throw new IllegalArgumentException("expected at most one folder, got " + args.length + " arguments");
        Path dir = args.length == 1 ? Paths.get(args[0]).toAbsolutePath().normalize() : GoldenSuite.defaultDir();
        ParityReport report = new ParityReport();
        Checkers.all().run(dir, report);
        report.print(System.out);
        return report.allOk() ? 0 : 1;
    }
}
