package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import io.beaconflow.config.ConfigYaml;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class ElasticsearchSinkConfigTest {
    private static final String SECRET = "s3cr3t-Pa55word!";

    /** The body of an {@code elasticsearch:} section, one line per argument. */
    static ElasticsearchSinkConfig es(String... lines) {
        return ElasticsearchSinkConfig.parse(String.join("\n", lines) + "\n", "beaconflow.yaml");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ElasticsearchSinkConfig c = ElasticsearchSinkConfig.DEFAULTS;
        assertThat(c.hosts()).containsExactly("http://127.0.0.1:9200");
        assertThat(c.bulk().maxActions()).isEqualTo(1000);
        assertThat(c.bulk().maxBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(c.bulk().flushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.retry().maxDuration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.bulk().maxInFlightRequests()).isEqualTo(1);
        assertThat(c.deadLetterIndex()).isEqualTo("rum-deadletter");
        assertThat(c.verifyHostname()).isTrue();
        assertThat(es("")).as("an empty section is every default").isEqualTo(c);
        assertThat(es("bulk:")).as("an empty nested section too").isEqualTo(c);
    }

    @Test
    void theSectionIsReadAsWrittenInTheFile() {
        ElasticsearchSinkConfig c =
                es(
                        "hosts: https://es1:9200, https://es2:9200",
                        "username: writer",
                        "password-env: ES_PASSWORD",
                        "ca-cert: /etc/es/ca.crt",
                        "verify-hostname: false",
                        "bulk:",
                        "  max-actions: 500",
                        "  max-bytes: 2mb",
                        "  flush-interval: 250ms",
                        "retry:",
                        "  max-retries: 3",
                        "  initial-backoff: 50ms",
                        "  max-backoff: 5s",
                        "  max-duration: 2m",
                        "dead-letter:",
                        "  index: my-dead");
        assertThat(c.hosts()).containsExactly("https://es1:9200", "https://es2:9200");
        assertThat(c.username()).isEqualTo("writer");
        assertThat(c.passwordEnv()).isEqualTo("ES_PASSWORD");
        assertThat(c.caCert()).isEqualTo("/etc/es/ca.crt");
        assertThat(c.verifyHostname()).isFalse();
        assertThat(c.bulk().maxActions()).isEqualTo(500);
        assertThat(c.bulk().maxBytes()).isEqualTo(2L * 1024 * 1024);
        assertThat(c.bulk().flushInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.retry().maxRetries()).isEqualTo(3);
        assertThat(c.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.retry().maxDuration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.deadLetterIndex()).isEqualTo("my-dead");
        assertThat(es("hosts: [https://es1:9200, https://es2:9200]").hosts())
                .as("a YAML list works as well")
                .containsExactly("https://es1:9200", "https://es2:9200");
    }

    @Test
    void theIndexPrefixGoesBeforeEveryIndexNameIncludingTheDeadLetterIndex() {
        ElasticsearchSinkConfig none = ElasticsearchSinkConfig.DEFAULTS;
        assertThat(none.indexPrefix()).isEmpty();
        assertThat(none.index("rum-alerts")).isEqualTo("rum-alerts");

        ElasticsearchSinkConfig c =
                es("index-prefix: it-run42-", "dead-letter:", "  index: my-dead");
        assertThat(c.indexPrefix()).isEqualTo("it-run42-");
        assertThat(c.index("rum-alerts")).isEqualTo("it-run42-rum-alerts");
        assertThat(c.deadLetterIndex()).isEqualTo("it-run42-my-dead");
        assertThat(c.toString()).contains("indexPrefix=it-run42-");
        for (String ok : new String[] {"", "staging-", "a", "run.2_b-", "0day-"}) {
            assertThat(es("index-prefix: \"" + ok + "\"").indexPrefix()).isEqualTo(ok);
        }
    }

    @Test
    void anIndexPrefixElasticsearchWouldRefuseIsAnErrorNamingTheKeyTheLineAndTheFix() {
        Map<String, String> bad =
                Map.of(
                        "Staging-", "upper-case",
                        "-run", "starts with '-'",
                        "_run", "starts with '_'",
                        "+run", "starts with '+'",
                        ".run", "starts with '.'",
                        "run 1-", "contains ' '",
                        "run*", "contains '*'",
                        "a/b-", "contains '/'",
                        "run:1-", "contains ':'",
                        "run,b", "contains ','");
        bad.forEach(
                (prefix, problem) ->
                        assertThatThrownBy(
                                        () ->
                                                es(
                                                        "hosts: http://es:9200",
                                                        "index-prefix: \"" + prefix + "\""))
                                .as(prefix)
                                .isInstanceOf(ConfigException.class)
                                .hasMessageStartingWith(
                                        "beaconflow.yaml line 2: elasticsearch.index-prefix: '"
                                                + prefix
                                                + "'")
                                .hasMessageContaining(problem)
                                .hasMessageContaining("Fix: use lower-case letters, digits"));
        assertThatThrownBy(() -> es("index-prefix: " + "x".repeat(101)))
                .hasMessageContaining("101 characters long");
        // Settings built in code are checked as well when a sink takes them, with the fix.
        ElasticsearchSinkConfig fromCode =
                new ElasticsearchSinkConfig(
                        null, "Run-", null, null, null, null, null, null, null, null, null, null);
        assertThatThrownBy(() -> fromCode.checked("my sink"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("my sink: elasticsearch.index-prefix: 'Run-' has upper-case")
                .hasMessageContaining("e.g. staging-");
    }

    @Test
    void anUnknownKeyNamesTheFileTheLineTheKeyAndTheKnownKeys() {
        assertThatThrownBy(() -> es("hosts: http://es:9200", "bulk:", "  max-action: 10"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("beaconflow.yaml line 3")
                .hasMessageContaining("unknown key 'elasticsearch.bulk.max-action'")
                .hasMessageContaining("elasticsearch.bulk.max-actions");
    }

    @Test
    void aBadValueNamesTheKeyAndTheFormToUse() {
        assertThatThrownBy(() -> es("bulk:", "  flush-interval: soon"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("elasticsearch.bulk.flush-interval")
                .hasMessageContaining("500ms");
        assertThatThrownBy(() -> es("bulk:", "  max-bytes: lots"))
                .hasMessageContaining("elasticsearch.bulk.max-bytes")
                .hasMessageContaining("5mb");
    }

    @Test
    void everyProblemOfAnEditIsNamedAtOnceWithItsLine() {
        assertThatThrownBy(
                        () ->
                                es(
                                        "hosts: es1:9200",
                                        "bulk:",
                                        "  max-actions: 0",
                                        "retry:",
                                        "  initial-backoff: 10s",
                                        "  max-backoff: 1s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("3 problems in beaconflow.yaml:")
                .hasMessageContaining(
                        "beaconflow.yaml line 1: elasticsearch.hosts: 'es1:9200' has no http://"
                                + " or https:// scheme")
                .hasMessageContaining(
                        "beaconflow.yaml line 3: elasticsearch.bulk.max-actions: is 0, below 1."
                                + " Fix: use 1 or more")
                .hasMessageContaining(
                        "beaconflow.yaml line 6: elasticsearch.retry.max-backoff: (1s) is below"
                                + " retry.initial-backoff (10s)");
    }

    @Test
    void aUserWithoutAPasswordVariableIsRefusedWithTheFix() {
        assertThatThrownBy(() -> es("username: writer"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 1: elasticsearch.username")
                .hasMessageContaining("password-env")
                .hasMessageContaining("NAME of an environment variable");
    }

    @Test
    void aSecretPastedWhereAVariableNameBelongsIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> es("username: writer", "password-env: " + SECRET))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("elasticsearch.password-env: must be the NAME")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void inconsistentSettingsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> es("hosts: es1:9200")).hasMessageContaining("https://es1:9200");
        assertThatThrownBy(() -> es("hosts: []")).hasMessageContaining("no hosts");
        assertThatThrownBy(() -> es("ca-cert: /ca.crt")).hasMessageContaining("https://");
        assertThatThrownBy(() -> es("bulk:", "  max-in-flight-requests: 4"))
                .hasMessageContaining("only 1 is supported");
        assertThatThrownBy(() -> es("username: a", "password-env: P", "api-key-env: K"))
                .hasMessageContaining("choose one authentication mode");
        assertThatThrownBy(() -> es("dead-letter:", "  index: Dead"))
                .hasMessageContaining("lower-case");
        assertThatThrownBy(() -> es("bulk:", "  max-actions: 0"))
                .hasMessageContaining("bulk.max-actions: is 0, below 1. Fix: use 1 or more");
    }

    @Test
    void passwordsComeFromTheNamedVariableAndNeverShowInToStringOrLogText() throws Exception {
        ElasticsearchSinkConfig c =
                es("hosts: https://es:9200", "username: writer", "password-env: ES_PASSWORD");
        ElasticsearchSinkConfig.Credentials creds =
                c.credentials(Map.of("ES_PASSWORD", SECRET)::get);

        assertThat(creds.authorizationHeader())
                .isEqualTo(
                        "Basic "
                                + java.util.Base64.getEncoder()
                                        .encodeToString(("writer:" + SECRET).getBytes()));
        assertThat(c.toString()).doesNotContain(SECRET).contains("writer", "ES_PASSWORD");
        assertThat(c.describeAuth()).doesNotContain(SECRET);
        assertThat(creds.toString()).doesNotContain(SECRET).contains("***");
        assertThat(creds.describe()).doesNotContain(SECRET).contains("user 'writer'");
        // the serialized config (job graph, savepoint metadata) holds no secret either
        assertThat(new String(InstantiationUtil.serializeObject(c), "ISO-8859-1"))
                .doesNotContain(SECRET);
        assertThat((Object) InstantiationUtil.clone(c)).isEqualTo(c);
    }

    @Test
    void anUnsetPasswordVariableNamesTheVariableAndTheKey() {
        ElasticsearchSinkConfig c =
                es("hosts: https://es:9200", "username: writer", "password-env: ES_PASSWORD");
        assertThatThrownBy(() -> c.credentials(name -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ES_PASSWORD (elasticsearch.password-env) is not set")
                .hasMessageContaining("user 'writer'");
    }

    @Test
    void anApiKeyBecomesAnApiKeyHeaderAndStaysHidden() {
        ElasticsearchSinkConfig c = es("hosts: https://es:9200", "api-key-env: ES_API_KEY");
        ElasticsearchSinkConfig.Credentials creds =
                c.credentials(Map.of("ES_API_KEY", SECRET)::get);
        assertThat(creds.authorizationHeader()).isEqualTo("ApiKey " + SECRET);
        assertThat(creds.toString()).doesNotContain(SECRET);
        assertThat(c.toString()).doesNotContain(SECRET).contains("ES_API_KEY");
    }

    @Test
    void sizesAcceptUnits() {
        assertThat(ConfigYaml.parseBytes("5mb")).isEqualTo(5L * 1024 * 1024);
        assertThat(ConfigYaml.parseBytes("512kb")).isEqualTo(512L * 1024);
        assertThat(ConfigYaml.parseBytes("1048576")).isEqualTo(1048576L);
        assertThat(ConfigYaml.parseBytes("100b")).isEqualTo(100L);
        assertThat(es("bulk:", "  max-bytes: 1048576").bulk().maxBytes()).isEqualTo(1048576L);
    }
}
