package io.beaconflow.collector.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.kafka.KafkaRecordSink;
import io.beaconflow.collector.server.CollectorServer;
import io.beaconflow.collector.server.GeoIp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real collector for an ITCase: the production server on an ephemeral port of 127.0.0.1, writing
 * through the production Kafka sink to the stack's Kafka ({@link Stack#KAFKA}), on the wall clock
 * (it stamps {@code received_at} as in production). {@link #close} shuts the server down
 * gracefully, then the sink, in the order production does.
 */
public final class TestCollector implements AutoCloseable {
    /** What every test's config starts with: an ephemeral port, the stack's Kafka. */
    public static List<String> kafkaConfig(String topic) {
        return List.of(
                "listen: 127.0.0.1:0",
                "kafka:",
                "  bootstrap-servers: " + Stack.KAFKA,
                "  topic: " + topic);
    }

    /** The config of {@link #kafkaConfig} followed by {@code more} lines, parsed. */
    public static CollectorConfig config(String source, String topic, String... more) {
        List<String> lines = new ArrayList<>(kafkaConfig(topic));
        lines.addAll(List.of(more));
        return CollectorConfig.parse(String.join("\n", lines), source, k -> null);
    }

    public final CollectorConfig config;
    public final KafkaRecordSink sink;
    public final CollectorServer server;

    /** {@code http://127.0.0.1:<port>}. */
    public final String url;

    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * Starts the sink (a producer with {@code bufferBytes} of buffer, checked every 500 ms) and the
     * server; see {@link #awaitReady} before sending.
     */
    public TestCollector(CollectorConfig config, long bufferBytes, GeoIp geoIp) throws Exception {
        this.config = config;
        this.sink = new KafkaRecordSink(config.kafka, bufferBytes);
        sink.start(Duration.ofMillis(500));
        this.server = new CollectorServer(config, sink, geoIp, System::currentTimeMillis);
        this.url = "http://127.0.0.1:" + server.start();
    }

    /** Waits until {@code /readyz} answers 200 (Kafka reachable), for 30 s at most. */
    public TestCollector awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (http.send(
                                HttpRequest.newBuilder(URI.create(url + "/readyz")).GET().build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                != 200) {
            assertThat(System.nanoTime()).as("collector ready within 30 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        return this;
    }

    /** The port of {@link #url}. */
    public int port() {
        return URI.create(url).getPort();
    }

    @Override
    public void close() {
        server.close();
        sink.close();
    }
}
