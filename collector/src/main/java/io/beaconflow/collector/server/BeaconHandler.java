package io.beaconflow.collector.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.util.JsonFormat;
import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.kafka.KafkaRecordSink;
import io.beaconflow.collector.translate.BadPayloadException;
import io.beaconflow.collector.translate.ContractEvents;
import io.beaconflow.collector.translate.EdgeContext;
import io.beaconflow.collector.translate.FaroTranslator;
import io.beaconflow.collector.translate.NativeTranslator;
import io.beaconflow.collector.translate.OtlpJson;
import io.beaconflow.collector.translate.OtlpTranslator;
import io.beaconflow.collector.translate.ServerSpanTranslator;
import io.beaconflow.collector.translate.SpanTranslator;
import io.beaconflow.collector.translate.Translation;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One HTTP request: routing, CORS, limits, translation, the Kafka write and the answer.
 *
 * <p>Paths: {@code POST /collect}, {@code /collect/<api key>} and {@code /faro/collect} take Faro
 * (the paths Grafana Alloy's faro.receiver serves, so a Faro setup changes only the host); {@code
 * POST /v1/traces} takes OTLP/HTTP traces (JSON or protobuf); {@code POST /rum} takes the native
 * contract (JSON, or text/plain from {@code navigator.sendBeacon}). {@code GET /healthz}, {@code
 * /readyz} and {@code /metrics} are for operations. An OTLP export carrying an app's backend key
 * (header {@code x-beaconflow-backend-key}) is a backend's: its SERVER spans go to the server-spans
 * topic ({@link ServerSpanTranslator}), and it is exempt from the per-IP rate limit (one backend
 * host sends for many visitors). Every refusal is a JSON body {@code {"error": code, "detail":
 * text}} with a 4xx/5xx status, and is counted by code.
 */
final class BeaconHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** State shared by every connection's handler. */
    static final class Shared {
        final CollectorConfig cfg;
        final KafkaRecordSink sink;
        final GeoIp geoIp;
        final ClientAddress clientAddress;
        final AppPolicy apps;
        final RateLimiter rateLimiter;
        final CollectorMetrics metrics;
        final LongSupplier wallClock;
        final AtomicInteger inFlightRequests = new AtomicInteger();
        volatile boolean draining;

        Shared(
                CollectorConfig cfg,
                KafkaRecordSink sink,
                GeoIp geoIp,
                ClientAddress clientAddress,
                AppPolicy apps,
                RateLimiter rateLimiter,
                CollectorMetrics metrics,
                LongSupplier wallClock) {
            this.cfg = cfg;
            this.sink = sink;
            this.geoIp = geoIp;
            this.clientAddress = clientAddress;
            this.apps = apps;
            this.rateLimiter = rateLimiter;
            this.metrics = metrics;
            this.wallClock = wallClock;
        }
    }

    static final String ALLOWED_HEADERS =
            "content-type, content-encoding, x-faro-session-id, traceparent, tracestate,"
                    + " idempotency-key, x-api-key";

    private static final ObjectMapper JSON =
            JsonMapper.builder(
                            JsonFactory.builder()
                                    .streamReadConstraints(
                                            StreamReadConstraints.builder()
                                                    .maxNestingDepth(64)
                                                    .build())
                                    .build())
                    .build();

    private final Shared s;

    BeaconHandler(Shared shared) {
        super(true);
        this.s = shared;
    }

    enum Format {
        FARO("faro"),
        OTLP("otlp"),
        NATIVE("native"),
        OPS("ops");

        final String label;

        Format(String label) {
            this.label = label;
        }
    }

    static Format route(String path) {
        if (path.equals("/collect")
                || path.startsWith("/collect/")
                || path.equals("/faro/collect")) {
            return Format.FARO;
        }
        if (path.equals("/v1/traces")) return Format.OTLP;
        if (path.equals("/rum")) return Format.NATIVE;
        return null;
    }

    static String formatOf(HttpMessage m) {
        if (m instanceof HttpRequest) {
            Format f = route(new QueryStringDecoder(((HttpRequest) m).uri()).path());
            if (f != null) return f.label;
        }
        return Format.OPS.label;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            refuse(ctx, req, Format.OPS, 400, "bad_request", "malformed HTTP request", null);
            return;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String path = q.path();
        Format format = route(path);
        if (format == null) {
            if (req.method().equals(HttpMethod.GET)) {
                switch (path) {
                    case "/healthz":
                        reply(ctx, req, Format.OPS, 200, "text/plain", "ok\n", null);
                        return;
                    case "/readyz":
                        boolean ready = s.sink.ready() && !s.draining;
                        reply(
                                ctx,
                                req,
                                Format.OPS,
                                ready ? 200 : 503,
                                "text/plain",
                                ready
                                        ? "ready\n"
                                        : s.draining
                                                ? "shutting down\n"
                                                : "kafka unreachable: "
                                                        + s.sink.lastProblem()
                                                        + "\n",
                                null);
                        return;
                    case "/metrics":
                        reply(
                                ctx,
                                req,
                                Format.OPS,
                                200,
                                "text/plain; version=0.0.4; charset=utf-8",
                                s.metrics.scrape(),
                                null);
                        return;
                    default:
                        break;
                }
            }
            refuse(ctx, req, Format.OPS, 404, "not_found", "no such path: " + path, null);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        String corsOrigin = s.apps.originAllowedForSomeApp(origin) ? origin : null;
        if (req.method().equals(HttpMethod.OPTIONS)) {
            preflight(ctx, req, format, origin, corsOrigin);
            return;
        }
        if (!req.method().equals(HttpMethod.POST)) {
            refuse(ctx, req, format, 405, "method_not_allowed", "use POST", corsOrigin);
            return;
        }
        // Counted before the draining check, so a stopping collector either waits for this
        // request or this request sees the stop: never a record in Kafka whose 202 is cut off.
        s.inFlightRequests.incrementAndGet();
        boolean pending = false;
        try {
            pending = ingest(ctx, req, q, format, origin, corsOrigin);
        } finally {
            if (!pending) s.inFlightRequests.decrementAndGet();
        }
    }

    private void preflight(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            String origin,
            String corsOrigin) {
        if (corsOrigin == null) {
            refuse(
                    ctx,
                    req,
                    format,
                    403,
                    "origin_not_allowed",
                    "origin " + origin + " is not allowed for any app",
                    null);
            return;
        }
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        r.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS")
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        send(ctx, req, format, r, corsOrigin);
    }

    /** Returns true when the answer is pending on Kafka (the callback ends the request). */
    private boolean ingest(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            QueryStringDecoder q,
            Format format,
            String origin,
            String corsOrigin) {
        long receivedAt = s.wallClock.getAsLong();
        if (s.draining) {
            retryLater(ctx, req, format, "shutting_down", "collector is stopping", corsOrigin);
            return false;
        }
        InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        InetAddress client = s.clientAddress.resolve(peer, req.headers().getAll("X-Forwarded-For"));
        String backendKey = req.headers().get(SpanTranslator.BACKEND_KEY_HEADER);
        String backendApp = null;
        if (backendKey != null) {
            if (format != Format.OTLP) {
                refuse(
                        ctx,
                        req,
                        format,
                        400,
                        "backend_key_wrong_path",
                        "a backend key is only taken on POST /v1/traces",
                        corsOrigin);
                return false;
            }
            if (origin != null) {
                // A page never holds a backend key; one that does has leaked it.
                refuse(
                        ctx,
                        req,
                        format,
                        403,
                        "backend_key_from_browser",
                        "a request with an Origin header cannot carry a backend key",
                        corsOrigin);
                return false;
            }
            backendApp = s.apps.appForBackendKey(backendKey);
            if (backendApp == null) {
                refuse(
                        ctx,
                        req,
                        format,
                        401,
                        "bad_backend_key",
                        "the backend key matches no app's backend-key",
                        corsOrigin);
                return false;
            }
        }
        long wait = backendApp != null ? 0 : s.rateLimiter.acquire(client.getHostAddress());
        if (wait > 0) {
            FullHttpResponse r =
                    error(429, "rate_limited", "too many requests from " + client.getHostAddress());
            r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(wait));
            s.metrics.rejections.labelValues("rate_limited").inc();
            send(ctx, req, format, r, corsOrigin);
            return false;
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            refuse(
                    ctx,
                    req,
                    format,
                    415,
                    "unsupported_encoding",
                    "content-encoding " + encoding + "; use gzip, deflate or none",
                    corsOrigin);
            return false;
        }
        String type = mediaType(req);
        boolean protobuf = type.equals("application/x-protobuf");
        boolean ok =
                type.equals("application/json")
                        || (type.equals("text/plain") && format != Format.OTLP)
                        || (protobuf && format == Format.OTLP);
        if (!ok) {
            refuse(
                    ctx,
                    req,
                    format,
                    415,
                    "unsupported_media_type",
                    "content-type '"
                            + type
                            + "'; use "
                            + (format == Format.OTLP
                                    ? "application/json or application/x-protobuf"
                                    : "application/json (or text/plain from sendBeacon)"),
                    corsOrigin);
            return false;
        }
        byte[] body = ByteBufUtil.getBytes(req.content());
        if (body.length == 0) {
            refuse(ctx, req, format, 400, "empty_body", "the request has no body", corsOrigin);
            return false;
        }
        String ip = client.getHostAddress();
        EdgeContext edge =
                new EdgeContext(
                        receivedAt,
                        ip,
                        req.headers().get(HttpHeaderNames.USER_AGENT),
                        s.geoIp == null ? null : s.geoIp.country(client),
                        req.headers().get(HttpHeaderNames.REFERER));
        if (backendApp != null) {
            return ingestServerSpans(ctx, req, body, protobuf, backendApp, edge);
        }
        Translation t;
        try {
            if (protobuf) {
                t = OtlpTranslator.fromProtobuf(body, edge);
            } else {
                JsonNode root;
                try {
                    root = JSON.readTree(body);
                } catch (IOException e) {
                    refuse(
                            ctx,
                            req,
                            format,
                            400,
                            "invalid_json",
                            "body is not valid JSON: " + firstLine(e.getMessage()),
                            corsOrigin);
                    return false;
                }
                switch (format) {
                    case FARO:
                        t =
                                FaroTranslator.translate(
                                        root, edge, req.headers().get("x-faro-session-id"));
                        break;
                    case OTLP:
                        t = OtlpTranslator.fromJson(root, edge);
                        break;
                    default:
                        t = NativeTranslator.translate(root);
                        break;
                }
            }
        } catch (BadPayloadException e) {
            refuse(ctx, req, format, 400, "bad_payload", e.getMessage(), corsOrigin);
            return false;
        }
        if (t.events().size() > s.cfg.limits.maxEventsPerRequest) {
            refuse(
                    ctx,
                    req,
                    format,
                    413,
                    "too_many_events",
                    t.events().size()
                            + " events > limits.max-events-per-request "
                            + s.cfg.limits.maxEventsPerRequest,
                    corsOrigin);
            return false;
        }
        String key = req.headers().get("x-api-key");
        if (key == null && q.path().startsWith("/collect/")) {
            key = q.path().substring("/collect/".length());
        }
        if (key == null && q.parameters().containsKey("api_key")) {
            key = q.parameters().get("api_key").get(0);
        }
        AppPolicy.Refusal refusal = s.apps.check(t.apps(), origin, key);
        if (refusal != null) {
            refuse(
                    ctx,
                    req,
                    format,
                    refusal.status,
                    refusal.code,
                    refusal.code.replace('_', ' ') + " for app(s) " + t.apps(),
                    corsOrigin);
            return false;
        }
        if (!t.rejected().isEmpty()) {
            s.metrics.itemsRejected.labelValues(format.label).inc(t.rejected().size());
        }
        if (t.events().isEmpty()) {
            accepted(ctx, req, format, t, protobuf, corsOrigin);
            return false;
        }
        if (!s.sink.ready()) {
            retryLater(
                    ctx,
                    req,
                    format,
                    "kafka_unavailable",
                    "Kafka is unreachable: " + s.sink.lastProblem(),
                    corsOrigin);
            return false;
        }
        Records.Packed packed = Records.pack(edge, t.events(), s.cfg.kafka.maxRecordBytes);
        long bytes = 0;
        for (byte[] r : packed.records()) bytes += r.length;
        if (s.metrics.inFlightBytes.addAndGet(bytes) > s.cfg.limits.maxInFlightBytes) {
            s.metrics.inFlightBytes.addAndGet(-bytes);
            retryLater(
                    ctx,
                    req,
                    format,
                    "overloaded",
                    "too many bytes waiting for Kafka; retry",
                    corsOrigin);
            return false;
        }
        if (packed.oversizedEvents() > 0) {
            s.metrics.itemsRejected.labelValues(format.label).inc(packed.oversizedEvents());
        }
        byte[] kafkaKey =
                (t.events().get(0).path("app").asText()
                                + "/"
                                + t.events().get(0).path("session_id").asText())
                        .getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        long start = System.nanoTime();
        for (byte[] r : packed.records()) {
            acks.add(s.sink.send(kafkaKey, r, receivedAt, format.label));
        }
        final long inFlight = bytes;
        final int nEvents = t.events().size() - packed.oversizedEvents();
        // Headers stay readable after Netty releases the body; the reply only needs headers.
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]))
                .whenComplete(
                        (v, ex) -> {
                            s.metrics.inFlightBytes.addAndGet(-inFlight);
                            s.metrics.kafkaLatency.observe((System.nanoTime() - start) / 1e9);
                            try {
                                if (ex == null) {
                                    s.metrics.records.inc(acks.size());
                                    s.metrics.events.labelValues(format.label).inc(nEvents);
                                    accepted(ctx, req, format, t, protobuf, corsOrigin);
                                } else {
                                    s.metrics.recordFailures.inc();
                                    retryLater(
                                            ctx,
                                            req,
                                            format,
                                            "kafka_unavailable",
                                            "Kafka did not acknowledge: " + rootMessage(ex),
                                            corsOrigin);
                                }
                            } finally {
                                s.inFlightRequests.decrementAndGet();
                            }
                        });
        return true;
    }

    /**
     * A backend's export: SERVER spans, one record each keyed by trace id, to the server-spans
     * topic; 200 only after Kafka acknowledged every one (the browser path's no-loss rule).
     */
    private boolean ingestServerSpans(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            byte[] body,
            boolean protobuf,
            String app,
            EdgeContext edge) {
        Format format = Format.OTLP;
        Translation t;
        try {
            ExportTraceServiceRequest export;
            if (protobuf) {
                try {
                    export = ExportTraceServiceRequest.parseFrom(body);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new BadPayloadException(
                            "not an OTLP protobuf trace export: " + e.getMessage());
                }
            } else {
                JsonNode root;
                try {
                    root = JSON.readTree(body);
                } catch (IOException e) {
                    refuse(
                            ctx,
                            req,
                            format,
                            400,
                            "invalid_json",
                            "body is not valid JSON: " + firstLine(e.getMessage()),
                            null);
                    return false;
                }
                export = OtlpJson.parse(root);
            }
            t = ServerSpanTranslator.translate(export, app, edge);
        } catch (BadPayloadException e) {
            refuse(ctx, req, format, 400, "bad_payload", e.getMessage(), null);
            return false;
        }
        if (t.events().size() > s.cfg.limits.maxEventsPerRequest) {
            refuse(
                    ctx,
                    req,
                    format,
                    413,
                    "too_many_events",
                    t.events().size()
                            + " server spans > limits.max-events-per-request "
                            + s.cfg.limits.maxEventsPerRequest,
                    null);
            return false;
        }
        if (!t.rejected().isEmpty()) {
            s.metrics.itemsRejected.labelValues("otlp-server").inc(t.rejected().size());
        }
        if (t.events().isEmpty()) {
            accepted(ctx, req, format, t, protobuf, null);
            return false;
        }
        if (!s.sink.ready() || !s.sink.serverSpansReady()) {
            retryLater(
                    ctx,
                    req,
                    format,
                    "kafka_unavailable",
                    "Kafka or the server-spans topic is unavailable: "
                            + (s.sink.ready() ? s.sink.serverSpansProblem() : s.sink.lastProblem()),
                    null);
            return false;
        }
        List<byte[]> values = new ArrayList<>();
        long bytes = 0;
        try {
            for (var r : t.events()) {
                byte[] v = ContractEvents.JSON.writeValueAsBytes(r);
                values.add(v);
                bytes += v.length;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a Jackson tree always serializes", e);
        }
        if (s.metrics.inFlightBytes.addAndGet(bytes) > s.cfg.limits.maxInFlightBytes) {
            s.metrics.inFlightBytes.addAndGet(-bytes);
            retryLater(
                    ctx,
                    req,
                    format,
                    "overloaded",
                    "too many bytes waiting for Kafka; retry",
                    null);
            return false;
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < values.size(); i++) {
            // Keyed by trace id: every span of a trace on one partition, in order.
            byte[] key =
                    t.events().get(i).path("trace_id").asText().getBytes(StandardCharsets.UTF_8);
            acks.add(s.sink.sendServerSpan(key, values.get(i), edge.receivedAt()));
        }
        final long inFlight = bytes;
        final int n = values.size();
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]))
                .whenComplete(
                        (v, ex) -> {
                            s.metrics.inFlightBytes.addAndGet(-inFlight);
                            s.metrics.kafkaLatency.observe((System.nanoTime() - start) / 1e9);
                            try {
                                if (ex == null) {
                                    s.metrics.records.inc(n);
                                    s.metrics.events.labelValues("otlp-server").inc(n);
                                    accepted(ctx, req, format, t, protobuf, null);
                                } else {
                                    s.metrics.recordFailures.inc();
                                    retryLater(
                                            ctx,
                                            req,
                                            format,
                                            "kafka_unavailable",
                                            "Kafka did not acknowledge: " + rootMessage(ex),
                                            null);
                                }
                            } finally {
                                s.inFlightRequests.decrementAndGet();
                            }
                        });
        return true;
    }

    private void accepted(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            Translation t,
            boolean protobuf,
            String corsOrigin) {
        if (format == Format.OTLP) {
            // OTLP/HTTP: 200 with an ExportTraceServiceResponse in the request's encoding;
            // partial_success tells the exporter how many spans were refused and why.
            ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
            if (!t.rejected().isEmpty()) {
                b.setPartialSuccess(
                        ExportTracePartialSuccess.newBuilder()
                                .setRejectedSpans(t.rejected().size())
                                .setErrorMessage(t.rejected().get(0)));
            }
            FullHttpResponse r;
            if (protobuf) {
                r =
                        new DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1,
                                HttpResponseStatus.OK,
                                Unpooled.wrappedBuffer(b.build().toByteArray()));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-protobuf");
            } else {
                String json;
                try {
                    json = JsonFormat.printer().print(b);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    json = "{}";
                }
                r = text(200, "application/json", json);
            }
            send(ctx, req, format, r, corsOrigin);
            return;
        }
        String body =
                "{\"status\":\"ok\",\"events\":"
                        + t.events().size()
                        + ",\"rejected\":"
                        + t.rejected().size()
                        + "}";
        send(ctx, req, format, text(202, "application/json", body), corsOrigin);
    }

    private void retryLater(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            String code,
            String detail,
            String corsOrigin) {
        FullHttpResponse r = error(503, code, detail);
        r.headers()
                .set(
                        HttpHeaderNames.RETRY_AFTER,
                        Long.toString(s.cfg.limits.retryAfter.toSeconds()));
        s.metrics.rejections.labelValues(code).inc();
        send(ctx, req, format, r, corsOrigin);
    }

    private void refuse(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            int status,
            String code,
            String detail,
            String corsOrigin) {
        s.metrics.rejections.labelValues(code).inc();
        send(ctx, req, format, error(status, code, detail), corsOrigin);
    }

    private void reply(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            int status,
            String type,
            String body,
            String corsOrigin) {
        send(ctx, req, format, text(status, type, body), corsOrigin);
    }

    private static FullHttpResponse error(int status, String code, String detail) {
        String body =
                JSON.createObjectNode().put("error", code).put("detail", detail).toString() + "\n";
        return text(status, "application/json", body);
    }

    private static FullHttpResponse text(int status, String type, String body) {
        FullHttpResponse r =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(status),
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return r;
    }

    private void send(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            FullHttpResponse r,
            String corsOrigin) {
        if (corsOrigin != null) {
            r.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, corsOrigin)
                    .set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
        HttpUtil.setContentLength(r, r.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !s.draining;
        s.metrics.requests.labelValues(format.label, Integer.toString(r.status().code())).inc();
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String mediaType(FullHttpRequest req) {
        String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ct == null) return "";
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Read timeouts and resets from browsers leaving: nothing to answer, close quietly.
        ctx.close();
    }
}
