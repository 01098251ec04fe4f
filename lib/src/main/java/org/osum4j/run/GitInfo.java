package org.osum4j.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The commit a source tree is at, read from the {@code .git} files without running git (which may not be
 * installed where a model runs): HEAD, then the ref it names (loose file or {@code packed-refs}); git
 * worktrees ({@code .git} is a file pointing at the worktree's git dir) are followed. Not a git library:
 * it does not know whether the tree has uncommitted changes.
 */
public final class GitInfo {

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    private GitInfo() {}

    /** The commit hash of the repository containing {@code dir} (searched upwards), or empty when none is found. */
    public static Optional<String> commit(Path dir) {
        try {
            for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
                Path dotGit = d.resolve(".git");
                if (Files.isDirectory(dotGit)) return fromGitDir(dotGit);
                if (Files.isRegularFile(dotGit)) {
                    String s = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
                    if (!s.startsWith("gitdir:")) return Optional.empty();
                    Path gitDir = d.resolve(s.substring("gitdir:".length()).strip()).normalize();
                    return fromGitDir(gitDir);
                }
            }
        } catch (IOException e) {
            return Optional.empty();       // an unreadable .git is "unknown commit", not a failed run
        }
        return Optional.empty();
    }

    /** Resolves HEAD inside a git dir; worktree git dirs name their shared repository in {@code commondir}. */
    static Optional<String> fromGitDir(Path gitDir) throws IOException {
        Path headFile = gitDir.resolve("HEAD");
        if (!Files.isRegularFile(headFile)) return Optional.empty();
        String head = Files.readString(headFile, StandardCharsets.UTF_8).strip();
        if (HASH.matcher(head).matches()) return Optional.of(head);                  // detached HEAD
        if (!head.startsWith("ref:")) return Optional.empty();
        String ref = head.substring("ref:".length()).strip();
        Path common = gitDir;
        Path commonFile = gitDir.resolve("commondir");
        if (Files.isRegularFile(commonFile))
            common = gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).strip()).normalize();
        for (Path base : List.of(gitDir, common)) {
            Path loose = base.resolve(ref);
            if (Files.isRegularFile(loose)) {
                String h = Files.readString(loose, StandardCharsets.UTF_8).strip();
                if (HASH.matcher(h).matches()) return Optional.of(h);
            }
        }
        Path packed = common.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                if (line.startsWith("#") || line.startsWith("^")) continue;
                String[] parts = line.strip().split(" ", 2);
                if (parts.length == 2 && parts[1].equals(ref) && HASH.matcher(parts[0]).matches()) return Optional.of(parts[0]);
            }
        }
        return Optional.empty();                                                     // unborn branch
    }
}
