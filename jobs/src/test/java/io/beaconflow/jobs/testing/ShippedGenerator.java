package io.beaconflow.jobs.testing;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.GeneratorSource;
import io.beaconflow.jobs.generator.IncidentSpec;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The shipped generator ({@code flink-conf/generator.yaml}) as the tests run it: as fast as it goes
 * ({@code speed: max}) for an event-time length, with the file's own incidents, the demo's, or a
 * test's. The incidents are set before the length, as the file would be edited, so a length check
 * sees the incidents it will run.
 */
public final class ShippedGenerator {
    private ShippedGenerator() {}

    public static final Path CONFIG = Path.of("../flink-conf/generator.yaml");
    public static final Path DEMO_INCIDENTS = Path.of("../flink-conf/incidents/demo.yaml");

    /** The release of {@link #NEW_ERROR_INCIDENTS}. */
    public static final String NEW_ERROR_RELEASE = "shop-web@2.5.0";

    /**
     * A release that ships a JS error no earlier release has ({@code new_error}): rolled out at
     * minute 30 for 40 minutes, the error on 5 % of its page views.
     */
    public static final String NEW_ERROR_INCIDENTS =
            "incidents:\n"
                    + "  - { id: loyalty-badge-bug, kind: new_error, app: shop-web,"
                    + " dimension: release, value: "
                    + NEW_ERROR_RELEASE
                    + ", release: "
                    + NEW_ERROR_RELEASE
                    + ", start: 30m, duration: 40m, magnitude: 0.05 }\n";

    /** The file's traffic and incidents for {@code duration} (e.g. {@code 90m}). */
    public static GeneratorConfig lasting(String duration) {
        return GeneratorConfig.load(CONFIG).withDuration(duration).withSpeed("max");
    }

    /** The file's traffic with {@code incidents} instead of its own. */
    public static GeneratorConfig lasting(String duration, List<IncidentSpec> incidents) {
        return GeneratorConfig.load(CONFIG)
                .withIncidents(incidents)
                .withDuration(duration)
                .withSpeed("max");
    }

    /**
     * The file's traffic with the incidents of {@code incidentsYaml} ({@code incidents: [...]}).
     */
    public static GeneratorConfig lasting(String duration, String incidentsYaml) {
        return lasting(duration, GeneratorConfig.incidentsFromYaml(incidentsYaml, "test"));
    }

    /** The file's traffic with the demo's incidents ({@code flink-conf/incidents/demo.yaml}). */
    public static GeneratorConfig withDemoIncidents(String duration) {
        return lasting(duration, GeneratorConfig.loadIncidents(DEMO_INCIDENTS));
    }

    /**
     * The production graph with {@code config} over {@code gen}'s beacons (seed {@code seed}),
     * decoded as the job decodes them.
     */
    public static BeaconflowPipeline pipeline(
            StreamExecutionEnvironment env,
            GeneratorConfig gen,
            long seed,
            BeaconflowConfig config) {
        return BeaconflowPipeline.build(
                env, GeneratorSource.decoded(gen, seed, config.ingest), "generator", config);
    }
}
