package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateFieldsTest {
    private static Path template(String name) {
        return Path.of("../docker/elasticsearch/templates/" + name + ".json");
    }

    @Test
    void sessionFieldsIncludeNestedTimelinePathsWithTheirTypes() {
        Map<String, String> f = TemplateFields.of(template("rum-sessions"));
        assertThat(f)
                .containsEntry("session_key", "keyword")
                .containsEntry("start", "date")
                .containsEntry("duration_ms", "long")
                .containsEntry("experiments", "flattened")
                .containsEntry("timeline", "object")
                .containsEntry("timeline.t", "date")
                .containsEntry("timeline.route", "keyword")
                .containsEntry("trace_ids", "keyword")
                .containsEntry("sample_rate", "double");
        assertThat(TemplateFields.openObjects(template("rum-sessions")))
                .containsExactly("experiments");
    }

    @Test
    void metricFieldsHaveEveryPercentileAndCountAndRoomForDetectorFields() {
        Map<String, String> f = TemplateFields.of(template("rum-metrics"));
        for (String m : new String[] {"load", "lcp", "inp", "ttfb", "fcp", "cls", "fetch"}) {
            for (String p : new String[] {"p50", "p75", "p95", "p99"}) {
                assertThat(f).containsEntry(m + "_" + p, "double");
            }
            assertThat(f).containsEntry(m + "_count", "long");
        }
        assertThat(f).containsEntry("window_start", "date").containsEntry("error_rate", "double");
        assertThat(TemplateFields.openObjects(template("rum-metrics"))).containsExactly("scores");
    }

    @Test
    void multiFieldsAreListedUnderTheirParent() {
        Map<String, String> f = TemplateFields.of(template("rum-deadletter"));
        assertThat(f).containsEntry("detail", "text").containsEntry("detail.keyword", "keyword");
    }
}
