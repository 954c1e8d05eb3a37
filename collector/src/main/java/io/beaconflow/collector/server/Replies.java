package io.beaconflow.collector.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.beaconflow.collector.server.BeaconHandler.Format;
import io.beaconflow.collector.translate.Translation;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Every answer of the collector: accepted (202, or OTLP's 200 with partial success), retry later
 * (503 with Retry-After), refusals (a JSON body {@code {"error": code, "detail": text}}), and the
 * Kafka write whose acknowledgement the answer waits for. Each answer is counted by format and
 * status, each refusal by code; CORS and keep-alive headers are set here once.
 */
final class Replies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BeaconHandler.Shared s;

    Replies(BeaconHandler.Shared shared) {
        this.s = shared;
    }

    /**
     * Reserves {@code bytes} of the in-flight budget, sends the records ({@code send}) and answers
     * once Kafka acknowledged all of them: accepted, or 503 when any failed. Returns true when the
     * answer is pending (the acknowledgement ends the request), false when it was refused at once.
     */
    boolean writeThenAnswer(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            String corsOrigin,
            long bytes,
            Supplier<List<CompletableFuture<Void>>> send,
            String eventsLabel,
            int events,
            Translation t,
            boolean protobuf) {
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
        long start = System.nanoTime();
        List<CompletableFuture<Void>> acks = send.get();
        // Headers stay readable after Netty releases the body; the reply only needs headers.
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]))
                .whenComplete(
                        (v, ex) -> {
                            s.metrics.inFlightBytes.addAndGet(-bytes);
                            s.metrics.kafkaLatency.observe((System.nanoTime() - start) / 1e9);
                            try {
                                if (ex == null) {
                                    s.metrics.records.inc(acks.size());
                                    s.metrics.events.labelValues(eventsLabel).inc(events);
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

    void accepted(
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

    void retryLater(
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

    void refuse(
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

    /**
     * The body read as JSON, or null when it is not JSON: then the request has been refused with
     * 400 {@code invalid_json} (the parser's first line as the detail) and counted.
     */
    JsonNode jsonOrRefuse(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            byte[] body,
            String corsOrigin) {
        try {
            return BeaconHandler.JSON.readTree(body);
        } catch (IOException e) {
            refuse(
                    ctx,
                    req,
                    format,
                    400,
                    "invalid_json",
                    "body is not valid JSON: " + BeaconHandler.firstLine(e.getMessage()),
                    corsOrigin);
            return null;
        }
    }

    /**
     * Refuses with 413 when a request translated to more than {@code limits.max-events-per-request}
     * items ({@code what}: "events", "server spans"); returns true when it did.
     */
    boolean refusedAsTooMany(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            int count,
            String what,
            String corsOrigin) {
        int limit = s.cfg.limits.maxEventsPerRequest;
        if (count <= limit) {
            return false;
        }
        refuse(
                ctx,
                req,
                format,
                413,
                "too_many_events",
                count + " " + what + " > limits.max-events-per-request " + limit,
                corsOrigin);
        return true;
    }

    void reply(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            Format format,
            int status,
            String type,
            String body,
            String corsOrigin) {
        send(ctx, req, format, text(status, type, body), corsOrigin);
    }

    static FullHttpResponse error(int status, String code, String detail) {
        String body =
                JSON.createObjectNode().put("error", code).put("detail", detail).toString() + "\n";
        return text(status, "application/json", body);
    }

    static FullHttpResponse text(int status, String type, String body) {
        FullHttpResponse r =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(status),
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return r;
    }

    void send(
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

    static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
