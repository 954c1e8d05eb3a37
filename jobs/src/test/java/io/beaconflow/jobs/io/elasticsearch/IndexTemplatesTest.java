package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndexTemplatesTest {
    private static final Path DIR = Path.of("../docker/elasticsearch/templates");

    @Test
    void aTemplateIsWrittenOnlyWhenMissingOrOlder() {
        assertThat(IndexTemplates.decide(null, 2)).isEqualTo(IndexTemplates.Outcome.CREATED);
        assertThat(IndexTemplates.decide(1L, 2)).isEqualTo(IndexTemplates.Outcome.UPGRADED);
        assertThat(IndexTemplates.decide(2L, 2)).isEqualTo(IndexTemplates.Outcome.UNCHANGED);
        assertThat(IndexTemplates.decide(3L, 2)).isEqualTo(IndexTemplates.Outcome.KEPT_NEWER);
    }

    @Test
    void theBundledTemplatesAreTheRepositoryFilesWithVersions() throws Exception {
        List<IndexTemplates.Template> bundled = IndexTemplates.bundled();
        assertThat(bundled)
                .extracting(IndexTemplates.Template::name)
                .containsExactly(
                        "rum-sessions",
                        "rum-metrics",
                        "rum-alerts",
                        "rum-deadletter",
                        "rum-error-groups",
                        "rum-late",
                        "rum-fetch-timings",
                        "rum-endpoint-timings",
                        "rum-comparisons");
        for (IndexTemplates.Template t : bundled) {
            assertThat(t.json()).isEqualTo(Files.readString(DIR.resolve(t.name() + ".json")));
            assertThat(t.version()).isPositive();
        }
    }

    @Test
    void everyTemplateLimitsWhatUnknownDataCanDoToTheMapping() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String name : IndexTemplates.NAMES) {
            JsonNode t = json.readTree(DIR.resolve(name + ".json").toFile());
            assertThat(t.path("index_patterns").get(0).asText()).as(name).startsWith(name);
            assertThat(t.path("template").path("mappings").path("dynamic").asText())
                    .as(name + " top-level dynamic")
                    .isIn("false", "strict");
        }
    }

    @Test
    void aPrefixedCopyMatchesOnlyThePrefixedIndicesAndKeepsTheMappingAndVersion() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<IndexTemplates.Template> bundled = IndexTemplates.bundled();
        List<IndexTemplates.Template> prefixed = IndexTemplates.bundled("it-run42-");
        assertThat(prefixed)
                .extracting(IndexTemplates.Template::name)
                .containsExactly(
                        "it-run42-rum-sessions",
                        "it-run42-rum-metrics",
                        "it-run42-rum-alerts",
                        "it-run42-rum-deadletter",
                        "it-run42-rum-error-groups",
                        "it-run42-rum-late",
                        "it-run42-rum-fetch-timings",
                        "it-run42-rum-endpoint-timings",
                        "it-run42-rum-comparisons");
        for (int i = 0; i < bundled.size(); i++) {
            JsonNode original = json.readTree(bundled.get(i).json());
            JsonNode copy = json.readTree(prefixed.get(i).json());
            assertThat(prefixed.get(i).version()).isEqualTo(bundled.get(i).version());
            assertThat(copy.path("version")).isEqualTo(original.path("version"));
            List<String> patterns = new java.util.ArrayList<>();
            copy.path("index_patterns").forEach(p -> patterns.add(p.asText()));
            List<String> expected = new java.util.ArrayList<>();
            original.path("index_patterns").forEach(p -> expected.add("it-run42-" + p.asText()));
            assertThat(patterns).as(bundled.get(i).name()).isEqualTo(expected);
            assertThat(copy.path("template")).isEqualTo(original.path("template"));
            assertThat(copy.path("priority").asInt())
                    .as("above the unprefixed set, so the two never tie on an overlapping pattern")
                    .isEqualTo(original.path("priority").asInt() + 1);
            assertThat(copy.path("_meta").path("index_prefix").asText()).isEqualTo("it-run42-");
            assertThat(copy.path("_meta").path("managed_by"))
                    .isEqualTo(original.path("_meta").path("managed_by"));
        }
        // The prefixed metrics pattern matches the prefixed daily index, not the unprefixed one.
        String metricsPattern =
                json.readTree(prefixed.get(1).json()).path("index_patterns").get(0).asText();
        assertThat(metricsPattern).isEqualTo("it-run42-rum-metrics-*");
        assertThat(IndexTemplates.bundled(""))
                .extracting(IndexTemplates.Template::json)
                .containsExactlyElementsOf(
                        bundled.stream().map(IndexTemplates.Template::json).toList());
    }

    @Test
    void prefixingIsIdempotentInName() {
        IndexTemplates.Template t = IndexTemplates.bundled().get(0);
        assertThat(t.withPrefix("")).isSameAs(t);
        assertThat(t.withPrefix(null)).isSameAs(t);
        assertThat(t.withPrefix("a-").withPrefix("b-").name()).isEqualTo("b-a-rum-sessions");
    }

    @Test
    void aTemplateWithoutVersionIsRefusedWithTheFix() {
        assertThatThrownBy(() -> IndexTemplates.Template.of("x", "{\"index_patterns\":[\"x-*\"]}"))
                .hasMessageContaining("\"version\": 1");
    }

    @Test
    void theJobOwnsExactlyTheIndicesItsPrefixedTemplatesMatch() {
        assertThat(IndexTemplates.owning("", "rum-sessions-2026.11.02").name())
                .isEqualTo("rum-sessions");
        assertThat(IndexTemplates.owning("", "rum-alerts").name()).isEqualTo("rum-alerts");
        assertThat(IndexTemplates.owning("", "rum-deadletter-it-x-sink").name())
                .isEqualTo("rum-deadletter");
        assertThat(IndexTemplates.owning("staging-", "staging-rum-metrics-2026.11.02").name())
                .isEqualTo("staging-rum-metrics");
        assertThat(IndexTemplates.owning("staging-", "rum-metrics-2026.11.02")).isNull();
        assertThat(IndexTemplates.owning("", "rum-sessions")).isNull();
        assertThat(IndexTemplates.owning("", "orders")).isNull();
    }

    @ParameterizedTest(name = "{0} matches \"{1}\": {2}")
    @CsvSource(
            textBlock =
                    """
                    a-*,   a-,     true
                    a-*-z, a-bc-z, true
                    a-*-z, a-bc-y, false
                    *,     '',     true
                    abc,   abcd,   false
                    """)
    void wildcardsMatchAnyRunOfCharacters(String pattern, String name, boolean matches) {
        assertThat(IndexTemplates.globMatches(pattern, name)).isEqualTo(matches);
    }
}
