package io.beaconflow.collector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.kafka.KafkaRecordSink;
import io.beaconflow.collector.server.CollectorServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * {@code ./beaconflow collect-bench} against a real collector writing to the stack's Kafka: what it
 * reports agrees with the collector's own count of acknowledged requests (up to the requests still
 * in flight when the measured window closes), every answer is a 202, and the latency percentiles
 * are ordered and positive. Then with the shipped rate limit: the 429s are reported as such, not
 * hidden.
 */
class CollectBenchITCase {
    static final String BOOTSTRAP =
            System.getenv().getOrDefault("BEACONFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092");

    @Test
    void reportsWhatTheCollectorAcknowledgedWithOrderedLatencies() throws Exception {
        String topic = "collect-bench-it-" + UUID.randomUUID();
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        try {
            check(topic, 100_000, false);
            check(topic, 2, true);
        } finally {
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private void check(String topic, int rate, boolean limited) throws Exception {
        CollectorConfig cfg =
                CollectorConfig.parse(
                        String.join(
                                "\n",
                                "listen: 127.0.0.1:0",
                                "kafka:",
                                "  bootstrap-servers: " + BOOTSTRAP,
                                "  topic: " + topic,
                                "rate-limit:",
                                "  requests-per-second: " + rate,
                                "  burst: " + rate,
                                "apps:",
                                "  shop-web:",
                                "    allowed-origins: [\"http://localhost:8080\"]"),
                        "bench-it",
                        k -> null);
        KafkaRecordSink sink = new KafkaRecordSink(cfg.kafka, 64L << 20);
        sink.start(Duration.ofMillis(500));
        CollectorServer server = new CollectorServer(cfg, sink, null, System::currentTimeMillis);
        try {
            URI base = URI.create("http://127.0.0.1:" + server.start());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!sink.ready()) {
                assertThat(System.nanoTime()).as("Kafka reachable").isLessThan(deadline);
                Thread.sleep(100);
            }
            List<byte[]> payloads =
                    CollectBench.load(
                            Path.of("src/test/resources/sdk-payloads/faro.requests.ndjson"), base);
            assertThat(payloads).hasSize(52);
            int connections = 4;
            CollectBench.Result r =
                    CollectBench.run(
                            base, payloads, connections, Duration.ZERO, Duration.ofSeconds(3));
            System.out.println("collect-bench (rate limit " + rate + "/s): " + r.report());
            long accepted = (long) server.metrics().value(server.metrics().requests, "faro", "202");
            assertThat(r.connectionErrors()).isZero();
            assertThat(r.latenciesNanos()).hasSize((int) r.answered());
            assertThat(r.ok()).isPositive();
            assertThat(accepted - r.ok())
                    .as(
                            "the collector's count of 202s minus the bench's: the requests in flight at"
                                    + " the end")
                    .isBetween(0L, (long) connections);
            assertThat(r.percentileMillis(50)).isPositive();
            assertThat(r.percentileMillis(50)).isLessThanOrEqualTo(r.percentileMillis(99));
            assertThat(r.percentileMillis(99)).isLessThanOrEqualTo(r.percentileMillis(100));
            if (limited) {
                assertThat(r.byStatus()).containsKey(429);
                assertThat(r.byStatus().keySet()).containsOnly(202, 429);
            } else {
                assertThat(r.byStatus().keySet()).containsOnly(202);
            }
        } finally {
            server.close();
            sink.close();
        }
    }
}
