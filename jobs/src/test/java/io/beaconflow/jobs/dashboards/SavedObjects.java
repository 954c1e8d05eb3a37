package io.beaconflow.jobs.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Kibana saved objects in {@code docker/kibana/*.ndjson}, read into what the tests check: data
 * views, the Lens layers of every dashboard panel (data view, KQL query, columns) and the saved
 * searches. Parsing never throws on a malformed object: problems are collected in {@link
 * #problems()} with file, line and what is wrong, so one test run lists them all.
 */
final class SavedObjects {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Lens's pseudo-field of a count column. */
    static final String RECORDS = "___records___";

    record Obj(String file, int line, JsonNode json) {
        String id() {
            return json.path("id").asText("");
        }

        String type() {
            return json.path("type").asText("");
        }

        String title() {
            return json.path("attributes").path("title").asText("");
        }

        String where() {
            return file + ":" + line + " (" + type() + " '" + title() + "')";
        }
    }

    record DataView(String id, String pattern, String timeField) {}

    /** One column of a Lens layer; {@code filter} is the column's own KQL filter or null. */
    record Column(String id, String operation, String field, String filter, JsonNode params) {
        boolean bucketed() {
            return operation.equals("date_histogram") || operation.equals("terms");
        }
    }

    /** A Lens layer as a query: data view, the visualization's KQL and the columns in order. */
    record LensLayer(
            String dashboard, String panel, String dataViewId, String query, List<Column> columns) {
        String where() {
            return "dashboard '" + dashboard + "', panel '" + panel + "'";
        }
    }

    record SavedSearch(
            String id,
            String title,
            String dataViewId,
            String query,
            List<String> columns,
            List<String> sortFields) {}

    private final List<Obj> objects = new ArrayList<>();
    private final Map<String, DataView> dataViews = new LinkedHashMap<>();
    private final List<LensLayer> layers = new ArrayList<>();
    private final List<SavedSearch> searches = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /** The repository's {@code docker/kibana} folder, found upwards from the working folder. */
    static Path kibanaDir() {
        return repoRoot().resolve("docker/kibana");
    }

    static Path templatesDir() {
        return repoRoot().resolve("docker/elasticsearch/templates");
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("docker/kibana"))) p = p.getParent();
        if (p == null) {
            throw new IllegalStateException(
                    "docker/kibana not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static SavedObjects load(Path dir) {
        SavedObjects s = new SavedObjects();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.toString().endsWith(".ndjson")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = f.getFileName() + ":" + (i + 1);
                if (line.isBlank()) {
                    s.problems.add(where + ": blank line (Kibana's import rejects it)");
                    continue;
                }
                try {
                    JsonNode n = JSON.readTree(line);
                    if (!n.isObject()) {
                        s.problems.add(where + ": not a JSON object");
                        continue;
                    }
                    s.objects.add(new Obj(f.getFileName().toString(), i + 1, n));
                } catch (IOException e) {
                    s.problems.add(where + ": not JSON: " + e.getMessage());
                }
            }
        }
        s.index();
        return s;
    }

    List<Obj> objects() {
        return objects;
    }

    Map<String, DataView> dataViews() {
        return dataViews;
    }

    List<LensLayer> lensLayers() {
        return layers;
    }

    List<SavedSearch> savedSearches() {
        return searches;
    }

    /** Structural problems found while reading (empty when everything is well-formed). */
    List<String> problems() {
        return problems;
    }

    private void index() {
        for (Obj o : objects) {
            if (o.type().equals("index-pattern")) {
                JsonNode a = o.json().path("attributes");
                dataViews.put(
                        o.id(),
                        new DataView(
                                o.id(),
                                a.path("title").asText(""),
                                a.path("timeFieldName").asText("")));
            }
        }
        for (Obj o : objects) {
            switch (o.type()) {
                case "dashboard" -> dashboard(o);
                case "search" -> search(o);
                default -> {}
            }
        }
    }

    private void search(Obj o) {
        JsonNode a = o.json().path("attributes");
        JsonNode source = parseString(o, a.path("kibanaSavedObjectMeta").path("searchSourceJSON"));
        if (source == null) return;
        String refName = source.path("indexRefName").asText("");
        String view = referenceId(o.json().path("references"), refName, "index-pattern");
        if (view == null) {
            problems.add(
                    o.where()
                            + ": searchSourceJSON.indexRefName '"
                            + refName
                            + "' has no "
                            + "index-pattern reference");
            return;
        }
        List<String> columns = new ArrayList<>();
        a.path("columns").forEach(c -> columns.add(c.asText()));
        List<String> sort = new ArrayList<>();
        a.path("sort").forEach(pair -> sort.add(pair.path(0).asText()));
        searches.add(
                new SavedSearch(
                        o.id(),
                        o.title(),
                        view,
                        source.path("query").path("query").asText(""),
                        columns,
                        sort));
    }

    private void dashboard(Obj o) {
        JsonNode panels = parseString(o, o.json().path("attributes").path("panelsJSON"));
        if (panels == null) return;
        if (!panels.isArray()) {
            problems.add(o.where() + ": panelsJSON is not an array");
            return;
        }
        JsonNode dashRefs = o.json().path("references");
        for (JsonNode p : panels) {
            String panelIndex = p.path("panelIndex").asText("");
            String title = p.path("title").asText(panelIndex);
            String type = p.path("type").asText("");
            if (type.equals("search")) {
                String ref = panelIndex + ":" + p.path("panelRefName").asText("");
                if (referenceId(dashRefs, ref, "search") == null) {
                    problems.add(
                            o.where()
                                    + ", panel '"
                                    + title
                                    + "': no search reference '"
                                    + ref
                                    + "'");
                }
                continue;
            }
            if (!type.equals("lens")) {
                problems.add(
                        o.where()
                                + ", panel '"
                                + title
                                + "': type '"
                                + type
                                + "' (only lens and search panels are checked; add a check first)");
                continue;
            }
            JsonNode attrs = p.path("embeddableConfig").path("attributes");
            if (attrs.isMissingNode()) {
                problems.add(
                        o.where()
                                + ", panel '"
                                + title
                                + "': a lens panel by reference;"
                                + " embed it by value (embeddableConfig.attributes) so it is checked");
                continue;
            }
            JsonNode state = attrs.path("state");
            String query = state.path("query").path("query").asText("");
            if (!state.path("query").path("language").asText("kuery").equals("kuery")) {
                problems.add(o.where() + ", panel '" + title + "': query language must be kuery");
            }
            if (state.path("filters").size() > 0) {
                problems.add(
                        o.where()
                                + ", panel '"
                                + title
                                + "': pinned filters are not"
                                + " checked by the tests; put the condition in the KQL query");
            }
            JsonNode formBased = state.path("datasourceStates").path("formBased").path("layers");
            Iterator<Map.Entry<String, JsonNode>> it = formBased.fields();
            if (!it.hasNext()) {
                problems.add(o.where() + ", panel '" + title + "': no formBased layer");
            }
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> layer = it.next();
                String refName = "indexpattern-datasource-layer-" + layer.getKey();
                String view = referenceId(attrs.path("references"), refName, "index-pattern");
                String dashView =
                        referenceId(dashRefs, panelIndex + ":" + refName, "index-pattern");
                if (view == null || dashView == null || !view.equals(dashView)) {
                    problems.add(
                            o.where()
                                    + ", panel '"
                                    + title
                                    + "': layer "
                                    + layer.getKey()
                                    + " needs the reference '"
                                    + refName
                                    + "' in the panel and '"
                                    + panelIndex
                                    + ":"
                                    + refName
                                    + "' in the dashboard, to one data view");
                    continue;
                }
                List<Column> columns = new ArrayList<>();
                JsonNode cols = layer.getValue().path("columns");
                for (JsonNode id : layer.getValue().path("columnOrder")) {
                    JsonNode c = cols.path(id.asText());
                    if (c.isMissingNode()) {
                        problems.add(
                                o.where()
                                        + ", panel '"
                                        + title
                                        + "': columnOrder names"
                                        + " missing column "
                                        + id.asText());
                        continue;
                    }
                    JsonNode filter = c.path("filter");
                    columns.add(
                            new Column(
                                    id.asText(),
                                    c.path("operationType").asText(""),
                                    c.path("sourceField").asText(""),
                                    filter.isMissingNode() ? null : filter.path("query").asText(),
                                    c.path("params")));
                }
                if (columns.size() != cols.size()) {
                    problems.add(
                            o.where()
                                    + ", panel '"
                                    + title
                                    + "': columnOrder lists "
                                    + columns.size()
                                    + " of "
                                    + cols.size()
                                    + " columns");
                }
                checkAccessors(o, title, state.path("visualization"), cols);
                layers.add(new LensLayer(o.title(), title, view, query, columns));
            }
        }
    }

    /** Every column id the visualization draws must be a column of the layer. */
    private void checkAccessors(Obj o, String title, JsonNode vis, JsonNode cols) {
        List<String> used = new ArrayList<>();
        for (String key : List.of("metricAccessor", "xAccessor", "splitAccessor", "accessor")) {
            if (vis.has(key)) used.add(vis.get(key).asText());
        }
        vis.path("columns").forEach(c -> used.add(c.path("columnId").asText()));
        for (JsonNode l : vis.path("layers")) {
            for (String key : List.of("xAccessor", "splitAccessor")) {
                if (l.has(key)) used.add(l.get(key).asText());
            }
            l.path("accessors").forEach(a -> used.add(a.asText()));
        }
        if (used.isEmpty()) {
            problems.add(o.where() + ", panel '" + title + "': the visualization draws nothing");
        }
        for (String id : used) {
            if (!cols.has(id)) {
                problems.add(
                        o.where()
                                + ", panel '"
                                + title
                                + "': the visualization uses column "
                                + id
                                + ", which the layer does not define");
            }
        }
    }

    private JsonNode parseString(Obj o, JsonNode text) {
        if (!text.isTextual()) {
            problems.add(o.where() + ": expected a JSON string, found " + text.getNodeType());
            return null;
        }
        try {
            return JSON.readTree(text.asText());
        } catch (IOException e) {
            problems.add(o.where() + ": embedded JSON does not parse: " + e.getMessage());
            return null;
        }
    }

    private static String referenceId(JsonNode refs, String name, String type) {
        for (JsonNode r : refs) {
            if (r.path("name").asText().equals(name) && r.path("type").asText().equals(type)) {
                return r.path("id").asText();
            }
        }
        return null;
    }
}
