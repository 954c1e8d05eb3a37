package io.beaconflow.jobs.io.elasticsearch;

import static io.beaconflow.jobs.io.elasticsearch.TestDocs.counter;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.io.elasticsearch.TestDocs.Doc;
import io.beaconflow.jobs.testing.MiniClusters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink against a real Elasticsearch ({@code scripts/stack.sh up es}), through Flink jobs on a
 * MiniCluster: exact counts, idempotent replays, dead-lettering of documents Elasticsearch refuses.
 */
class ElasticsearchSinkITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withSlots(2, METRICS.addToConfiguration(new Configuration()));

    private static EsCluster es;
    private String prefix;

    @BeforeAll
    static void cluster() throws Exception {
        es = EsCluster.plain();
        // so the dead-letter index below gets the real rum-deadletter mapping
        try (var ignored = new ClientScope(config())) {
            IndexTemplates.installAll(ignored.client);
        }
    }

    @BeforeEach
    void freshPrefix(TestInfo test) {
        prefix = EsCluster.freshPrefix(test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void cleanUp() throws Exception {
        es.deleteIndices(prefix);
        es.deleteIndices("rum-deadletter-" + prefix);
    }

    /** The test cluster's section, plus {@code lines} (YAML, as in beaconflow.yaml). */
    static ElasticsearchSinkConfig config(String... lines) {
        return ElasticsearchSinkConfig.parse(
                "hosts: " + es.url + "\n" + String.join("\n", lines) + "\n", "test");
    }

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static JobExecutionResult run(
            long n, ElasticsearchSinkConfig config, DocumentEmitter<Doc> emitter, String name)
            throws Exception {
        StreamExecutionEnvironment env = env();
        env.fromSequence(0, n - 1)
                .map(Doc::of)
                .returns(Doc.class)
                .sinkTo(ElasticsearchSink.<Doc>builder().config(config).emitter(emitter).build())
                .name("docs to Elasticsearch");
        return env.execute(name);
    }

    @Test
    void tenThousandDocumentsLandExactlyOnceAndASecondRunOverwritesThemInPlace() throws Exception {
        long n = 10_000;
        String index = prefix + "docs";
        ElasticsearchSinkConfig config = config("bulk:", "  max-actions: 500");

        JobExecutionResult first = run(n, config, TestDocs.emitter(index), "first run");

        assertThat(es.count(index)).isEqualTo(n);
        List<JsonNode> afterFirst = es.all(index, "seq");
        TestDocs.assertExactly(afterFirst, n);
        assertThat(counter(METRICS, first.getJobID(), "documentsSent")).isEqualTo(n);
        assertThat(counter(METRICS, first.getJobID(), "bulkRequests"))
                .as("bounded by bulk.max-actions=500 per subtask")
                .isGreaterThanOrEqualTo(n / 500);
        assertThat(counter(METRICS, first.getJobID(), "permanentFailures")).isZero();

        JobExecutionResult second = run(n, config, TestDocs.emitter(index), "replay");

        assertThat(es.count(index)).as("same ids: overwritten, not added").isEqualTo(n);
        List<JsonNode> afterSecond = es.all(index, "seq");
        TestDocs.assertExactly(afterSecond, n);
        assertThat(afterSecond)
                .allSatisfy(hit -> assertThat(hit.get("_version").asLong()).isEqualTo(2));
        assertThat(counter(METRICS, second.getJobID(), "documentsSent")).isEqualTo(n);
    }

    @Test
    void aDocumentElasticsearchRefusesIsDeadLetteredWhileAllOthersAreIndexed() throws Exception {
        long n = 3_000;
        String index = prefix + "strict";
        String deadLetters = "rum-deadletter-" + prefix + "sink";
        es.ok(
                "PUT",
                "/" + index,
                "{\"mappings\":{\"dynamic\":\"strict\",\"properties\":{\"seq\":{\"type\":\"long\"},"
                        + "\"name\":{\"type\":\"keyword\"},\"value\":{\"type\":\"double\"},"
                        + "\"tag\":{\"type\":\"long\"}}}}");
        JsonDocumentEmitter<Doc> base = TestDocs.emitter(index);
        // seq 1234: a value that does not fit the mapping; seq 2345: a field strict mapping refuses
        DocumentEmitter<Doc> emitter =
                d -> {
                    if (d.seq == 1234) d.tag = "not-a-number";
                    if (d.seq == 2345) d.extra = Map.of("surprise", "field");
                    return base.emit(d);
                };
        ElasticsearchSinkConfig config =
                config("bulk:", "  max-actions: 200", "dead-letter:", "  index: " + deadLetters);

        JobExecutionResult result = run(n, config, emitter, "with bad documents");

        assertThat(es.count(index)).isEqualTo(n - 2);
        assertThat(
                        es.ok("GET", "/" + index + "/_doc/" + TestDocs.id(1233), null)
                                .at("/found")
                                .asBoolean())
                .isTrue();
        Map<String, JsonNode> dead =
                es.all(deadLetters, "error_status").stream()
                        .map(h -> h.get("_source"))
                        .collect(Collectors.toMap(s -> s.get("original_id").asText(), s -> s));
        assertThat(dead).containsOnlyKeys(TestDocs.id(1234), TestDocs.id(2345));
        JsonNode badValue = dead.get(TestDocs.id(1234));
        assertThat(badValue.get("error_type").asText()).isEqualTo("document_parsing_exception");
        assertThat(badValue.get("error_reason").asText()).contains("tag");
        assertThat(badValue.get("original_index").asText()).isEqualTo(index);
        assertThat(badValue.get("payload").asText()).contains("not-a-number");
        assertThat(badValue.get("reason").asText()).isEqualTo("SINK_REJECTED");
        JsonNode strict = dead.get(TestDocs.id(2345));
        assertThat(strict.get("error_type").asText())
                .isIn("strict_dynamic_mapping_exception", "document_parsing_exception");
        assertThat(strict.get("error_reason").asText()).contains("strict");

        assertThat(counter(METRICS, result.getJobID(), "permanentFailures")).isEqualTo(2);
        assertThat(counter(METRICS, result.getJobID(), "deadLettered")).isEqualTo(2);
        assertThat(counter(METRICS, result.getJobID(), "documentsSent")).isEqualTo(n - 2);
        assertThat(counter(METRICS, result.getJobID(), "retries"))
                .as("a refused document is never retried")
                .isZero();
        assertThat(es.ok("GET", "/" + deadLetters + "/_mapping", null).toString())
                .as("the dead-letter index took the rum-deadletter template")
                .contains("original_index");
    }

    @Test
    void theFlushIntervalSendsASmallBatchWithoutWaitingForTheBulkToFill() throws Exception {
        long n = 7;
        String index = prefix + "trickle";
        ElasticsearchSinkConfig config =
                config("bulk:", "  max-actions: 1000", "  flush-interval: 200ms");
        StreamExecutionEnvironment env = env();
        env.setParallelism(1);
        // An unbounded source that emits n documents and then idles: only the timer can send them.
        env.fromSource(
                        new org.apache.flink.connector.datagen.source.DataGeneratorSource<>(
                                Doc::of,
                                Long.MAX_VALUE,
                                org.apache.flink.api.connector.source.util.ratelimit
                                        .RateLimiterStrategy.perSecond(50),
                                org.apache.flink.api.common.typeinfo.TypeInformation.of(Doc.class)),
                        org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(),
                        "paced docs")
                .filter(d -> d.seq < n)
                .sinkTo(
                        ElasticsearchSink.<Doc>builder()
                                .config(config)
                                .emitter(TestDocs.emitter(index))
                                .build());
        var job = env.executeAsync("trickle");
        try {
            EsCluster.await(
                    "7 documents sent by the flush timer",
                    Duration.ofSeconds(30),
                    () -> {
                        try {
                            return es.request("HEAD", "/" + index, null).status == 200
                                    && es.count(index) == n;
                        } catch (Exception e) {
                            return false;
                        }
                    });
        } finally {
            job.cancel().get();
        }
        TestDocs.assertExactly(es.all(index, "seq"), n);
    }

    /** A client for setup work, closed after use. */
    static final class ClientScope implements AutoCloseable {
        final co.elastic.clients.elasticsearch.ElasticsearchClient client;

        ClientScope(ElasticsearchSinkConfig config) {
            this.client = ElasticsearchClients.create(config);
        }

        @Override
        public void close() throws Exception {
            ElasticsearchClients.close(client);
        }
    }
}
