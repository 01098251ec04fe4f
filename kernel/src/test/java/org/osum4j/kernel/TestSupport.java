package org.osum4j.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Shared helpers of the kernel tests: the repository root and Debian's python with jupyter_client. */
final class TestSupport {

    private TestSupport() {}

    /** The repository root (surefire sets osum.root; else searched upwards from the working directory). */
    static Path repoRoot() {
        String r = System.getProperty("osum.root");
        if (r != null && !r.isBlank()) return Paths.get(r).toAbsolutePath().normalize();
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("osum")) && Files.exists(p.resolve("pom.xml"))) return p;
        }
        throw new IllegalStateException("repository root not found from " + Paths.get("").toAbsolutePath());
    }

    /** Debian's python3, which has jupyter_client and nbclient (CI installs them). */
    static String python() {
        Path py = Paths.get("/usr/bin/python3");
        if (!Files.isExecutable(py)) {
            throw new IllegalStateException("/usr/bin/python3 not found: install python3 and "
                    + "jupyter-client python3-nbclient python3-nbconvert (apt-get)");
        }
        return py.toString();
    }

    /** The java executable of the running JVM. */
    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
