package io.beaconflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The stages' dependencies point downstream only, as each {@code package-info.java} states: scoring
 * ({@code detection}) knows nothing of {@code patterns} or {@code alerts}, patterns nothing of
 * alerts, and no stage reaches back into the graph assembly ({@code pipeline}), the commands
 * ({@code cli}) or the demo's and evaluate's judging ({@code evaluation}). Before the split, {@code
 * DetectionStage} built all three in one method and the three packages imported each other.
 */
class PackageBoundariesTest {
    private static final Path MAIN = Path.of("src", "main", "java", "io", "beaconflow", "jobs");

    private static final Set<String> STAGES =
            Set.of(
                    "model",
                    "state",
                    "io",
                    "config",
                    "generator",
                    "ingest",
                    "enrich",
                    "sessions",
                    "metrics",
                    "errors",
                    "traces",
                    "compare",
                    "detection",
                    "patterns",
                    "alerts");

    /** Package → packages it must not reference. */
    private static final Map<String, Set<String>> FORBIDDEN =
            Map.of(
                    "detection", Set.of("patterns", "alerts"),
                    "patterns", Set.of("alerts"),
                    "evaluation", Set.of("cli"));

    /**
     * The known exceptions, each with its reason. {@code ReleaseWatch} emits release-seen findings
     * but stays in {@code detection}: its keyed state holds {@code ReleaseWatch.Rows}, and a
     * savepoint names that class.
     */
    private static final Set<String> ALLOWED = Set.of("detection/ReleaseWatch.java -> patterns");

    private static final Pattern REFERENCE =
            Pattern.compile("\\bio\\.beaconflow\\.jobs\\.([a-z]+)\\.");

    /** The packages a source file references by name, outside comments. */
    static Set<String> references(String source) {
        Set<String> found = new java.util.TreeSet<>();
        for (String line : source.split("\n")) {
            String t = line.strip();
            if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//")) continue;
            Matcher m = REFERENCE.matcher(t);
            while (m.find()) found.add(m.group(1));
        }
        return found;
    }

    /** "pkg/File.java -> other" for each reference that crosses a boundary. */
    static List<String> violations(String file, String pkg, String source) {
        List<String> out = new ArrayList<>();
        for (String ref : references(source)) {
            if (ref.equals(pkg)) continue;
            String v = pkg + "/" + file + " -> " + ref;
            boolean stageReachesBack =
                    STAGES.contains(pkg) && Set.of("cli", "pipeline", "evaluation").contains(ref);
            boolean forbidden = FORBIDDEN.getOrDefault(pkg, Set.of()).contains(ref);
            boolean evaluationOutsideCommands =
                    ref.equals("evaluation") && !pkg.equals("cli") && !pkg.equals("evaluation");
            if ((stageReachesBack || forbidden || evaluationOutsideCommands)
                    && !ALLOWED.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    @Test
    void everyStageReferencesOnlyWhatFlowsIntoIt() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> MAIN.relativize(f).getNameCount() == 2)
                    .forEach(
                            f -> {
                                String pkg = MAIN.relativize(f).getName(0).toString();
                                try {
                                    found.addAll(
                                            violations(
                                                    f.getFileName().toString(),
                                                    pkg,
                                                    Files.readString(f)));
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        }
        assertThat(found).as("references against the data flow").isEmpty();
    }

    @Test
    void theCheckSeesAReferenceAgainstTheFlowAndIgnoresComments() {
        String source =
                "package io.beaconflow.jobs.detection;\n"
                        + "import io.beaconflow.jobs.alerts.Alert;\n"
                        + "import io.beaconflow.jobs.metrics.MetricAggregate;\n"
                        + " * {@link io.beaconflow.jobs.patterns.Finding}\n";
        assertThat(violations("Scorer.java", "detection", source))
                .containsExactly("detection/Scorer.java -> alerts");
        assertThat(
                        violations(
                                "ReleaseWatch.java",
                                "detection",
                                "import io.beaconflow.jobs.patterns.Finding;"))
                .isEmpty();
        assertThat(
                        violations(
                                "Sink.java",
                                "io",
                                "x = io.beaconflow.jobs.evaluation.DemoSummary.of();"))
                .containsExactly("io/Sink.java -> evaluation");
    }

    @Test
    void noPackageIsLeftOutOfTheRules() throws IOException {
        List<String> packages = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(MAIN)) {
            dirs.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
        }
        packages.removeAll(STAGES);
        assertThat(packages)
                .as("packages that are neither a stage nor one of the assembling ones")
                .allMatch(p -> Set.of("cli", "pipeline", "evaluation", "bench").contains(p));
    }
}
