package io.beaconflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What identifies an {@code evaluate --cache} recording (the metric rows and route activity
 * detection reads): the scenario file, the seed, the duration, the parts of the job config that
 * shape those rows, the generator config, and the build of the code that produces them. A changed
 * input never replays stale rows; a change to scoring, patterns, alerting or the detectors (what
 * the cache exists to compare quickly) replays the same recording.
 */
final class RecordingKey {
    private RecordingKey() {}

    /**
     * The recording's folder name: the scenario's label and seed for people, and a hash of
     * everything the recorded rows depend on (the scenario file, seed, duration, the job and
     * generator config files, the build) so a changed input never replays stale rows.
     *
     * @param jobConfig the job config file, or null for the built-in defaults
     * @param generatorConfig the generator config file, or null for the built-in defaults
     */
    static String of(
            String label,
            Path scenario,
            long seed,
            String duration,
            Path jobConfig,
            Path generatorConfig)
            throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(Files.readAllBytes(scenario));
        // Contents, not paths: the same files in another checkout replay the same recordings.
        for (byte[] content :
                new byte[][] {recordedPart(contentOf(jobConfig)), contentOf(generatorConfig)}) {
            sha.update(Integer.toString(content.length).getBytes(StandardCharsets.UTF_8));
            sha.update(content);
        }
        sha.update((duration + "|" + seed + "|" + buildId()).getBytes(StandardCharsets.UTF_8));
        String hex = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        return label + "-seed" + seed + "-" + hex;
    }

    private static byte[] contentOf(Path p) throws IOException {
        return p != null && Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0];
    }

    /**
     * The part of a job config file the recorded rows depend on: everything but the {@code
     * comparisons} section and the {@code detection} section, of which only the window, the allowed
     * lateness and the rage-click burst settings shape a recording (the route activity). Scoring,
     * pattern and alerting settings ({@code zero-fill}, {@code sustained}, {@code alerting}, ...)
     * replay the same recording, as a spec file does; a file that does not parse is taken whole.
     */
    static byte[] recordedPart(byte[] config) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode tree;
        try {
            tree = yaml.readTree(config);
        } catch (IOException unparseable) {
            return config;
        }
        if (!(tree instanceof ObjectNode root)) {
            return config;
        }
        // The comparisons read the sessions and write rum-comparisons; no recorded row depends on
        // them (their classes are out of the build id too).
        root.remove("comparisons");
        if (root.get("detection") instanceof ObjectNode detection) {
            detection.retain("window", "allowed-lateness", "frustration");
            if (detection.get("frustration") instanceof ObjectNode frustration) {
                frustration.retain("burst-clicks", "burst-span");
            }
        }
        try {
            return new ObjectMapper().writeValueAsBytes(root);
        } catch (IOException e) {
            return config;
        }
    }

    /**
     * Code that does not shape the recorded rows: scoring, patterns, alerting and the commands.
     * Leaving it out of the build id lets a detector change replay the same recordings, which is
     * what the cache is for. The rage-click operators are in the detection package but produce the
     * recorded activity, so they stay in.
     */
    private static final List<String> NOT_RECORDED =
            List.of(
                    "io/beaconflow/detectors/",
                    "io/beaconflow/jobs/alerts/",
                    "io/beaconflow/jobs/patterns/",
                    "io/beaconflow/jobs/cli/",
                    "io/beaconflow/jobs/detection/",
                    // a side branch from the sessions to rum-comparisons; no recorded row passes
                    // through it (its config class is read, and only by that branch)
                    "io/beaconflow/jobs/compare/",
                    // the webhook sink: notifications come from the alerts, after detection
                    "io/beaconflow/jobs/io/webhook/",
                    // judge a run's alerts after it, and chart them; shape no row (a change to
                    // the demo's report once re-recorded every cached scenario). DemoSummary
                    // stays in: it reads the accepted-events count a recording keeps.
                    "io/beaconflow/jobs/evaluation/IncidentMatcher",
                    "io/beaconflow/jobs/evaluation/DemoReport",
                    // reads a run's rows after it (each incident's evidence); shapes none
                    "io/beaconflow/jobs/evaluation/IncidentEvidence",
                    "io/beaconflow/jobs/evaluation/Evaluation");

    private static boolean shapesRecording(String entry) {
        if (!entry.endsWith(".class")) {
            return false;
        }
        if (entry.startsWith("io/beaconflow/jobs/detection/RageClick")
                || entry.startsWith("io/beaconflow/jobs/detection/RouteActivity")) {
            return true;
        }
        return entry.startsWith("io/beaconflow/")
                && NOT_RECORDED.stream().noneMatch(entry::startsWith);
    }

    /**
     * Identifies the code that produced a recording: the CRCs of the jar's classes that shape the
     * rows (ingest, enrichment, metrics, generator), or for a classes folder (tests, IDE) their
     * sizes and times.
     */
    static String buildId() throws IOException {
        java.security.CodeSource src = RecordingKey.class.getProtectionDomain().getCodeSource();
        if (src == null) {
            return "unknown";
        }
        Path where;
        try {
            where = Path.of(src.getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            return src.getLocation().toString();
        }
        StringBuilder id = new StringBuilder();
        if (Files.isRegularFile(where)) {
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(where.toFile())) {
                jar.stream()
                        .filter(e -> shapesRecording(e.getName()))
                        .sorted(Comparator.comparing(java.util.jar.JarEntry::getName))
                        .forEach(e -> id.append(e.getName()).append(e.getCrc()).append(';'));
            }
            return id.toString();
        }
        try (Stream<Path> walk = Files.walk(where)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                String rel = where.relativize(p).toString().replace('\\', '/');
                if (shapesRecording(rel)) {
                    id.append(rel)
                            .append(Files.size(p))
                            .append(Files.getLastModifiedTime(p).toMillis())
                            .append(';');
                }
            }
        }
        return id.toString();
    }
}
