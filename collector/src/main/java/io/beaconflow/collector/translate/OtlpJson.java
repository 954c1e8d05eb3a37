package io.beaconflow.collector.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * OTLP/JSON traces into the OpenTelemetry proto classes, with protobuf's own JSON parser.
 *
 * <p>OTLP/JSON differs from protobuf's canonical JSON mapping in one way that matters: trace and
 * span ids are hex strings, where the canonical mapping expects base64 for {@code bytes}. A 32-char
 * hex id is also valid base64 and would decode silently into 24 wrong bytes, so the ids are
 * rewritten from hex to base64 before the parser sees them (OTLP specification, "JSON Protobuf
 * Encoding"). Enum values as integers and int64 as strings or numbers the parser takes as they are;
 * unknown fields are ignored, as the specification asks of receivers.
 */
public final class OtlpJson {
    private OtlpJson() {}

    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    /** Parses an OTLP/JSON {@code ExportTraceServiceRequest} given as a Jackson tree (mutated). */
    public static ExportTraceServiceRequest parse(JsonNode root) throws BadPayloadException {
        if (root == null || !root.isObject()) {
            throw new BadPayloadException("an OTLP/JSON body must be a JSON object");
        }
        for (JsonNode rs : root.path("resourceSpans")) {
            for (JsonNode ss : rs.path("scopeSpans")) {
                for (JsonNode span : ss.path("spans")) {
                    if (!span.isObject()) continue;
                    hexToBase64((ObjectNode) span, "traceId", 16);
                    hexToBase64((ObjectNode) span, "spanId", 8);
                    hexToBase64((ObjectNode) span, "parentSpanId", 8);
                    for (JsonNode link : span.path("links")) {
                        if (!link.isObject()) continue;
                        hexToBase64((ObjectNode) link, "traceId", 16);
                        hexToBase64((ObjectNode) link, "spanId", 8);
                    }
                }
            }
        }
        ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
        try {
            PARSER.merge(root.toString(), b);
        } catch (InvalidProtocolBufferException e) {
            throw new BadPayloadException("not an OTLP/JSON trace export: " + e.getMessage());
        }
        return b.build();
    }

    private static void hexToBase64(ObjectNode n, String field, int bytes)
            throws BadPayloadException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return;
        String hex = v.asText();
        if (hex.isEmpty()) {
            n.remove(field);
            return;
        }
        if (hex.length() != bytes * 2 || !HexFormat.isHexDigit(hex.charAt(0))) {
            throw new BadPayloadException(
                    field + " must be " + (bytes * 2) + " hex characters, got '" + hex + "'");
        }
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new BadPayloadException(field + " is not hex: '" + hex + "'");
        }
        n.put(field, Base64.getEncoder().encodeToString(raw));
    }
}
