package io.beaconflow.jobs.cluster;

import io.beaconflow.jobs.generator.GenerationStats;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.PacingClock;
import io.beaconflow.jobs.generator.TrafficGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * One ITCase's world on the shared stack: fresh topics, a job config file pointing at them, the
 * traffic producer (whose generator counts are the expectation), and the jobs it submitted, all
 * removed again by {@link #close()}.
 */
final class ClusterRun implements AutoCloseable {
    static final long SEED = 11;
    static final int PARTITIONS = 2;
    static final int PARALLELISM = 2;

    final ClusterStack stack;
    final String id;
    final String rawTopic;
    final String deadLetterTopic;
    final String lateTopic;
    final String groupId;
    final Path configFile;
    final TrafficToKafka traffic;

    /** The generator's counts for the whole run, computed up front from the config and seed. */
    final GenerationStats truth;

    private final List<String> jobs = new ArrayList<>();
    private CompletableFuture<Long> producing;
    private final long createdNanos = System.nanoTime();

    private ClusterRun(ClusterStack stack, String name, GeneratorConfig gen, double speed) {
        this.stack = stack;
        this.id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.rawTopic = id + "-raw";
        this.deadLetterTopic = id + "-deadletter";
        this.lateTopic = id + "-late";
        this.groupId = id;
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
        return new ClusterRun(stack, name, gen, speed);
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap));
    }

    private Path writeJobConfig() throws IOException {
        Path dir = ClusterStack.REPO.resolve("jobs/target/cluster-it");
        Files.createDirectories(dir);
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "# Written by ClusterRun for " + id,
                        "ingest:",
                        "  privacy:",
                        "    user-id-salt: cluster-itcase-salt",
                        "kafka:",
                        "  bootstrap-servers: " + stack.kafkaBootstrap,
                        "  raw-topic: " + rawTopic,
                        "  group-id: " + groupId,
                        "  start-from: earliest",
                        "  dead-letter-topic: " + deadLetterTopic,
                        "  late-topic: " + lateTopic,
                        "elasticsearch:",
                        "  hosts: " + stack.elasticsearchUrl,
                        ""));
        return file;
    }

    /** A progress line with the seconds since this run was created (for the test log). */
    void log(String what) {
        System.out.printf(
                "[%s +%3ds] %s%n", id, (System.nanoTime() - createdNanos) / 1_000_000_000L, what);
    }

    // ------------------------------------------------------------------ traffic

    /** Starts sending the rest of the traffic on a background thread (paced). */
    void startProducing() {
        log("producing " + truth.records() + " records");
        producing = CompletableFuture.supplyAsync(traffic::sendAll);
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
                Duration.ofSeconds(120),
                () -> committedOffsets().equals(end));
        log("a checkpoint of job " + job + " covers all " + end + " input records");
    }

    @Override
    public void close() {
        for (String job : jobs) stack.cancelQuietly(job);
        if (producing != null) producing.cancel(true);
        traffic.close();
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(rawTopic, deadLetterTopic, lateTopic))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("could not delete the topics of " + id + ": " + e);
        }
        try {
            Files.deleteIfExists(configFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
