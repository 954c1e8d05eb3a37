package io.beaconflow.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.jobs.testing.TestHttp;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Elasticsearch of the stack as the cluster ITCases read it: through the REST API with the
 * JDK's HTTP client (independent of the job's client code), after a {@code _refresh}, every
 * document of an index pattern with a point in time and {@code search_after} (no size limit, no
 * deep-paging limit).
 */
final class EsIndices {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One stored document: the index it is in, its id and its {@code _source}. */
    record Doc(String index, String id, JsonNode source) {}

    private final String url;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    EsIndices(String url) {
        this.url = url.replaceAll("/+$", "");
    }

    /** Documents in the indices matching {@code pattern} after a refresh (none: 0). */
    long count(String pattern) {
        if (indices(pattern).isEmpty()) return 0;
        send("POST", "/" + pattern + "/_refresh", null);
        return send("GET", "/" + pattern + "/_count", null).path("count").asLong();
    }

    /** Deletes one index by its name (wildcard deletes are refused by the cluster). */
    void delete(String index) {
        sendAllowing404("DELETE", "/" + index);
    }

    /** Names of the indices matching {@code pattern} (none: empty). */
    List<String> indices(String pattern) {
        // A concrete name that does not exist is a 404 (a wildcard that matches nothing is not).
        JsonNode r = sendAllowing404("GET", "/_resolve/index/" + pattern + "?expand_wildcards=all");
        List<String> out = new ArrayList<>();
        r.path("indices").forEach(i -> out.add(i.path("name").asText()));
        return out;
    }

    /**
     * Every document in the indices matching {@code pattern}, grouped by id: a list longer than one
     * means the same id is stored in several of those indices (e.g. two daily indices).
     */
    Map<String, List<Doc>> documentsById(String pattern) {
        Map<String, List<Doc>> out = new LinkedHashMap<>();
        if (indices(pattern).isEmpty()) return out;
        send("POST", "/" + pattern + "/_refresh", null);
        String pit = send("POST", "/" + pattern + "/_pit?keep_alive=2m", null).path("id").asText();
        try {
            JsonNode after = null;
            while (true) {
                ObjectNode body = JSON.createObjectNode();
                body.put("size", 5000);
                body.putObject("pit").put("id", pit).put("keep_alive", "2m");
                body.putArray("sort").addObject().put("_shard_doc", "asc");
                body.put("track_total_hits", false);
                if (after != null) body.set("search_after", after);
                JsonNode r = send("POST", "/_search", body.toString());
                pit = r.path("pit_id").asText(pit);
                JsonNode hits = r.path("hits").path("hits");
                if (hits.isEmpty()) return out;
                for (JsonNode h : hits) {
                    Doc d =
                            new Doc(
                                    h.path("_index").asText(),
                                    h.path("_id").asText(),
                                    h.path("_source"));
                    out.computeIfAbsent(d.id(), k -> new ArrayList<>()).add(d);
                }
                after = hits.get(hits.size() - 1).path("sort");
            }
        } finally {
            send("DELETE", "/_pit", JSON.createObjectNode().put("id", pit).toString());
        }
    }

    /**
     * Deletes every index and index template whose name starts with {@code prefix}, one name per
     * request (wildcard deletes are refused by default: {@code action.destructive_requires_name}).
     */
    void deleteAllWithPrefix(String prefix) {
        for (String index : indices(prefix + "*")) {
            send("DELETE", "/" + index, null);
        }
        JsonNode templates = sendAllowing404("GET", "/_index_template/" + prefix + "*");
        for (JsonNode t : templates.path("index_templates")) {
            send(
                    "DELETE",
                    "/_index_template/"
                            + URLEncoder.encode(t.path("name").asText(), StandardCharsets.UTF_8),
                    null);
        }
    }

    /**
     * The top-level {@code dynamic} mapping setting of each index matching {@code pattern} ({@code
     * "true"} when unset: Elasticsearch's default, i.e. no template of ours shaped the index).
     */
    Map<String, String> dynamicMappingByIndex(String pattern) {
        Map<String, String> out = new java.util.TreeMap<>();
        if (indices(pattern).isEmpty()) return out;
        send("GET", "/" + pattern + "/_mapping", null)
                .fields()
                .forEachRemaining(
                        e ->
                                out.put(
                                        e.getKey(),
                                        e.getValue()
                                                .path("mappings")
                                                .path("dynamic")
                                                .asText("true")));
        return out;
    }

    /** Names of the index templates starting with {@code prefix}. */
    List<String> templates(String prefix) {
        List<String> out = new ArrayList<>();
        sendAllowing404("GET", "/_index_template/" + prefix + "*")
                .path("index_templates")
                .forEach(t -> out.add(t.path("name").asText()));
        return out;
    }

    private JsonNode sendAllowing404(String method, String path) {
        try {
            HttpResponse<String> r = raw(method, path, null);
            if (r.statusCode() == 404) return JSON.createObjectNode();
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        method + " " + url + path + " → " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + path + ": " + e, e);
        }
    }

    private JsonNode send(String method, String path, String body) {
        try {
            HttpResponse<String> r = raw(method, path, body);
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        method + " " + url + path + " → " + r.statusCode() + " " + r.body());
            }
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + path + ": " + e, e);
        }
    }

    private HttpResponse<String> raw(String method, String path, String body) throws IOException {
        HttpRequest.Builder b = TestHttp.json(method, url + path, body, Duration.ofSeconds(60));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
