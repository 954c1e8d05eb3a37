package io.beaconflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.evaluation.DemoSummary;
import io.beaconflow.jobs.evaluation.Evaluation;
import io.beaconflow.jobs.evaluation.IncidentMatcher;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.testing.LocalJobArgs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./beaconflow evaluate} end to end on a short scenario (two hours, two incidents, one of a
 * new kind, two seeds, two runs at once): the printed table and the last line must say what {@link
 * IncidentMatcher} says about the alerts each run wrote, recomputed here from those alerts and the
 * generator's ground truth.
 */
class EvaluateCommandITCase {
    private static final Path CONF = Path.of("..", "flink-conf");
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private static final String SCENARIO =
            "incidents:\n"
                    + "  - { id: cart-errors, kind: error_spike, app: shop-web, dimension: route,"
                    + " value: /cart, start: 70m, duration: 30m, magnitude: 0.3 }\n"
                    + "  - { id: products-api-failing, kind: api_failure, app: shop-web,"
                    + " dimension: route, value: '/product/{id}',"
                    + " endpoint: 'GET /api/v2/products/{id}', start: 80m, duration: 30m,"
                    + " magnitude: 0.6 }\n";

    @Test
    void theTableAndTheLastLineAgreeWithTheMatcherOnTheAlertsOfEachRun(@TempDir Path dir)
            throws Exception {
        Path scenario = dir.resolve("short.yaml");
        Files.writeString(scenario, SCENARIO);
        Path out = dir.resolve("out");
        Path json = dir.resolve("eval.json");
        StringWriter printed = new StringWriter();
        CommandLine cli = BeaconflowCli.commandLine();
        cli.setOut(new PrintWriter(printed));
        int exit =
                cli.execute(
                        evaluate(
                                scenario,
                                "1,2",
                                "--parallel",
                                "2",
                                "--parallelism",
                                "1",
                                "--out",
                                out.toString(),
                                "--json",
                                json.toString()));
        assertThat(exit).isZero();
        List<String> lines = printed.toString().lines().toList();

        // The verdicts, recomputed from each run's alert file and the ground truth.
        GeneratorConfig gen =
                GeneratorConfig.load(CONF.resolve("generator.yaml"))
                        .withDuration("2h")
                        .withIncidents(GeneratorConfig.loadIncidents(scenario));
        List<IncidentTruth> truth = TrafficGenerator.truths(gen);
        int alerted = 0;
        int unmatched = 0;
        List<Double> delays = new ArrayList<>();
        for (int seed = 1; seed <= 2; seed++) {
            Path runDir = out.resolve("short.yaml-seed" + seed);
            List<Alert> alerts = DemoSummary.readAll(runDir, "alerts", Alert.class);
            IncidentMatcher.Result r =
                    IncidentMatcher.match(truth, alerts, WINDOW, WINDOW.multipliedBy(10));
            int runAlerted = 0;
            for (IncidentMatcher.Row row : r.rows()) {
                if (row.alerted()) {
                    runAlerted++;
                    delays.add(row.delayWindows());
                }
            }
            alerted += runAlerted;
            unmatched += r.unmatched().size();
            String row = rowOf(lines, "short.yaml", Integer.toString(seed));
            assertThat(row.split("\\s+"))
                    .startsWith("short.yaml", Integer.toString(seed), runAlerted + "/2")
                    .contains(Integer.toString(r.unmatched().size()));
        }
        delays.sort(Double::compare);
        String median =
                delays.isEmpty()
                        ? "n/a"
                        : Evaluation.windows(
                                delays.size() % 2 == 1
                                        ? delays.get(delays.size() / 2)
                                        : (delays.get(delays.size() / 2 - 1)
                                                        + delays.get(delays.size() / 2))
                                                / 2);
        String expectedLast =
                String.format(
                        Locale.ROOT,
                        "evaluation: recall %d/4, false alerts per day %.2f, median delay %s"
                                + " windows",
                        alerted,
                        unmatched / (2 * 2 / 24.0),
                        median);
        assertThat(lines.get(lines.size() - 1)).isEqualTo(expectedLast);
        assertThat(rowOf(lines, "short.yaml", "all").split("\\s+"))
                .startsWith("short.yaml", "all", alerted + "/4");
        assertThat(rowOf(lines, "total", null).split("\\s+"))
                .startsWith("total", alerted + "/4", median)
                .contains(Integer.toString(unmatched));
        // Strong incidents on busy segments: the job must see some of them at all.
        assertThat(alerted).isPositive();

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.path("runs")).hasSize(2);
        assertThat(doc.path("total").path("alerted").asInt()).isEqualTo(alerted);
        assertThat(doc.path("total").path("unmatched_alerts").asInt()).isEqualTo(unmatched);
        assertThat(doc.path("last_line").asText()).isEqualTo(expectedLast);

        // Both incidents are strong on busy segments: each shows far above the budget's threshold
        // in its own series, read from the rows this run recorded (and deleted afterwards).
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("evidence: 4/4 incidents show"));
        for (JsonNode run : doc.path("runs")) {
            for (JsonNode i : run.path("incidents")) {
                assertThat(i.path("evidence_z").asDouble()).isGreaterThan(10);
                if (i.path("id").asText().equals("cart-errors")) {
                    assertThat(i.path("evidence_series").asText())
                            .isEqualTo("shop-web|route|/cart");
                    assertThat(i.path("evidence_metric").asText()).isEqualTo("error_rate");
                }
            }
        }
        assertThat(out.resolve("short.yaml-seed1").resolve("recording")).doesNotExist();
    }

    /**
     * {@code --cache}: the first run records what detection reads and the second replays only the
     * detection stage from it. The replay must raise exactly the alerts of the full run (same ids,
     * series, metrics, opening and closing windows), and the recording must be keyed by its inputs:
     * another seed records anew instead of replaying.
     */
    @Test
    void aReplayFromTheCacheRaisesExactlyTheAlertsOfTheFullRun(@TempDir Path dir) throws Exception {
        Path scenario = dir.resolve("short.yaml");
        Files.writeString(scenario, SCENARIO);
        Path cache = dir.resolve("cache");
        List<String> full = evaluateCached(scenario, cache, dir.resolve("full"), "1");
        try (Stream<Path> recorded = Files.list(cache)) {
            assertThat(recorded.map(p -> p.getFileName().toString()).toList())
                    .singleElement()
                    .asString()
                    .startsWith("short.yaml-seed1-");
        }
        List<String> replayed = evaluateCached(scenario, cache, dir.resolve("replay"), "1");
        assertThat(full).isNotEmpty();
        assertThat(replayed).isEqualTo(full);

        evaluateCached(scenario, cache, dir.resolve("other"), "2");
        try (Stream<Path> recorded = Files.list(cache)) {
            assertThat(recorded.count()).isEqualTo(2);
        }
    }

    /** One cached run; returns its alerts (latest versions) as comparable lines. */
    private static List<String> evaluateCached(Path scenario, Path cache, Path out, String seed) {
        CommandLine cli = BeaconflowCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        int exit =
                cli.execute(
                        evaluate(
                                scenario,
                                seed,
                                "--parallelism",
                                "2",
                                "--cache",
                                cache.toString(),
                                "--out",
                                out.toString()));
        assertThat(exit).isZero();
        return IncidentMatcher.latest(
                        DemoSummary.readAll(
                                out.resolve("short.yaml-seed" + seed), "alerts", Alert.class))
                .stream()
                .map(
                        a ->
                                String.join(
                                        " ",
                                        a.alertId,
                                        a.app,
                                        a.dimension,
                                        a.dimensionValue,
                                        String.valueOf(a.metric),
                                        Long.toString(a.openedAt),
                                        String.valueOf(a.resolvedAt),
                                        a.state,
                                        a.severity,
                                        String.valueOf(a.observed)))
                .toList();
    }

    private static String rowOf(List<String> lines, String first, String second) {
        return lines.stream()
                .filter(
                        l -> {
                            String[] f = l.split("\\s+");
                            return f[0].equals(first) && (second == null || f[1].equals(second));
                        })
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row " + first + " " + second));
    }

    /**
     * The arguments of {@code evaluate} over {@code scenario} for {@code seeds}, two simulated
     * hours, with the shipped job config, generator and detector specs, then {@code more}.
     */
    private static String[] evaluate(Path scenario, String seeds, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "evaluate",
                                "--scenarios",
                                scenario.toString(),
                                "--seeds",
                                seeds,
                                "--duration",
                                "2h",
                                "--spec",
                                CONF.resolve("detectors/defaults.yaml").toString()));
        args.addAll(LocalJobArgs.shippedFiles());
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }
}
