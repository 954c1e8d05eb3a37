package io.beaconflow.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.testing.Stack;
import io.beaconflow.collector.testing.TestCollector;
import io.beaconflow.collector.translate.BackendCorrelationTest;
import io.beaconflow.collector.translate.SdkFixtures;
import io.beaconflow.collector.translate.SdkFixtures.Captured;
import io.beaconflow.jobs.BeaconflowJob;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.pipeline.BeaconflowPipeline;
import io.beaconflow.jobs.pipeline.ElasticsearchOutputs;
import io.beaconflow.jobs.testing.ElasticsearchIndices;
import io.beaconflow.jobs.testing.MiniClusters;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Front-end ↔ back-end correlation through the real servers of the stack: the captured Faro and
 * OpenTelemetry visits are replayed to the collector over HTTP, the shop backend's calls (its
 * {@code traceparent} log) are exported to the same collector as OTLP protobuf SERVER spans with
 * the app's backend key, both land in their own fresh Kafka topics, and the production graph
 * (BeaconflowPipeline with the server-span source) writes {@code rum-fetch-timings-*} and {@code
 * rum-endpoint-timings-*} to Elasticsearch under the job's own index templates. Every backend call
 * must come out as exactly one joined fetch document with the server's duration and service, and
 * the endpoint documents must account for every joined fetch.
 */
class ServerSpansToElasticsearchITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    static final String BACKEND_KEY = "it-backend-key-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void everyBackendCallOfTheVisitsIsAJoinedFetchDocumentInElasticsearch() throws Exception {
        ElasticsearchIndices es =
                new ElasticsearchIndices("spans", "rum-fetch-timings-*", "rum-endpoint-timings-*");
        String run = es.run;
        String rawTopic = "it-spans-raw-" + run;
        String spanTopic = "it-spans-server-" + run;
        String prefix = es.prefix;
        Stack.createTopics(2, rawTopic, spanTopic);
        CollectorConfig cfg =
                TestCollector.config(
                        "it",
                        rawTopic,
                        "  server-spans-topic: " + spanTopic,
                        "rate-limit:",
                        "  requests-per-second: 10000",
                        "  burst: 10000",
                        "apps:",
                        "  shop-web:",
                        "    allowed-origins: [\"http://localhost:8080\"]",
                        "    backend-key: " + BACKEND_KEY);
        int calls = 0;
        try (TestCollector collector = new TestCollector(cfg, 64L << 20, null).awaitReady()) {
            String base = collector.url;
            for (String sdk : List.of("faro", "otel")) {
                for (Captured c : SdkFixtures.posts(sdk)) {
                    HttpResponse<String> r = replay(base, c);
                    assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
                }
                for (JsonNode call : SdkFixtures.backend(sdk)) {
                    HttpResponse<byte[]> r = exportSpans(base, call);
                    // The collector checks the span topic a moment after it is ready for
                    // browsers; an OTLP exporter retries a 503 the same way.
                    for (int attempt = 0; r.statusCode() == 503 && attempt < 50; attempt++) {
                        Thread.sleep(200);
                        r = exportSpans(base, call);
                    }
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(ExportTraceServiceResponse.parseFrom(r.body()).hasPartialSuccess())
                            .isFalse();
                    calls++;
                }
            }
        }

        BeaconflowConfig config = BeaconflowConfig.defaults();
        config.kafka.bootstrapServers = Stack.KAFKA;
        config.kafka.rawTopic = rawTopic;
        config.kafka.serverSpansTopic = spanTopic;
        config.kafka.groupId = "it-spans-" + run;
        config.kafka.startFrom = "earliest";
        config.traces.enabled = true;
        // The captured visits ran in headless Chromium, which the classifier calls a bot.
        config.metrics.excludeBots = false;
        StreamExecutionEnvironment flink = MiniClusters.environment(2);
        flink.enableCheckpointing(10_000);
        // Both sources bounded at the offsets latest at start: at the end of input the watermark
        // reaches the end of time, so every waiting fetch is decided and every window written.
        BeaconflowJob.fromKafka(flink, config, true)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .fetchTimings(ElasticsearchOutputs.fetchTimings(es.sink, prefix))
                                .endpointTimings(
                                        ElasticsearchOutputs.endpointTimings(es.sink, prefix)));
        flink.execute("server-spans-to-elasticsearch-itcase");

        es.refresh();
        List<JsonNode> fetches =
                ElasticsearchIndices.documents(prefix + "rum-fetch-timings-*", 500);
        Map<String, JsonNode> byFetchSpan = new HashMap<>();
        for (JsonNode d : fetches)
            byFetchSpan.put(d.path("trace_id").asText() + "-" + d.path("span_id").asText(), d);
        assertThat(fetches).hasSize(calls);
        for (String sdk : List.of("faro", "otel")) {
            for (JsonNode call : SdkFixtures.backend(sdk)) {
                String[] tp = call.path("traceparent").asText().split("-");
                JsonNode d = byFetchSpan.get(tp[1] + "-" + tp[2]);
                assertThat(d).as("fetch document for %s", call.path("traceparent")).isNotNull();
                assertThat(d.path("joined").asBoolean()).isTrue();
                assertThat(d.path("service").asText()).isEqualTo("shop-api");
                assertThat(d.path("server_ms").asDouble())
                        .isEqualTo(call.path("duration_ms").asDouble());
                assertThat(d.path("network_ms").asDouble())
                        .isEqualTo(d.path("client_ms").asDouble() - d.path("server_ms").asDouble());
                assertThat(d.path("endpoint").asText())
                        .startsWith(call.path("method").asText() + " /api/");
            }
        }
        List<JsonNode> endpoints =
                ElasticsearchIndices.documents(prefix + "rum-endpoint-timings-*", 500);
        long joined = 0;
        long unmatched = 0;
        for (JsonNode d : endpoints) {
            joined += d.path("joined").asLong();
            unmatched += d.path("unmatched").asLong();
            assertThat(d.path("service").asText()).isEqualTo("shop-api");
            assertThat(d.path("client_p50").asDouble())
                    .isGreaterThanOrEqualTo(d.path("server_p50").asDouble() * 0.98);
        }
        System.out.printf(
                "server spans → Elasticsearch: %d backend calls, %d fetch documents, %d endpoint"
                        + " windows (joined %d, unmatched %d)%n",
                calls, fetches.size(), endpoints.size(), joined, unmatched);
        assertThat(joined).isEqualTo(calls);
        assertThat(unmatched).isZero();
        Map<String, JsonNode> fetchFixture = writeDashboardFixture("fetch-timings", fetches);
        Map<String, JsonNode> endpointFixture =
                writeDashboardFixture("endpoint-timings", endpoints);
        matchesDashboardFixture("fetch-timings", fetchFixture);
        matchesDashboardFixture("endpoint-timings", endpointFixture);

        es.close();
        Stack.deleteTopics(rawTopic, spanTopic);
    }

    /** Where DashboardQueriesITCase (jobs) reads the traces dashboard's documents from. */
    static final Path DASHBOARD_FIXTURES = Path.of("../jobs/src/test/resources/dashboards/traces");

    /**
     * The traces dashboard is tested on these documents (the demo has no backend), so they must be
     * what the job writes today: the committed copy has the same documents (ids), with the same
     * fields and values, as this run. A change of the job's output fails here with the new copy in
     * {@code target/dashboard-fixtures/} to commit.
     */
    private static Map<String, JsonNode> writeDashboardFixture(String kind, List<JsonNode> produced)
            throws Exception {
        Map<String, JsonNode> now = new TreeMap<>();
        for (JsonNode d : produced) now.put(d.path("id").asText(), d);
        Path written = written(kind);
        Files.createDirectories(written.getParent());
        StringBuilder text = new StringBuilder();
        for (JsonNode d : now.values()) text.append(JSON.writeValueAsString(d)).append('\n');
        Files.writeString(written, text);
        return now;
    }

    private static Path written(String kind) {
        return Path.of("target/dashboard-fixtures", kind + ".ndjson");
    }

    private static void matchesDashboardFixture(String kind, Map<String, JsonNode> now)
            throws Exception {
        Path written = written(kind);
        Path committed = DASHBOARD_FIXTURES.resolve(kind + ".ndjson");
        String fix = "copy " + written.toAbsolutePath() + " to " + committed.normalize();
        assertThat(committed).as(fix).exists();
        Map<String, JsonNode> before = new TreeMap<>();
        for (String line : Files.readAllLines(committed)) {
            if (line.isBlank()) continue;
            JsonNode d = JSON.readTree(line);
            before.put(d.path("id").asText(), d);
        }
        assertThat(before.keySet()).as(kind + " document ids; " + fix).isEqualTo(now.keySet());
        for (Map.Entry<String, JsonNode> d : now.entrySet()) {
            assertThat(before.get(d.getKey()))
                    .as(kind + " document " + d.getKey() + "; " + fix)
                    .isEqualTo(d.getValue());
        }
    }

    private HttpResponse<byte[]> exportSpans(String base, JsonNode call) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                        .POST(
                                HttpRequest.BodyPublishers.ofByteArray(
                                        BackendCorrelationTest.export(call).toByteArray()))
                        .header("Content-Type", "application/x-protobuf")
                        .header("x-beaconflow-backend-key", BACKEND_KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> replay(String base, Captured c) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + c.path())).timeout(Duration.ofSeconds(20));
        for (String h :
                List.of("origin", "content-type", "x-faro-session-id", "referer", "user-agent")) {
            String v = c.header(h);
            if (v != null) b.header(h, v);
        }
        b.POST(HttpRequest.BodyPublishers.ofString(c.body(), StandardCharsets.UTF_8));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
