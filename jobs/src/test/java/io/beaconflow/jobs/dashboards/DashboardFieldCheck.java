package io.beaconflow.jobs.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.io.elasticsearch.TemplateFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks every field the saved objects use against the index templates: it exists in the template
 * of the data view's index pattern, with a type the operation can use (date histogram → date;
 * average, sum, percentile, ... → numeric; top values → keyword, numeric, boolean or ip), and is
 * indexed / has doc values where the use needs it. A mapping change that would leave a panel empty
 * or broken in Kibana fails here, with the dashboard, panel and field named.
 */
final class DashboardFieldCheck {
    static final Set<String> NUMERIC =
            Set.of(
                    "long",
                    "integer",
                    "short",
                    "byte",
                    "double",
                    "float",
                    "half_float",
                    "scaled_float",
                    "unsigned_long");
    static final Set<String> DATE = Set.of("date", "date_nanos");
    static final Set<String> KEYWORD = Set.of("keyword", "constant_keyword", "wildcard");

    /** One template's fields as the check sees them. */
    record Template(
            Path file,
            List<String> indexPatterns,
            Map<String, String> types,
            Set<String> openObjects,
            Set<String> notAggregatable,
            Set<String> notSearchable,
            Map<Pattern, String> dynamicNumeric) {

        /** Types the field can have: mapped, or by a dynamic template under an open object. */
        Set<String> typesOf(String field) {
            Set<String> out = new LinkedHashSet<>();
            String t = types.get(field);
            if (t != null) {
                out.add(t);
                return out;
            }
            for (String open : openObjects) {
                if (!field.startsWith(open + ".")) continue;
                if ("flattened".equals(types.get(open))) {
                    out.add("keyword"); // sub-fields of a flattened field are keywords
                }
                for (Map.Entry<Pattern, String> d : dynamicNumeric.entrySet()) {
                    if (d.getKey().matcher(field).matches()) out.add(d.getValue());
                }
            }
            return out;
        }
    }

    private final Map<String, Template> byDataView = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    private DashboardFieldCheck() {}

    /** Reads every template in {@code templatesDir} and checks {@code saved} against them. */
    static List<String> check(SavedObjects saved, Path templatesDir) {
        return check(saved, loadTemplates(templatesDir));
    }

    static List<String> check(SavedObjects saved, List<Template> templates) {
        DashboardFieldCheck c = new DashboardFieldCheck();
        for (SavedObjects.DataView v : saved.dataViews().values()) {
            List<Template> matching = new ArrayList<>();
            for (Template t : templates) {
                if (covers(t.indexPatterns(), v.pattern())) matching.add(t);
            }
            if (matching.size() != 1) {
                c.problems.add(
                        "data view "
                                + v.id()
                                + " ("
                                + v.pattern()
                                + ") matches "
                                + matching.size()
                                + " index templates; it must match exactly one");
                continue;
            }
            Template t = matching.get(0);
            c.byDataView.put(v.id(), t);
            c.need(t, v.timeField(), DATE, "time field of data view " + v.id(), true);
        }
        for (SavedObjects.LensLayer l : saved.lensLayers()) c.layer(l);
        for (SavedObjects.SavedSearch s : saved.savedSearches()) c.search(s);
        return c.problems;
    }

    private void layer(SavedObjects.LensLayer l) {
        Template t = byDataView.get(l.dataViewId());
        if (t == null) {
            problems.add(l.where() + ": data view " + l.dataViewId() + " is unknown or unmapped");
            return;
        }
        query(t, l.query(), l.where());
        for (SavedObjects.Column c : l.columns()) {
            String where = l.where() + ", column '" + c.operation() + "(" + c.field() + ")'";
            if (c.filter() != null) query(t, c.filter(), where + " filter");
            switch (c.operation()) {
                case "date_histogram" -> need(t, c.field(), DATE, where, true);
                case "average",
                        "sum",
                        "median",
                        "percentile",
                        "percentile_rank",
                        "standard_deviation" ->
                        need(t, c.field(), NUMERIC, where, true);
                case "max", "min" -> need(t, c.field(), union(NUMERIC, DATE), where, true);
                case "terms" ->
                        need(
                                t,
                                c.field(),
                                union(KEYWORD, NUMERIC, Set.of("boolean", "ip")),
                                where,
                                true);
                case "unique_count", "last_value" ->
                        need(
                                t,
                                c.field(),
                                union(KEYWORD, NUMERIC, DATE, Set.of("boolean", "ip")),
                                where,
                                true);
                case "count" -> {
                    if (!c.field().equals(SavedObjects.RECORDS)) {
                        need(
                                t,
                                c.field(),
                                union(KEYWORD, NUMERIC, DATE, Set.of("boolean", "ip")),
                                where,
                                true);
                    }
                }
                default ->
                        problems.add(
                                where
                                        + ": operation '"
                                        + c.operation()
                                        + "' is not known to this check; teach DashboardFieldCheck its field types");
            }
        }
    }

    private void search(SavedObjects.SavedSearch s) {
        Template t = byDataView.get(s.dataViewId());
        String where = "saved search '" + s.title() + "'";
        if (t == null) {
            problems.add(where + ": data view " + s.dataViewId() + " is unknown or unmapped");
            return;
        }
        query(t, s.query(), where);
        for (String col : s.columns()) {
            if (t.typesOf(col).isEmpty()) {
                problems.add(where + ": column '" + col + "' is not in " + t.file().getFileName());
            }
        }
        for (String f : s.sortFields()) {
            need(t, f, union(KEYWORD, NUMERIC, DATE, Set.of("boolean")), where + " sort", true);
        }
    }

    private void query(Template t, String kql, String where) {
        List<Kql.Clause> clauses;
        try {
            clauses = Kql.parse(kql);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            return;
        }
        for (Kql.Clause c : clauses) {
            String w = where + ", query clause on '" + c.field() + "'";
            Set<String> types = t.typesOf(c.field());
            if (c.range()) {
                need(t, c.field(), union(NUMERIC, DATE), w, false);
            } else if (types.contains("boolean")
                    && !(c.value().equals("true") || c.value().equals("false"))) {
                problems.add(w + ": boolean field compared with '" + c.value() + "'");
            } else if (!types.isEmpty() && NUMERIC.containsAll(types) && !numeric(c.value())) {
                problems.add(w + ": numeric field compared with '" + c.value() + "'");
            } else {
                need(
                        t,
                        c.field(),
                        union(KEYWORD, NUMERIC, DATE, Set.of("boolean", "ip", "text")),
                        w,
                        false);
            }
            if (t.notSearchable().contains(c.field())) {
                problems.add(
                        w + ": the field is not indexed (index: false), so it cannot be queried");
            }
        }
    }

    private void need(
            Template t, String field, Set<String> allowed, String where, boolean aggregates) {
        Set<String> types = t.typesOf(field);
        if (types.isEmpty()) {
            problems.add(where + ": field '" + field + "' is not in " + t.file().getFileName());
            return;
        }
        if (types.stream().noneMatch(allowed::contains)) {
            problems.add(
                    where
                            + ": field '"
                            + field
                            + "' is "
                            + String.join("/", types)
                            + " in "
                            + t.file().getFileName()
                            + "; this use needs one of "
                            + allowed.stream().sorted().toList());
        }
        if (aggregates && t.notAggregatable().contains(field)) {
            problems.add(
                    where
                            + ": field '"
                            + field
                            + "' has doc_values: false, so it cannot be"
                            + " aggregated or sorted on");
        }
    }

    private static boolean numeric(String v) {
        try {
            Double.parseDouble(v);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> out = new LinkedHashSet<>();
        for (Set<String> s : sets) out.addAll(s);
        return out;
    }

    /**
     * True when some index the data view pattern selects would get the template: tries the pattern
     * with its wildcard replaced by a daily suffix, a dash-suffix and nothing.
     */
    static boolean covers(List<String> templatePatterns, String dataViewPattern) {
        for (String example :
                List.of(
                        dataViewPattern.replace("*", "2026.11.02"),
                        dataViewPattern.replace("*", "-2026.11.02"),
                        dataViewPattern.replace("*", ""))) {
            for (String p : templatePatterns) {
                if (glob(p).matcher(example).matches()) return true;
            }
        }
        return false;
    }

    static Pattern glob(String p) {
        StringBuilder re = new StringBuilder();
        for (String part : p.split("\\*", -1)) {
            if (re.length() > 0 || p.startsWith("*")) re.append(".*");
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString().replace("\\Q\\E", ""));
    }

    static List<Template> loadTemplates(Path dir) {
        List<Template> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(template(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Template template(Path f) {
        JsonNode root;
        try {
            root = SavedObjects.JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> patterns = new ArrayList<>();
        root.path("index_patterns").forEach(p -> patterns.add(p.asText()));
        JsonNode mappings = root.path("template").path("mappings");
        Set<String> noDocValues = new LinkedHashSet<>();
        Set<String> noIndex = new LinkedHashSet<>();
        flags(mappings.path("properties"), "", noDocValues, noIndex);
        Map<Pattern, String> dynamic = new LinkedHashMap<>();
        for (JsonNode entry : mappings.path("dynamic_templates")) {
            Iterator<JsonNode> rules = entry.elements();
            while (rules.hasNext()) {
                JsonNode r = rules.next();
                String type = r.path("mapping").path("type").asText("");
                String path = r.path("path_match").asText("");
                if (!path.isEmpty() && (NUMERIC.contains(type) || KEYWORD.contains(type))) {
                    dynamic.put(glob(path), type);
                }
            }
        }
        return new Template(
                f,
                patterns,
                TemplateFields.of(f),
                TemplateFields.openObjects(f),
                noDocValues,
                noIndex,
                dynamic);
    }

    private static void flags(
            JsonNode properties, String prefix, Set<String> noDocValues, Set<String> noIndex) {
        Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix + e.getKey();
            JsonNode field = e.getValue();
            if (field.path("doc_values").asText("").equals("false")
                    || field.path("type").asText("").equals("text")) {
                noDocValues.add(path);
            }
            if (field.path("index").asText("").equals("false")) noIndex.add(path);
            if (field.has("properties")) {
                flags(field.get("properties"), path + ".", noDocValues, noIndex);
            }
        }
    }
}
