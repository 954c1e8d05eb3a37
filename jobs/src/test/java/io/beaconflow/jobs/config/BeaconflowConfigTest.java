package io.beaconflow.jobs.config;

import static io.beaconflow.jobs.testing.ConfigFiles.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import io.beaconflow.jobs.testing.ConfigFiles;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BeaconflowConfigTest {
    private static final Map<String, String> NO_ENV = Map.of();

    static BeaconflowConfig parse(String yaml) {
        return BeaconflowConfig.parse(yaml, "test.yaml", NO_ENV::get);
    }

    @Test
    void theShippedConfigFileLoadsAndMatchesTheDefaults() {
        BeaconflowConfig c = ConfigFiles.shipped();
        IngestConfig d = new IngestConfig();
        assertThat(c.ingest.allowedLateness).isEqualTo(d.allowedLateness);
        assertThat(c.ingest.outOfOrderness).isEqualTo(d.outOfOrderness);
        assertThat(c.ingest.maxRecordBytes).isEqualTo(d.maxRecordBytes);
        assertThat(c.ingest.privacy.clientIp).isEqualTo(IngestConfig.ClientIpPolicy.TRUNCATE);
        assertThat(c.ingest.routes.rules).hasSize(1);
        IngestConfig.LimitsConfig l = c.ingest.limits;
        assertThat(l.maxDurationMs).isEqualTo(d.limits.maxDurationMs).isEqualTo(3_600_000);
        assertThat(l.maxCls).isEqualTo(d.limits.maxCls);
        assertThat(l.minSampleRate).isEqualTo(d.limits.minSampleRate);
        assertThat(l.maxCustomValue).isEqualTo(d.limits.maxCustomValue);
        assertThat(l.maxDownlinkMbps).isEqualTo(d.limits.maxDownlinkMbps);
    }

    @Test
    void ingestLimitsAreReadAndAnAbsurdLimitIsAnErrorNamingTheKeyAndTheFix() {
        BeaconflowConfig c =
                parse(
                        "ingest:\n  limits:\n    max-duration-ms: 60000\n    max-cls: 5\n"
                                + "    min-sample-rate: 0.01\n  privacy:\n    user-id-salt: s\n");
        assertThat(c.ingest.limits.maxDurationMs).isEqualTo(60_000);
        assertThat(c.ingest.limits.maxCls).isEqualTo(5);
        assertThat(c.ingest.limits.minSampleRate).isEqualTo(0.01);
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  limits:\n    max-duration-ms: 1.0e308\n"
                                        + "  privacy:\n    user-id-salt: s\n"),
                "ingest.limits.max-duration-ms",
                "Fix: set e.g. 3600000");
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  limits:\n    min-sample-rate: 0\n"
                                        + "  privacy:\n    user-id-salt: s\n"),
                "ingest.limits.min-sample-rate");
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  limits:\n    max-durations-ms: 5\n"
                                        + "  privacy:\n    user-id-salt: s\n"),
                "unknown key 'ingest.limits.max-durations-ms'");
    }

    @Test
    void theShippedConfigFileHasNoDefaultSaltAndSaysWhichKeyAndHowToFixIt() {
        assertRejected(
                () -> BeaconflowConfig.load(ConfigFiles.SHIPPED, NO_ENV::get),
                "ingest.privacy.user-id-salt",
                "export BEACONFLOW_USER_ID_SALT=",
                "./beaconflow stack env");
        BeaconflowConfig c =
                BeaconflowConfig.load(
                        ConfigFiles.SHIPPED, Map.of("BEACONFLOW_USER_ID_SALT", "0f3c9a")::get);
        assertThat(c.ingest.privacy.userIdSalt).isEqualTo("0f3c9a");
    }

    @Test
    void theDemoSaltIsUsedOnlyWhenTheVariableIsUnsetAndRefusedInProduction() {
        assertThat(BeaconflowConfig.withDemoSalt(NO_ENV::get).apply("BEACONFLOW_USER_ID_SALT"))
                .isEqualTo(BeaconflowConfig.DEMO_SALT);
        assertThat(
                        BeaconflowConfig.withDemoSalt(
                                        Map.of("BEACONFLOW_USER_ID_SALT", "mine")::get)
                                .apply("BEACONFLOW_USER_ID_SALT"))
                .isEqualTo("mine");
        assertThat(BeaconflowConfig.withDemoSalt(NO_ENV::get).apply("OTHER")).isNull();
        BeaconflowConfig demo = BeaconflowConfig.defaults();
        assertRejected(
                () -> demo.requireProductionSecrets("job.yaml"),
                "job.yaml",
                "ingest.privacy.user-id-salt",
                "public demo salt");
        demo.ingest.privacy.userIdSalt = "9b1e0c7d";
        demo.requireProductionSecrets("job.yaml");
    }

    @Test
    void theShippedFilesCommentOnlySectionsReadAsTheirDefaults() {
        BeaconflowConfig c = ConfigFiles.shipped();
        assertThat(c.notifications).isNotNull();
        assertThat(c.notifications.webhook).isNull();
    }

    @Test
    void aKeyWithNoValueMeansItsDefaultAtEveryLevel() {
        BeaconflowConfig c =
                parse(
                        "ingest:\n  dedup-ttl:\n  routes:\n  privacy:\n    user-id-salt: s\n"
                                + "kafka:\nsessions:\nmetrics:\ndetection:\nnotifications:\n"
                                + "elasticsearch:\n");
        BeaconflowConfig d = new BeaconflowConfig();
        assertThat(c.ingest.dedupTtl).isEqualTo(d.ingest.dedupTtl);
        assertThat(c.ingest.routes).isNotNull();
        assertThat(c.kafka.rawTopic).isEqualTo(d.kafka.rawTopic);
        assertThat(c.sessions.gap).isEqualTo(d.sessions.gap);
        assertThat(c.metrics.window).isEqualTo(d.metrics.window);
        assertThat(c.detection).isNotNull();
        assertThat(c.notifications).isNotNull();
        assertThat(c.elasticsearchSinkConfig("test.yaml")).isNotNull();
    }

    @Test
    void durationsAndChoicesAreReadFromHumanText() {
        BeaconflowConfig c =
                parse(
                        "ingest:\n  allowed-lateness: 90s\n  privacy:\n    client-ip: DROP\n"
                                + "    user-id-salt: s\n");
        assertThat(c.ingest.allowedLateness).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.metrics.allowedLateness)
                .as("windows accept what the router accepts")
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(c.ingest.privacy.clientIp).isEqualTo(IngestConfig.ClientIpPolicy.DROP);
    }

    @Test
    void theCardinalityBudgetsAreReadFromTheShippedFileAndABadOneNamesItsKeyAndTheFix() {
        BeaconflowConfig shipped = ConfigFiles.shipped();
        CardinalityConfig d = new CardinalityConfig();
        assertThat(shipped.ingest.cardinality)
                .usingRecursiveComparison()
                .as("every default is written in the shipped file")
                .isEqualTo(d);
        assertThat(shipped.ingest.routes.learnAfter)
                .isEqualTo(IngestConfig.RoutesConfig.DEFAULT_LEARN_AFTER);
        BeaconflowConfig c =
                parse(
                        "ingest:\n  cardinality:\n    max-releases-per-app: 7\n"
                                + "  routes:\n    learn-after: 0\n"
                                + "  privacy:\n    user-id-salt: s\n");
        assertThat(c.ingest.cardinality.maxReleasesPerApp).isEqualTo(7);
        assertThat(c.ingest.routes.learnAfter).isZero();
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  cardinality:\n    max-apps: 0\n"
                                        + "  privacy:\n    user-id-salt: s\n"),
                "test.yaml line 3: ingest.cardinality.max-apps: must be at least 1",
                "Fix: set e.g. 100");
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  routes:\n    learn-after: 1\n"
                                        + "  privacy:\n    user-id-salt: s\n"),
                "ingest.routes.learn-after: must be 0 (off) or at least 2");
    }

    @Test
    void oneRunNamesEveryProblemOfEverySectionWithItsLineKeyAndFix() {
        // Before the sections moved onto ConfigProblems, each check threw on its own: an edit with
        // three mistakes took three runs, and only the Elasticsearch section said the line.
        String yaml =
                "ingest:\n"
                        + "  max-batch-events: 0\n"
                        + "  privacy:\n"
                        + "    user-id-salt: s\n"
                        + "sessions:\n"
                        + "  gap: 0s\n"
                        + "metrics:\n"
                        + "  dimensions: [route, planet]\n"
                        + "traces:\n"
                        + "  join:\n"
                        + "    max-pending-per-trace: 1\n";
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("4 problems in test.yaml:")
                .hasMessageContaining(
                        "test.yaml line 2: ingest.max-batch-events: must be greater than 0 (got 0)."
                                + " Fix: set e.g. 500")
                .hasMessageContaining("test.yaml line 6: sessions.gap: must be a duration > 0")
                .hasMessageContaining(
                        "test.yaml line 8: metrics.dimensions[1]: unknown dimension 'planet'")
                .hasMessageContaining(
                        "test.yaml line 11: traces.join.max-pending-per-trace: must be an integer"
                                + " in [2, 10000] (got 1)");
    }

    @Test
    void anUnknownKeyIsAnErrorNamingTheKeyTheLineAndTheKnownKeys() {
        assertRejected(
                () -> parse("ingest:\n  alowed-lateness: 5m\n"),
                "test.yaml line 2",
                "unknown key 'ingest.alowed-lateness'",
                "allowed-lateness");
    }

    @Test
    void theElasticsearchIndexPrefixIsReadAndValidatedWithTheFileAndTheKey() {
        BeaconflowConfig c =
                parse(
                        "ingest:\n  privacy:\n    user-id-salt: s\n"
                                + "elasticsearch:\n  index-prefix: ${PREFIX:staging-}\n");
        assertThat(c.elasticsearchSinkConfig("test.yaml").indexPrefix()).isEqualTo("staging-");
        assertThat(c.elasticsearchSinkConfig("test.yaml").deadLetterIndex())
                .isEqualTo("staging-rum-deadletter");
        assertThat(
                        parse("ingest:\n  privacy:\n    user-id-salt: s\n")
                                .elasticsearchSinkConfig("test.yaml")
                                .indexPrefix())
                .as("no prefix by default")
                .isEmpty();
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  privacy:\n    user-id-salt: s\n"
                                        + "elasticsearch:\n  index-prefix: Staging/\n"),
                "test.yaml line 5: elasticsearch.index-prefix: 'Staging/'",
                "upper-case",
                "Fix: use lower-case letters, digits, '-', '_' and '.'");
    }

    @Test
    void aBadDurationNamesTheKeyAndTheFix() {
        assertRejected(
                () -> parse("ingest:\n  idleness: soon\n"), "ingest.idleness", "e.g. 30s, 5m, 4h");
    }

    @Test
    void aBadChoiceListsTheAllowedValues() {
        assertRejected(
                () -> parse("ingest:\n  privacy:\n    client-ip: hide\n"),
                "ingest.privacy.client-ip",
                "truncate drop keep");
    }

    @Test
    void outOfRangeValuesAreRejectedWithTheFix() {
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  max-record-bytes: 0\n  privacy:\n"
                                        + "    user-id-salt: s\n"),
                "ingest.max-record-bytes: must be greater than 0",
                "Fix:");
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  routes:\n    rules:\n      - pattern: '(['\n"
                                        + "        replacement: x\n"),
                "ingest.routes.rules[0].pattern");
    }

    @Test
    void contradictoryLatenessBoundsAreRejected() {
        assertRejected(
                () ->
                        parse(
                                "ingest:\n  allowed-lateness: 1m\n  privacy:\n"
                                        + "    user-id-salt: s\nmetrics:\n"
                                        + "  allowed-lateness: 2m\n"),
                "metrics.allowed-lateness: differs from ingest.allowed-lateness");
    }

    @Test
    void aMissingSaltIsAnErrorThatSaysHowToSetIt() {
        assertRejected(
                () -> parse("ingest:\n  dedup-ttl: 10m\n"),
                "ingest.privacy.user-id-salt",
                "BEACONFLOW_USER_ID_SALT");
    }

    @Test
    void environmentReferencesAreExpandedWithDefaults() {
        BeaconflowConfig c =
                BeaconflowConfig.parse(
                        "ingest:\n  privacy:\n    user-id-salt: ${SALT}\n",
                        "t.yaml",
                        Map.of("SALT", "from-env")::get);
        assertThat(c.ingest.privacy.userIdSalt).isEqualTo("from-env");
        assertThat(
                        parse("ingest:\n  privacy:\n    user-id-salt: ${SALT:dflt}\n")
                                .ingest
                                .privacy
                                .userIdSalt)
                .isEqualTo("dflt");
        assertRejected(
                () -> parse("ingest:\n  privacy:\n    user-id-salt: ${SALT}\n"),
                "environment variable SALT");
    }

    @Test
    void theShippedElasticsearchHostsComeFromTheEnvironmentAndABadOneIsNamedAtItsLine()
            throws java.io.IOException {
        // The one override path of the elasticsearch: section: the shipped file's
        // ${BEACONFLOW_ES_URL} reference (no CLI option or -D property sets it).
        java.util.List<String> lines = java.nio.file.Files.readAllLines(ConfigFiles.SHIPPED);
        int hostsLine = 1 + lines.indexOf("  hosts: ${BEACONFLOW_ES_URL:http://127.0.0.1:9200}");
        assertThat(hostsLine).isPositive();
        assertThat(ConfigFiles.shipped().elasticsearch.hosts())
                .containsExactly("http://127.0.0.1:9200");
        Map<String, String> two = Map.of("BEACONFLOW_ES_URL", "https://es1:9200,https://es2:9200");
        BeaconflowConfig c =
                BeaconflowConfig.load(ConfigFiles.SHIPPED, BeaconflowConfig.withDemoSalt(two::get));
        assertThat(c.elasticsearch.hosts()).containsExactly("https://es1:9200", "https://es2:9200");
        Map<String, String> bad = Map.of("BEACONFLOW_ES_URL", "es1:9200");
        assertRejected(
                () ->
                        BeaconflowConfig.load(
                                ConfigFiles.SHIPPED, BeaconflowConfig.withDemoSalt(bad::get)),
                "beaconflow.yaml line "
                        + hostsLine
                        + ": elasticsearch.hosts: 'es1:9200' has no http:// or https://"
                        + " scheme. Fix: write URLs such as https://es1:9200");
    }
}
