package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code spa: true} (flink-conf/generator-spa.yaml): a session's first view loads the document,
 * every later one is a route change of its own (hash) route, timed, without TTFB / FCP / LCP; the
 * records decode. The shipped generator.yaml has no SPA app and its bytes are pinned by {@link
 * TrafficGeneratorGoldenTest}.
 */
class SpaTrafficTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anSpaAppLoadsOnceAndThenChangesRouteWithoutLoadVitals() throws Exception {
        GeneratorConfig config =
                GeneratorConfig.load(Path.of("..", "flink-conf", "generator-spa.yaml"))
                        .withDuration("40m");
        assertThat(config.apps).singleElement().satisfies(a -> assertThat(a.spa).isTrue());
        List<RawBeacon> records = new ArrayList<>();
        TrafficGenerator.generateAll(config, 5, config.splits).forEachRemaining(records::add);

        Map<String, List<JsonNode>> viewsBySession = new TreeMap<>();
        Set<String> routeChangeViews = new HashSet<>();
        List<JsonNode> loadVitals = new ArrayList<>();
        for (RawBeacon r : records) {
            JsonNode root;
            try {
                root = JSON.readTree(r.payload);
            } catch (java.io.IOException malformed) {
                continue; // the realism settings inject some unparseable records
            }
            for (JsonNode e : root.path("events")) {
                String type = e.path("type").asText();
                if (type.equals("page_view") && e.path("page_view").isObject()) {
                    viewsBySession
                            .computeIfAbsent(e.path("session_id").asText(), k -> new ArrayList<>())
                            .add(e);
                    if (e.path("page_view").path("navigation").asText().equals("route_change")) {
                        routeChangeViews.add(e.path("view_id").asText());
                    }
                } else if (type.equals("web_vital")
                        && List.of("TTFB", "FCP", "LCP")
                                .contains(e.path("web_vital").path("name").asText())) {
                    loadVitals.add(e);
                }
            }
        }
        int loads = 0;
        int changes = 0;
        for (List<JsonNode> views : viewsBySession.values()) {
            // SDK retries resend views: one per event id, in time order.
            Map<String, JsonNode> byId = new TreeMap<>();
            for (JsonNode v : views) byId.putIfAbsent(v.path("event_id").asText(), v);
            List<JsonNode> ordered = new ArrayList<>(byId.values());
            ordered.sort(java.util.Comparator.comparingLong(v -> v.path("occurred_at").asLong()));
            JsonNode first = ordered.get(0).path("page_view");
            if (first.has("navigation")) continue; // its first view fell before the run
            assertThat(first.path("load_ms").isNumber()).isTrue();
            loads++;
            for (JsonNode v : ordered.subList(1, ordered.size())) {
                JsonNode pv = v.path("page_view");
                assertThat(pv.path("navigation").asText()).isEqualTo("route_change");
                assertThat(pv.path("route_change_ms").asDouble()).isPositive();
                assertThat(pv.has("load_ms")).isFalse();
                assertThat(v.path("page_url").asText()).contains("/#/");
                changes++;
            }
        }
        assertThat(loads).as("sessions that started in the run").isGreaterThan(30);
        assertThat(changes).as("several route changes per load").isGreaterThan(loads);
        assertThat(loadVitals)
                .as("no TTFB / FCP / LCP on a route change")
                .noneMatch(v -> routeChangeViews.contains(v.path("view_id").asText()));

        // The job's decoder takes them as route changes.
        BeaconDecoder decoder = new BeaconDecoder(new IngestConfig());
        long decodedChanges = 0;
        for (RawBeacon r : records.subList(0, Math.min(records.size(), 3_000))) {
            List<IngestRecord> out = new ArrayList<>();
            decoder.decode(r, out::add);
            for (IngestRecord x : out) {
                if (x.isAccepted() && x.event.type == EventType.PAGE_VIEW && x.event.routeChange) {
                    assertThat(x.event.routeChangeMs).isPositive();
                    decodedChanges++;
                }
            }
        }
        assertThat(decodedChanges).isPositive();
    }
}
