package io.beaconflow.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The running stack of {@code scripts/stack.sh} as the cluster ITCases see it: addresses from the
 * {@code BEACONFLOW_*} variables that {@code scripts/stack.sh env} exports, the user-facing scripts
 * ({@code scripts/submit.sh}, {@code scripts/stack.sh tm|jm ...}) run as a user would, and the
 * Flink REST API for observing jobs.
 */
final class ClusterStack {
    static final Path REPO = findRepo();
    static final Path JOB_JAR = REPO.resolve("jobs/target/beaconflow-job.jar");
    private static final ObjectMapper JSON = new ObjectMapper();

    final String flinkRest = env("BEACONFLOW_FLINK_REST", "http://127.0.0.1:8081");
    final String kafkaBootstrap = env("BEACONFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    final String elasticsearchUrl = env("BEACONFLOW_ES_URL", "http://127.0.0.1:9200");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("scripts/stack.sh"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("not inside the beaconflow repository");
        return p;
    }

    /** Fails with the command to run when the cluster is not there. */
    void requireCluster() {
        Optional<JsonNode> overview = tryGet("/overview");
        if (overview.isEmpty() || overview.get().path("taskmanagers").asInt() < 1) {
            throw new IllegalStateException(
                    "no Flink cluster with a TaskManager at "
                            + flinkRest
                            + ": start it with scripts/stack.sh up kafka es flink and export"
                            + " $(scripts/stack.sh env)");
        }
        if (!Files.isRegularFile(JOB_JAR)) {
            throw new IllegalStateException(
                    JOB_JAR + " missing: the ITCases run after `package` (mvn verify)");
        }
    }

    // ------------------------------------------------------------------ scripts

    /** Runs a repository script; returns its stdout (stderr goes to the test log). */
    String script(Duration timeout, String... command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(REPO.resolve(command[0]).toString());
        for (int i = 1; i < command.length; i++) cmd.add(command[i]);
        return run(timeout, cmd);
    }

    /**
     * Runs {@code lines} as one bash script ({@code set -euo pipefail}) from the repository root,
     * as a user types them; returns its stdout.
     */
    String bash(Duration timeout, String... lines) {
        return run(
                timeout, List.of("bash", "-c", "set -euo pipefail\n" + String.join("\n", lines)));
    }

    private String run(Duration timeout, List<String> cmd) {
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(cmd)
                            .directory(REPO.toFile())
                            .redirectError(ProcessBuilder.Redirect.INHERIT);
            // The scripts test the jar `package` built in this same `mvn verify`: a rebuild from
            // inside it (submit.sh rebuilds a default jar older than the sources) would write to
            // the target directories Maven is using.
            pb.environment().put("BEACONFLOW_SKIP_BUILD", "1");
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code scripts/submit.sh ARGS}: the job id (or savepoint path) it prints. */
    String submit(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "scripts/submit.sh";
        System.arraycopy(args, 0, cmd, 1, args.length);
        String out = script(Duration.ofMinutes(3), cmd);
        String[] lines = out.split("\n");
        return lines[lines.length - 1].trim();
    }

    String stack(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "scripts/stack.sh";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return script(Duration.ofMinutes(4), cmd);
    }

    // ------------------------------------------------------------------ REST

    JsonNode get(String path) {
        return tryGet(path)
                .orElseThrow(
                        () -> new IllegalStateException("GET " + flinkRest + path + " failed"));
    }

    Optional<JsonNode> tryGet(String path) {
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(flinkRest + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return Optional.empty();
            return Optional.of(JSON.readTree(r.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Cancels through the REST API; a job that is already gone is fine. */
    void cancelQuietly(String jobId) {
        if (jobId == null) return;
        try {
            http.send(
                    HttpRequest.newBuilder(
                                    URI.create(flinkRest + "/jobs/" + jobId + "?mode=cancel"))
                            .timeout(Duration.ofSeconds(10))
                            .method("PATCH", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            await(
                    "job " + jobId + " to leave the cluster",
                    Duration.ofSeconds(60),
                    () -> {
                        String s = jobState(jobId);
                        return s == null
                                || s.equals("CANCELED")
                                || s.equals("FAILED")
                                || s.equals("FINISHED");
                    });
        } catch (Exception e) {
            System.err.println("cancel " + jobId + ": " + e);
        }
    }

    /** The job's state, or null when the cluster does not know it. */
    String jobState(String jobId) {
        return tryGet("/jobs/" + jobId).map(j -> j.path("state").asText()).orElse(null);
    }

    /** True when the job and every one of its tasks are RUNNING. */
    boolean allTasksRunning(String jobId) {
        Optional<JsonNode> j = tryGet("/jobs/" + jobId);
        if (j.isEmpty() || !"RUNNING".equals(j.get().path("state").asText())) return false;
        for (JsonNode v : j.get().path("vertices")) {
            JsonNode tasks = v.path("tasks");
            if (tasks.path("RUNNING").asInt() != v.path("parallelism").asInt()) return false;
        }
        return true;
    }

    /** {@code counts} of {@code /jobs/:id/checkpoints}: completed, restored, failed, ... */
    JsonNode checkpointCounts(String jobId) {
        return tryGet("/jobs/" + jobId + "/checkpoints")
                .map(c -> c.path("counts"))
                .orElse(JSON.createObjectNode());
    }

    /** Path of the latest completed checkpoint, or null. */
    String latestCheckpointPath(String jobId) {
        return tryGet("/jobs/" + jobId + "/checkpoints")
                .map(c -> c.path("latest").path("completed").path("external_path").asText(null))
                .orElse(null);
    }

    int registeredTaskManagers() {
        return tryGet("/overview").map(o -> o.path("taskmanagers").asInt()).orElse(0);
    }

    // ------------------------------------------------------------------ waiting

    /** Polls {@code condition} every 200 ms until it holds; fails naming what was awaited. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }
}
