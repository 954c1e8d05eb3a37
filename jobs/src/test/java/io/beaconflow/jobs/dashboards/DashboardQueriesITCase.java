package io.beaconflow.jobs.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.jobs.cli.DemoCommand;
import io.beaconflow.jobs.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every query the Kibana saved objects contain runs against a real Elasticsearch (started by {@code
 * scripts/stack.sh up es}; address from {@code BEACONFLOW_ES_URL}) holding documents the job
 * produced, and returns data: each Lens layer, translated to the search Kibana would send (its KQL
 * as a bool query, its bucket columns as nested aggregations, its metric columns as metric
 * aggregations), must hit documents and give every metric column a value; each saved search must
 * hit documents that have a value for each of its columns.
 *
 * <p>The documents come from {@code ./beaconflow demo}: the directory in {@code
 * BEACONFLOW_DEMO_OUT} when set (e.g. the README demo's output), else a demo run here. They are
 * indexed as the job's Elasticsearch sink would have them at one moment (see {@link JobOutputs})
 * into fresh indices ({@code it-<run>-rum-*}) under copies of the repository's index templates.
 */
class DashboardQueriesITCase {
    static final String RUN = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Set<String> INDICES = new LinkedHashSet<>();
    static final List<String> TEMPLATES = new ArrayList<>();
    static final SavedObjects SAVED = SavedObjects.load(SavedObjects.kibanaDir());
    static JobOutputs outputs;

    @TempDir static Path demoDir;

    static String esUrl() {
        String u = System.getenv("BEACONFLOW_ES_URL");
        return u == null || u.isBlank() ? "http://127.0.0.1:9200" : u.replaceAll("/+$", "");
    }

    @BeforeAll
    static void indexTheJobsOutputs() throws Exception {
        // Before the demo run, so a missing server fails in seconds with the fix named.
        try {
            expectOk(send("GET", "/_cluster/health", null), "cluster health");
        } catch (IOException e) {
            throw new AssertionError(
                    "no Elasticsearch at "
                            + esUrl()
                            + " ("
                            + e
                            + "): start it with scripts/stack.sh up es, or set BEACONFLOW_ES_URL",
                    e);
        }
        Path dir = demoOutput();
        outputs = JobOutputs.read(dir);
        for (Path t : templateFiles()) {
            ObjectNode tpl = (ObjectNode) SavedObjects.JSON.readTree(t.toFile());
            ArrayNode patterns = JsonNodeFactory.instance.arrayNode();
            tpl.path("index_patterns").forEach(p -> patterns.add(RUN + p.asText()));
            tpl.set("index_patterns", patterns);
            String name = RUN + t.getFileName().toString().replace(".json", "");
            expectOk(send("PUT", "/_index_template/" + name, tpl.toString()), "template " + name);
            TEMPLATES.add(name);
        }
        StringBuilder bulk = new StringBuilder();
        int n = 0;
        for (JobOutputs.Doc d : outputs.docs) {
            ObjectNode action = JsonNodeFactory.instance.objectNode();
            ObjectNode meta = action.putObject("index");
            meta.put("_index", RUN + d.index());
            if (d.id() != null) meta.put("_id", d.id());
            INDICES.add(RUN + d.index());
            bulk.append(action).append('\n').append(d.source()).append('\n');
            if (++n % 2000 == 0) {
                flush(bulk);
                bulk.setLength(0);
            }
        }
        if (bulk.length() > 0) flush(bulk);
        expectOk(send("POST", "/" + RUN + "rum-*/_refresh", null), "refresh");
    }

    @AfterAll
    static void dropTheTestIndices() throws Exception {
        // One name per call: wildcard deletes are refused by default (destructive_requires_name).
        for (String i : INDICES) send("DELETE", "/" + i + "?ignore_unavailable=true", null);
        for (String t : TEMPLATES) send("DELETE", "/_index_template/" + t, null);
    }

    @Test
    void theJobProducedEveryKindOfDocumentTheDashboardsRead() {
        assertThat(outputs.linesByKind)
                .as(
                        "NDJSON lines per output in the demo folder; a 0 means the demo does not write"
                                + " that output yet")
                .allSatisfy((kind, lines) -> assertThat(lines).as(kind).isPositive());
    }

    @Test
    void everyLensPanelQueryReturnsHitsAndAValueForEachMetric() throws Exception {
        List<String> failures = new ArrayList<>();
        for (SavedObjects.LensLayer l : SAVED.lensLayers()) {
            String pattern = RUN + SAVED.dataViews().get(l.dataViewId()).pattern();
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("size", 0);
            body.put("track_total_hits", true);
            body.set("query", Kql.toElasticsearch(l.query()));
            List<SavedObjects.Column> buckets =
                    l.columns().stream().filter(SavedObjects.Column::bucketed).toList();
            List<SavedObjects.Column> metrics =
                    l.columns().stream().filter(c -> !c.bucketed()).toList();
            ObjectNode level = body;
            for (SavedObjects.Column b : buckets) {
                ObjectNode agg = level.putObject("aggs").putObject(b.id());
                if (b.operation().equals("date_histogram")) {
                    agg.putObject("date_histogram")
                            .put("field", b.field())
                            .put("fixed_interval", "10m")
                            .put("min_doc_count", 1);
                } else {
                    agg.putObject("terms")
                            .put("field", b.field())
                            .put("size", b.params().path("size").asInt(5));
                }
                level = agg;
            }
            ObjectNode aggs = level.putObject("aggs");
            for (SavedObjects.Column m : metrics) {
                boolean count = m.operation().equals("count");
                if (count && m.filter() == null) continue; // the bucket's doc_count
                ObjectNode target = aggs.putObject(m.id());
                if (m.filter() != null) {
                    target.set("filter", Kql.toElasticsearch(m.filter()));
                    if (count) continue; // the filter's doc_count
                    target = target.putObject("aggs").putObject("v");
                }
                metricAgg(target, m);
            }
            HttpResponse<String> r = send("POST", "/" + pattern + "/_search", body.toString());
            if (r.statusCode() != 200) {
                failures.add(l.where() + ": HTTP " + r.statusCode() + " " + r.body());
                continue;
            }
            JsonNode res = SavedObjects.JSON.readTree(r.body());
            long hits = res.path("hits").path("total").path("value").asLong();
            if (hits == 0) {
                failures.add(l.where() + ": no hits for '" + l.query() + "' on " + pattern);
                continue;
            }
            for (SavedObjects.Column m : metrics) {
                if (!hasValue(res.path("aggregations"), buckets, 0, m)) {
                    failures.add(
                            l.where()
                                    + ": column "
                                    + m.operation()
                                    + "("
                                    + m.field()
                                    + ") has no value in any bucket ("
                                    + hits
                                    + " hits)");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void everySavedSearchReturnsHitsWithAValueForEachColumn() throws Exception {
        List<String> failures = new ArrayList<>();
        for (SavedObjects.SavedSearch s : SAVED.savedSearches()) {
            String pattern = RUN + SAVED.dataViews().get(s.dataViewId()).pattern();
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("size", 500);
            body.set("query", Kql.toElasticsearch(s.query()));
            ArrayNode sort = body.putArray("sort");
            for (String f : s.sortFields()) sort.addObject().putObject(f).put("order", "desc");
            HttpResponse<String> r = send("POST", "/" + pattern + "/_search", body.toString());
            if (r.statusCode() != 200) {
                failures.add(s.title() + ": HTTP " + r.statusCode() + " " + r.body());
                continue;
            }
            JsonNode hits = SavedObjects.JSON.readTree(r.body()).path("hits").path("hits");
            if (hits.isEmpty()) {
                failures.add(s.title() + ": no hits for '" + s.query() + "' on " + pattern);
                continue;
            }
            for (String col : s.columns()) {
                boolean any = false;
                for (JsonNode h : hits) any |= present(h.path("_source"), col.split("\\."), 0);
                if (!any) {
                    failures.add(
                            s.title()
                                    + ": column '"
                                    + col
                                    + "' is empty in all "
                                    + hits.size()
                                    + " hits");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static void metricAgg(ObjectNode target, SavedObjects.Column m) {
        String f = m.field();
        switch (m.operation()) {
            case "average" -> target.putObject("avg").put("field", f);
            case "sum", "max", "min" -> target.putObject(m.operation()).put("field", f);
            case "unique_count" -> target.putObject("cardinality").put("field", f);
            case "last_value" -> {
                // Kibana: the value of the latest document that has the field (by sortField).
                // (top_hits, as Kibana's own last_value; top_metrics needs a licence)
                ObjectNode top = target.putObject("top_hits");
                top.put("size", 1);
                top.putArray("_source").add(f);
                top.putArray("sort").addObject().put(m.params().path("sortField").asText(), "desc");
            }
            case "median" ->
                    target.putObject("percentiles").put("field", f).putArray("percents").add(50);
            case "percentile" ->
                    target.putObject("percentiles")
                            .put("field", f)
                            .putArray("percents")
                            .add(m.params().path("percentile").asDouble());
            default ->
                    throw new IllegalArgumentException(
                            "no Elasticsearch translation for Lens operation "
                                    + m.operation()
                                    + "; add one to DashboardQueriesITCase");
        }
    }

    /** True when some innermost bucket has a non-null value (count: a document) for {@code m}. */
    private static boolean hasValue(
            JsonNode level, List<SavedObjects.Column> buckets, int depth, SavedObjects.Column m) {
        if (depth == buckets.size()) {
            JsonNode v = level.path(m.id());
            if (m.filter() != null) {
                if (v.path("doc_count").asLong() == 0) return false;
                v = v.path("v");
            }
            if (m.operation().equals("count")) {
                // unfiltered: the bucket's documents (no buckets: the hits, checked by the caller)
                return m.filter() != null || depth == 0 || level.path("doc_count").asLong() > 0;
            }
            if (v.has("hits")) {
                for (JsonNode h : v.path("hits").path("hits")) {
                    if (h.path("_source").hasNonNull(m.field())) return true;
                }
                return false;
            }
            if (v.has("values")) {
                for (JsonNode p : v.path("values")) if (!p.isNull()) return true;
                return false;
            }
            return v.hasNonNull("value");
        }
        for (JsonNode b : level.path(buckets.get(depth).id()).path("buckets")) {
            if (hasValue(b, buckets, depth + 1, m)) return true;
        }
        return false;
    }

    private static boolean present(JsonNode node, String[] path, int i) {
        if (node == null || node.isMissingNode() || node.isNull()) return false;
        if (node.isArray()) {
            for (JsonNode e : node) if (present(e, path, i)) return true;
            return false;
        }
        if (i == path.length) return !(node.isTextual() && node.asText().isEmpty());
        return present(node.get(path[i]), path, i + 1);
    }

    private static Path demoOutput() {
        String given = System.getenv("BEACONFLOW_DEMO_OUT");
        if (given != null && !given.isBlank()) return Path.of(given);
        Path root = SavedObjects.repoRoot();
        System.setProperty("beaconflow.home", root.toString());
        // The shipped config, endpoint dimension included (it was opt-in until endpoint templates
        // were learned in event time), so the API endpoints dashboard has its documents.
        Path config = demoDir.resolveSibling(demoDir.getFileName() + "-beaconflow.yaml");
        try {
            String shipped = Files.readString(root.resolve("flink-conf/beaconflow.yaml"));
            String line =
                    "dimensions: [route, release, browser, country, device, variant, os,"
                            + " browser_version, endpoint]";
            assertThat(shipped).as("the shipped metrics.dimensions line").contains(line);
            // The copy lives outside the repo, so its relative spec file is made absolute.
            String specs = "specs-file: flink-conf/detectors/defaults.yaml";
            assertThat(shipped).as("the shipped detection.specs-file line").contains(specs);
            Files.writeString(
                    config,
                    shipped.replace(
                            specs,
                            "specs-file: " + root.resolve("flink-conf/detectors/defaults.yaml")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        int code =
                new CommandLine(new DemoCommand())
                        .execute(
                                "--out",
                                demoDir.toString(),
                                "--duration",
                                "2h",
                                "--quiet",
                                "--config",
                                config.toString(),
                                "--generator",
                                root.resolve("flink-conf/generator.yaml").toString(),
                                "--incidents",
                                root.resolve("flink-conf/incidents/demo.yaml").toString());
        assertThat(code).as("demo exit code").isZero();
        return demoDir;
    }

    private static List<Path> templateFiles() throws IOException {
        try (Stream<Path> s = Files.list(SavedObjects.templatesDir())) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static void flush(StringBuilder bulk) throws Exception {
        HttpResponse<String> r = send("POST", "/_bulk", bulk.toString(), "application/x-ndjson");
        expectOk(r, "bulk");
        JsonNode res = SavedObjects.JSON.readTree(r.body());
        if (res.path("errors").asBoolean()) {
            List<String> first = new ArrayList<>();
            for (JsonNode item : res.path("items")) {
                JsonNode e = item.path("index").path("error");
                if (!e.isMissingNode() && first.size() < 5) first.add(e.toString());
            }
            throw new AssertionError("bulk indexing of the job's documents failed: " + first);
        }
    }

    private static void expectOk(HttpResponse<String> r, String what) {
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError(
                    what + ": HTTP " + r.statusCode() + " from " + esUrl() + ": " + r.body());
        }
    }

    private static HttpResponse<String> send(String method, String path, String body)
            throws IOException, InterruptedException {
        return send(method, path, body, "application/json");
    }

    private static HttpResponse<String> send(
            String method, String path, String body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b =
                TestHttp.json(
                        method.toUpperCase(Locale.ROOT),
                        esUrl() + path,
                        body,
                        contentType,
                        Duration.ofSeconds(120));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
