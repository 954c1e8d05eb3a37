package io.beaconflow.jobs.cluster;

import com.sun.net.httpserver.HttpServer;
import io.beaconflow.jobs.testing.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook receiver of the cluster ITCases: a real HTTP server (the JDK's) on 127.0.0.1 with an
 * ephemeral port, which the job's notifier on the TaskManager POSTs to. It answers 200 to every
 * request and keeps every one of them: it does <b>not</b> deduplicate, so a notification delivered
 * twice shows up as two requests with the same {@code Idempotency-Key}.
 */
final class WebhookEndpoint implements AutoCloseable {
    /**
     * One request as received: its {@code Idempotency-Key} header (null if absent), body, and when
     * it arrived (to tell, when a key arrives twice, which side of a kill each copy was on).
     */
    record Request(String key, String body, Instant at) {}

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();

    private WebhookEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/hook",
                exchange -> {
                    String body = TestHttp.body(exchange);
                    Request r =
                            new Request(
                                    exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                                    body,
                                    Instant.now());
                    synchronized (requests) {
                        requests.add(r);
                    }
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
        server.start();
    }

    static WebhookEndpoint start() {
        try {
            return new WebhookEndpoint();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test webhook server", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Request> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    /** Every body received, by idempotency key ({@code "null"} for requests without one). */
    Map<String, List<String>> bodiesByKey() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Request r : requests()) {
            out.computeIfAbsent(String.valueOf(r.key()), k -> new ArrayList<>()).add(r.body());
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
