package org.osum4j.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands the arguments of {@code %classpath}: entries separated by spaces or the path separator;
 * {@code dir/*} means every jar in {@code dir} (as on a {@code java -cp} line); a {@code *} or
 * {@code ?} in the last name is a glob over that folder. Relative entries resolve against the
 * kernel's working folder (the notebook's folder under Jupyter).
 */
final class ClassPathPatterns {

    private ClassPathPatterns() {}

    /**
     * @return absolute, existing class path entries, in the order given (globs sorted by name)
     * @throws IllegalArgumentException naming the entry that matched nothing
     */
    static List<String> expand(String args, Path base) {
        List<String> entries = new ArrayList<>();
        for (String pattern : args.strip().split("[\\s" + File.pathSeparator + "]+")) {
            if (pattern.isEmpty()) {
                continue;
            }
            Path path = base.resolve(pattern.startsWith("~/")
                    ? System.getProperty("user.home") + pattern.substring(1) : pattern);
            String name = path.getFileName() == null ? "" : path.getFileName().toString();
            if (!name.contains("*") && !name.contains("?")) {
                if (!Files.exists(path)) {
                    throw new IllegalArgumentException("%classpath: " + path + " does not exist");
                }
                entries.add(path.toAbsolutePath().normalize().toString());
                continue;
            }
            String glob = name.equals("*") ? "*.{jar,JAR}" : name;
            List<String> matched = new ArrayList<>();
            Path dir = path.getParent();
            if (dir != null && Files.isDirectory(dir)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, glob)) {
                    children.forEach(p -> matched.add(p.toAbsolutePath().normalize().toString()));
                } catch (IOException e) {
                    throw new IllegalArgumentException("%classpath: cannot list " + dir + ": " + e.getMessage(), e);
                }
            }
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("%classpath: " + pattern + " matched no file");
            }
            matched.sort(null);
            entries.addAll(matched);
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("%classpath: expected jars or folders, e.g. %classpath lib/*");
        }
        return entries;
    }
}
