package io.beaconflow.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.kafka.KafkaRecordSink;
import io.beaconflow.collector.translate.SdkFixtures;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input at the edge, against the real server with a real Kafka producer whose broker is not
 * there (a closed port): every refusal is a clear 4xx with a reason, counted by reason, a beacon
 * that would need Kafka gets 503 with Retry-After, and the collector keeps serving.
 */
class CollectorEdgeTest {
    static final String ORIGIN = "http://localhost:8080";
    static final String KEYED_ORIGIN = "https://keyed.example";
    static final String BACKEND_KEY = "backend-secret-0123456789";
    static CollectorServer server;
    static KafkaRecordSink sink;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String faroBody;

    @BeforeAll
    static void start() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        CollectorConfig cfg =
                CollectorConfig.parse(
                        String.join(
                                "\n",
                                "listen: 127.0.0.1:0",
                                "io-threads: 1",
                                "kafka:",
                                "  bootstrap-servers: 127.0.0.1:" + deadPort,
                                "  topic: edge-test",
                                "limits:",
                                "  max-body-bytes: 16384",
                                "  max-events-per-request: 50",
                                "rate-limit:",
                                "  requests-per-second: 1000",
                                "  burst: 1000",
                                "apps:",
                                "  shop-web:",
                                "    allowed-origins: [\"" + ORIGIN + "\"]",
                                "    backend-key: " + BACKEND_KEY,
                                "  keyed-app:",
                                "    allowed-origins: [\"" + KEYED_ORIGIN + "\"]",
                                "    api-key: s3cret"),
                        "test",
                        k -> null);
        sink = new KafkaRecordSink(cfg.kafka, 64L << 20);
        sink.start(CollectorServer.healthInterval());
        server = new CollectorServer(cfg, sink, null, System::currentTimeMillis);
        base = "http://127.0.0.1:" + server.start();
        faroBody = SdkFixtures.posts("faro").get(0).body();
    }

    @AfterAll
    static void stop() {
        server.close();
        sink.close();
    }

    @Test
    void unknownPathsAndMethodsAreRefusedWithAReason() throws Exception {
        HttpResponse<String> r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"error\":\"not_found\"");
        HttpResponse<String> m = get("/collect");
        assertThat(m.statusCode()).isEqualTo(405);
        assertThat(m.body()).contains("method_not_allowed");
    }

    @Test
    void preflightsAnswerTheHeadersTheSdksAskFor() throws Exception {
        HttpResponse<String> ok =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/collect"))
                                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                                .header("Origin", ORIGIN)
                                .header("Access-Control-Request-Method", "POST")
                                .header(
                                        "Access-Control-Request-Headers",
                                        "content-type,idempotency-key,x-faro-session-id")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
        assertThat(ok.headers().firstValue("access-control-allow-headers").orElse(""))
                .contains("content-type", "x-faro-session-id", "traceparent", "idempotency-key");
        HttpResponse<String> evil =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                                .header("Origin", "http://evil.example")
                                .header("Access-Control-Request-Method", "POST")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void wrongContentTypeInvalidAndTruncatedJsonAreRefused() throws Exception {
        HttpResponse<String> xml = post("/collect", "application/xml", faroBody, ORIGIN);
        assertThat(xml.statusCode()).isEqualTo(415);
        assertThat(xml.body()).contains("unsupported_media_type");
        HttpResponse<String> proto = post("/collect", "application/x-protobuf", faroBody, ORIGIN);
        assertThat(proto.statusCode()).as("protobuf is for /v1/traces only").isEqualTo(415);
        HttpResponse<String> bad = post("/collect", "application/json", "{not json", ORIGIN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid_json");
        String truncated = faroBody.substring(0, faroBody.length() / 2);
        HttpResponse<String> cut = post("/collect", "application/json", truncated, ORIGIN);
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(cut.body()).contains("invalid_json");
        HttpResponse<String> noApp = post("/collect", "application/json", "{\"meta\":{}}", ORIGIN);
        assertThat(noApp.statusCode()).isEqualTo(400);
        assertThat(noApp.body()).contains("bad_payload", "meta.app.name");
        HttpResponse<String> otlpGarbage =
                postBytes(
                        "/v1/traces",
                        "application/x-protobuf",
                        new byte[] {(byte) 0xff, 0x01, 0x02},
                        ORIGIN,
                        null);
        assertThat(otlpGarbage.statusCode()).isEqualTo(400);
        assertThat(otlpGarbage.body()).contains("bad_payload");
        assertThat(server.metrics().value(server.metrics().rejections, "invalid_json"))
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void oversizedBodiesAndGzipBombsAreRefusedWith413() throws Exception {
        String big = "{\"x\":\"" + "a".repeat(20_000) + "\"}";
        HttpResponse<String> r = post("/rum", "application/json", big, ORIGIN);
        assertThat(r.statusCode()).isEqualTo(413);
        // 2 MB of zeros gzip to about 2 KB: small on the wire, far over the limit inflated.
        byte[] bomb = gzip(("{\"x\":\"" + "0".repeat(2_000_000) + "\"}").getBytes());
        assertThat(bomb.length).isLessThan(16384);
        HttpResponse<String> b = postBytes("/rum", "application/json", bomb, ORIGIN, "gzip");
        assertThat(b.statusCode()).isEqualTo(413);
        assertThat(server.metrics().value(server.metrics().rejections, "payload_too_large"))
                .isGreaterThanOrEqualTo(2);
        StringBuilder many = new StringBuilder("{\"schema_version\":1,\"events\":[");
        for (int i = 0; i < 51; i++) {
            many.append(i == 0 ? "" : ",")
                    .append("{\"event_id\":\"e")
                    .append(i)
                    .append("\",\"type\":\"page_view\",\"app\":\"shop-web\",\"session_id\":\"s\",")
                    .append("\"occurred_at\":1}");
        }
        many.append("]}");
        HttpResponse<String> tooMany = post("/rum", "application/json", many.toString(), ORIGIN);
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(tooMany.body()).contains("too_many_events");
    }

    @Test
    void originUnknownAppAndApiKeyAreCheckedPerApp() throws Exception {
        HttpResponse<String> evil =
                post("/collect", "application/json", faroBody, "http://evil.example");
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.body()).contains("origin_not_allowed");
        String other = faroBody.replace("\"shop-web\"", "\"other-app\"");
        HttpResponse<String> unknown = post("/collect", "application/json", other, ORIGIN);
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(unknown.body()).contains("unknown_app");
        String keyed = faroBody.replace("\"shop-web\"", "\"keyed-app\"");
        HttpResponse<String> noKey = post("/collect", "application/json", keyed, KEYED_ORIGIN);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.body()).contains("bad_api_key");
        HttpResponse<String> wrongKey =
                post("/collect/wrong", "application/json", keyed, KEYED_ORIGIN);
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        // The right key in the path passes the key check and reaches the Kafka step (down here).
        HttpResponse<String> rightKey =
                post("/collect/s3cret", "application/json", keyed, KEYED_ORIGIN);
        assertThat(rightKey.statusCode()).isEqualTo(503);
        HttpResponse<String> fromShopOrigin =
                post("/collect/s3cret", "application/json", keyed, ORIGIN);
        assertThat(fromShopOrigin.statusCode()).isEqualTo(403);
    }

    @Test
    void aValidBeaconWithKafkaUnreachableIs503WithRetryAfterNeverASilentDrop() throws Exception {
        HttpResponse<String> r = post("/collect", "application/json", faroBody, ORIGIN);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("5");
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
        assertThat(r.body()).contains("kafka_unavailable");
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        String metrics = get("/metrics").body();
        assertThat(metrics)
                .contains("beaconflow_collector_rejections_total{reason=\"kafka_unavailable\"}");
    }

    @Test
    void aBeaconWithOnlySessionEventsNeedsNoKafkaAndIsAccepted() throws Exception {
        String onlySession =
                "{\"meta\":{\"app\":{\"name\":\"shop-web\"},\"session\":{\"id\":\"s1\"}},"
                        + "\"events\":[{\"name\":\"session_start\",\"timestamp\":\"2026-12-02T00:04:17.805Z\"}]}";
        HttpResponse<String> r = post("/collect", "application/json", onlySession, ORIGIN);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).contains("\"events\":0");
    }

    /** An OTLP/JSON export of one SERVER span of service shop-api (and one internal span). */
    static final String SERVER_SPAN_EXPORT =
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                    + "\"value\":{\"stringValue\":\"shop-api\"}}]},\"scopeSpans\":[{\"spans\":["
                    + "{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\","
                    + "\"spanId\":\"b7ad6b7169203331\",\"parentSpanId\":\"00f067aa0ba902b7\","
                    + "\"name\":\"POST /api/checkout\",\"kind\":2,"
                    + "\"startTimeUnixNano\":\"1790000099000000000\","
                    + "\"endTimeUnixNano\":\"1790000100500000000\",\"attributes\":["
                    + "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"POST\"}},"
                    + "{\"key\":\"http.route\",\"value\":{\"stringValue\":\"/api/checkout\"}},"
                    + "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":500}}]},"
                    + "{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\","
                    + "\"spanId\":\"c7ad6b7169203331\",\"parentSpanId\":\"b7ad6b7169203331\","
                    + "\"name\":\"SELECT orders\",\"kind\":3,"
                    + "\"startTimeUnixNano\":\"1790000099100000000\","
                    + "\"endTimeUnixNano\":\"1790000099200000000\"}]}]}]}";

    static HttpResponse<String> postServerSpans(String path, String origin, String key)
            throws Exception {
        return postServerSpans(path, origin, key, SERVER_SPAN_EXPORT);
    }

    static HttpResponse<String> postServerSpans(
            String path, String origin, String key, String export) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .POST(HttpRequest.BodyPublishers.ofString(export))
                        .header("Content-Type", "application/json");
        if (origin != null) b.header("Origin", origin);
        if (key != null) b.header("x-beaconflow-backend-key", key);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBackendsExportThatIsNotJsonIsRefusedAsABrowsersBeaconIs() throws Exception {
        HttpResponse<String> bad = postServerSpans("/v1/traces", null, BACKEND_KEY, "{not json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid_json", "body is not valid JSON");
    }

    @Test
    void serverSpansNeedTheAppsBackendKeyAndNeverComeFromAPage() throws Exception {
        // A browser export (no key) cannot inject server spans: refused in the OTLP answer.
        HttpResponse<String> browser = postServerSpans("/v1/traces", ORIGIN, null);
        assertThat(browser.statusCode()).isEqualTo(200);
        assertThat(browser.body()).contains("\"rejectedSpans\": \"1\"").contains("backend key");
        // The key in a page (an Origin header) has leaked: refused, whichever key it is.
        HttpResponse<String> fromPage = postServerSpans("/v1/traces", ORIGIN, BACKEND_KEY);
        assertThat(fromPage.statusCode()).isEqualTo(403);
        assertThat(fromPage.body()).contains("backend_key_from_browser");
        HttpResponse<String> wrong = postServerSpans("/v1/traces", null, "not-the-key-at-all");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("bad_backend_key");
        HttpResponse<String> otherPath = postServerSpans("/rum", null, BACKEND_KEY);
        assertThat(otherPath.statusCode()).isEqualTo(400);
        assertThat(otherPath.body()).contains("backend_key_wrong_path");
        // The right key from a backend: the span must reach Kafka, which is down here: 503, never
        // a 200 for a span that was not stored.
        HttpResponse<String> backend = postServerSpans("/v1/traces", null, BACKEND_KEY);
        assertThat(backend.statusCode()).isEqualTo(503);
        assertThat(backend.body()).contains("kafka_unavailable");
        assertThat(backend.headers().firstValue("Retry-After")).isPresent();
        assertThat(get("/metrics").body())
                .contains("reason=\"bad_backend_key\"")
                .contains("reason=\"backend_key_from_browser\"");
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String type, String body, String origin)
            throws Exception {
        return postBytes(path, type, body.getBytes(StandardCharsets.UTF_8), origin, null);
    }

    static HttpResponse<String> postBytes(
            String path, String type, byte[] body, String origin, String encoding)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .header("Content-Type", type);
        if (origin != null) b.header("Origin", origin);
        if (encoding != null) b.header("Content-Encoding", encoding);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] gzip(byte[] in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(in);
        }
        return out.toByteArray();
    }
}
