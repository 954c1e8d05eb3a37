package io.beaconflow.collector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorConfigTest {
    static final String APPS = "apps:\n  shop:\n    allowed-origins: [\"https://shop.example\"]\n";

    @Test
    void theShippedConfigFileIsValid() {
        Path file = Path.of("../flink-conf/collector.yaml");
        assertThat(Files.exists(file)).isTrue();
        CollectorConfig c = CollectorConfig.load(file);
        assertThat(c.listen).isEqualTo(CollectorConfig.DEFAULT_LISTEN);
        assertThat(c.kafka.topic).isEqualTo("rum-raw");
        assertThat(c.geoip.database).as("unset BEACONFLOW_GEOIP_DB: no database").isEmpty();
    }

    @Test
    void unknownKeysNameTheKeyAndTheKnownOnes() {
        assertThatThrownBy(() -> parse(APPS + "kafka:\n  topik: x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'kafka.topik'")
                .hasMessageContaining("topic");
    }

    @Test
    void badValuesNameTheKeyAndTheFix() {
        assertThatThrownBy(() -> parse(APPS + "kafka:\n  delivery-timeout: soon\n"))
                .hasMessageContaining("kafka.delivery-timeout")
                .hasMessageContaining("Fix:");
        assertThatThrownBy(() -> parse(APPS + "listen: nowhere\n"))
                .hasMessageContaining("listen")
                .hasMessageContaining("127.0.0.1:4318");
        assertThatThrownBy(
                        () -> parse("apps:\n  shop:\n    allowed-origins: [\"shop.example/x\"]\n"))
                .hasMessageContaining("apps.shop.allowed-origins")
                .hasMessageContaining("scheme://host");
        assertThatThrownBy(() -> parse(APPS + "trusted-proxies: [\"proxy.local\"]\n"))
                .hasMessageContaining("trusted-proxies[0]");
        assertThatThrownBy(() -> parse(APPS + "rate-limit:\n  requests-per-second: 0\n"))
                .hasMessageContaining("rate-limit.requests-per-second");
        assertThatThrownBy(() -> parse(APPS + "geoip:\n  database: /no/such.mmdb\n"))
                .hasMessageContaining("geoip.database");
        assertThatThrownBy(() -> parse("listen: 127.0.0.1:4318\n"))
                .hasMessageContaining("apps")
                .hasMessageContaining("allow-unknown-apps");
    }

    @Test
    void environmentReferencesAreExpanded() {
        CollectorConfig c =
                CollectorConfig.parse(
                        APPS + "kafka:\n  bootstrap-servers: ${BOOT:localhost:1}\n",
                        "t",
                        Map.of("BOOT", "k1:9092")::get);
        assertThat(c.kafka.bootstrapServers).isEqualTo("k1:9092");
        assertThatThrownBy(
                        () ->
                                CollectorConfig.parse(
                                        APPS + "kafka:\n  topic: ${NOPE}\n", "t", k -> null))
                .hasMessageContaining("NOPE");
    }

    @Test
    void aBackendKeyMustBeLongSeparateFromTheApiKeyAndUniquePerApp() {
        CollectorConfig ok = parse(APPS + "    backend-key: 0123456789abcdef0123\n");
        assertThat(ok.apps.get("shop").backendKey).isEqualTo("0123456789abcdef0123");
        assertThat(ok.kafka.serverSpansTopic).isEqualTo("rum-server-spans");
        assertThatThrownBy(() -> parse(APPS + "    backend-key: short\n"))
                .hasMessageContaining("apps.shop.backend-key")
                .hasMessageContaining("Fix:");
        assertThatThrownBy(
                        () ->
                                parse(
                                        APPS
                                                + "    api-key: 0123456789abcdef0123\n"
                                                + "    backend-key: 0123456789abcdef0123\n"))
                .hasMessageContaining("equals the app's api-key");
        assertThatThrownBy(
                        () ->
                                parse(
                                        APPS
                                                + "    backend-key: 0123456789abcdef0123\n"
                                                + "  admin:\n    allowed-origins: [\"*\"]\n"
                                                + "    backend-key: 0123456789abcdef0123\n"))
                .hasMessageContaining("is also apps.");
        assertThatThrownBy(() -> parse(APPS + "kafka:\n  server-spans-topic: rum-raw\n"))
                .hasMessageContaining("kafka.server-spans-topic");
    }

    /**
     * The collector's wording of binding errors, as its own binding wrote them before it moved onto
     * the config kit: its duration fix, its pointer to collector.yaml, the parser's line, known
     * keys without their section, an empty section named rather than defaulted.
     */
    @Test
    void bindingMessagesKeepTheCollectorsWording() {
        assertThatThrownBy(() -> parse(APPS + "kafka:\n  topik: x\n"))
                .hasMessage(
                        "test.yaml line 5: unknown key 'kafka.topik'. Fix: use one of:"
                                + " bootstrap-servers, delivery-timeout, max-record-bytes,"
                                + " properties, server-spans-topic, topic");
        assertThatThrownBy(() -> parse(APPS + "kafka:\n  delivery-timeout:\n    soon\n"))
                .hasMessage(
                        "test.yaml line 6: kafka.delivery-timeout: 'soon' is not a valid duration."
                                + " Fix: write a number and a unit, e.g. 250ms, 10s, 5m");
        assertThatThrownBy(() -> parse(APPS + "allow-unknown-apps: maybe\n"))
                .hasMessage(
                        "test.yaml line 4: allow-unknown-apps: 'maybe' is not a valid boolean."
                                + " Fix: write a boolean");
        assertThatThrownBy(() -> parse(APPS + "kafka:\n  - a\n"))
                .hasMessageStartingWith("test.yaml line 5: kafka: ")
                .hasMessageEndingWith(
                        ". Fix: check the value's type against flink-conf/collector.yaml");
        assertThatThrownBy(() -> parse(APPS + "kafka:\n"))
                .hasMessage("test.yaml: kafka: must be a section. Fix: give its settings");
        assertThatThrownBy(() -> parse(APPS + "listen: host:99999\n"))
                .hasMessage(
                        "test.yaml: listen: 'host:99999' has no valid port. Fix: write e.g."
                                + " 127.0.0.1:4318");
    }

    @Test
    void everyProblemOfAFileIsNamedAtOnce() {
        assertThatThrownBy(() -> parse(APPS + "io-threads: -1\nrate-limit:\n  burst: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "2 problems in test.yaml:\n"
                                + "  - test.yaml: io-threads: is negative. Fix: use 0 (one per"
                                + " core) or more\n"
                                + "  - test.yaml: rate-limit.burst: must be >= 1. Fix: write e.g."
                                + " 60")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2));
    }

    private static CollectorConfig parse(String yaml) {
        return CollectorConfig.parse(yaml, "test.yaml", k -> null);
    }
}
