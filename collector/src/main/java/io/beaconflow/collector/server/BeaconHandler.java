package io.beaconflow.collector.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.beaconflow.collector.config.CollectorConfig;
import io.beaconflow.collector.kafka.KafkaRecordSink;
import io.beaconflow.collector.translate.BadPayloadException;
import io.beaconflow.collector.translate.EdgeContext;
import io.beaconflow.collector.translate.FaroTranslator;
import io.beaconflow.collector.translate.NativeTranslator;
import io.beaconflow.collector.translate.OtlpTranslator;
import io.beaconflow.collector.translate.ServerSpanTranslator;
import io.beaconflow.collector.translate.SpanTranslator;
import io.beaconflow.collector.translate.Translation;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
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

    static final ObjectMapper JSON =
            JsonMapper.builder(
                            JsonFactory.builder()
                                    .streamReadConstraints(
                                            StreamReadConstraints.builder()
                                                    .maxNestingDepth(64)
                                                    .build())
                                    .build())
                    .build();

    private final Shared s;
    private final Replies replies;
    private final ServerSpanIngest serverSpans;

    BeaconHandler(Shared shared) {
        super(true);
        this.s = shared;
        this.replies = new Replies(shared);
        this.serverSpans = new ServerSpanIngest(shared, replies);
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
            replies.refuse(
                    ctx, req, Format.OPS, 400, "bad_request", "malformed HTTP request", null);
            return;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String path = q.path();
        Format format = route(path);
        if (format == null) {
            if (req.method().equals(HttpMethod.GET)) {
                switch (path) {
                    case "/healthz":
                        replies.reply(ctx, req, Format.OPS, 200, "text/plain", "ok\n", null);
                        return;
                    case "/readyz":
                        boolean ready = s.sink.ready() && !s.draining;
                        replies.reply(
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
                        replies.reply(
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
            replies.refuse(ctx, req, Format.OPS, 404, "not_found", "no such path: " + path, null);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        String corsOrigin = s.apps.originAllowedForSomeApp(origin) ? origin : null;
        if (req.method().equals(HttpMethod.OPTIONS)) {
            preflight(ctx, req, format, origin, corsOrigin);
            return;
        }
        if (!req.method().equals(HttpMethod.POST)) {
            replies.refuse(ctx, req, format, 405, "method_not_allowed", "use POST", corsOrigin);
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
            replies.refuse(
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
        replies.send(ctx, req, format, r, corsOrigin);
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
            replies.retryLater(
                    ctx, req, format, "shutting_down", "collector is stopping", corsOrigin);
            return false;
        }
        InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        InetAddress client = s.clientAddress.resolve(peer, req.headers().getAll("X-Forwarded-For"));
        String backendKey = req.headers().get(SpanTranslator.BACKEND_KEY_HEADER);
        String backendApp = null;
        if (backendKey != null) {
            if (format != Format.OTLP) {
                replies.refuse(
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
                replies.refuse(
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
                replies.refuse(
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
                    Replies.error(
                            429,
                            "rate_limited",
                            "too many requests from " + client.getHostAddress());
            r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(wait));
            s.metrics.rejections.labelValues("rate_limited").inc();
            replies.send(ctx, req, format, r, corsOrigin);
            return false;
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            replies.refuse(
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
            replies.refuse(
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
            replies.refuse(
                    ctx, req, format, 400, "empty_body", "the request has no body", corsOrigin);
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
            return serverSpans.ingest(ctx, req, body, protobuf, backendApp, edge);
        }
        Translation t;
        try {
            if (protobuf) {
                t = OtlpTranslator.fromProtobuf(body, edge);
            } else {
                JsonNode root = replies.jsonOrRefuse(ctx, req, format, body, corsOrigin);
                if (root == null) {
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
            replies.refuse(ctx, req, format, 400, "bad_payload", e.getMessage(), corsOrigin);
            return false;
        }
        if (replies.refusedAsTooMany(ctx, req, format, t.events().size(), "events", corsOrigin)) {
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
            replies.refuse(
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
            replies.accepted(ctx, req, format, t, protobuf, corsOrigin);
            return false;
        }
        if (!s.sink.ready()) {
            replies.retryLater(
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
        byte[] kafkaKey =
                (t.events().get(0).path("app").asText()
                                + "/"
                                + t.events().get(0).path("session_id").asText())
                        .getBytes(StandardCharsets.UTF_8);
        return replies.writeThenAnswer(
                ctx,
                req,
                format,
                corsOrigin,
                bytes,
                () -> {
                    if (packed.oversizedEvents() > 0) {
                        s.metrics
                                .itemsRejected
                                .labelValues(format.label)
                                .inc(packed.oversizedEvents());
                    }
                    List<CompletableFuture<Void>> acks = new ArrayList<>();
                    for (byte[] r : packed.records()) {
                        acks.add(s.sink.send(kafkaKey, r, receivedAt, format.label));
                    }
                    return acks;
                },
                format.label,
                t.events().size() - packed.oversizedEvents(),
                t,
                protobuf);
    }

    private static String mediaType(FullHttpRequest req) {
        String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ct == null) return "";
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Read timeouts and resets from browsers leaving: nothing to answer, close quietly.
        ctx.close();
    }
}
