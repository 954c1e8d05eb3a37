package io.beaconflow.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.testing.Stack;
import io.beaconflow.collector.testing.TestCollector;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Country from MaxMind's published test database ({@code src/test/resources/geoip}, see its README)
 * through the whole request path: HTTP request → client IP (socket peer, or {@code X-Forwarded-For}
 * only when the peer is a trusted proxy) → GeoIP2 lookup → the record in the real Kafka → the job's
 * decoder. The expected countries are those of the database's source JSON (MaxMind-DB {@code
 * source-data/GeoIP2-Country-Test.json}): 81.2.69.160 GB (registered in US, so a registered-country
 * mix-up would show), 89.160.20.112 SE (registered DE), 2001:218::1 JP.
 */
class CollectorGeoIpITCase {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ORIGIN = "http://localhost:8080";
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> open = new ArrayList<>();
    String topic;

    @BeforeEach
    void topic() throws Exception {
        topic = "collector-geo-it-" + UUID.randomUUID();
        Stack.createTopics(1, topic);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
        Stack.deleteTopics(topic);
    }

    @Test
    void countryComesFromTheTestDatabaseForTheClientIpTheTrustedProxyForwarded() throws Exception {
        // The test's socket comes from 127.0.0.1: one collector trusts it as a proxy, one does not.
        String behindProxy = collector("trusted-proxies: [\"127.0.0.1/32\"]");
        String direct = collector("trusted-proxies: []");

        send(behindProxy, "gb", "81.2.69.160");
        send(behindProxy, "jp", "2001:218::1");
        // The browser claimed 81.2.69.160, the proxy appended the peer it saw: the proxy's hop
        // is believed, the browser's claim is not.
        send(behindProxy, "spoofed", "81.2.69.160, 89.160.20.112");
        // In no network of the test database: no country, never an error.
        send(behindProxy, "unknown", "198.51.100.7");
        // Not from a trusted proxy: X-Forwarded-For is ignored, the peer 127.0.0.1 has no country.
        send(direct, "untrusted", "81.2.69.160");

        Map<String, JsonNode> records = consume(5);
        assertThat(records.keySet())
                .containsExactlyInAnyOrder("gb", "jp", "spoofed", "unknown", "untrusted");
        assertRecord(records.get("gb"), "81.2.69.160", "GB");
        assertRecord(records.get("jp"), "2001:218:0:0:0:0:0:1", "JP");
        assertRecord(records.get("spoofed"), "89.160.20.112", "SE");
        assertRecord(records.get("unknown"), "198.51.100.7", null);
        assertRecord(records.get("untrusted"), "127.0.0.1", null);
    }

    private void assertRecord(JsonNode record, String ip, String country) throws Exception {
        assertThat(record.path("client_ip").asText()).isEqualTo(ip);
        if (country == null) {
            assertThat(record.has("country")).as("no country in " + record).isFalse();
        } else {
            assertThat(record.path("country").asText()).isEqualTo(country);
        }
        // And the job takes it: the decoded event carries the collector's country.
        List<IngestRecord> decoded = new ArrayList<>();
        new BeaconDecoder(new IngestConfig())
                .decode(
                        new RawBeacon(
                                JSON.writeValueAsBytes(record),
                                topic,
                                0,
                                0,
                                record.path("received_at").asLong()),
                        decoded::add);
        assertThat(decoded).singleElement().satisfies(d -> assertThat(d.deadLetter).isNull());
        assertThat(decoded.get(0).event.country).isEqualTo(country);
    }

    private String collector(String trust) throws Exception {
        CollectorConfig cfg =
                TestCollector.config(
                        "geo-it",
                        topic,
                        trust,
                        "geoip:",
                        "  database: " + database(),
                        "apps:",
                        "  shop-web:",
                        "    allowed-origins: [\"" + ORIGIN + "\"]");
        GeoIp geo = new GeoIp(Path.of(cfg.geoip.database));
        open.add(geo);
        TestCollector collector = new TestCollector(cfg, 16L << 20, geo);
        open.add(collector);
        return collector.awaitReady().url;
    }

    private static String database() throws URISyntaxException {
        return Path.of(
                        CollectorGeoIpITCase.class
                                .getResource("/geoip/GeoIP2-Country-Test.mmdb")
                                .toURI())
                .toString();
    }

    private void send(String base, String session, String forwardedFor) throws Exception {
        String batch =
                "{\"schema_version\":1,\"sent_at\":1796169870000,\"events\":[{\"event_id\":\"geo-"
                        + session
                        + "\",\"type\":\"custom\",\"app\":\"shop-web\",\"session_id\":\""
                        + session
                        + "\",\"occurred_at\":1796169869000,\"custom\":{\"name\":\"geo\"}}]}";
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/rum"))
                                .POST(HttpRequest.BodyPublishers.ofString(batch))
                                .header("Content-Type", "application/json")
                                .header("Origin", ORIGIN)
                                .header("X-Forwarded-For", forwardedFor)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    /** The records by the session id of their one event, once {@code expected} arrived (30 s). */
    private Map<String, JsonNode> consume(int expected) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = Stack.consumer("geo-it")) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    JsonNode v = JSON.readTree(r.value());
                    out.put(v.path("events").path(0).path("session_id").asText(), v);
                }
            }
        }
        return out;
    }
}
