package io.beaconflow.jobs.traces;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.ingest.Utf8;
import io.beaconflow.jobs.io.RawBeaconDecoder;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RejectReason;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One server-span record (docs/rum-events.md, "Server spans") into a {@link ServerSpan}, or a dead
 * letter with the reason: its own small decoder, so server spans never pass through the browser
 * event decoder. Never throws on bad input.
 *
 * <p>Checks: JSON object of {@code type: server_span}, schema version 1, hex ids of the right
 * length (they are join keys and state keys), a service, a start within {@code ingest.max-future}
 * of the collector's receive time and not older than {@code ingest.max-age}, a duration in [0,
 * {@code ingest.limits.max-duration-ms}], strings cut to bounded lengths.
 */
public final class ServerSpanDecoder implements RawBeaconDecoder<ServerSpanRecord> {
    private static final long serialVersionUID = 1L;

    static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
    static final int MAX_TEXT = 512;

    private final IngestConfig config;
    private transient ObjectMapper mapper;

    public ServerSpanDecoder(IngestConfig config) {
        this.config = config;
    }

    private static final class Reject extends Exception {
        private static final long serialVersionUID = 1L;
        final RejectReason reason;

        Reject(RejectReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    @Override
    public void decode(RawBeacon raw, Consumer<ServerSpanRecord> out) {
        byte[] payload = raw.payload == null ? new byte[0] : raw.payload;
        try {
            out.accept(ServerSpanRecord.accepted(decode(raw, payload)));
        } catch (Reject r) {
            out.accept(ServerSpanRecord.rejected(deadLetter(raw, r, payload)));
        }
    }

    private ServerSpan decode(RawBeacon raw, byte[] payload) throws Reject {
        if (payload.length == 0) throw new Reject(RejectReason.NOT_JSON, "empty record");
        if (payload.length > config.maxRecordBytes) {
            throw new Reject(
                    RejectReason.OVERSIZED,
                    payload.length + " bytes > max-record-bytes " + config.maxRecordBytes);
        }
        if (!Utf8.isValid(payload)) throw new Reject(RejectReason.INVALID_UTF8, "not UTF-8");
        JsonNode n;
        try {
            n = mapper().readTree(payload);
        } catch (IOException e) {
            throw new Reject(RejectReason.NOT_JSON, firstLine(e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw new Reject(RejectReason.WRONG_TYPE, "a server span must be a JSON object");
        }
        if (!"server_span".equals(text(n, "type", false))) {
            throw new Reject(
                    RejectReason.UNKNOWN_EVENT_TYPE,
                    "type must be server_span, got " + n.path("type"));
        }
        JsonNode v = n.get("schema_version");
        if (v == null || !v.canConvertToInt() || v.asInt() != 1) {
            throw new Reject(
                    RejectReason.UNKNOWN_SCHEMA_VERSION, "schema_version must be 1, got " + v);
        }
        ServerSpan s = new ServerSpan();
        s.app = text(n, "app", true);
        s.service = text(n, "service", true);
        s.traceId = id(n, "trace_id", TRACE_ID);
        s.spanId = id(n, "span_id", SPAN_ID);
        s.parentSpanId = id(n, "parent_span_id", SPAN_ID);
        s.method = text(n, "method", false);
        s.route = text(n, "route", false);
        JsonNode status = n.get("status");
        if (status != null && !status.isNull()) {
            if (!status.canConvertToInt() || status.asInt() < 100 || status.asInt() > 999) {
                throw new Reject(RejectReason.INVALID_VALUE, "status must be 100..999");
            }
            s.status = status.asInt();
        }
        s.error = n.path("error").asBoolean(false);
        // The collector's clock, from its Kafka record; a payload value is only a fallback for
        // records written by other producers.
        s.receivedAt = raw.receivedAt > 0 ? raw.receivedAt : number(n, "received_at").longValue();
        s.startMs = number(n, "start_ms").longValue();
        if (s.startMs > s.receivedAt + config.maxFuture.toMillis()) {
            throw new Reject(
                    RejectReason.TIMESTAMP_IN_FUTURE,
                    "start_ms is more than ingest.max-future after the collector received it");
        }
        if (s.startMs < s.receivedAt - config.maxAge.toMillis()) {
            throw new Reject(
                    RejectReason.TIMESTAMP_TOO_OLD, "start_ms is older than ingest.max-age");
        }
        s.durationMs = number(n, "duration_ms").doubleValue();
        if (!(s.durationMs >= 0) || s.durationMs > config.limits.maxDurationMs) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    "duration_ms must be in [0, ingest.limits.max-duration-ms]");
        }
        return s;
    }

    private static String text(JsonNode n, String field, boolean required) throws Reject {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
            return null;
        }
        if (!v.isTextual()) throw new Reject(RejectReason.WRONG_TYPE, field + " must be a string");
        String s = v.asText();
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }

    private static String id(JsonNode n, String field, Pattern shape) throws Reject {
        String s = text(n, field, true);
        if (!shape.matcher(s).matches()) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    field + " is not lower-case hex of the" + " right length");
        }
        return s;
    }

    private static Number number(JsonNode n, String field) throws Reject {
        JsonNode v = n.get(field);
        if (v == null || v.isNull())
            throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
        if (!v.isNumber()) throw new Reject(RejectReason.WRONG_TYPE, field + " must be a number");
        return v.numberValue();
    }

    private DeadLetter deadLetter(RawBeacon raw, Reject r, byte[] bytes) {
        DeadLetter d = new DeadLetter();
        d.reason = r.reason;
        d.detail = "server span: " + r.getMessage();
        d.source = raw.source;
        d.partition = raw.partition;
        d.offset = raw.offset;
        d.position = raw.position();
        d.receivedAt = raw.receivedAt;
        d.payloadBytes = bytes.length;
        d.truncated = bytes.length > config.deadLetterPayloadBytes;
        d.payload = Utf8.lenientPrefix(bytes, config.deadLetterPayloadBytes);
        return d;
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            mapper =
                    JsonMapper.builder(
                                    JsonFactory.builder()
                                            .streamReadConstraints(
                                                    StreamReadConstraints.builder()
                                                            .maxNestingDepth(config.maxNestingDepth)
                                                            .build())
                                            .build())
                            .build();
        }
        return mapper;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
