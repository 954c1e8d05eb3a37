package io.beaconflow.collector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.server.CollectorServer;
import io.beaconflow.collector.testing.Stack;
import io.beaconflow.collector.testing.TestCollector;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code ./beaconflow collect-bench} against a real collector writing to the stack's Kafka: what it
 * reports agrees with the collector's own count of acknowledged requests (up to the requests still
 * in flight when the measured window closes), every answer is a 202, and the latency percentiles
 * are ordered and positive. Then with the shipped rate limit: the 429s are reported as such, not
 * hidden.
 */
class CollectBenchITCase {
    @Test
    void reportsWhatTheCollectorAcknowledgedWithOrderedLatencies() throws Exception {
        String topic = "collect-bench-it-" + UUID.randomUUID();
        Stack.createTopics(1, topic);
        try {
            check(topic, 100_000, false);
            check(topic, 2, true);
        } finally {
            Stack.deleteTopics(topic);
        }
    }

    private void check(String topic, int rate, boolean limited) throws Exception {
        CollectorConfig cfg =
                TestCollector.config(
                        "bench-it",
                        topic,
                        "rate-limit:",
                        "  requests-per-second: " + rate,
                        "  burst: " + rate,
                        "apps:",
                        "  shop-web:",
                        "    allowed-origins: [\"http://localhost:8080\"]");
        try (TestCollector collector = new TestCollector(cfg, 64L << 20, null).awaitReady()) {
            CollectorServer server = collector.server;
            URI base = URI.create(collector.url);
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
        }
    }
}
