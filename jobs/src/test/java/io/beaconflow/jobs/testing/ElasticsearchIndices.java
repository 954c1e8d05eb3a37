package io.beaconflow.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchClients;
import io.beaconflow.jobs.io.elasticsearch.ElasticsearchSinkConfig;
import io.beaconflow.jobs.io.elasticsearch.IndexTemplates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One ITCase's indices in the stack's plain Elasticsearch ({@code scripts/stack.sh up es}; {@code
 * BEACONFLOW_ES_URL}): a fresh index prefix with the job's templates installed under it, read back
 * with the JDK's HTTP client (independent of the code under test), and removed afterwards.
 */
public final class ElasticsearchIndices implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Fresh for each run, e.g. {@code 3f2a9c1b}. */
    public final String run = UUID.randomUUID().toString().substring(0, 8);

    /** {@code <name>-<run>-}: every index and template of this run starts with it. */
    public final String prefix;

    /** The sink settings that write under {@link #prefix}. */
    public final ElasticsearchSinkConfig sink;

    private final String[] indices;

    /**
     * Installs the job's templates under {@code it-<name>-<run>-}; {@link #close} deletes them and
     * {@code indices} (names without the prefix, e.g. {@code rum-alerts}).
     */
    public ElasticsearchIndices(String name, String... indices) throws IOException {
        this.prefix = "it-" + name + "-" + run + "-";
        this.indices = indices;
        this.sink =
                ElasticsearchSinkConfig.parse(
                        "hosts: " + url() + "\nindex-prefix: " + prefix + "\n", "test");
        ElasticsearchClient client = ElasticsearchClients.create(sink);
        try {
            IndexTemplates.installAll(client, prefix);
        } finally {
            ElasticsearchClients.close(client);
        }
    }

    public static String url() {
        String u = System.getenv("BEACONFLOW_ES_URL");
        return u == null || u.isBlank() ? "http://127.0.0.1:9200" : u.replaceAll("/+$", "");
    }

    public static HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url() + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Makes what was written visible to searches and counts. */
    public void refresh() throws Exception {
        send("POST", "/" + prefix + "*/_refresh");
    }

    /** Documents in {@code index} (the full name), or -1 when it cannot be counted. */
    public static long count(String index) throws Exception {
        return JSON.readTree(send("GET", "/" + index + "/_count").body()).path("count").asLong(-1);
    }

    /** The sources of up to {@code size} documents in {@code index} (a name or a pattern). */
    public static List<JsonNode> documents(String index, int size) throws Exception {
        HttpResponse<String> r = send("GET", "/" + index + "/_search?size=" + size);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode hit : JSON.readTree(r.body()).path("hits").path("hits")) {
            out.add(hit.path("_source"));
        }
        return out;
    }

    /** The mapping of {@code index}, as the job's template made it. */
    public static JsonNode mapping(String index) throws Exception {
        return json(send("GET", "/" + index + "/_mapping").body());
    }

    /** The source of document {@code id}, which must exist. */
    public static JsonNode get(String index, String id) throws Exception {
        HttpResponse<String> r = send("GET", "/" + index + "/_doc/" + id);
        assertThat(r.statusCode()).as(index + "/" + id + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("_source");
    }

    public static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    @Override
    public void close() throws Exception {
        for (String index : indices) {
            send("DELETE", "/" + prefix + index + "?ignore_unavailable=true");
        }
        for (String name : IndexTemplates.NAMES) {
            send("DELETE", "/_index_template/" + prefix + name);
        }
    }
}
