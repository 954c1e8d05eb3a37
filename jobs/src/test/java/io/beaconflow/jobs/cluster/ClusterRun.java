package io.beaconflow.jobs.cluster;

import io.beaconflow.jobs.generator.GenerationStats;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.PacingClock;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.generator.TrafficToKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One ITCase's world on the shared stack: fresh topics, a fresh Elasticsearch index prefix, a job
 * config file pointing at them (and at a webhook when the test runs one), the traffic producer
 * (whose generator counts are the expectation), and the jobs it submitted, all removed again by
 * {@link #close()}.
 */
final class ClusterRun implements AutoCloseable {
    static final long SEED = 11;
    static final int PARTITIONS = 2;
    static final int PARALLELISM = 2;

    /**
     * App of the end-of-stream markers: one valid beacon per raw partition after the traffic,
     * {@link #END_MARKER_AFTER} later in event time than the last record, so the job's watermark
     * passes every session gap, window and alert timeout of the traffic (an unbounded job otherwise
     * keeps the last sessions and windows open for ever). Their own session and window stay open.
     */
    static final String END_APP = "zz-end-of-stream";

    static final Duration END_MARKER_AFTER = Duration.ofHours(3);

    final ClusterStack stack;
    final String id;
    final String rawTopic;
    final String deadLetterTopic;
    final String lateTopic;
    final String groupId;

    /** Before every Elasticsearch index and template name this run's jobs write. */
    final String indexPrefix;

    final String webhookUrl;
    final Path deliveryLog;
    final Path configFile;
    final TrafficToKafka traffic;

    /** The generator config of the traffic (its incidents are the detection ground truth). */
    final GeneratorConfig generator;

    /** The generator's counts for the whole run, computed up front from the config and seed. */
    final GenerationStats truth;

    private final List<String> jobs = new ArrayList<>();
    private CompletableFuture<Long> producing;
    private final long createdNanos = System.nanoTime();

    private ClusterRun(
            ClusterStack stack, String name, GeneratorConfig gen, double speed, String webhookUrl) {
        this.stack = stack;
        this.id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.rawTopic = id + "-raw";
        this.deadLetterTopic = id + "-deadletter";
        this.lateTopic = id + "-late";
        this.groupId = id;
        this.indexPrefix = id + "-";
        this.webhookUrl = webhookUrl;
        this.deliveryLog = RUN_DIR.resolve(id + "-webhook-log");
        try (Admin admin = admin()) {
            // Infinite retention: the dead-letter sink stamps records with their (simulated, weeks
            // old) event time, which time-based retention would otherwise delete mid-test.
            Map<String, String> keep = Map.of("retention.ms", "-1");
            admin.createTopics(
                            List.of(
                                    new NewTopic(rawTopic, PARTITIONS, (short) 1).configs(keep),
                                    new NewTopic(deadLetterTopic, 1, (short) 1).configs(keep),
                                    new NewTopic(lateTopic, 1, (short) 1).configs(keep)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            this.configFile = writeJobConfig();
        } catch (Exception e) {
            throw new IllegalStateException("could not set up " + id + ": " + e, e);
        }
        this.generator = gen;
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(gen, SEED, gen.splits);
        while (all.hasNext()) all.next();
        this.truth = all.stats();
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap);
        this.traffic =
                new TrafficToKafka(producer, rawTopic, gen, SEED, speed, PacingClock.system());
    }

    /**
     * The generator file of the repository, {@code duration} long, with more of every kind of
     * trouble than real traffic has so each output gets enough records to count.
     */
    static GeneratorConfig traffic(String duration) {
        GeneratorConfig gen =
                GeneratorConfig.load(ClusterStack.REPO.resolve("flink-conf/generator.yaml"))
                        .withDuration(duration);
        // Late beacons 10-12 minutes after their events, so they arrive within a short run.
        gen.realism.lateRate = 0.05;
        gen.realism.maxLateDelay = "12m";
        gen.realism.malformedRate = 0.01;
        gen.realism.duplicateRate = 0.02;
        return gen;
    }

    static ClusterRun create(ClusterStack stack, String name, GeneratorConfig gen, double speed) {
        stack.requireCluster();
        return new ClusterRun(stack, name, gen, speed, null);
    }

    /** A run whose job sends alert notifications to {@code webhookUrl}. */
    static ClusterRun create(
            ClusterStack stack, String name, GeneratorConfig gen, double speed, String webhookUrl) {
        stack.requireCluster();
        return new ClusterRun(stack, name, gen, speed, webhookUrl);
    }

    private static final Path RUN_DIR = ClusterStack.REPO.resolve("jobs/target/cluster-it");

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap));
    }

    private Path writeJobConfig() throws IOException {
        Files.createDirectories(RUN_DIR);
        Path file = RUN_DIR.resolve(id + ".yaml");
        // A snapshot of the shipped detector specs, by absolute path: the cluster job and the
        // reference run read the same file from any working directory, and an edit of the
        // repository's file during the run cannot reach one of them only.
        Path specs = RUN_DIR.resolve(id + "-detectors.yaml");
        Files.copy(ClusterStack.REPO.resolve("flink-conf/detectors/defaults.yaml"), specs);
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "# Written by ClusterRun for " + id,
                                "ingest:",
                                "  privacy:",
                                "    user-id-salt: cluster-itcase-salt",
                                // Rules for the generator's slug routes, kept from before
                                // routes were learned in event time: learned templates are the
                                // same in any arrival order (PathTemplateLearner,
                                // TemplateReplayPipelineITCase), but the raw slug routes before
                                // a template applies spend routes.max-per-app, whose fold into
                                // "other" depends on arrival order (docs/DISCUSSION.md).
                                "  routes:",
                                "    rules:",
                                "      - app: \"*\"",
                                "        pattern: \"^/blog/[a-z0-9-]+$\"",
                                "        replacement: \"/blog/:slug\"",
                                "      - app: \"*\"",
                                "        pattern: \"^/(category|topics)/[a-z0-9-]+$\"",
                                "        replacement: \"/$1/:slug\"",
                                "      - app: \"*\"",
                                "        pattern: \"^/articles/([^/]+)/[a-z0-9-]+$\"",
                                "        replacement: \"/articles/$1/:slug\"",
                                "      - app: \"*\"",
                                "        pattern: \"^/assets/invoice/[0-9a-f]+\\\\.pdf$\"",
                                "        replacement: \"/assets/invoice/:sha.pdf\"",
                                "      - app: \"*\"",
                                "        pattern: \"^/reset-password/[^/]+$\"",
                                "        replacement: \"/reset-password/:token\"",
                                "kafka:",
                                "  bootstrap-servers: " + stack.kafkaBootstrap,
                                "  raw-topic: " + rawTopic,
                                "  group-id: " + groupId,
                                "  start-from: earliest",
                                "  dead-letter-topic: " + deadLetterTopic,
                                "  late-topic: " + lateTopic,
                                "elasticsearch:",
                                "  hosts: " + stack.elasticsearchUrl,
                                "  index-prefix: " + indexPrefix,
                                "detection:",
                                "  specs-file: " + specs.toAbsolutePath()));
        if (webhookUrl != null) {
            // The delivery log is what makes "sent exactly once" hold across a restore (without
            // it, a notification delivered after the restored checkpoint is sent again with the
            // same key: at-least-once, see WebhookNotifierSink). TaskManagers of this stack share
            // the machine, so a local directory is shared storage here.
            lines.addAll(
                    List.of(
                            "notifications:",
                            "  webhook:",
                            "    url: " + webhookUrl,
                            "    delivery-log: " + deliveryLog.toUri()));
        }
        lines.add("");
        Files.writeString(file, String.join("\n", lines));
        return file;
    }

    /** A progress line with the seconds since this run was created (for the test log). */
    void log(String what) {
        System.out.printf(
                "[%s +%3ds] %s%n", id, (System.nanoTime() - createdNanos) / 1_000_000_000L, what);
    }

    // ------------------------------------------------------------------ traffic

    /**
     * Starts sending the rest of the traffic on a background thread (paced), then one end-of-stream
     * marker per partition ({@link #END_APP}).
     */
    void startProducing() {
        log("producing " + truth.records() + " records");
        producing =
                CompletableFuture.supplyAsync(
                        () -> {
                            long n = traffic.sendAll();
                            sendEndMarkers(traffic.lastReceivedAt() + END_MARKER_AFTER.toMillis());
                            return n;
                        });
    }

    /**
     * One valid beacon per raw partition, event time and arrival {@code at}, written after the
     * traffic (so each partition's watermark ends at {@code at} minus the out-of-orderness).
     */
    private void sendEndMarkers(long at) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = 0; p < PARTITIONS; p++) {
                String marker =
                        String.format(
                                "{\"schema_version\":1,\"sent_at\":%d,\"received_at\":%d,"
                                        + "\"events\":[{\"event_id\":\"end-of-stream-%d\","
                                        + "\"type\":\"custom\",\"app\":\"%s\","
                                        + "\"session_id\":\"end-of-stream-%d\","
                                        + "\"occurred_at\":%d,"
                                        + "\"custom\":{\"name\":\"end_of_stream\"}}]}",
                                at, at, p, END_APP, p, at);
                producer.send(
                                TrafficToKafka.withArrival(
                                        new ProducerRecord<>(
                                                rawTopic,
                                                p,
                                                null,
                                                marker.getBytes(StandardCharsets.UTF_8)),
                                        at))
                        .get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not write the end-of-stream markers: " + e, e);
        }
        log("end-of-stream markers written at " + java.time.Instant.ofEpochMilli(at));
    }

    /** Waits for the background producer; returns the records it sent. */
    long awaitProduced(Duration timeout) {
        try {
            long n = producing.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            log(n + " records produced");
            return n;
        } catch (Exception e) {
            throw new AssertionError("producing traffic failed: " + e, e);
        }
    }

    // ------------------------------------------------------------------ jobs

    /** {@code scripts/submit.sh} with this run's config; returns the job id. */
    String submit(String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--jar",
                                ClusterStack.JOB_JAR.toString(),
                                "--config",
                                configFile.toString(),
                                "--name",
                                id,
                                "--parallelism",
                                String.valueOf(PARALLELISM)));
        args.addAll(List.of(extra));
        String job = stack.submit(args.toArray(new String[0]));
        if (!job.matches("[0-9a-f]{32}")) {
            throw new AssertionError("submit.sh printed '" + job + "' instead of a job id");
        }
        jobs.add(job);
        log("submitted job " + job + " " + String.join(" ", extra));
        return job;
    }

    void awaitRunning(String job) {
        ClusterStack.await(
                "every task of job " + job + " to run",
                Duration.ofSeconds(90),
                () -> stack.allTasksRunning(job));
        log("job " + job + " running");
    }

    /** Submits the job, waits until all its tasks run, then starts the traffic; the job id. */
    String startWithTraffic() {
        String job = submit();
        awaitRunning(job);
        startProducing();
        return job;
    }

    /**
     * Waits (60 s at most) until {@code 1/parts} of the traffic ({@code share}, e.g. "a quarter")
     * has been sent: a failure injected then hits the job mid-stream.
     */
    void awaitSent(String share, int parts) {
        long total = truth.records();
        ClusterStack.await(
                share + " of the traffic to be produced",
                Duration.ofSeconds(60),
                () -> traffic.sent() >= total / parts);
    }

    /**
     * Waits (60 s at most) for a checkpoint of {@code job} completed after now, so a recovery
     * starts from real progress, not from the start.
     */
    void awaitNextCheckpoint(String job) {
        long completed = stack.checkpointCounts(job).path("completed").asLong();
        ClusterStack.await(
                "a checkpoint after that point",
                Duration.ofSeconds(60),
                () -> stack.checkpointCounts(job).path("completed").asLong() > completed);
    }

    /** End offsets of the raw topic by partition. */
    Map<Integer, Long> rawEndOffsets() {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                q.put(new TopicPartition(rawTopic, p), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
                    admin.listOffsets(q).all().get(30, TimeUnit.SECONDS).entrySet()) {
                out.put(e.getKey().partition(), e.getValue().offset());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Offsets the job committed for the raw topic (on completed checkpoints), by partition. */
    Map<Integer, Long> committedOffsets() {
        try (Admin admin = admin()) {
            Map<Integer, Long> out = new HashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e :
                    admin.listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS)
                            .entrySet()) {
                if (e.getValue() != null) out.put(e.getKey().partition(), e.getValue().offset());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until a completed checkpoint covers every produced record: the job commits its source
     * offsets when a checkpoint completes, and the at-least-once sinks flush before it can
     * complete, so from then on every output of that input is written.
     */
    void awaitCheckpointCoversAllInput(String job) {
        Map<Integer, Long> end = rawEndOffsets();
        ClusterStack.await(
                "a checkpoint of job " + job + " covering the raw topic's end " + end,
                Duration.ofSeconds(180),
                () -> committedOffsets().equals(end));
        log("a checkpoint of job " + job + " covers all " + end + " input records");
    }

    /**
     * After {@link #awaitCheckpointCoversAllInput}: waits for a checkpoint triggered after that one
     * completed. The last records' watermark is emitted by the source up to one watermark interval
     * after it read them, so outputs that watermark fires (windows, session closes, alert timeouts)
     * may follow the covering checkpoint's barrier; they precede the next one's, and the
     * Elasticsearch sinks flush and the webhook sink commits when it completes.
     */
    void awaitCheckpointAfterAllOutputs(String job) {
        long after = System.currentTimeMillis();
        ClusterStack.await(
                "a checkpoint of job " + job + " triggered after all its input was covered",
                Duration.ofSeconds(90),
                () ->
                        stack.tryGet("/jobs/" + job + "/checkpoints")
                                        .map(
                                                c ->
                                                        c.path("latest")
                                                                .path("completed")
                                                                .path("trigger_timestamp")
                                                                .asLong(0))
                                        .orElse(0L)
                                > after);
        log("a later checkpoint of job " + job + " completed: outputs flushed");
    }

    @Override
    public void close() {
        for (String job : jobs) stack.cancelQuietly(job);
        if (producing != null) producing.cancel(true);
        traffic.close();
        try {
            new EsIndices(stack.elasticsearchUrl).deleteAllWithPrefix(indexPrefix);
        } catch (Exception e) {
            System.err.println("could not delete the indices of " + id + ": " + e);
        }
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(rawTopic, deadLetterTopic, lateTopic))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("could not delete the topics of " + id + ": " + e);
        }
        try {
            Files.deleteIfExists(configFile);
            Files.deleteIfExists(RUN_DIR.resolve(id + "-detectors.yaml"));
            if (Files.isDirectory(deliveryLog)) {
                try (var files = Files.walk(deliveryLog)) {
                    for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
