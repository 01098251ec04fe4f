package org.osum4j.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession.CloseableSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Resolves {@code group:artifact[:extension[:classifier]]:version} with its runtime dependencies
 * for the {@code %maven} magic: first offline from the local repository (fast, works without
 * network), then, if something is missing, online from Maven Central into the local repository.
 *
 * <p>The local repository is {@code -Dmaven.repo.local} or {@code ~/.m2/repository}. Not a build
 * tool: no settings.xml, mirrors or proxies.
 */
final class MavenResolver {

    static final String CENTRAL_URL = "https://repo.maven.apache.org/maven2/";

    private final Path localRepository;
    private final List<RemoteRepository> remotes;
    private RepositorySystem system;

    MavenResolver(Path localRepository, List<RemoteRepository> remotes) {
        this.localRepository = localRepository;
        this.remotes = List.copyOf(remotes);
    }

    /** Local repository from {@code maven.repo.local} (else {@code ~/.m2/repository}) and Central. */
    static MavenResolver standard() {
        String configured = System.getProperty("maven.repo.local");
        Path local = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        RemoteRepository central = new RemoteRepository.Builder("central", "default", CENTRAL_URL).build();
        return new MavenResolver(local, List.of(central));
    }

    Path localRepository() {
        return localRepository;
    }

    /**
     * The artifact's file followed by its transitive runtime dependencies' files.
     *
     * @throws IllegalArgumentException when the coordinates are malformed
     * @throws DependencyResolutionException when something cannot be found offline or online
     */
    synchronized List<Path> resolve(String coordinates) throws DependencyResolutionException {
        DefaultArtifact artifact;
        try {
            artifact = new DefaultArtifact(coordinates.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad Maven coordinates '" + coordinates
                    + "': expected group:artifact[:extension[:classifier]]:version", e);
        }
        if (system == null) {
            system = new RepositorySystemSupplier().get();
        }
        try {
            return resolve(artifact, true);
        } catch (DependencyResolutionException offline) {
            try {
                return resolve(artifact, false);
            } catch (DependencyResolutionException online) {
                online.addSuppressed(offline);
                throw online;
            }
        }
    }

    private List<Path> resolve(DefaultArtifact artifact, boolean offline) throws DependencyResolutionException {
        try (CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .setOffline(offline)
                .setSystemProperties(System.getProperties())
                .build()) {
            CollectRequest collect = new CollectRequest(new Dependency(artifact, JavaScopes.RUNTIME),
                    system.newResolutionRepositories(session, remotes));
            DependencyRequest request = new DependencyRequest(collect,
                    DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            List<Path> files = new ArrayList<>();
            for (ArtifactResult result : system.resolveDependencies(session, request).getArtifactResults()) {
                files.add(result.getArtifact().getPath());
            }
            return files;
        }
    }
}
