package org.osum4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.eclipse.aether.resolution.DependencyResolutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** %maven's resolver against a throw-away local repository (no network: no remote repositories). */
class MavenResolverTest {

    @TempDir
    Path repo;

    private void artifact(String artifactId, String dependencies) throws Exception {
        Path dir = Files.createDirectories(repo.resolve("demo").resolve(artifactId).resolve("1.0"));
        try (OutputStream out = Files.newOutputStream(dir.resolve(artifactId + "-1.0.jar"));
             JarOutputStream jar = new JarOutputStream(out, new Manifest())) {
            jar.flush();
        }
        Files.writeString(dir.resolve(artifactId + "-1.0.pom"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>demo</groupId><artifactId>%s</artifactId><version>1.0</version>
                  <dependencies>%s</dependencies>
                </project>
                """.formatted(artifactId, dependencies));
    }

    @Test
    void resolve_includesTransitiveRuntimeDependenciesOnly() throws Exception {
        artifact("app", """
                <dependency><groupId>demo</groupId><artifactId>lib</artifactId><version>1.0</version></dependency>
                <dependency><groupId>demo</groupId><artifactId>tests</artifactId><version>1.0</version>
                  <scope>test</scope></dependency>""");
        artifact("lib", """
                <dependency><groupId>demo</groupId><artifactId>deep</artifactId><version>1.0</version></dependency>""");
        artifact("deep", "");
        List<Path> files = new MavenResolver(repo, List.of()).resolve("demo:app:1.0");
        assertEquals(List.of("app-1.0.jar", "lib-1.0.jar", "deep-1.0.jar"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        assertTrue(files.stream().allMatch(Files::exists));
    }

    @Test
    void resolve_missingArtifact_fails() {
        assertThrows(DependencyResolutionException.class,
                () -> new MavenResolver(repo, List.of()).resolve("demo:absent:1.0"));
    }

    @Test
    void resolve_badCoordinates_explainFormat() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MavenResolver(repo, List.of()).resolve("just-a-name"));
        assertTrue(e.getMessage().contains("group:artifact"), e.getMessage());
    }
}
