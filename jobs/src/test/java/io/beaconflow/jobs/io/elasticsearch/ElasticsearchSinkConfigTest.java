package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class ElasticsearchSinkConfigTest {
    private static final String SECRET = "s3cr3t-Pa55word!";

    @Test
    void defaultsAreTheDocumentedOnes() {
        ElasticsearchSinkConfig c = ElasticsearchSinkConfig.builder().build();
        assertThat(c.hosts()).containsExactly("http://127.0.0.1:9200");
        assertThat(c.bulkMaxActions()).isEqualTo(1000);
        assertThat(c.bulkMaxBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(c.flushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxRetryDuration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.maxInFlightRequests()).isEqualTo(1);
        assertThat(c.deadLetterIndex()).isEqualTo("rum-deadletter");
        assertThat(c.verifyHostname()).isTrue();
    }

    @Test
    void flatSettingsFromAConfigFileAreParsed() {
        ElasticsearchSinkConfig c =
                ElasticsearchSinkConfig.fromProperties(
                        Map.ofEntries(
                                Map.entry("hosts", "https://es1:9200, https://es2:9200"),
                                Map.entry("username", "writer"),
                                Map.entry("password-env", "ES_PASSWORD"),
                                Map.entry("ca-cert", "/etc/es/ca.crt"),
                                Map.entry("verify-hostname", "false"),
                                Map.entry("bulk.max-actions", "500"),
                                Map.entry("bulk.max-bytes", "2mb"),
                                Map.entry("bulk.flush-interval", "250ms"),
                                Map.entry("retry.max-retries", "3"),
                                Map.entry("retry.initial-backoff", "50ms"),
                                Map.entry("retry.max-backoff", "5s"),
                                Map.entry("retry.max-duration", "2m"),
                                Map.entry("dead-letter.index", "my-dead")),
                        "flink-conf/beaconflow.yaml");
        assertThat(c.hosts()).containsExactly("https://es1:9200", "https://es2:9200");
        assertThat(c.username()).isEqualTo("writer");
        assertThat(c.passwordEnv()).isEqualTo("ES_PASSWORD");
        assertThat(c.verifyHostname()).isFalse();
        assertThat(c.bulkMaxActions()).isEqualTo(500);
        assertThat(c.bulkMaxBytes()).isEqualTo(2L * 1024 * 1024);
        assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxRetries()).isEqualTo(3);
        assertThat(c.maxBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxRetryDuration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.deadLetterIndex()).isEqualTo("my-dead");
    }

    @Test
    void theIndexPrefixGoesBeforeEveryIndexNameIncludingTheDeadLetterIndex() {
        ElasticsearchSinkConfig none = ElasticsearchSinkConfig.builder().build();
        assertThat(none.indexPrefix()).isEmpty();
        assertThat(none.index("rum-alerts")).isEqualTo("rum-alerts");

        ElasticsearchSinkConfig c =
                ElasticsearchSinkConfig.fromProperties(
                        Map.of("index-prefix", "it-run42-", "dead-letter.index", "my-dead"),
                        "beaconflow.yaml");
        assertThat(c.indexPrefix()).isEqualTo("it-run42-");
        assertThat(c.index("rum-alerts")).isEqualTo("it-run42-rum-alerts");
        assertThat(c.deadLetterIndex()).isEqualTo("it-run42-my-dead");
        assertThat(c.toBuilder().build().indexPrefix()).isEqualTo("it-run42-");
        assertThat(c.toString()).contains("indexPrefix=it-run42-");
        for (String ok : new String[] {"", "staging-", "a", "run.2_b-", "0day-"}) {
            assertThat(
                            ElasticsearchSinkConfig.fromProperties(
                                            Map.of("index-prefix", ok), "beaconflow.yaml")
                                    .indexPrefix())
                    .isEqualTo(ok);
        }
    }

    @Test
    void anIndexPrefixElasticsearchWouldRefuseIsAnErrorNamingTheKeyAndTheFix() {
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
                                                ElasticsearchSinkConfig.fromProperties(
                                                        Map.of("index-prefix", prefix),
                                                        "beaconflow.yaml"))
                                .as(prefix)
                                .isInstanceOf(ConfigException.class)
                                .hasMessageStartingWith(
                                        "beaconflow.yaml: elasticsearch.index-prefix: '"
                                                + prefix
                                                + "'")
                                .hasMessageContaining(problem)
                                .hasMessageContaining("Fix: use lower-case letters, digits"));
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinkConfig.fromProperties(
                                        Map.of("index-prefix", "x".repeat(101)), "beaconflow.yaml"))
                .hasMessageContaining("101 characters long");
        // The builder (code, not a file) refuses the same values, with the fix.
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().indexPrefix("Run-").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index-prefix 'Run-' has upper-case letters")
                .hasMessageContaining("e.g. staging-");
    }

    @Test
    void anUnknownKeyNamesTheFileTheKeyAndTheKnownKeys() {
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinkConfig.fromProperties(
                                        Map.of("bulk.max-action", "10"), "beaconflow.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("beaconflow.yaml")
                .hasMessageContaining("elasticsearch.bulk.max-action")
                .hasMessageContaining("elasticsearch.bulk.max-actions");
    }

    @Test
    void aBadValueNamesTheKeyAndTheFormToUse() {
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinkConfig.fromProperties(
                                        Map.of("bulk.flush-interval", "soon"), "beaconflow.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("elasticsearch.bulk.flush-interval")
                .hasMessageContaining("500ms");
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinkConfig.fromProperties(
                                        Map.of("bulk.max-bytes", "lots"), "beaconflow.yaml"))
                .hasMessageContaining("5mb");
    }

    @Test
    void aUserWithoutAPasswordVariableIsRefusedWithTheFix() {
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().username("writer").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("password-env")
                .hasMessageContaining("NAME of an environment variable");
    }

    @Test
    void aSecretPastedWhereAVariableNameBelongsIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinkConfig.builder()
                                        .username("writer")
                                        .passwordEnv(SECRET)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("password-env must be the NAME")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void inconsistentSettingsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().hosts("es1:9200").build())
                .hasMessageContaining("https://es1:9200");
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().hosts().build())
                .hasMessageContaining("no hosts");
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().caCertPath("/ca.crt").build())
                .hasMessageContaining("https://");
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().maxInFlightRequests(4).build())
                .hasMessageContaining("only 1 is supported");
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinkConfig.builder()
                                        .initialBackoff(Duration.ofSeconds(10))
                                        .maxBackoff(Duration.ofSeconds(1))
                                        .build())
                .hasMessageContaining(
                        "retry.max-backoff (1s) is below retry.initial-backoff (10s)");
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinkConfig.builder()
                                        .username("a")
                                        .passwordEnv("P")
                                        .apiKeyEnv("K")
                                        .build())
                .hasMessageContaining("choose one authentication mode");
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().deadLetterIndex("Dead").build())
                .hasMessageContaining("lower-case");
        assertThatThrownBy(() -> ElasticsearchSinkConfig.builder().bulkMaxActions(0).build())
                .hasMessageContaining("bulk.max-actions is 0: use 1 or more");
    }

    @Test
    void passwordsComeFromTheNamedVariableAndNeverShowInToStringOrLogText() throws Exception {
        ElasticsearchSinkConfig c =
                ElasticsearchSinkConfig.builder()
                        .hosts("https://es:9200")
                        .username("writer")
                        .passwordEnv("ES_PASSWORD")
                        .build();
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
    }

    @Test
    void anUnsetPasswordVariableNamesTheVariableAndTheKey() {
        ElasticsearchSinkConfig c =
                ElasticsearchSinkConfig.builder()
                        .hosts("https://es:9200")
                        .username("writer")
                        .passwordEnv("ES_PASSWORD")
                        .build();
        assertThatThrownBy(() -> c.credentials(name -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ES_PASSWORD (elasticsearch.password-env) is not set")
                .hasMessageContaining("user 'writer'");
    }

    @Test
    void anApiKeyBecomesAnApiKeyHeaderAndStaysHidden() {
        ElasticsearchSinkConfig c =
                ElasticsearchSinkConfig.builder()
                        .hosts("https://es:9200")
                        .apiKeyEnv("ES_API_KEY")
                        .build();
        ElasticsearchSinkConfig.Credentials creds =
                c.credentials(Map.of("ES_API_KEY", SECRET)::get);
        assertThat(creds.authorizationHeader()).isEqualTo("ApiKey " + SECRET);
        assertThat(creds.toString()).doesNotContain(SECRET);
        assertThat(c.toString()).doesNotContain(SECRET).contains("ES_API_KEY");
    }

    @Test
    void sizesAcceptUnits() {
        assertThat(ElasticsearchSinkConfig.parseBytes("5mb")).isEqualTo(5L * 1024 * 1024);
        assertThat(ElasticsearchSinkConfig.parseBytes("512kb")).isEqualTo(512L * 1024);
        assertThat(ElasticsearchSinkConfig.parseBytes("1048576")).isEqualTo(1048576L);
        assertThat(ElasticsearchSinkConfig.parseBytes("100b")).isEqualTo(100L);
    }
}
