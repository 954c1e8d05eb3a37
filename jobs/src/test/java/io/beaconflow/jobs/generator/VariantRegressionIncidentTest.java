package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.model.RawBeacon;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The incident kind {@code variant_regression}: the sessions on one experiment variant are slower
 * (an A/B test whose B costs time), so the comparison stage has a true effect to find. Checked from
 * the payloads: inside the window the variant's median load is the magnitude times its control's;
 * without the incident the two are alike.
 */
class VariantRegressionIncidentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60_000;

    static final String INCIDENT =
            "incidents:\n"
                    + "  - { id: one-page-slow, kind: variant_regression, app: shop-web,"
                    + " dimension: variant, value: checkout_flow=one_page, start: 10m,"
                    + " duration: 30m, magnitude: 1.5 }\n";

    record Load(long receivedAt, String variant, double ms) {}

    static List<Load> loads(GeneratorConfig config) throws IOException {
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(config, 11L, config.splits);
        List<Load> out = new ArrayList<>();
        while (all.hasNext()) {
            RawBeacon r = all.next();
            JsonNode root;
            try {
                root = JSON.readTree(r.payload);
            } catch (IOException malformed) {
                out.add(new Load(r.receivedAt, "malformed", 0));
                continue;
            }
            for (JsonNode e : root.has("events") ? root.get("events") : List.of(root)) {
                if (e.path("app").asText().equals("shop-web")
                        && e.path("type").asText().equals("page_view")
                        && e.path("page_view").path("load_ms").isNumber()) {
                    out.add(
                            new Load(
                                    r.receivedAt,
                                    e.path("experiments").path("checkout_flow").asText(),
                                    e.path("page_view").path("load_ms").asDouble()));
                }
            }
        }
        return out;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }

    /** Median load of one_page / median load of control, for views arriving inside the window. */
    static double ratioInside(List<Load> loads, long start) {
        List<Double> onePage = new ArrayList<>();
        List<Double> control = new ArrayList<>();
        for (Load l : loads) {
            // inside the window by arrival, with a margin for SDK batching and skew
            if (l.receivedAt() > start + 2 * MINUTE && l.receivedAt() < start + 28 * MINUTE) {
                if (l.variant().equals("one_page")) onePage.add(l.ms());
                if (l.variant().equals("control")) control.add(l.ms());
            }
        }
        assertThat(onePage).hasSizeGreaterThan(300);
        assertThat(control).hasSizeGreaterThan(300);
        return median(onePage) / median(control);
    }

    @Test
    void theVariantIsSlowerByTheMagnitudeInsideTheWindowAndNotWithoutTheIncident()
            throws IOException {
        GeneratorConfig base = GeneratedTraffic.shipped().withDuration("50m");
        GeneratorConfig withIncident =
                base.withIncidents(GeneratorConfig.incidentsFromYaml(INCIDENT, "test"));
        long start = TrafficGenerator.truths(withIncident).get(0).startMillis();
        assertThat(ratioInside(loads(withIncident), start)).isBetween(1.35, 1.65);
        assertThat(ratioInside(loads(base.withIncidents(List.of())), start)).isBetween(0.9, 1.1);
        assertThat(TrafficGenerator.truths(withIncident).get(0).metrics())
                .isEqualTo(IncidentTruth.LATENCY_METRICS);
    }

    @Test
    void theKindAndTheVariantDimensionGoTogetherAndNameARealVariant() {
        GeneratorConfig base = GeneratedTraffic.shipped();
        assertThatThrownBy(
                        () ->
                                base.withIncidents(
                                        GeneratorConfig.incidentsFromYaml(
                                                INCIDENT.replace("one_page", "two_page"), "test")))
                .hasMessageContaining("is not experiment=variant of app shop-web");
        assertThatThrownBy(
                        () ->
                                base.withIncidents(
                                        GeneratorConfig.incidentsFromYaml(
                                                INCIDENT.replace(
                                                        "variant_regression", "latency_regression"),
                                                "test")))
                .hasMessageContaining("variant_regression and dimension: variant go together");
    }
}
