package io.beaconflow.detectors;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's folders as the tests find them, whichever module folder Maven runs them in. */
public final class RepoRoot {
    private RepoRoot() {}

    /** The nearest folder at or above the working directory that has the folder {@code marker}. */
    public static Path containing(String marker) {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve(marker))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    marker + " not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
