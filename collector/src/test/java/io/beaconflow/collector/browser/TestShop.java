package io.beaconflow.collector.browser;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shop the browser visits: serves the test pages (every route under {@code /faro/}, {@code
 * /otel/} and {@code /spa/} is the same shell; the page script picks what to do from its path),
 * their esbuild bundles, and a tiny backend under {@code /api/} that logs the W3C {@code
 * traceparent} header of every call. That log is the ground truth the test compares the collected
 * fetch events' trace ids with. {@code POST /api/checkout} answers 500 the first time per SDK, 200
 * after, so the job sees a failed fetch.
 *
 * <p>Once {@link #instrumentBackend} is called, the backend is also instrumented as a Java service
 * would be with the OpenTelemetry SDK: each {@code /api/} request becomes a SERVER span of service
 * {@value #SERVICE}, child of the browser's fetch span named in the {@code traceparent} (the W3C
 * propagator extracts it), exported over OTLP/HTTP protobuf to the collector with the app's backend
 * key. Each app has its own tracer provider, because each app has its own backend key. The spans as
 * the SDK ended them ({@link #serverSpans}) are the ground truth for the join.
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

    static final String SERVICE = "shop-api";

    /** Server-side work per API call, so server time is a real share of what the browser waits. */
    static final long WORK_MS = 25;

    private static final TextMapGetter<Headers> HEADERS =
            new TextMapGetter<>() {
                @Override
                public Iterable<String> keys(Headers carrier) {
                    return carrier.keySet();
                }

                @Override
                public String get(Headers carrier, String key) {
                    return carrier == null ? null : carrier.getFirst(key);
                }
            };

    private final HttpServer server;
    private final Map<String, SdkTracerProvider> tracing = new HashMap<>();
    private final Map<String, SpanData> serverSpans = new ConcurrentHashMap<>();
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

    /**
     * From now on, {@code /api/} calls of {@code sdk}'s app are traced and their SERVER spans
     * exported to {@code collectorUrl}'s {@code /v1/traces} with {@code backendKey}. The exporter
     * retries a 503 as any OTLP exporter does (the collector answers 503 until the server-spans
     * topic is confirmed).
     */
    synchronized void instrumentBackend(String sdk, String collectorUrl, String backendKey) {
        OtlpHttpSpanExporter exporter =
                OtlpHttpSpanExporter.builder()
                        .setEndpoint(collectorUrl + "/v1/traces")
                        .addHeader("x-beaconflow-backend-key", backendKey)
                        .setRetryPolicy(RetryPolicy.getDefault())
                        .build();
        tracing.put(
                sdk,
                SdkTracerProvider.builder()
                        .setResource(
                                Resource.getDefault()
                                        .merge(
                                                Resource.create(
                                                        Attributes.of(
                                                                AttributeKey.stringKey(
                                                                        "service.name"),
                                                                SERVICE))))
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build());
    }

    /**
     * Waits until every span ended so far has been exported (the collector answered 200 to each
     * export); false if an export failed or did not finish in time.
     */
    synchronized boolean flushSpans(long timeoutSeconds) {
        List<CompletableResultCode> flushes = new ArrayList<>();
        for (SdkTracerProvider p : tracing.values()) flushes.add(p.forceFlush());
        return CompletableResultCode.ofAll(flushes)
                .join(timeoutSeconds, TimeUnit.SECONDS)
                .isSuccess();
    }

    /**
     * The SERVER span the backend exported for a call, by the {@code traceparent} it received (null
     * for a call that had none, or before the span ended).
     */
    SpanData serverSpan(ApiCall call) {
        return call.traceparent() == null ? null : serverSpans.get(call.traceparent());
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
            } else if (path.startsWith("/spa/") || path.equals("/spa")) {
                send(x, 200, "text/html; charset=utf-8", page("spa"));
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
        String sdk =
                referer == null
                        ? "faro"
                        : referer.contains("/otel")
                                ? "otel"
                                : referer.contains("/spa") ? "spa" : "faro";
        String method = x.getRequestMethod();
        String path = x.getRequestURI().toString();
        String traceparent = x.getRequestHeaders().getFirst("traceparent");
        Span span = startServerSpan(sdk, x, method);
        int status = 200;
        if (path.startsWith("/api/checkout")) {
            int n = checkouts.computeIfAbsent(sdk, k -> new AtomicInteger()).incrementAndGet();
            status = n == 1 ? 500 : 200;
        }
        try {
            Thread.sleep(WORK_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ApiCall call = new ApiCall(sdk, method, path, status, traceparent);
        synchronized (this) {
            calls.add(call);
        }
        System.out.println("test shop backend: " + call);
        if (span != null) {
            // Ended when the handler has its answer, before the answer goes on the wire: what the
            // wire and the browser take is network time, as the job's join counts it. (Ending it
            // after the write would let the span outlast the fetch the browser already resolved
            // on the response headers.)
            span.setAttribute(AttributeKey.longKey("http.response.status_code"), (long) status);
            if (status >= 500) span.setStatus(StatusCode.ERROR);
            span.end();
            if (traceparent != null) {
                serverSpans.put(traceparent, ((ReadableSpan) span).toSpanData());
            }
        }
        send(
                x,
                status,
                "application/json",
                status == 200 ? "{\"ok\":true}" : "{\"error\":\"payment service unavailable\"}");
    }

    /**
     * A SERVER span for this request, parented by the browser's {@code traceparent}; null while the
     * backend is not instrumented for {@code sdk}.
     */
    private Span startServerSpan(String sdk, HttpExchange x, String method) {
        SdkTracerProvider provider;
        synchronized (this) {
            provider = tracing.get(sdk);
        }
        if (provider == null) return null;
        Tracer tracer = provider.get("beaconflow-test-shop");
        Context parent =
                W3CTraceContextPropagator.getInstance()
                        .extract(Context.root(), x.getRequestHeaders(), HEADERS);
        String path = x.getRequestURI().getPath();
        return tracer.spanBuilder(method + " " + path)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", method)
                .setAttribute("url.path", path)
                .startSpan();
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
        for (SdkTracerProvider p : tracing.values()) {
            p.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
