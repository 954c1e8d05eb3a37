package io.beaconflow.jobs.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The JDK HTTP plumbing the tests' clients (of Elasticsearch) and stand-in servers (webhook
 * endpoints) share, so that each of them says only what it does differently.
 */
public final class TestHttp {
    private TestHttp() {}

    /**
     * A request of {@code method} to {@code uri} with a JSON content type, {@code body} as UTF-8
     * (none when null) and {@code timeout}; callers add headers and send it.
     */
    public static HttpRequest.Builder json(
            String method, String uri, String body, String contentType, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(uri))
                .timeout(timeout)
                .header("Content-Type", contentType)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(
                                        body, StandardCharsets.UTF_8));
    }

    /** {@link #json(String, String, String, String, Duration)} with {@code application/json}. */
    public static HttpRequest.Builder json(
            String method, String uri, String body, Duration timeout) {
        return json(method, uri, body, "application/json", timeout);
    }

    /** The whole body of a request a stand-in server received, as UTF-8. */
    public static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
