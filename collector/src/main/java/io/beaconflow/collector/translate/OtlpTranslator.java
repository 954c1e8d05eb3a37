package io.beaconflow.collector.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.beaconflow.collector.translate.ContractEvents.Meta;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * OTLP/HTTP trace exports ({@code POST /v1/traces}) from OpenTelemetry JS web, as protobuf ({@code
 * application/x-protobuf}) or JSON ({@code application/json}), into contract events via {@link
 * SpanTranslator}. App, release, environment and user come from resource attributes; the session
 * from each span's {@code session.id} (OpenTelemetry web-common's session span processor). A span
 * that should become an event but has no session is rejected and reported back in the OTLP
 * partial-success answer.
 */
public final class OtlpTranslator {
    private OtlpTranslator() {}

    public static Translation fromProtobuf(byte[] body, EdgeContext edge)
            throws BadPayloadException {
        ExportTraceServiceRequest req;
        try {
            req = ExportTraceServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new BadPayloadException("not an OTLP protobuf trace export: " + e.getMessage());
        }
        return translate(req, edge);
    }

    public static Translation fromJson(JsonNode root, EdgeContext edge) throws BadPayloadException {
        return translate(OtlpJson.parse(root), edge);
    }

    public static Translation translate(ExportTraceServiceRequest req, EdgeContext edge) {
        Translation out = new Translation();
        Meta none = new Meta(null, null, null, null, null, null);
        SpanTranslator.translate(req.getResourceSpansList(), none, edge, out);
        return out;
    }
}
