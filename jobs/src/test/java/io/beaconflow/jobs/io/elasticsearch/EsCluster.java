package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.beaconflow.jobs.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;

/**
 * A real Elasticsearch for the ITCases, as {@code scripts/stack.sh up es es-secure} starts it.
 * Where it is comes from the environment that {@code scripts/stack.sh env} prints:
 *
 * <ul>
 *   <li>{@code BEACONFLOW_ES_URL} (default {@code http://127.0.0.1:9200});
 *   <li>{@code BEACONFLOW_ES_SECURE_URL}, {@code BEACONFLOW_ES_SECURE_CA_CERT}, {@code
 *       BEACONFLOW_ES_SECURE_USER}, {@code BEACONFLOW_ES_SECURE_PASSWORD} for the TLS + users node.
 * </ul>
 *
 * Talks to it with the JDK's HTTP client, independent of the code under test.
 */
final class EsCluster {
    static final String PASSWORD_ENV = "BEACONFLOW_ES_SECURE_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String url;
    private final String authorization;
    private final HttpClient http;

    private EsCluster(String url, String authorization, SSLContext ssl) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = authorization;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (ssl != null) b.sslContext(ssl);
        this.http = b.build();
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** The plain-HTTP node. Fails with the command to run when it is not there. */
    static EsCluster plain() {
        EsCluster es = new EsCluster(env("BEACONFLOW_ES_URL", "http://127.0.0.1:9200"), null, null);
        es.requireUp("scripts/stack.sh up es");
        return es;
    }

    static String secureUrl() {
        return env("BEACONFLOW_ES_SECURE_URL", "https://127.0.0.1:9201");
    }

    static String secureCaCert() {
        return env(
                "BEACONFLOW_ES_SECURE_CA_CERT",
                Path.of("../.stack/es/es-secure/config/certs/ca/ca.crt")
                        .toAbsolutePath()
                        .normalize()
                        .toString());
    }

    static String secureUser() {
        return env("BEACONFLOW_ES_SECURE_USER", "beaconflow");
    }

    /** The TLS + users node, as its superuser. */
    static EsCluster secure() {
        String password = System.getenv(PASSWORD_ENV);
        assertThat(password)
                .as(
                        PASSWORD_ENV
                                + " is not set: run eval \"$(scripts/stack.sh env)\" after"
                                + " scripts/stack.sh up es-secure")
                .isNotBlank();
        String auth =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (secureUser() + ":" + password)
                                                .getBytes(StandardCharsets.UTF_8));
        EsCluster es =
                new EsCluster(
                        secureUrl(),
                        auth,
                        ElasticsearchClients.sslContextTrusting(Path.of(secureCaCert())));
        es.requireUp("scripts/stack.sh up es-secure");
        return es;
    }

    /** A fresh, lower-case index prefix per test, so tests never see each other's data. */
    static String freshPrefix(String test) {
        return "it-"
                + test.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                + "-"
                + UUID.randomUUID().toString().substring(0, 8)
                + "-";
    }

    void requireUp(String howToStart) {
        try {
            Response r = request("GET", "/_cluster/health", null);
            assertThat(r.status).as("cluster health at " + url).isEqualTo(200);
        } catch (IOException e) {
            throw new AssertionError(
                    "Elasticsearch is not reachable at "
                            + url
                            + " ("
                            + e
                            + "). Start it with "
                            + howToStart
                            + " and export the variables of scripts/stack.sh env",
                    e);
        }
    }

    boolean isUp() {
        try {
            return request("GET", "/_cluster/health", null).status == 200;
        } catch (IOException e) {
            return false;
        }
    }

    static final class Response {
        final int status;
        final JsonNode body;

        Response(int status, JsonNode body) {
            this.status = status;
            this.body = body;
        }
    }

    Response request(String method, String path, String body) throws IOException {
        HttpRequest.Builder b = TestHttp.json(method, url + path, body, Duration.ofSeconds(30));
        if (authorization != null) b.header("Authorization", authorization);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            return new Response(r.statusCode(), json);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    JsonNode ok(String method, String path, String body) throws IOException {
        Response r = request(method, path, body);
        assertThat(r.status).as(method + " " + path + " → " + r.body).isBetween(200, 299);
        return r.body;
    }

    long count(String index) throws IOException {
        ok("POST", "/" + index + "/_refresh", null);
        return ok("GET", "/" + index + "/_count", null).get("count").asLong();
    }

    /** Every document of {@code index}, sorted by the numeric field {@code sortField}. */
    List<JsonNode> all(String index, String sortField) throws IOException {
        ok("POST", "/" + index + "/_refresh", null);
        List<JsonNode> out = new ArrayList<>();
        String after = null;
        while (true) {
            String body =
                    "{\"size\":5000,\"version\":true,\"sort\":[{\""
                            + sortField
                            + "\":\"asc\"}]"
                            + (after == null ? "" : ",\"search_after\":[" + after + "]")
                            + "}";
            ArrayNode hits =
                    (ArrayNode) ok("POST", "/" + index + "/_search", body).at("/hits/hits");
            if (hits.isEmpty()) return out;
            hits.forEach(out::add);
            after = hits.get(hits.size() - 1).get("sort").get(0).toString();
        }
    }

    /** Deletes the indices whose names start with {@code prefix} (wildcard deletes are off). */
    void deleteIndices(String prefix) throws IOException {
        Response r = request("GET", "/_cat/indices/" + prefix + "*?format=json&h=index", null);
        if (r.status != 200) return;
        for (JsonNode n : r.body) request("DELETE", "/" + n.get("index").asText(), null);
    }

    /** Polls {@code condition} every 100 ms until true; fails after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
