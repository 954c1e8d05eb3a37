package io.beaconflow.collector.kafka;

import io.beaconflow.collector.config.CollectorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records to the raw topic with an idempotent producer ({@code acks=all}), and answers only
 * when Kafka acknowledged: the collector's "2xx means stored" promise rests on this.
 *
 * <p>{@code send()} must never block an event-loop thread. It can block in two places: waiting for
 * topic metadata and waiting for buffer memory. The first is avoided by a health check that warms
 * the producer's metadata and tracks broker reachability in the background ({@link #ready()};
 * requests are answered 503 while it is false); the second by the server's in-flight byte limit,
 * which stays below {@code buffer.memory}. {@code max.block.ms} is kept short as a last guard.
 */
public final class KafkaRecordSink implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final Admin admin;
    private final String topic;
    private final String serverSpansTopic;
    private final ScheduledExecutorService health =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "collector-kafka-health");
                        t.setDaemon(true);
                        return t;
                    });
    private volatile boolean ready;
    private volatile String lastProblem = "not checked yet";
    private volatile boolean serverSpansReady;
    private volatile String serverSpansProblem = "not checked yet";

    public KafkaRecordSink(CollectorConfig.KafkaSection cfg, long bufferBytes) {
        this.topic = cfg.topic;
        this.serverSpansTopic = cfg.serverSpansTopic;
        Properties p = new Properties();
        p.putAll(cfg.properties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers);
        // Safety settings are not overridable from kafka.properties: they are the promise.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        int delivery = (int) cfg.deliveryTimeout.toMillis();
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(delivery));
        p.put(
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Integer.toString(Math.max(500, delivery - 500)));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "500");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(bufferBytes));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(cfg.maxRecordBytes + 4096));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "beaconflow-collector");
        this.producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties a = new Properties();
        for (Map.Entry<String, String> e : cfg.properties.entrySet()) {
            if (AdminClientConfig.configNames().contains(e.getKey()))
                a.put(e.getKey(), e.getValue());
        }
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers);
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        a.put(AdminClientConfig.CLIENT_ID_CONFIG, "beaconflow-collector-health");
        this.admin = Admin.create(a);
    }

    /** Starts the background reachability check; the first check runs at once. */
    public void start(Duration every) {
        health.scheduleWithFixedDelay(
                () -> {
                    check();
                    if (ready) checkServerSpans();
                    else serverSpansReady = false;
                },
                0,
                every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void check() {
        try {
            // Warms the producer's own metadata, so send() on an event loop does not wait for it
            // (and creates the topic where the brokers auto-create topics).
            producer.partitionsFor(topic);
            // The producer answers from its cache when the brokers are gone: ask them.
            admin.describeTopics(List.of(topic)).allTopicNames().get(3, TimeUnit.SECONDS);
            ready = true;
            lastProblem = "";
        } catch (ExecutionException e) {
            ready = false;
            lastProblem = String.valueOf(e.getCause());
        } catch (TimeoutException e) {
            ready = false;
            lastProblem = "Kafka did not answer within 3s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            ready = false;
            lastProblem = String.valueOf(e);
        }
    }

    /**
     * The server-spans topic, checked on its own: a missing span topic must not make browser
     * beacons 503. Backend requests are answered 503 while it is not ready, and the warmed metadata
     * keeps their send() from waiting on an event loop.
     */
    void checkServerSpans() {
        try {
            producer.partitionsFor(serverSpansTopic);
            admin.describeTopics(List.of(serverSpansTopic))
                    .allTopicNames()
                    .get(3, TimeUnit.SECONDS);
            serverSpansReady = true;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            serverSpansReady = false;
            serverSpansProblem = String.valueOf(e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean serverSpansReady() {
        return serverSpansReady;
    }

    public String serverSpansProblem() {
        return serverSpansProblem;
    }

    public boolean ready() {
        return ready;
    }

    public String lastProblem() {
        return lastProblem;
    }

    /**
     * Sends one record with the given timestamp (the receive time: the job falls back to the record
     * timestamp as received_at). Completes when Kafka acknowledged, exceptionally when it did not
     * within the delivery timeout.
     */
    public CompletableFuture<Void> send(
            byte[] key, byte[] value, long timestamp, String formatHeader) {
        return send(topic, key, value, timestamp, formatHeader);
    }

    /** {@link #send(byte[], byte[], long, String)} to the server-spans topic. */
    public CompletableFuture<Void> sendServerSpan(byte[] key, byte[] value, long timestamp) {
        return send(serverSpansTopic, key, value, timestamp, "otlp-server");
    }

    private CompletableFuture<Void> send(
            String toTopic, byte[] key, byte[] value, long timestamp, String formatHeader) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ProducerRecord<byte[], byte[]> r =
                new ProducerRecord<>(
                        toTopic,
                        null,
                        timestamp,
                        key,
                        value,
                        List.of(
                                new RecordHeader(
                                        "beaconflow-format",
                                        formatHeader.getBytes(
                                                java.nio.charset.StandardCharsets.UTF_8))));
        try {
            producer.send(
                    r,
                    (meta, ex) -> {
                        if (ex == null) done.complete(null);
                        else done.completeExceptionally(ex);
                    });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        health.shutdownNow();
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(2));
    }
}
