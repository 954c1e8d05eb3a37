package io.beaconflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The config kit: key lines, problems collected with file, line, key and fix, one exception. */
class ConfigKitTest {
    private static final String YAML =
            String.join(
                    "\n",
                    "# a comment",
                    "ingest:",
                    "  limits:",
                    "    min-sample-rate: 0.5",
                    "elasticsearch:",
                    "  hosts: [http://a:9200, http://b:9200]",
                    "  bulk:",
                    "    max-actions: 0",
                    "");

    @Test
    void everyKeyHasItsLineAndADefaultPointsAtItsSection() {
        KeyLines lines = KeyLines.of(YAML, "");
        assertThat(lines.line("ingest")).isEqualTo(2);
        assertThat(lines.line("ingest.limits.min-sample-rate")).isEqualTo(4);
        assertThat(lines.line("elasticsearch.hosts")).isEqualTo(6);
        assertThat(lines.line("elasticsearch.bulk.max-actions")).isEqualTo(8);
        assertThat(lines.line("elasticsearch.bulk.flush-interval"))
                .as("not written: its section's line")
                .isEqualTo(7);
        assertThat(lines.line("kafka.raw-topic")).isNull();
        assertThat(
                        KeyLines.of("bulk:\n  max-actions: 1\n", "elasticsearch")
                                .line("elasticsearch.bulk.max-actions"))
                .isEqualTo(2);
    }

    @Test
    void listItemsHaveTheirOwnLinesSoAProblemInTheSecondRuleNamesItsLine() {
        String yaml =
                String.join(
                        "\n",
                        "ingest:",
                        "  routes:",
                        "    rules:",
                        "      - pattern: '^/a$'",
                        "        replacement: /a",
                        "      - pattern: '^/b($'",
                        "        replacement: /b",
                        "metrics:",
                        "  dimensions:",
                        "    - route",
                        "    - planet",
                        "");
        KeyLines lines = KeyLines.of(yaml, "");
        assertThat(lines.line("ingest.routes.rules[0].pattern")).isEqualTo(4);
        assertThat(lines.line("ingest.routes.rules[1].pattern")).isEqualTo(6);
        assertThat(lines.line("ingest.routes.rules[1].app"))
                .as("not written: its item")
                .isEqualTo(6);
        assertThat(lines.line("metrics.dimensions[1]")).isEqualTo(11);
        assertThat(lines.line("metrics.dimensions[7]")).as("no such item: the list").isEqualTo(9);
    }

    @Test
    void problemsAreCollectedAndReportedTogetherWithLineKeyAndFix() {
        ConfigProblems p = new ConfigProblems("job.yaml", KeyLines.of(YAML, ""));
        p.atLeast("elasticsearch.bulk.max-actions", 0, 1, "use 1 or more");
        p.positive("ingest.dedup-ttl", Duration.ZERO, "10m");
        p.require(true, "ingest.limits.min-sample-rate", "never shown", "none");
        assertThat(p.all())
                .containsExactly(
                        "job.yaml line 8: elasticsearch.bulk.max-actions: is 0, below 1. Fix: use 1"
                                + " or more",
                        "job.yaml line 2: ingest.dedup-ttl: is 0s. Fix: use a positive duration"
                                + " such as 10m");
        assertThatThrownBy(p::throwIfAny)
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "2 problems in job.yaml:\n  - "
                                + p.all().get(0)
                                + "\n  - "
                                + p.all().get(1));

        ConfigProblems one = ConfigProblems.of("code");
        one.add("a.b", "is wrong", "set it right");
        assertThatThrownBy(one::throwIfAny).hasMessage("code: a.b: is wrong. Fix: set it right");
        ConfigProblems none = ConfigProblems.of("code");
        none.throwIfAny();
    }

    @Test
    void aDurationProblemShowsTheDurationAsYamlSpellsItNotJavasPT() {
        ConfigProblems p = ConfigProblems.of("job.yaml");
        p.durationAboveZero("sessions.gap", Duration.ofMinutes(-5), "e.g. 30m");
        p.durationNotNegative("ingest.max-age", Duration.ofMillis(-1500), "e.g. 1h");
        p.durationAboveZero("sessions.max-duration", null, "e.g. 4h");
        assertThat(p.all())
                .containsExactly(
                        "job.yaml: sessions.gap: must be a duration > 0 (got -5m). Fix: set e.g."
                                + " 30m",
                        "job.yaml: ingest.max-age: must be a duration ≥ 0 (got -1500ms). Fix: set"
                                + " e.g. 1h",
                        "job.yaml: sessions.max-duration: must be a duration > 0 (got empty). Fix:"
                                + " set e.g. 4h");
    }
}
