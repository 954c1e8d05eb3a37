package io.beaconflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one binding, in both wordings its files use: the job's (lines of keys, known keys with their
 * section, nulls keep the default) and the collector's (the parser's line, bare known keys, a key
 * with no value is null).
 */
class ConfigYamlTest {
    /** A file's shape: a scalar, a duration, a nested section. */
    public static class File {
        public int threads = 1;
        public Duration grace = Duration.ofSeconds(10);
        public Section kafka = new Section();
    }

    public static class Section {
        public String topic = "rum-raw";
        public Duration deliveryTimeout = Duration.ofSeconds(10);
    }

    private static final ObjectMapper STRICT =
            ConfigYaml.strictMapper(PropertyNamingStrategies.KEBAB_CASE).build();

    private static final ConfigYaml.Wording BARE =
            new ConfigYaml.Wording("write e.g. 10s", "check the type", false, false);

    @Test
    void bindsKebabCaseKeysAndDurations() {
        File f =
                ConfigYaml.read(
                        "threads: 4\ngrace: 1.5m\nkafka:\n  delivery-timeout: 250ms\n",
                        "f.yaml",
                        File.class,
                        "");
        assertThat(f.threads).isEqualTo(4);
        assertThat(f.grace).isEqualTo(Duration.ofSeconds(90));
        assertThat(f.kafka.deliveryTimeout).isEqualTo(Duration.ofMillis(250));
        assertThat(f.kafka.topic).as("not written: the default").isEqualTo("rum-raw");
    }

    @Test
    void anUnknownKeyNamesItsLineAndTheKnownKeysInEitherWording() {
        String yaml = "threads: 4\nkafka:\n  topik: x\n";
        assertThatThrownBy(() -> ConfigYaml.read(yaml, "f.yaml", File.class, ""))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "f.yaml line 3: unknown key 'kafka.topik'. Fix: use one of:"
                                + " kafka.delivery-timeout, kafka.topic");
        assertThatThrownBy(() -> ConfigYaml.read(STRICT, BARE, yaml, "f.yaml", File.class, ""))
                .hasMessage(
                        "f.yaml line 3: unknown key 'kafka.topik'. Fix: use one of:"
                                + " delivery-timeout, topic");
    }

    @Test
    void aBadValueNamesTheKeyAndTheWordingsFix() {
        String yaml = "kafka:\n  delivery-timeout: soon\n";
        assertThatThrownBy(() -> ConfigYaml.read(yaml, "f.yaml", File.class, ""))
                .hasMessage(
                        "f.yaml line 2: kafka.delivery-timeout: 'soon' is not a valid duration."
                                + " Fix: write a number and a unit, e.g. 30s, 5m, 4h or 500ms");
        assertThatThrownBy(() -> ConfigYaml.read(STRICT, BARE, yaml, "f.yaml", File.class, ""))
                .hasMessage(
                        "f.yaml line 2: kafka.delivery-timeout: 'soon' is not a valid duration."
                                + " Fix: write e.g. 10s");
        assertThatThrownBy(() -> ConfigYaml.read("threads: many\n", "f.yaml", File.class, ""))
                .hasMessage("f.yaml line 1: threads: 'many' is not a valid int. Fix: write a int");
        assertThatThrownBy(
                        () ->
                                ConfigYaml.read(
                                        STRICT, BARE, "kafka: [a]\n", "f.yaml", File.class, ""))
                .hasMessageStartingWith("f.yaml line 1: kafka: ")
                .hasMessageEndingWith(". Fix: check the type");
    }

    @Test
    void theJobsLineIsTheKeysTheCollectorsWhereTheParserStood() {
        // A plain scalar continued on the next line: the key is on line 1, the value ends on 2.
        String yaml = "grace:\n  soon\n";
        assertThatThrownBy(() -> ConfigYaml.read(yaml, "f.yaml", File.class, ""))
                .hasMessageStartingWith("f.yaml line 1: grace: 'soon'");
        assertThatThrownBy(() -> ConfigYaml.read(STRICT, BARE, yaml, "f.yaml", File.class, ""))
                .hasMessageStartingWith("f.yaml line 2: grace: 'soon'");
    }

    @Test
    void aKeyWithNoValueKeepsTheDefaultForTheJobAndIsNullForTheStrictMapper() {
        assertThat(ConfigYaml.read("kafka:\n", "f.yaml", File.class, "").kafka)
                .isNotNull()
                .extracting(s -> s.topic)
                .isEqualTo("rum-raw");
        assertThat(ConfigYaml.read(STRICT, BARE, "kafka:\n", "f.yaml", File.class, "").kafka)
                .isNull();
    }

    @Test
    void environmentReferencesAreExpandedOutsideComments() {
        Map<String, String> env = Map.of("TOPIC", "t1");
        assertThat(
                        ConfigYaml.expand(
                                "# ${NOT_SET} documents the syntax\ntopic: ${TOPIC}\nhost:"
                                        + " ${HOST:localhost:9092}\n",
                                "f.yaml",
                                env::get))
                .isEqualTo("# ${NOT_SET} documents the syntax\ntopic: t1\nhost: localhost:9092\n");
        assertThatThrownBy(() -> ConfigYaml.expand("topic: ${NOPE}\n", "f.yaml", env::get))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "f.yaml: environment variable NOPE is referenced but not set. Fix: export"
                                + " it, or write ${NOPE:default}");
    }

    @Test
    void notValidYamlNamesItsLine() {
        // '@' is reserved in YAML: the first token already fails, before any binding.
        assertThatThrownBy(() -> ConfigYaml.read("@threads: 4\n", "f.yaml", File.class, ""))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("f.yaml line 1: not valid YAML: ")
                .hasMessageEndingWith(". Fix: check indentation and quoting");
    }
}
