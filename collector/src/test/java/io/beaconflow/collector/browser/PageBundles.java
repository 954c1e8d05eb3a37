package io.beaconflow.collector.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the test pages' scripts from the committed npm project {@code src/test/browser} (pinned
 * SDK versions in its package-lock.json): copies it to {@code target/browser-test}, runs {@code npm
 * ci} there when the lock file changed since the last install (npm's cache makes a re-install
 * quick), then {@code node build.mjs} (esbuild). The sources stay free of node_modules.
 */
final class PageBundles {
    private PageBundles() {}

    static Path build(Path project, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work.resolve("src"));
        for (String f : List.of("package.json", "package-lock.json", "build.mjs")) {
            Files.copy(project.resolve(f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        try (Stream<Path> src = Files.list(project.resolve("src"))) {
            for (Path p : src.toList()) {
                Files.copy(
                        p,
                        work.resolve("src").resolve(p.getFileName()),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path installedLock = work.resolve("node_modules/.beaconflow-installed-lock.json");
        byte[] lock = Files.readAllBytes(work.resolve("package-lock.json"));
        if (!Files.exists(installedLock)
                || !Arrays.equals(Files.readAllBytes(installedLock), lock)) {
            run(work, 600, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
            Files.write(installedLock, lock);
        }
        run(work, 120, "node", "build.mjs", "dist");
        return work.resolve("dist").toAbsolutePath();
    }

    private static void run(Path dir, int timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        Path log = dir.resolve(command[0] + ".log");
        Process p =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command)
                            + " failed (exit "
                            + p.exitValue()
                            + ") in "
                            + dir
                            + ":\n"
                            + Files.readString(log));
        }
    }
}
