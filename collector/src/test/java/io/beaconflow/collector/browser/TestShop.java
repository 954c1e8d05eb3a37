package io.beaconflow.collector.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shop the browser visits: serves the two test pages (every route under {@code /faro/} and
 * {@code /otel/} is the same single-page shell; the page script picks what to do from its path),
 * their esbuild bundles, and a tiny backend under {@code /api/} that logs the W3C {@code
 * traceparent} header of every call. That log is the ground truth the test compares the collected
 * fetch events' trace ids with. {@code POST /api/checkout} answers 500 the first time per SDK, 200
 * after, so the job sees a failed fetch.
 */
final class TestShop implements AutoCloseable {
    /** One backend call as the server saw it. */
    record ApiCall(String sdk, String method, String path, int status, String traceparent) {
        /** The trace id of the traceparent ({@code 00-<trace id>-<parent span id>-<flags>}). */
        String traceId() {
            if (traceparent == null) return null;
            String[] p = traceparent.split("-");
            return p.length == 4 ? p[1] : null;
        }
    }

    private final HttpServer server;
    private final Path bundles;
    private volatile String collectorUrl;
    private final List<ApiCall> calls = new ArrayList<>();
    private final Map<String, AtomicInteger> checkouts = new ConcurrentHashMap<>();

    TestShop(Path bundles) throws IOException {
        this.bundles = bundles;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Where the pages send their beacons (known once the collector has bound its port). */
    void collectorUrl(String url) {
        collectorUrl = url;
    }

    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized List<ApiCall> calls(String sdk) {
        List<ApiCall> out = new ArrayList<>();
        for (ApiCall c : calls) if (c.sdk().equals(sdk)) out.add(c);
        return out;
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (path.startsWith("/api/")) {
                api(x);
            } else if (path.startsWith("/static/") && path.endsWith(".js")) {
                Path file = bundles.resolve(path.substring("/static/".length())).normalize();
                if (!file.startsWith(bundles) || !Files.isRegularFile(file)) {
                    send(x, 404, "text/plain", "no such bundle");
                } else {
                    send(x, 200, "text/javascript", Files.readString(file));
                }
            } else if (path.startsWith("/faro/") || path.equals("/faro")) {
                send(x, 200, "text/html; charset=utf-8", page("faro"));
            } else if (path.startsWith("/otel/") || path.equals("/otel")) {
                send(x, 200, "text/html; charset=utf-8", page("otel"));
            } else {
                send(x, 404, "text/plain", "not found");
            }
        }
    }

    private String page(String sdk) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Beaconflow test shop ("
                + sdk
                + ")</title></head><body><div id=\"main\"></div><ul id=\"log\"></ul>"
                + "<script>window.BEACONFLOW_TEST = {collector: \""
                + collectorUrl
                + "\", app: \"browser-"
                + sdk
                + "\", user: \"user-"
                + sdk
                + "\"};</script><script src=\"/static/"
                + sdk
                + ".js\"></script></body></html>";
    }

    private void api(HttpExchange x) throws IOException {
        x.getRequestBody().readAllBytes();
        String referer = x.getRequestHeaders().getFirst("Referer");
        String sdk = referer != null && referer.contains("/otel") ? "otel" : "faro";
        String method = x.getRequestMethod();
        String path = x.getRequestURI().toString();
        int status = 200;
        if (path.startsWith("/api/checkout")) {
            int n = checkouts.computeIfAbsent(sdk, k -> new AtomicInteger()).incrementAndGet();
            status = n == 1 ? 500 : 200;
        }
        ApiCall call =
                new ApiCall(
                        sdk, method, path, status, x.getRequestHeaders().getFirst("traceparent"));
        synchronized (this) {
            calls.add(call);
        }
        System.out.println("test shop backend: " + call);
        send(
                x,
                status,
                "application/json",
                status == 200 ? "{\"ok\":true}" : "{\"error\":\"payment service unavailable\"}");
    }

    private static void send(HttpExchange x, int status, String type, String body)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
