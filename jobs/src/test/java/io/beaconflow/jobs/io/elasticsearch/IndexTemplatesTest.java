package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

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
                .containsExactly("rum-sessions", "rum-metrics", "rum-alerts", "rum-deadletter");
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
    void aTemplateWithoutVersionIsRefusedWithTheFix() {
        assertThatThrownBy(() -> IndexTemplates.Template.of("x", "{\"index_patterns\":[\"x-*\"]}"))
                .hasMessageContaining("\"version\": 1");
    }
}
