package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled templates on a real Elasticsearch: install rule, and what they accept. */
class IndexTemplatesITCase {
    private static EsCluster es;
    private static ElasticsearchClient client;
    private static final String SUFFIX = "it-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void connect() {
        es = EsCluster.plain();
        client =
                ElasticsearchClients.create(
                        ElasticsearchSinkConfig.parse("hosts: " + es.url + "\n", "test"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (String name : IndexTemplates.NAMES) es.deleteIndices(name + "-" + SUFFIX);
        es.request("DELETE", "/_index_template/" + SUFFIX + "-probe", null);
        es.deleteIndices(PREFIX);
        for (String name : IndexTemplates.NAMES) {
            es.request("DELETE", "/_index_template/" + PREFIX + name, null);
        }
        ElasticsearchClients.close(client);
    }

    /** An index prefix of this run ({@code elasticsearch.index-prefix}). */
    private static final String PREFIX = SUFFIX + "-";

    @Test
    void withAnIndexPrefixPrefixedCopiesAreInstalledOnceAndShapeThePrefixedIndices()
            throws Exception {
        IndexTemplates.installAll(client); // the unprefixed set, as another deployment has it
        Map<String, IndexTemplates.Outcome> first = IndexTemplates.installAll(client, PREFIX);
        Map<String, IndexTemplates.Outcome> again = IndexTemplates.installAll(client, PREFIX);
        assertThat(first.keySet())
                .containsExactlyElementsOf(
                        IndexTemplates.NAMES.stream().map(n -> PREFIX + n).toList());
        assertThat(first.values()).containsOnly(IndexTemplates.Outcome.CREATED);
        assertThat(again.values()).containsOnly(IndexTemplates.Outcome.UNCHANGED);
        JsonNode metrics =
                es.ok("GET", "/_index_template/" + PREFIX + "rum-metrics", null)
                        .at("/index_templates/0/index_template");
        assertThat(metrics.path("index_patterns").get(0).asText())
                .isEqualTo(PREFIX + "rum-metrics-*");
        // A daily index of the prefixed run gets the template's mapping (not dynamic, unlike an
        // index no template matches) ...
        String index = PREFIX + "rum-metrics-2026.11.02";
        es.ok("PUT", "/" + index + "/_doc/m1?refresh=true", "{\"app\":\"shop\",\"events\":3}");
        JsonNode mapping = es.ok("GET", "/" + index + "/_mapping", null).path(index);
        assertThat(mapping.at("/mappings/dynamic").asText()).isIn("false", "strict");
        // ... and its settings (the unprefixed rum-metrics-* cannot match this name).
        assertThat(
                        es.ok("GET", "/" + index + "/_settings", null)
                                .at("/" + index + "/settings/index/mapping/total_fields/limit")
                                .asText())
                .isEqualTo("1000");
    }

    private static IndexTemplates.Template probe(int version) {
        return IndexTemplates.Template.of(
                SUFFIX + "-probe",
                "{\"index_patterns\":[\""
                        + SUFFIX
                        + "-probe-*\"],\"version\":"
                        + version
                        + ",\"template\":{\"mappings\":{\"properties\":{\"v"
                        + version
                        + "\":{\"type\":\"keyword\"}}}}}");
    }

    @Test
    void installingTwiceChangesNothingTheSecondTime() throws Exception {
        IndexTemplates.installAll(client);
        Map<String, IndexTemplates.Outcome> again = IndexTemplates.installAll(client);
        assertThat(again.values()).containsOnly(IndexTemplates.Outcome.UNCHANGED);
        for (IndexTemplates.Template t : IndexTemplates.bundled()) {
            assertThat(
                            es.ok("GET", "/_index_template/" + t.name(), null)
                                    .at("/index_templates/0/index_template/version")
                                    .asLong())
                    .isEqualTo(t.version());
        }
    }

    @Test
    void aTemplateIsCreatedUpgradedButNeverDowngraded() throws Exception {
        assertThat(IndexTemplates.install(client, List.of(probe(1))))
                .containsValue(IndexTemplates.Outcome.CREATED);
        assertThat(IndexTemplates.install(client, List.of(probe(1))))
                .containsValue(IndexTemplates.Outcome.UNCHANGED);
        assertThat(IndexTemplates.install(client, List.of(probe(2))))
                .containsValue(IndexTemplates.Outcome.UPGRADED);
        assertThat(IndexTemplates.install(client, List.of(probe(1))))
                .containsValue(IndexTemplates.Outcome.KEPT_NEWER);
        JsonNode installed =
                es.ok("GET", "/_index_template/" + SUFFIX + "-probe", null)
                        .at("/index_templates/0/index_template");
        assertThat(installed.get("version").asLong()).isEqualTo(2);
        assertThat(installed.at("/template/mappings/properties").has("v2")).isTrue();
    }

    @Test
    void documentsShapedLikeTheOutputsIndexAndUnknownFieldsDoNotGrowTheMapping() throws Exception {
        IndexTemplates.installAll(client);
        String sessions = "rum-sessions-" + SUFFIX;
        es.ok(
                "PUT",
                "/" + sessions + "/_doc/s1?refresh=true",
                "{\"session_key\":\"shop|s1\",\"app\":\"shop\",\"start\":1793577600000,"
                        + "\"end\":1793577660000,\"duration_ms\":60000,\"closed\":true,"
                        + "\"experiments\":{\"checkout_v2\":\"B\",\"exp_"
                        + UUID.randomUUID().toString().substring(0, 6)
                        + "\":\"A\"},\"timeline\":[{\"t\":1793577600000,\"type\":\"page_view\","
                        + "\"route\":\"/cart\"}],\"trace_ids\":[\"t1\",\"t2\"],"
                        + "\"a_field_nobody_mapped\":{\"deep\":{\"x\":1}},\"sample_rate\":0.1}");
        String mapping = es.ok("GET", "/" + sessions + "/_mapping", null).toString();
        assertThat(mapping).doesNotContain("a_field_nobody_mapped").doesNotContain("checkout_v2");
        assertThat(
                        es.ok(
                                        "POST",
                                        "/" + sessions + "/_search",
                                        "{\"query\":{\"term\":{\"experiments.checkout_v2\":\"B\"}}}")
                                .at("/hits/total/value")
                                .asLong())
                .as("experiment keys are searchable without a mapping per key")
                .isEqualTo(1);

        String metrics = "rum-metrics-" + SUFFIX;
        es.ok(
                "PUT",
                "/" + metrics + "/_doc/m1?refresh=true",
                "{\"id\":\"m1\",\"app\":\"shop\",\"dimension\":\"route\",\"dimension_value\":\"/cart\","
                        + "\"window_start\":1793577600000,\"window_end\":1793577660000,"
                        + "\"page_views\":12.5,\"lcp_p75\":2400.0,\"lcp_count\":7,"
                        + "\"scores\":{\"lcp_p75\":{\"expected\":1800,\"anomaly\":true,"
                        + "\"baseline\":\"SEASONAL\"}},\"score\":4.2}");
        JsonNode props =
                es.ok("GET", "/" + metrics + "/_mapping", null)
                        .at("/" + metrics + "/mappings/properties");
        assertThat(props.at("/scores/properties/lcp_p75/properties/expected/type").asText())
                .as("whole numbers in scores map as double")
                .isEqualTo("double");
        assertThat(props.at("/scores/properties/lcp_p75/properties/baseline/type").asText())
                .isEqualTo("keyword");
        assertThat(props.has("score")).as("dynamic false: stored, not mapped").isFalse();

        // An endpoint row (issue 16): status classes, failures, ratings and Apdex are mapped as
        // numbers, and an endpoint value with its space is one keyword.
        es.ok(
                "PUT",
                "/" + metrics + "/_doc/m2?refresh=true",
                "{\"id\":\"m2\",\"app\":\"shop\",\"dimension\":\"endpoint\","
                        + "\"dimension_value\":\"GET /api/v2/orders/:id\","
                        + "\"window_start\":1793577600000,\"window_end\":1793577660000,"
                        + "\"fetches\":8.0,\"fetches_2xx\":5.0,\"fetches_4xx\":1.0,"
                        + "\"fetches_5xx\":1.0,\"fetches_network_error\":1,\"fetch_failures\":3.0,"
                        + "\"fetch_failure_rate\":0.375,\"lcp_good\":3,\"lcp_good_share\":0.75,"
                        + "\"apdex\":0.5,\"apdex_satisfied\":1}");
        props =
                es.ok("GET", "/" + metrics + "/_mapping", null)
                        .at("/" + metrics + "/mappings/properties");
        for (String f :
                new String[] {
                    "fetches_2xx",
                    "fetches_4xx",
                    "fetches_network_error",
                    "fetch_failure_rate",
                    "lcp_good",
                    "lcp_good_share",
                    "apdex",
                    "apdex_satisfied"
                }) {
            assertThat(props.at("/" + f + "/type").asText()).as(f).isEqualTo("double");
        }
        JsonNode failing =
                es.ok(
                        "POST",
                        "/" + metrics + "/_search",
                        "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"dimension_value\":"
                                + "\"GET /api/v2/orders/:id\"}},{\"range\":{\"fetch_failure_rate\":"
                                + "{\"gte\":0.3}}}]}},\"aggs\":{\"n\":{\"sum\":{\"field\":"
                                + "\"fetches_network_error\"}}}}");
        assertThat(failing.at("/hits/total/value").asLong()).isEqualTo(1);
        assertThat(failing.at("/aggregations/n/value").asDouble()).isEqualTo(1.0);

        es.ok(
                "PUT",
                "/rum-alerts-" + SUFFIX + "/_doc/a1",
                "{\"alert_id\":\"a1\",\"state\":\"open\",\"severity\":\"high\",\"expected\":1.0,"
                        + "\"observed\":3.0,\"first_window\":1793577600000,\"opened_at\":1793577660000,"
                        + "\"root_cause_hints\":[\"release 1.4.2\",\"route /cart\"],\"lag_ms\":1200}");
        es.ok(
                "PUT",
                "/rum-deadletter-" + SUFFIX + "/_doc/d1",
                "{\"reason\":\"NOT_JSON\",\"detail\":\"line 1\",\"position\":\"rum-raw/0@12\","
                        + "\"source\":\"rum-raw\",\"partition\":0,\"offset\":12,\"batch_index\":-1,"
                        + "\"received_at\":1793577600000,\"event_time\":-1,\"payload\":\"{oops\","
                        + "\"payload_bytes\":5,\"truncated\":false}");
    }
}
