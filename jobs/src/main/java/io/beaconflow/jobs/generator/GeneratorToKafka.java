package io.beaconflow.jobs.generator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The traffic service of the compose stack, and a tool for any Kafka: writes synthetic RUM beacons
 * from the {@link io.beaconflow.jobs.generator.TrafficGenerator} to the raw topic (see {@link
 * TrafficToKafka} for placement and pacing), then prints the generator's exact counts as JSON on
 * stdout, so what the job should report can be checked.
 *
 * <p>{@code ./beaconflow generate --help}; runs without Flink, so the compose stack starts it with
 * {@code java -cp beaconflow-job.jar:<slf4j> ...GeneratorToKafka}.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Produce synthetic RUM beacons (flink-conf/generator.yaml, with its scheduled incidents)"
                    + " to a Kafka topic, then print the exact counts of what was generated as"
                    + " JSON (records, events by type, duplicates, malformed, late, incidents)."
        })
public final class GeneratorToKafka implements Callable<Integer> {
    @Option(
            names = "--bootstrap",
            defaultValue = "${env:BEACONFLOW_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(
            names = "--topic",
            defaultValue = "rum-raw",
            description = "Raw topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--server-spans-topic",
            defaultValue = "rum-server-spans",
            description =
                    "Topic for the SERVER spans of the generator's backends (apps[].backends), as"
                            + " the collector writes them (kafka.server-spans-topic); 'none' = do"
                            + " not write spans (default: ${DEFAULT-VALUE}).")
    String serverSpansTopic;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description =
                    "Create the topic with this many partitions if it does not exist; 0 = it must"
                            + " exist (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--generator",
            defaultValue = "${sys:beaconflow.home:-.}/flink-conf/generator.yaml",
            description = "Generator configuration (default: ${DEFAULT-VALUE}).")
    Path generator;

    @Option(
            names = "--incidents",
            description = "Incidents file replacing the one named in the generator config.")
    Path incidents;

    @Option(
            names = "--duration",
            description =
                    "Simulated time span, e.g. 30m, 2h, or 'unbounded' (default: the file's).")
    String duration;

    @Option(
            names = "--speed",
            description =
                    "Simulated seconds per wall-clock second, or 'max' (default: the file's).")
    String speed;

    @Mixin GeneratorSeed seed;

    @Option(
            names = "--property",
            description = "Extra Kafka producer property, key=value (repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--stats-out", description = "Also write the final counts to this file.")
    Path statsOut;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GeneratorToKafka()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        GeneratorConfig gen = GeneratorConfig.load(generator);
        if (incidents != null) gen = gen.withIncidents(incidents);
        if (duration != null) gen = gen.withDuration(duration);
        if (speed != null) gen = gen.withSpeed(speed);

        Map<String, Object> producer = new LinkedHashMap<>(properties);
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        String spansTopic =
                "none".equals(serverSpansTopic) || !GeneratorSource.hasBackends(gen)
                        ? null
                        : serverSpansTopic;
        if (partitions > 0) {
            createTopicIfMissing(producer, topic);
            if (spansTopic != null) createTopicIfMissing(producer, spansTopic);
        }

        System.err.printf(
                "generate: %s of traffic from %s (seed %d, speed %s) to %s%s on %s%n",
                gen.duration,
                Instant.ofEpochMilli(gen.startMillis()),
                seed.value,
                gen.speed,
                topic,
                spansTopic == null ? "" : " and server spans to " + spansTopic,
                bootstrap);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        try (TrafficToKafka out =
                new TrafficToKafka(
                        producer,
                        topic,
                        spansTopic,
                        gen,
                        seed.value,
                        gen.speedFactor(),
                        PacingClock.system())) {
            if (!quiet) {
                // Progress display only: the wall clock never reaches a record.
                progress.scheduleAtFixedRate(
                        () ->
                                System.err.printf(
                                        "generate: %d records sent, simulated time %s%n",
                                        out.sent(),
                                        out.lastReceivedAt() == Long.MIN_VALUE
                                                ? "-"
                                                : Instant.ofEpochMilli(out.lastReceivedAt())),
                        10,
                        10,
                        TimeUnit.SECONDS);
            }
            out.sendAll();
            progress.shutdownNow();
            String json = toJson(out.stats(), gen, seed.value, out.spansSent());
            System.out.println(json);
            if (statsOut != null) Files.writeString(statsOut, json + "\n");
        } finally {
            progress.shutdownNow();
        }
        return 0;
    }

    private void createTopicIfMissing(Map<String, Object> producer, String topic) throws Exception {
        try (Admin admin = Admin.create(producer)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!existing.contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                System.err.printf(
                        "generate: created topic %s (%d partitions)%n", topic, partitions);
            }
        }
    }

    /** The counts as one JSON object (keys as in {@link GenerationStats}'s accessors). */
    static String toJson(GenerationStats s, GeneratorConfig gen, long seed, long serverSpans)
            throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", Instant.ofEpochMilli(gen.startMillis()).toString());
        m.put("duration", gen.duration);
        m.put("seed", seed);
        m.put("records", s.records());
        m.put("batch_records", s.batchRecords());
        m.put("single_event_records", s.singleEventRecords());
        m.put("unique_events", s.uniqueEvents());
        m.put("events_by_type", s.eventsByType());
        m.put("duplicate_records", s.duplicateRecords());
        m.put("duplicate_events", s.duplicateEvents());
        m.put("malformed_records", s.malformedRecords());
        m.put("malformed_by_kind", s.malformedByKind());
        m.put("late_records", s.lateRecords());
        m.put("late_events", s.lateEvents());
        m.put("bot_events", s.botEvents());
        m.put("rage_click_bursts", s.rageClickBursts());
        m.put("failed_fetches", s.failedFetches());
        m.put("sessions_started", s.sessionsStarted());
        m.put("sessions_sampled_out", s.sessionsSampledOut());
        m.put("incident_affected", s.incidentAffected());
        m.put("server_spans", serverSpans);
        return new ObjectMapper()
                .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false)
                .writeValueAsString(m);
    }
}
