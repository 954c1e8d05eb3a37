package io.beaconflow.jobs.dashboards;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of KQL the saved objects use, so a test can both name every field a query touches and
 * run the query against Elasticsearch: clauses {@code field : value}, {@code field : "text"},
 * {@code field >= 3} (also {@code >}, {@code <}, {@code <=}), optionally preceded by {@code not},
 * joined by {@code and}. Anything else is rejected with the reason, which keeps the dashboards
 * within what the tests can check (docker/kibana/build_saved_objects.py says the same).
 */
final class Kql {
    record Clause(String field, String op, String value, boolean negated) {
        boolean range() {
            return !op.equals(":");
        }
    }

    private static final Pattern CLAUSE =
            Pattern.compile(
                    "^(not\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*(>=|<=|>|<|:)\\s*(\"[^\"]*\"|[^\\s\"()*]+)$");
    private static final Pattern AND = Pattern.compile("\\s+and\\s+");

    private Kql() {}

    /**
     * The clauses of {@code query} (empty for an empty query).
     *
     * @throws IllegalArgumentException naming the clause outside the subset
     */
    static List<Clause> parse(String query) {
        List<Clause> out = new ArrayList<>();
        String q = query.trim();
        if (q.isEmpty()) return out;
        for (String part : AND.split(q)) {
            Matcher m = CLAUSE.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "KQL clause '"
                                + part
                                + "' in '"
                                + query
                                + "' is outside the checked subset (field : value, field >= n,"
                                + " not ..., joined by and)");
            }
            String value = m.group(4);
            if (value.startsWith("\"")) value = value.substring(1, value.length() - 1);
            if (!m.group(3).equals(":")) {
                try {
                    Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "KQL range '" + part + "' needs a number, found '" + value + "'");
                }
            }
            out.add(new Clause(m.group(2), m.group(3), value, m.group(1) != null));
        }
        return out;
    }

    /** The Elasticsearch query for {@code query}: a bool of term / range clauses. */
    static ObjectNode toElasticsearch(String query) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode bool = f.objectNode();
        ArrayNode filter = bool.putArray("filter");
        ArrayNode mustNot = bool.putArray("must_not");
        for (Clause c : parse(query)) {
            ObjectNode q = f.objectNode();
            if (c.range()) {
                String op =
                        switch (c.op()) {
                            case ">=" -> "gte";
                            case "<=" -> "lte";
                            case ">" -> "gt";
                            default -> "lt";
                        };
                q.putObject("range").putObject(c.field()).put(op, Double.parseDouble(c.value()));
            } else {
                q.putObject("term").put(c.field(), c.value());
            }
            (c.negated() ? mustNot : filter).add(q);
        }
        ObjectNode root = f.objectNode();
        root.set("bool", bool);
        return root;
    }
}
