package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.evaluation.IncidentMatcher;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.generator.IncidentSpec;
import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generator traffic with injected incidents through ingest → metrics → detection on a MiniCluster
 * (generic types disabled), scored against the generator's ground truth; and a clean simulated week
 * to count false alerts. Uses the shipped detector specs ({@code
 * flink-conf/detectors/defaults.yaml}) unchanged.
 */
class DetectionPipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static final Path SPECS = Path.of("../flink-conf/detectors/defaults.yaml");
    static final Duration WINDOW = Duration.ofMinutes(1);

    /** Detectors need about 30 windows of history: the incidents start an hour later. */
    static final Duration WARM_UP = Duration.ofMinutes(60);

    static List<Alert> run(GeneratorConfig gen, long seed, String name) throws Exception {
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.detection.specsFile = SPECS.toString();
        BeaconflowPipeline pipeline =
                BeaconflowPipeline.build(
                        env,
                        GeneratorSource.decoded(gen, seed, config.ingest),
                        "generator",
                        config);
        pipeline.alerts().sinkTo(CollectingSink.named(name + "-alerts"));
        env.execute(name);
        List<Alert> all = CollectingSink.results(name + "-alerts");
        all.forEach(a -> System.out.println("ALERT " + a));
        return all;
    }

    static GeneratorConfig withIncidentsShifted(Duration by, String duration) {
        List<IncidentSpec> shifted = new ArrayList<>();
        for (IncidentSpec s :
                GeneratorConfig.loadIncidents(Path.of("../flink-conf/incidents/demo.yaml"))) {
            long start = GeneratorConfig.parseDuration(s.start);
            s.start = Duration.ofMillis(start).plus(by).toMinutes() + "m";
            shifted.add(s);
        }
        return GeneratorConfig.load(Path.of("../flink-conf/generator.yaml"))
                .withIncidents(shifted)
                .withDuration(duration)
                .withSpeed("max");
    }

    @Test
    void everyInjectedIncidentRaisesOneAlertWithinThreeWindowsThatResolvesAfterItEnds()
            throws Exception {
        GeneratorConfig gen = withIncidentsShifted(WARM_UP, "3h");
        List<IncidentTruth> truth = TrafficGenerator.truths(gen);
        assertThat(truth).hasSize(3);

        List<Alert> alerts = run(gen, 11, "detection-incidents");
        IncidentMatcher.Result result =
                IncidentMatcher.match(truth, alerts, WINDOW, Duration.ofMinutes(5));
        System.out.println("detection ITCase, injected incidents:");
        System.out.print(IncidentMatcher.table(result));
        for (IncidentMatcher.Row row : result.rows()) {
            System.out.printf(
                    "detection delay %s: %s windows%n", row.incident().id(), row.delayWindows());
        }

        // The bar, per incident: exactly one alert, opened within 3 windows of onset,
        // resolved only after the incident ended.
        for (IncidentMatcher.Row row : result.rows()) {
            IncidentTruth t = row.incident();
            assertThat(row.alertCount()).as(t.id() + ": alerts").isEqualTo(1);
            assertThat(row.delayWindows())
                    .as(t.id() + ": delay in windows")
                    .isLessThanOrEqualTo(3.0);
            assertThat(row.alert().resolvedAt).as(t.id() + ": resolved").isNotNull();
            assertThat(row.alert().resolvedAt)
                    .as(t.id() + ": resolved after the incident ended")
                    .isGreaterThanOrEqualTo(t.endMillis());
        }
        // Each alert explains itself: the release, the browser and the country of the incident.
        IncidentMatcher.Row latency = result.rows().get(0);
        assertThat(latency.alert().release).isEqualTo("shop-web@2.4.0");
        assertThat(result.rows().get(1).alert().rootCauseHints)
                .anyMatch(h -> h.startsWith("browser=Safari carries"));
        assertThat(result.rows().get(2).alert().rootCauseHints)
                .anyMatch(h -> h.startsWith("country=DE carries"));
        // No alert without an incident once the detectors have history: the first hour runs on
        // static budgets and cold EWMAs (reported above, not asserted).
        long warm = gen.startMillis() + WARM_UP.toMillis();
        assertThat(result.unmatched())
                .allSatisfy(a -> assertThat(a.openedAt).as(a.toString()).isLessThan(warm));
    }

    @Test
    void aCleanSimulatedWeekRaisesAtMostOneFalseAlertPerDay() throws Exception {
        GeneratorConfig gen =
                GeneratorConfig.load(Path.of("../flink-conf/generator.yaml"))
                        .withIncidents(List.of())
                        .withDuration("7d")
                        .withSpeed("max");
        for (GeneratorConfig.AppSpec app : gen.apps) {
            app.sessionsPerHour = app.sessionsPerHour / 20;
        }
        List<Alert> alerts = IncidentMatcher.latest(run(gen, 5, "detection-clean-week"));
        List<String> throughput = List.of("page_views", "events", "fetches");
        long traffic = alerts.stream().filter(a -> throughput.contains(a.metric)).count();
        System.out.printf(
                "detection ITCase, clean week: %d false alerts (%.1f per day): %d on throughput"
                        + " metrics, %d on error rates, latencies and rage clicks%n",
                alerts.size(), alerts.size() / 7.0, traffic, alerts.size() - traffic);
        alerts.forEach(a -> System.out.println("  false alert: " + a));
        assertThat(alerts).as("false alerts in 7 simulated days").hasSizeLessThanOrEqualTo(7);
    }
}
