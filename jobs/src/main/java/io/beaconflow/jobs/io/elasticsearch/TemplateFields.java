package io.beaconflow.jobs.io.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fields an index template maps, flattened to dotted paths: {@code timeline.t → date}, {@code
 * timeline → object}, {@code experiments → flattened}. For tests that check that every field a POJO
 * serializes is mapped (and with the right type), and for checking Kibana saved objects against the
 * templates.
 */
public final class TemplateFields {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TemplateFields() {}

    /** Field path → Elasticsearch type, sorted by path; objects without a type are "object". */
    public static Map<String, String> of(Path templateJson) {
        Map<String, String> out = new TreeMap<>();
        walk(mappings(templateJson).path("properties"), "", out, null);
        return out;
    }

    /**
     * Object paths whose mapping takes any sub-field: objects with {@code dynamic: true} (e.g.
     * {@code expected}) and {@code flattened} fields. A POJO field under one of these is covered
     * even if the template does not list it.
     */
    public static Set<String> openObjects(Path templateJson) {
        Set<String> out = new TreeSet<>();
        walk(mappings(templateJson).path("properties"), "", null, out);
        return out;
    }

    private static JsonNode mappings(Path templateJson) {
        JsonNode root;
        try {
            root = JSON.readTree(templateJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read index template " + templateJson, e);
        }
        JsonNode mappings = root.path("template").path("mappings");
        if (mappings.isMissingNode()) mappings = root.path("mappings");
        if (mappings.isMissingNode()) {
            throw new IllegalArgumentException(
                    templateJson + " has no template.mappings: is it an index template?");
        }
        return mappings;
    }

    private static void walk(
            JsonNode properties, String prefix, Map<String, String> types, Set<String> open) {
        for (Map.Entry<String, JsonNode> e : properties.properties()) {
            String path = prefix + e.getKey();
            JsonNode field = e.getValue();
            String type = field.path("type").asText("object");
            if (types != null) types.put(path, type);
            if (open != null
                    && (type.equals("flattened")
                            || ((type.equals("object") || type.equals("nested"))
                                    && field.path("dynamic").asText("").equals("true")))) {
                open.add(path);
            }
            if (field.has("properties")) walk(field.get("properties"), path + ".", types, open);
            JsonNode multi = field.path("fields");
            if (types == null) continue;
            for (Map.Entry<String, JsonNode> s : multi.properties()) {
                types.put(path + "." + s.getKey(), s.getValue().path("type").asText("object"));
            }
        }
    }
}
