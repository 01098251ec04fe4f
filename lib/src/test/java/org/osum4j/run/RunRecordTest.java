package org.osum4j.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Git commit lookup without git, and the run record's JSON form. */
class RunRecordTest {

    @TempDir
    Path dir;

    private static final String HASH_A = "0123456789abcdef0123456789abcdef01234567";
    private static final String HASH_B = "89abcdef0123456789abcdef0123456789abcdef";

    @Test
    void gitCommit_looseRefFromASubdirectory() throws Exception {
        Files.createDirectories(dir.resolve(".git/refs/heads"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(dir.resolve(".git/refs/heads/main"), HASH_A + "\n");
        Files.createDirectories(dir.resolve("lib/src"));
        assertEquals(Optional.of(HASH_A), GitInfo.commit(dir.resolve("lib/src")));
    }

    @Test
    void gitCommit_packedRef() throws Exception {
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/dev\n");
        Files.writeString(dir.resolve(".git/packed-refs"), "# pack-refs with: peeled\n" + HASH_A + " refs/heads/main\n" + HASH_B + " refs/heads/dev\n");
        assertEquals(Optional.of(HASH_B), GitInfo.commit(dir));
    }

    @Test
    void gitCommit_worktreeFileFollowsGitdirAndCommondir() throws Exception {
        Path repo = dir.resolve("repo/.git");
        Path wtGit = repo.resolve("worktrees/wt");
        Files.createDirectories(wtGit);
        Files.createDirectories(repo.resolve("refs/heads"));
        Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/feature\n");
        Files.writeString(wtGit.resolve("commondir"), "../..\n");
        Files.writeString(repo.resolve("refs/heads/feature"), HASH_B + "\n");
        Path wt = dir.resolve("wt");
        Files.createDirectories(wt);
        Files.writeString(wt.resolve(".git"), "gitdir: " + wtGit + "\n");
        assertEquals(Optional.of(HASH_B), GitInfo.commit(wt));
    }

    @Test
    void gitCommit_detachedHead() throws Exception {
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), HASH_A + "\n");
        assertEquals(Optional.of(HASH_A), GitInfo.commit(dir));
    }

    @Test
    void runRecord_jsonRoundTripWithClockAndRuntime() throws Exception {
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), HASH_A + "\n");
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
        RunRecord r = RunRecord.start("osum", "/m", Map.of("beam", 4), dir, clock).withRuntime(Map.of("threads", "8")).withExtra("host", "x");
        assertEquals(HASH_A, r.gitCommit());
        assertEquals("2026-11-26T12:00:00Z", r.date());
        assertEquals(r, RunRecord.fromJson(r.toJson()));
    }
}
