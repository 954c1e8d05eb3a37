package io.beaconflow.collector.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.collector.server.BeaconHandler.Format;
import io.beaconflow.collector.translate.BadPayloadException;
import io.beaconflow.collector.translate.ContractEvents;
import io.beaconflow.collector.translate.EdgeContext;
import io.beaconflow.collector.translate.OtlpJson;
import io.beaconflow.collector.translate.ServerSpanTranslator;
import io.beaconflow.collector.translate.Translation;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The backend path of {@code POST /v1/traces}: an export that carries an app's backend key holds a
 * backend's SERVER spans ({@link ServerSpanTranslator}), written one record each to the
 * server-spans topic. No CORS: a browser never holds a backend key.
 */
final class ServerSpanIngest {
    private final BeaconHandler.Shared s;
    private final Replies replies;

    ServerSpanIngest(BeaconHandler.Shared shared, Replies replies) {
        this.s = shared;
        this.replies = replies;
    }

    /**
     * A backend's export: SERVER spans, one record each keyed by trace id, to the server-spans
     * topic; 200 only after Kafka acknowledged every one (the browser path's no-loss rule).
     */
    boolean ingest(
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
                JsonNode root = replies.jsonOrRefuse(ctx, req, format, body, null);
                if (root == null) {
                    return false;
                }
                export = OtlpJson.parse(root);
            }
            t = ServerSpanTranslator.translate(export, app, edge);
        } catch (BadPayloadException e) {
            replies.refuse(ctx, req, format, 400, "bad_payload", e.getMessage(), null);
            return false;
        }
        if (replies.refusedAsTooMany(ctx, req, format, t.events().size(), "server spans", null)) {
            return false;
        }
        if (!t.rejected().isEmpty()) {
            s.metrics.itemsRejected.labelValues("otlp-server").inc(t.rejected().size());
        }
        if (t.events().isEmpty()) {
            replies.accepted(ctx, req, format, t, protobuf, null);
            return false;
        }
        if (!s.sink.ready() || !s.sink.serverSpansReady()) {
            replies.retryLater(
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
        return replies.writeThenAnswer(
                ctx,
                req,
                format,
                null,
                bytes,
                () -> {
                    List<CompletableFuture<Void>> acks = new ArrayList<>();
                    for (int i = 0; i < values.size(); i++) {
                        // Keyed by trace id: every span of a trace on one partition, in order.
                        byte[] key =
                                t.events()
                                        .get(i)
                                        .path("trace_id")
                                        .asText()
                                        .getBytes(StandardCharsets.UTF_8);
                        acks.add(s.sink.sendServerSpan(key, values.get(i), edge.receivedAt()));
                    }
                    return acks;
                },
                "otlp-server",
                values.size(),
                t,
                protobuf);
    }
}
