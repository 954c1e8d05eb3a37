package io.beaconflow.jobs.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kibana saved objects in docker/kibana are well-formed, their references resolve, and every
 * field a panel, query or saved search uses exists in the index templates with a usable type.
 */
class SavedObjectsTest {
    static final SavedObjects SAVED = SavedObjects.load(SavedObjects.kibanaDir());

    @Test
    void everyObjectParsesAndCarriesWhatKibanasImportNeeds() {
        assertThat(SAVED.problems()).isEmpty();
        assertThat(SAVED.objects()).isNotEmpty();
        for (SavedObjects.Obj o : SAVED.objects()) {
            JsonNode j = o.json();
            assertThat(o.id()).as(o.where() + " id").isNotBlank();
            assertThat(o.type()).as(o.where()).isIn("index-pattern", "dashboard", "search");
            assertThat(o.title()).as(o.where() + " title").isNotBlank();
            assertThat(j.path("references").isArray()).as(o.where() + " references").isTrue();
            assertThat(j.path("coreMigrationVersion").asText()).as(o.where()).isNotBlank();
            assertThat(j.path("typeMigrationVersion").asText()).as(o.where()).isNotBlank();
        }
    }

    @Test
    void idsAreUniqueAcrossFilesAndEveryReferenceResolvesToAnObjectOfItsType() {
        Map<String, String> typeById = new HashMap<>();
        for (SavedObjects.Obj o : SAVED.objects()) {
            assertThat(typeById.put(o.id(), o.type())).as("duplicate id " + o.id()).isNull();
        }
        List<String> dangling = new ArrayList<>();
        for (SavedObjects.Obj o : SAVED.objects()) {
            for (JsonNode r : o.json().path("references")) {
                String type = typeById.get(r.path("id").asText());
                if (!r.path("type").asText().equals(type)) {
                    dangling.add(o.where() + " -> " + r);
                }
            }
        }
        assertThat(dangling).isEmpty();
    }

    @Test
    void thereIsADashboardForEachTopicOfTheIssue() {
        Set<String> titles = new HashSet<>();
        SAVED.objects().stream()
                .filter(o -> o.type().equals("dashboard"))
                .forEach(o -> titles.add(o.title()));
        assertThat(titles)
                .contains(
                        "Beaconflow: overview",
                        "Beaconflow: page performance",
                        "Beaconflow: errors",
                        "Beaconflow: sessions",
                        "Beaconflow: alerts",
                        "Beaconflow: releases and experiments",
                        "Beaconflow: error groups",
                        "Beaconflow: bots and late events",
                        "Beaconflow: experiments and releases compared",
                        "Beaconflow: traces (client vs server time)");
        assertThat(SAVED.dataViews().values())
                .extracting(SavedObjects.DataView::pattern)
                .contains(
                        "rum-sessions-*",
                        "rum-metrics-*",
                        "rum-alerts*",
                        "rum-deadletter*",
                        "rum-error-groups*",
                        "rum-late*",
                        "rum-comparisons*",
                        "rum-fetch-timings-*",
                        "rum-endpoint-timings-*");
    }

    @Test
    void panelsFitTheGridAndDoNotOverlap() throws IOException {
        for (SavedObjects.Obj o : SAVED.objects()) {
            if (!o.type().equals("dashboard")) continue;
            JsonNode panels =
                    SavedObjects.JSON.readTree(
                            o.json().path("attributes").path("panelsJSON").asText());
            Map<String, int[]> cells = new TreeMap<>();
            Set<String> indices = new HashSet<>();
            for (JsonNode p : panels) {
                JsonNode g = p.path("gridData");
                String name = o.title() + " / " + p.path("title").asText();
                assertThat(indices.add(p.path("panelIndex").asText())).as(name).isTrue();
                assertThat(g.path("i").asText()).as(name).isEqualTo(p.path("panelIndex").asText());
                int x = g.path("x").asInt(), y = g.path("y").asInt();
                int w = g.path("w").asInt(), h = g.path("h").asInt();
                assertThat(x).as(name).isGreaterThanOrEqualTo(0);
                assertThat(w).as(name).isPositive();
                assertThat(h).as(name).isPositive();
                assertThat(x + w).as(name + " right edge").isLessThanOrEqualTo(48);
                for (int cx = x; cx < x + w; cx++) {
                    for (int cy = y; cy < y + h; cy++) {
                        int[] prev = cells.put(cx + "," + cy, new int[] {1});
                        assertThat(prev).as(name + " overlaps at " + cx + "," + cy).isNull();
                    }
                }
            }
        }
    }

    @Test
    void everyFieldThePanelsQueriesAndSearchesUseIsMappedWithAUsableType() {
        assertThat(SAVED.lensLayers()).hasSizeGreaterThan(30);
        assertThat(SAVED.savedSearches()).isNotEmpty();
        assertThat(DashboardFieldCheck.check(SAVED, SavedObjects.templatesDir())).isEmpty();
    }

    @Test
    void aMappingChangeThatBreaksAPanelIsReportedWithTheDashboardPanelAndField(@TempDir Path dir)
            throws IOException {
        Path templates = SavedObjects.templatesDir();
        try (var files = Files.list(templates)) {
            for (Path f : files.toList()) {
                String json = Files.readString(f);
                if (f.getFileName().toString().equals("rum-metrics.json")) {
                    // lcp_p75 becomes a keyword; error_rate disappears.
                    json =
                            json.replaceFirst(
                                            "\"lcp_p75\":\\s*\\{\\s*\"type\":\\s*\"double\"",
                                            "\"lcp_p75\": {\"type\": \"keyword\"")
                                    .replaceFirst(
                                            "\"error_rate\":\\s*\\{\\s*\"type\":\\s*\"double\"\\s*},",
                                            "");
                }
                Files.writeString(dir.resolve(f.getFileName()), json);
            }
        }
        List<String> problems = DashboardFieldCheck.check(SAVED, dir);
        assertThat(problems)
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .contains("dashboard 'Beaconflow: overview'")
                                        .contains("field 'lcp_p75' is keyword")
                                        .contains("needs one of"))
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .contains("field 'error_rate' is not in rum-metrics.json"));
    }

    @Test
    void aPanelOnAnUnmappedFieldOrWithALooseQueryIsReported(@TempDir Path dir) throws IOException {
        String lens =
                Files.readString(SavedObjects.kibanaDir().resolve("dashboard-sessions.ndjson"))
                        .replace(
                                "\\\"sourceField\\\":\\\"rage_clicks\\\"",
                                "\\\"sourceField\\\":\\\"rage_click_count\\\"")
                        .replace("frustrated : true", "frustrated : yes or bounce : true");
        Files.writeString(dir.resolve("dashboard-sessions.ndjson"), lens);
        Files.copy(
                SavedObjects.kibanaDir().resolve("data-views.ndjson"),
                dir.resolve("data-views.ndjson"));
        List<String> problems =
                DashboardFieldCheck.check(SavedObjects.load(dir), SavedObjects.templatesDir());
        assertThat(problems)
                .anySatisfy(p -> assertThat(p).contains("'rage_click_count' is not in"))
                .anySatisfy(p -> assertThat(p).contains("outside the checked subset"));
    }

    @Test
    void kqlSubsetTranslatesToTermAndRangeClauses() {
        assertThat(Kql.toElasticsearch("dimension : \"route\" and errors >= 1 and not bot : true"))
                .hasToString(
                        "{\"bool\":{\"filter\":[{\"term\":{\"dimension\":\"route\"}},"
                                + "{\"range\":{\"errors\":{\"gte\":1.0}}}],"
                                + "\"must_not\":[{\"term\":{\"bot\":\"true\"}}]}}");
        assertThat(Kql.parse("")).isEmpty();
        assertThatThrownBy(() -> Kql.parse("a : 1 or b : 2"))
                .hasMessageContaining("outside the checked subset");
        assertThatThrownBy(() -> Kql.parse("lag_ms > soon")).hasMessageContaining("needs a number");
    }

    @Test
    void dataViewPatternsSelectTheIndicesTheirTemplatesCover() {
        assertThat(DashboardFieldCheck.covers(List.of("rum-alerts", "rum-alerts-*"), "rum-alerts*"))
                .isTrue();
        assertThat(DashboardFieldCheck.covers(List.of("rum-sessions-*"), "rum-sessions-*"))
                .isTrue();
        assertThat(DashboardFieldCheck.covers(List.of("rum-sessions-*"), "rum-metrics-*"))
                .isFalse();
    }
}
