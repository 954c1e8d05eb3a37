package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.beaconflow.jobs.io.elasticsearch.TestDocs.Doc;
import io.beaconflow.jobs.testing.MiniClusters;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink against Elasticsearch with security on ({@code scripts/stack.sh up es-secure}: TLS with
 * its own CA, a user with a password): works with the credentials, fails at once with a message
 * that says what to fix without them.
 */
class ElasticsearchSecurityITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(1);

    private static EsCluster es;
    private String index;

    @BeforeAll
    static void cluster() {
        es = EsCluster.secure();
    }

    @BeforeEach
    void freshIndex(TestInfo test) {
        index = EsCluster.freshPrefix(test.getTestMethod().orElseThrow().getName()) + "docs";
    }

    @AfterEach
    void cleanUp() throws Exception {
        es.deleteIndices(index);
    }

    /** The secure cluster over TLS with its CA, plus {@code lines} (YAML). */
    private static ElasticsearchSinkConfig tls(String... lines) {
        return ElasticsearchSinkConfig.parse(
                String.join(
                        "\n",
                        "hosts: " + EsCluster.secureUrl(),
                        "ca-cert: " + EsCluster.secureCaCert(),
                        String.join("\n", lines) + "\n"),
                "test");
    }

    private void run(long n, ElasticsearchSinkConfig config) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.fromSequence(0, n - 1)
                .map(Doc::of)
                .returns(Doc.class)
                .sinkTo(
                        ElasticsearchSink.<Doc>builder()
                                .config(config)
                                .emitter(TestDocs.emitter(index))
                                .build());
        env.execute("secure");
    }

    @Test
    void aUserWithItsPasswordOverTlsWritesEveryDocument() throws Exception {
        run(
                1_000,
                tls(
                        "username: " + EsCluster.secureUser(),
                        "password-env: " + EsCluster.PASSWORD_ENV));
        assertThat(es.count(index)).isEqualTo(1_000);
        TestDocs.assertExactly(es.all(index, "seq"), 1_000);
    }

    /** The message of the {@link ElasticsearchAuthException} that {@code job} fails with. */
    private static String authFailure(ThrowingCallable job) {
        Throwable e = catchThrowable(job);
        assertThat(e).as("the job fails").isNotNull();
        return ExceptionUtils.findThrowable(e, ElasticsearchAuthException.class)
                .orElseThrow(() -> new AssertionError(e))
                .getMessage();
    }

    @Test
    void withoutCredentialsTheJobFailsAtOnceSayingHowToAuthenticate() {
        assertThat(authFailure(() -> run(10, tls())))
                .contains("HTTP 401")
                .contains("no credentials")
                .contains("elasticsearch.username")
                .contains("elasticsearch.password-env");
    }

    @Test
    void aWrongPasswordNamesTheUserAndTheVariableButNotThePassword() {
        // HOME holds something, just not this user's password
        assertThat(
                        authFailure(
                                () ->
                                        run(
                                                10,
                                                tls(
                                                        "username: " + EsCluster.secureUser(),
                                                        "password-env: HOME"))))
                .contains("user '" + EsCluster.secureUser() + "'")
                .contains("HOME holds its current password")
                .doesNotContain(System.getenv("HOME"));
    }

    @Test
    void aServerCertificateFromAnUnknownCaFailsWithTheCaCertFix() {
        ElasticsearchSinkConfig noCa =
                ElasticsearchSinkConfig.parse(
                        String.join(
                                "\n",
                                "hosts: " + EsCluster.secureUrl(),
                                "username: " + EsCluster.secureUser(),
                                "password-env: " + EsCluster.PASSWORD_ENV + "\n"),
                        "test");
        assertThatThrownBy(() -> run(10, noCa))
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowableWithMessage(
                                                        e, "set elasticsearch.ca-cert"))
                                        .isPresent());
    }
}
