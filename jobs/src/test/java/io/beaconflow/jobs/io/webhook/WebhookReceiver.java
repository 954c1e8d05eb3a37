package io.beaconflow.jobs.io.webhook;

import com.sun.net.httpserver.HttpServer;
import io.beaconflow.jobs.testing.TestHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * A real HTTP receiver on 127.0.0.1 (ephemeral port) for the notifier tests. Records every attempt
 * and answers with the status chosen by {@code policy(idempotencyKey, attemptNumberForThatKey)}
 * (attempts count from 1).
 */
final class WebhookReceiver implements AutoCloseable {
    /** One request as received. */
    record Attempt(
            String key,
            int attemptForKey,
            int status,
            String body,
            String contentType,
            String authorization) {}

    private final HttpServer server;
    private final List<Attempt> attempts = new ArrayList<>();
    private final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();

    private WebhookReceiver(BiFunction<String, Integer, Integer> policy, Map<String, String> extra)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/hook",
                exchange -> {
                    String body = TestHttp.body(exchange);
                    String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
                    int n =
                            perKey.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger())
                                    .incrementAndGet();
                    int status = policy.apply(key, n);
                    synchronized (attempts) {
                        attempts.add(
                                new Attempt(
                                        key,
                                        n,
                                        status,
                                        body,
                                        exchange.getRequestHeaders().getFirst("Content-Type"),
                                        exchange.getRequestHeaders().getFirst("Authorization")));
                    }
                    extra.forEach((h, v) -> exchange.getResponseHeaders().add(h, v));
                    if (status == 204) {
                        exchange.sendResponseHeaders(status, -1); // no body allowed
                        exchange.close();
                        return;
                    }
                    byte[] reply = (status < 300 ? "ok" : "error " + status).getBytes();
                    exchange.sendResponseHeaders(status, reply.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(reply);
                    }
                });
        server.start();
    }

    static WebhookReceiver start(BiFunction<String, Integer, Integer> policy) throws IOException {
        return new WebhookReceiver(policy, Map.of());
    }

    static WebhookReceiver start(
            BiFunction<String, Integer, Integer> policy, Map<String, String> responseHeaders)
            throws IOException {
        return new WebhookReceiver(policy, responseHeaders);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Attempt> attempts() {
        synchronized (attempts) {
            return new ArrayList<>(attempts);
        }
    }

    /** Successful (2xx) deliveries per key. */
    Map<String, Long> deliveredPerKey() {
        return attempts().stream()
                .filter(a -> a.status() >= 200 && a.status() < 300)
                .collect(Collectors.groupingBy(Attempt::key, Collectors.counting()));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
