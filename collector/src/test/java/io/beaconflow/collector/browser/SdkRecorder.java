package io.beaconflow.collector.browser;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Records every request a browser SDK sends, in the format of the committed captures ({@code
 * src/test/resources/sdk-payloads/*.requests.ndjson}, see its README): one JSON line per request,
 * {@code {received_at, method, path, headers, body_text}}, headers with lower-case names, the body
 * gunzipped when it came compressed. It answers as a collector would to a cross-origin page (CORS
 * preflight 204, then 202), so the SDK sends as it would to a real one. It does not interpret
 * anything: the captures are made with it, and the tests read them.
 */
final class SdkRecorder implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<ObjectNode> requests = new ArrayList<>();

    SdkRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The requests so far, in arrival order. */
    synchronized List<ObjectNode> requests() {
        return new ArrayList<>(requests);
    }

    /** The capture file's text: one request per line. */
    synchronized String ndjson() {
        StringBuilder out = new StringBuilder();
        for (ObjectNode r : requests) out.append(r).append('\n');
        return out.toString();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new TreeMap<>();
            x.getRequestHeaders()
                    .forEach(
                            (k, v) ->
                                    headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
            if ("gzip".equalsIgnoreCase(headers.get("content-encoding"))) {
                try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            ObjectNode r = JSON.createObjectNode();
            r.put("received_at", Instant.now().toString());
            r.put("method", x.getRequestMethod());
            r.put("path", x.getRequestURI().toString());
            ObjectNode h = r.putObject("headers");
            headers.forEach(h::put);
            r.put("body_text", new String(body, StandardCharsets.UTF_8));
            synchronized (this) {
                requests.add(r);
            }
            String origin = headers.get("origin");
            if (origin != null) {
                x.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
                x.getResponseHeaders().set("Access-Control-Allow-Credentials", "true");
                x.getResponseHeaders().set("Vary", "Origin");
            }
            if (x.getRequestMethod().equals("OPTIONS")) {
                x.getResponseHeaders().set("Access-Control-Allow-Methods", "POST, OPTIONS");
                String asked = headers.get("access-control-request-headers");
                if (asked != null)
                    x.getResponseHeaders().set("Access-Control-Allow-Headers", asked);
                x.getResponseHeaders().set("Access-Control-Max-Age", "600");
                x.sendResponseHeaders(204, -1);
            } else {
                x.sendResponseHeaders(202, -1);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
