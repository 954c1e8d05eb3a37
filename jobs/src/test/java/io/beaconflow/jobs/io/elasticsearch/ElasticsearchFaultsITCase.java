package io.beaconflow.jobs.io.elasticsearch;

import static io.beaconflow.jobs.io.elasticsearch.TestDocs.counter;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.io.elasticsearch.FaultInjectingProxy.Plan;
import io.beaconflow.jobs.io.elasticsearch.FaultInjectingProxy.Reply;
import io.beaconflow.jobs.io.elasticsearch.TestDocs.Doc;
import io.beaconflow.jobs.testing.MiniClusters;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink against faults of a real Elasticsearch ({@code $BEACONFLOW_ES_URL}) injected by {@link
 * FaultInjectingProxy}: 429 and 5xx on whole bulk requests, 413 (split the bulk), an item-level 403
 * inside a successful response, a connection reset mid-request, a node that answers after the
 * client's timeout, a dead letter Elasticsearch refuses, and indices Elasticsearch will not
 * auto-create. Each test checks the exact documents by id in Elasticsearch, the sink's dead-letter
 * index, the counters, and, where a record cannot be written anywhere, that the job fails with a
 * message naming the index, the reason and the fix.
 *
 * <p>One writer subtask, so bulk requests go out one after another and the proxy's numbering (bulk
 * 1, 2, ...) is the writer's order.
 */
class ElasticsearchFaultsITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withSlots(1, METRICS.addToConfiguration(new Configuration()));

    private static final long N = 1_000;

    private static EsCluster es;
    private String prefix;
    private String index;
    private FaultInjectingProxy proxy;

    @BeforeAll
    static void cluster() {
        es = EsCluster.plain();
    }

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        prefix = EsCluster.freshPrefix(test.getTestMethod().orElseThrow().getName());
        index = prefix + "docs";
        proxy = FaultInjectingProxy.start(es.url);
        // The job's templates for this prefix, as the job installs them at start: the sink's
        // dead-letter index (<prefix>rum-deadletter) gets the real rum-deadletter mapping.
        try (var setup = new ElasticsearchSinkITCase.ClientScope(direct())) {
            IndexTemplates.installAll(setup.client, prefix);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        proxy.close();
        es.deleteIndices(prefix);
        JsonNode templates = es.request("GET", "/_index_template/" + prefix + "*", null).body;
        for (JsonNode t : templates.path("index_templates")) {
            es.request("DELETE", "/_index_template/" + t.get("name").asText(), null);
        }
    }

    private ElasticsearchSinkConfig direct() {
        return ElasticsearchSinkConfig.parse(
                "hosts: " + es.url + "\nindex-prefix: " + prefix + "\n", "test");
    }

    /** Through the proxy, short backoffs, 100 documents per bulk request. */
    private ElasticsearchSinkConfig viaProxy(String... more) {
        return ElasticsearchSinkConfig.parse(
                String.join(
                        "\n",
                        "hosts: " + proxy.url(),
                        "index-prefix: " + prefix,
                        "bulk:",
                        "  max-actions: 100",
                        "  flush-interval: 30s",
                        "retry:",
                        "  initial-backoff: 50ms",
                        "  max-backoff: 400ms",
                        "  max-retries: 5",
                        "  max-duration: 60s",
                        String.join("\n", more) + "\n"),
                "test");
    }

    private String deadLetterIndex() {
        return prefix + "rum-deadletter";
    }

    /** Runs {@code n} documents through the sink; returns the job (finished or failed). */
    private JobClient run(ElasticsearchSinkConfig config, DocumentEmitter<Doc> emitter)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.fromSequence(0, N - 1)
                .map(Doc::of)
                .returns(Doc.class)
                .sinkTo(ElasticsearchSink.<Doc>builder().config(config).emitter(emitter).build())
                .name("docs to Elasticsearch");
        JobClient job = env.executeAsync("faults");
        try {
            job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        } catch (ExecutionException expectedInSomeTests) {
            // the failing tests inspect it with failure(job)
        }
        return job;
    }

    private JobClient run(ElasticsearchSinkConfig config) throws Exception {
        return run(config, TestDocs.emitter(index));
    }

    /** The sink's exception that failed the job; fails the test when the job did not fail. */
    private static ElasticsearchSinkException failure(JobClient job) throws Exception {
        try {
            job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            Optional<ElasticsearchSinkException> cause =
                    ExceptionUtils.findThrowable(e, ElasticsearchSinkException.class);
            assertThat(cause).as("the sink's exception in " + e).isPresent();
            return cause.get();
        }
        throw new AssertionError("the job finished, but it should have failed");
    }

    private static void assertFinished(JobClient job) throws Exception {
        job.getJobExecutionResult().get(1, TimeUnit.MINUTES); // throws if the job failed
    }

    private long count(JobID job, String name) {
        return counter(METRICS, job, name);
    }

    private boolean exists(String name) throws Exception {
        return es.request("HEAD", "/" + name, null).status == 200;
    }

    private Set<String> idsIn(String name) throws Exception {
        Set<String> ids = new HashSet<>();
        for (JsonNode hit : es.all(name, "seq")) ids.add(hit.get("_id").asText());
        return ids;
    }

    private void assertAllDocumentsExactlyOnce() throws Exception {
        assertThat(es.count(index)).isEqualTo(N);
        TestDocs.assertExactly(es.all(index, "seq"), N);
        assertThat(exists(deadLetterIndex())).as("nothing was dead-lettered").isFalse();
    }

    @Test
    void bulkRequestsAnsweredTooManyRequestsAreRetriedAndEveryDocumentLandsOnce() throws Exception {
        Reply tooMany =
                Reply.fromElasticsearch(
                        429,
                        "es_rejected_execution_exception",
                        "rejected execution of coordinating operation");
        proxy.onBulk(1, Plan.answer(tooMany))
                .onBulk(2, Plan.answer(tooMany))
                .onBulk(5, Plan.answer(tooMany));

        JobClient job = run(viaProxy());

        assertFinished(job);
        assertAllDocumentsExactlyOnce();
        assertThat(proxy.faults()).containsExactly("bulk 1: 429", "bulk 2: 429", "bulk 5: 429");
        assertThat(proxy.bulkRequests()).isEqualTo(N / 100 + 3);
        assertThat(count(job.getJobID(), "retries")).isEqualTo(3);
        assertThat(count(job.getJobID(), "bulkRequests")).isEqualTo(N / 100 + 3);
        assertThat(count(job.getJobID(), "documentsSent")).isEqualTo(N);
        assertThat(count(job.getJobID(), "permanentFailures")).isZero();
        assertThat(count(job.getJobID(), "deadLettered")).isZero();
    }

    @Test
    void serverErrorsFromTheClusterOrALoadBalancerInFrontOfItAreRetried() throws Exception {
        proxy.onBulk(1, Plan.answer(Reply.fromLoadBalancer(502, "Bad Gateway")))
                .onBulk(
                        3,
                        Plan.answer(
                                Reply.fromElasticsearch(
                                        503,
                                        "unavailable_shards_exception",
                                        "primary shard is not active")))
                .onBulk(4, Plan.answer(Reply.fromLoadBalancer(500, "Internal Server Error")));

        JobClient job = run(viaProxy());

        assertFinished(job);
        assertAllDocumentsExactlyOnce();
        assertThat(proxy.faults()).containsExactly("bulk 1: 502", "bulk 3: 503", "bulk 4: 500");
        assertThat(count(job.getJobID(), "retries")).isEqualTo(3);
        assertThat(count(job.getJobID(), "documentsSent")).isEqualTo(N);
        assertThat(count(job.getJobID(), "deadLettered")).isZero();
    }

    @Test
    void aRequestTooLargeIsSplitUntilItFitsAndADocumentTooLargeAloneIsDeadLettered()
            throws Exception {
        int limit = 6 * 1024; // a proxy with a small client_max_body_size
        proxy.onEveryBulk(
                (request, forward) ->
                        request.body.length > limit
                                ? Reply.fromLoadBalancer(413, "Request Entity Too Large")
                                : forward.send(request.body));
        JsonDocumentEmitter<Doc> base = TestDocs.emitter(index);
        DocumentEmitter<Doc> emitter =
                d -> {
                    if (d.seq == 500) d.extra = Map.of("blob", "x".repeat(2 * limit));
                    return base.emit(d);
                };

        JobClient job = run(viaProxy("dead-letter:", "  max-document-chars: 1000"), emitter);

        assertFinished(job);
        Set<String> expected = new HashSet<>();
        for (long i = 0; i < N; i++) if (i != 500) expected.add(TestDocs.id(i));
        assertThat(idsIn(index)).isEqualTo(expected);
        List<String> forwardedIds = new java.util.ArrayList<>();
        proxy.bulks().forEach(r -> forwardedIds.addAll(r.bulkIds()));
        assertThat(forwardedIds)
                .as("the halves of refused requests reached Elasticsearch once each")
                .doesNotHaveDuplicates()
                .containsAll(expected)
                .hasSize(expected.size() + 1); // + the dead letter
        List<JsonNode> dead = es.all(deadLetterIndex(), "error_status");
        assertThat(dead).hasSize(1);
        JsonNode letter = dead.get(0).get("_source");
        assertThat(letter.get("original_id").asText()).isEqualTo(TestDocs.id(500));
        assertThat(letter.get("original_index").asText()).isEqualTo(index);
        assertThat(letter.get("error_status").asInt()).isEqualTo(413);
        assertThat(letter.get("truncated").asBoolean()).isTrue();
        assertThat(proxy.faults()).allMatch(f -> f.endsWith(": 413")).isNotEmpty();
        assertThat(count(job.getJobID(), "retries")).as("splitting is not retrying").isZero();
        assertThat(count(job.getJobID(), "documentsSent")).isEqualTo(N - 1);
        assertThat(count(job.getJobID(), "permanentFailures")).isEqualTo(1);
        assertThat(count(job.getJobID(), "deadLettered")).isEqualTo(1);
    }

    @Test
    void anItemBlockedByAReadOnlyBlockInsideASuccessfulBulkIsRetriedAlone() throws Exception {
        String blocked = TestDocs.id(250);
        proxy.onEveryBulk(
                (request, forward) ->
                        request.bulkIds().contains(blocked) && proxy.faults().isEmpty()
                                ? Plan.refuseItems(blocked::equals, 403, "cluster_block_exception")
                                        .handle(request, forward)
                                : forward.send(request.body));

        JobClient job = run(viaProxy());

        assertFinished(job);
        assertAllDocumentsExactlyOnce();
        assertThat(proxy.faults()).hasSize(1);
        List<FaultInjectingProxy.Request> bulks = proxy.bulks();
        FaultInjectingProxy.Request retry = bulks.get(bulks.indexOf(firstWith(blocked)) + 1);
        assertThat(retry.bulkIds())
                .as("only the refused item is sent again")
                .containsExactly(blocked);
        assertThat(count(job.getJobID(), "retries")).isEqualTo(1);
        assertThat(count(job.getJobID(), "documentsSent")).isEqualTo(N);
    }

    private FaultInjectingProxy.Request firstWith(String id) {
        return proxy.bulks().stream()
                .filter(r -> r.bulkIds().contains(id))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anItemRefusedForSecurityInsideASuccessfulBulkFailsTheJobWithTheFix() throws Exception {
        String refused = TestDocs.id(250);
        proxy.onEveryBulk(Plan.refuseItems(refused::equals, 403, "security_exception"));

        JobClient job = run(viaProxy());

        ElasticsearchSinkException e = failure(job);
        assertThat(e).isInstanceOf(ElasticsearchAuthException.class);
        assertThat(e.getMessage())
                .contains("HTTP 403", "security_exception", "index privileges", "create_index");
        Set<String> ids = idsIn(index);
        assertThat(ids).doesNotContain(refused);
        assertThat(ids)
                .as("the other items of the same bulk were indexed")
                .containsAll(
                        firstWith(refused).bulkIds().stream()
                                .filter(id -> !id.equals(refused))
                                .toList());
        assertThat(exists(deadLetterIndex()))
                .as("a privilege problem is no bad document")
                .isFalse();
        assertThat(count(job.getJobID(), "deadLettered")).isZero();
        assertThat(count(job.getJobID(), "retries")).isZero();
    }

    @Test
    void aConnectionResetMidRequestIsRetriedAndLosesNothing() throws Exception {
        proxy.onBulk(2, Plan.RESET_MID_REQUEST).onBulk(3, Plan.RESET_MID_REQUEST);

        JobClient job = run(viaProxy());

        assertFinished(job);
        assertAllDocumentsExactlyOnce();
        assertThat(proxy.faults())
                .containsExactly("bulk 2: reset mid-request", "bulk 3: reset mid-request");
        assertThat(count(job.getJobID(), "retries")).isEqualTo(2);
        assertThat(count(job.getJobID(), "documentsSent")).isEqualTo(N);
    }

    @Test
    void aNodeAnsweringAfterTheClientTimeoutIsRetriedAndTheRetryOverwritesNotDuplicates()
            throws Exception {
        proxy.onBulk(1, Plan.forwardThenStall(Duration.ofSeconds(4)));

        JobClient job = run(viaProxy("response-timeout: 1s"));

        assertFinished(job);
        assertAllDocumentsExactlyOnce();
        List<FaultInjectingProxy.Request> bulks = proxy.bulks();
        Set<String> firstBulk = new HashSet<>(bulks.get(0).bulkIds());
        assertThat(bulks.get(1).bulkIds())
                .as("the timed-out request is sent again whole")
                .containsExactlyElementsOf(bulks.get(0).bulkIds());
        for (JsonNode hit : es.all(index, "seq")) {
            long expectedVersion = firstBulk.contains(hit.get("_id").asText()) ? 2 : 1;
            assertThat(hit.get("_version").asLong())
                    .as("version of " + hit.get("_id").asText())
                    .isEqualTo(expectedVersion);
        }
        assertThat(count(job.getJobID(), "retries")).isEqualTo(1);
    }

    @Test
    void aDeadLetterElasticsearchRefusesFailsTheJobNamingTheIndexInsteadOfDroppingIt()
            throws Exception {
        es.ok(
                "PUT",
                "/" + index,
                "{\"mappings\":{\"dynamic\":\"strict\",\"properties\":{\"seq\":{\"type\":\"long\"},"
                        + "\"name\":{\"type\":\"keyword\"},\"value\":{\"type\":\"double\"},"
                        + "\"tag\":{\"type\":\"keyword\"}}}}");
        // A dead-letter index someone created by hand with a wrong type (the template's mapping
        // merges in, so only a conflicting field makes it refuse dead letters).
        es.ok(
                "PUT",
                "/" + deadLetterIndex(),
                "{\"mappings\":{\"properties\":{\"original_id\":{\"type\":\"long\"}}}}");
        JsonDocumentEmitter<Doc> base = TestDocs.emitter(index);
        DocumentEmitter<Doc> emitter =
                d -> {
                    if (d.seq == 123) d.extra = Map.of("surprise", "field");
                    return base.emit(d);
                };

        JobClient job = run(viaProxy(), emitter);

        ElasticsearchSinkException e = failure(job);
        assertThat(e.getMessage())
                .contains(
                        "refused the dead letter",
                        "index " + deadLetterIndex(),
                        "document_parsing_exception",
                        "original_id",
                        "Fix:",
                        prefix + "rum-deadletter",
                        "loses nothing");
        assertThat(idsIn(index)).doesNotContain(TestDocs.id(123));
        assertThat(es.count(deadLetterIndex())).isZero();
        assertThat(count(job.getJobID(), "permanentFailures")).isEqualTo(1);
        assertThat(count(job.getJobID(), "deadLetterFailures")).isEqualTo(1);
        assertThat(count(job.getJobID(), "deadLettered")).isZero();
    }

    @Test
    void anIndexOfTheJobThatIsNotAutoCreatedIsCreatedWithItsTemplateNotDeadLettered()
            throws Exception {
        String alerts = prefix + "rum-alerts";
        // The job's template for it is gone, and a template forbids auto-creating it.
        es.ok("DELETE", "/_index_template/" + alerts, null);
        es.ok(
                "PUT",
                "/_index_template/" + prefix + "noauto",
                "{\"index_patterns\":[\""
                        + alerts
                        + "\"],\"priority\":500,\"allow_auto_create\":false,"
                        + "\"template\":{\"mappings\":{\"properties\":{\"seq\":{\"type\":"
                        + "\"long\"}}}}}");
        index = alerts;

        JobClient job = run(viaProxy());

        assertFinished(job);
        assertAllDocumentsExactlyOnce();
        assertThat(es.request("GET", "/_index_template/" + alerts, null).status)
                .as("the job's template was installed again before the index was created")
                .isEqualTo(200);
        assertThat(count(job.getJobID(), "indicesCreated")).isEqualTo(1);
        assertThat(count(job.getJobID(), "permanentFailures")).isZero();
        assertThat(count(job.getJobID(), "deadLettered")).isZero();
        assertThat(count(job.getJobID(), "retries")).as("no backoff for a created index").isZero();
    }

    @Test
    void anIndexTheJobDoesNotOwnThatIsNotAutoCreatedFailsTheJobAsAConfigurationError()
            throws Exception {
        index = prefix + "orders";
        es.ok(
                "PUT",
                "/_index_template/" + prefix + "noauto",
                "{\"index_patterns\":[\"" + index + "\"],\"allow_auto_create\":false}");

        JobClient job = run(viaProxy());

        ElasticsearchSinkException e = failure(job);
        assertThat(e.getMessage())
                .contains(
                        "index " + index + " does not exist",
                        "index_not_found_exception",
                        "matches none of the job's index templates",
                        "Fix: create " + index);
        assertThat(exists(index)).isFalse();
        assertThat(exists(deadLetterIndex()))
                .as("a missing index is no reason to dead-letter every document")
                .isFalse();
        assertThat(count(job.getJobID(), "deadLettered")).isZero();
        assertThat(count(job.getJobID(), "indicesCreated")).isZero();
    }
}
