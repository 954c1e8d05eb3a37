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

    /** The row's JSON (every field set), as the sink writes it, is mapped field by field. */
    @Test
    void everyFieldOfAMetricRowIsMappedWithItsType() throws Exception {
        io.beaconflow.jobs.metrics.MetricAccumulator acc =
                new io.beaconflow.jobs.metrics.MetricAccumulator(0.01);
        io.beaconflow.jobs.model.RumEvent view = new io.beaconflow.jobs.model.RumEvent();
        view.type = io.beaconflow.jobs.model.EventType.PAGE_VIEW;
        view.app = "shop";
        view.loadMs = 900.0;
        java.util.List<io.beaconflow.jobs.metrics.SeriesSample> samples =
                new java.util.ArrayList<>();
        io.beaconflow.jobs.metrics.SeriesFanOut.emit(
                view,
                new io.beaconflow.jobs.metrics.Dimension[0],
                new org.apache.flink.api.common.functions.util.ListCollector<>(samples));
        samples.forEach(acc::add);
        io.beaconflow.jobs.metrics.MetricAggregate row = acc.toAggregate();
        // Null fields are left out of the JSON: give every nullable one a value.
        fillNulls(row);
        row.id = "shop|all|*|0";
        row.app = "shop";
        row.dimension = "all";
        row.dimensionValue = "*";
        com.fasterxml.jackson.databind.JsonNode json =
                io.beaconflow.jobs.io.Json.newOutputMapper().valueToTree(row);
        Map<String, String> f = TemplateFields.of(template("rum-metrics"));
        java.util.List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("fetches_4xx", "lcp_good_share", "apdex", "fetch_failure_rate");
        for (String name : names) {
            String expected =
                    json.get(name).isTextual()
                            ? "keyword"
                            : json.get(name).isIntegralNumber() ? "long" : "double";
            if (name.startsWith("window_")) expected = "date";
            assertThat(f).as(name).containsKey(name);
            assertThat(f.get(name)).as(name).isEqualTo(expected);
        }
    }

    /** Sets every null {@code Double} of a row, and of its percentiles and ratings, to 0.5. */
    private static void fillNulls(Object o) throws IllegalAccessException {
        for (java.lang.reflect.Field field : o.getClass().getFields()) {
            Object v = field.get(o);
            if (field.getType() == Double.class && v == null) {
                field.set(o, 0.5);
            } else if (v instanceof io.beaconflow.jobs.metrics.Percentiles
                    || v instanceof io.beaconflow.jobs.metrics.Ratings) {
                fillNulls(v);
            }
        }
    }

    @Test
    void multiFieldsAreListedUnderTheirParent() {
        Map<String, String> f = TemplateFields.of(template("rum-deadletter"));
        assertThat(f).containsEntry("detail", "text").containsEntry("detail.keyword", "keyword");
    }
}
