package io.beaconflow.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.collector.testing.Stack;
import io.beaconflow.collector.testing.TestCollector;
import io.beaconflow.collector.translate.FaroTranslator;
import io.beaconflow.collector.translate.OtlpJson;
import io.beaconflow.collector.translate.OtlpTranslator;
import io.beaconflow.collector.translate.SdkFixtures;
import io.beaconflow.collector.translate.SdkFixtures.Captured;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collector against the real Kafka of the stack ({@code BEACONFLOW_KAFKA_BOOTSTRAP}): the
 * captured Faro and OpenTelemetry traffic replayed over HTTP (preflights, gzip bodies, the SDKs'
 * own headers) lands in a fresh topic as records the job's decoder accepts, with the record
 * timestamp equal to the collector's received_at, and a payload posted twice gives the same event
 * ids.
 */
class CollectorKafkaITCase {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String topic;
    TestCollector collector;
    CollectorServer server;
    String base;

    @BeforeEach
    void start() throws Exception {
        topic = "collector-it-" + UUID.randomUUID();
        Stack.createTopics(2, topic);
        collector =
                new TestCollector(
                                TestCollector.config(
                                        "it",
                                        topic,
                                        "rate-limit:",
                                        "  requests-per-second: 10000",
                                        "  burst: 10000",
                                        "apps:",
                                        "  shop-web:",
                                        "    allowed-origins: [\"http://localhost:8080\"]"),
                                64L << 20,
                                null)
                        .awaitReady();
        server = collector.server;
        base = collector.url;
    }

    @AfterEach
    void stop() throws Exception {
        collector.close();
        Stack.deleteTopics(topic);
    }

    @Test
    void replayedSdkTrafficLandsInKafkaAsDecodableRecordsStampedWithTheReceiveTime()
            throws Exception {
        int posts = 0;
        int i = 0;
        for (String sdk : List.of("faro", "otel")) {
            for (Captured c : SdkFixtures.requests(sdk)) {
                HttpResponse<String> r = replay(c, i++ % 2 == 0);
                if (c.method().equals("OPTIONS")) {
                    assertThat(r.statusCode()).as("preflight").isEqualTo(204);
                } else {
                    assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
                    posts++;
                }
            }
        }
        // The same Faro payload once more: new request, same event ids.
        Captured again = SdkFixtures.posts("faro").get(3);
        assertThat(replay(again, false).statusCode()).isEqualTo(202);
        // sendBeacon: text/plain, no preflight, native contract.
        String beacon =
                "{\"schema_version\":1,\"sent_at\":1796169870000,\"events\":[{\"event_id\":\"nb-1\","
                        + "\"type\":\"custom\",\"app\":\"shop-web\",\"session_id\":\"beacon-s\","
                        + "\"occurred_at\":1796169869000,\"custom\":{\"name\":\"unload\"}}]}";
        HttpResponse<String> nb =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/rum"))
                                .POST(HttpRequest.BodyPublishers.ofString(beacon))
                                .header("Content-Type", "text/plain;charset=UTF-8")
                                .header("Origin", "http://localhost:8080")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(nb.statusCode()).isEqualTo(202);
        // OTLP protobuf: the answer is an ExportTraceServiceResponse in protobuf.
        Captured otel = SdkFixtures.posts("otel").get(0);
        byte[] proto = OtlpJson.parse(otel.json()).toByteArray();
        HttpResponse<byte[]> pr =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(proto))
                                .header("Content-Type", "application/x-protobuf")
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pr.statusCode()).isEqualTo(200);
        assertThat(pr.headers().firstValue("content-type")).hasValue("application/x-protobuf");
        assertThat(ExportTraceServiceResponse.parseFrom(pr.body()).hasPartialSuccess()).isFalse();

        int expectedRecords = posts + 3;
        List<ConsumerRecord<byte[], byte[]>> records = consume(expectedRecords);
        assertThat(records).hasSize(expectedRecords);
        List<RumEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            JsonNode value = JSON.readTree(rec.value());
            assertThat(rec.timestamp())
                    .as("record timestamp is the collector's received_at")
                    .isEqualTo(value.path("received_at").asLong());
            assertThat(value.path("client_ip").asText()).isEqualTo("127.0.0.1");
            List<IngestRecord> decoded = new ArrayList<>();
            new BeaconDecoder(new IngestConfig())
                    .decode(
                            new RawBeacon(
                                    rec.value(),
                                    topic,
                                    rec.partition(),
                                    rec.offset(),
                                    rec.timestamp()),
                            decoded::add);
            for (IngestRecord d : decoded) {
                assertThat(d.deadLetter).as("dead letter").isNull();
                events.add(d.event);
            }
        }
        Set<String> ids = new HashSet<>();
        for (RumEvent e : events) ids.add(e.app + "/" + e.eventId);
        int duplicates = events.size() - ids.size();
        int resent =
                FaroTranslator.translate(again.json(), again.edge(), null).events().size()
                        + OtlpTranslator.fromJson(otel.json(), otel.edge()).events().size();
        assertThat(duplicates).as("exactly the resent payloads repeat ids").isEqualTo(resent);
        // Per type, the distinct events equal the two captured visits' summaries combined
        // (the protobuf post repeats the first OTel request, the resend a Faro one).
        Map<EventType, Long> distinct = new java.util.EnumMap<>(EventType.class);
        Set<String> seen = new HashSet<>();
        for (RumEvent e : events) {
            if (seen.add(e.app + "/" + e.eventId)) distinct.merge(e.type, 1L, Long::sum);
        }
        assertThat(distinct.get(EventType.PAGE_VIEW)).isEqualTo(16);
        assertThat(distinct.get(EventType.FETCH)).isEqualTo(52);
        assertThat(distinct.get(EventType.WEB_VITAL)).isEqualTo(40);
        assertThat(distinct.get(EventType.ERROR)).isEqualTo(6);
        assertThat(distinct.get(EventType.ACTION)).isEqualTo(19 + 26);
        assertThat(distinct.get(EventType.CUSTOM)).isEqualTo(1);
        assertThat(server.metrics().value(server.metrics().records)).isEqualTo(expectedRecords);
    }

    @Test
    void gracefulShutdownAnswersEveryAcceptedRequestOnlyAfterKafkaHasIt() throws Exception {
        List<Captured> faro = SdkFixtures.posts("faro");
        int port = collector.port();
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(50);
        List<java.util.concurrent.Future<Integer>> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] body = faro.get(i % faro.size()).body().getBytes(StandardCharsets.UTF_8);
            sent.add(pool.submit(() -> rawPost(port, body)));
        }
        // Stop mid-stream: once some beacons are stored, while others are still arriving.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.metrics().value(server.metrics().requests, "faro", "202") < 10
                && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        server.close();
        int accepted = 0;
        int unavailable = 0;
        int refused = 0;
        int unanswered = 0;
        for (java.util.concurrent.Future<Integer> f : sent) {
            int status = f.get(60, TimeUnit.SECONDS);
            if (status == 202) accepted++;
            else if (status == 503) unavailable++;
            else if (status == -2) unanswered++;
            else {
                assertThat(status).as("refused or reset before an answer").isEqualTo(-1);
                refused++;
            }
        }
        pool.shutdown();
        System.out.printf(
                "graceful shutdown: %d accepted, %d answered 503, %d refused, %d unanswered of"
                        + " 200%n",
                accepted, unavailable, refused, unanswered);
        assertThat(unanswered).as("every connection gets an answer or a close").isZero();
        assertThat(accepted).isPositive();
        List<ConsumerRecord<byte[], byte[]>> records = consume(accepted);
        assertThat(records).as("every 202 is in Kafka, nothing else is").hasSize(accepted);
    }

    /**
     * One request on its own connection, read to the end: the status, or -1 when the connection was
     * refused or reset before any answer (the socket was already closed). A request left without
     * any answer fails on the 20 s read timeout.
     */
    private static int rawPost(int port, byte[] body) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            try {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
            } catch (java.io.IOException e) {
                return -1; // refused, or reset mid-handshake as the listening socket closed
            }
            s.setSoTimeout(5_000);
            String head =
                    "POST /collect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Origin: http://localhost:8080\r\nConnection: close\r\nContent-Length: "
                            + body.length
                            + "\r\n\r\n";
            try {
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                s.getOutputStream().flush();
                byte[] resp = s.getInputStream().readAllBytes();
                if (resp.length == 0) return -1;
                String status =
                        new String(resp, 0, Math.min(resp.length, 12), StandardCharsets.US_ASCII);
                return Integer.parseInt(status.substring(9, 12));
            } catch (java.net.SocketTimeoutException e) {
                return -2; // connected while the listening socket closed, never handled
            } catch (java.io.IOException e) {
                return -1; // reset by the closing server before an answer: nothing was promised
            }
        }
    }

    private HttpResponse<String> replay(Captured c, boolean gzip) throws Exception {
        return http.send(request(c, gzip), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(Captured c, boolean gzip) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + c.path())).timeout(Duration.ofSeconds(20));
        for (String h :
                List.of(
                        "origin",
                        "content-type",
                        "x-faro-session-id",
                        "referer",
                        "user-agent",
                        "access-control-request-method",
                        "access-control-request-headers")) {
            String v = c.header(h);
            if (v != null) b.header(h, v);
        }
        if (c.method().equals("OPTIONS")) {
            return b.method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build();
        }
        byte[] body = c.body().getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(out)) {
                g.write(body);
            }
            body = out.toByteArray();
            b.header("Content-Encoding", "gzip");
        }
        return b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** Reads the topic from the start until {@code expected} records or 30 s; then 2 s more. */
    private List<ConsumerRecord<byte[], byte[]>> consume(int expected) {
        Properties readCommitted = new Properties();
        readCommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = Stack.consumer("it", readCommitted)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long extra = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, extra)) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= expected && extra == Long.MAX_VALUE) {
                    extra = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                }
            }
        }
        return out;
    }
}
