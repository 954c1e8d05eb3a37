package io.beaconflow.jobs.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.io.RawBeaconDecoder;
import io.beaconflow.jobs.model.DeadLetter;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RejectReason;
import io.beaconflow.jobs.model.RumEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Decodes one raw record (a single event or a batch envelope, docs/rum-events.md) into accepted
 * events and dead letters. Runs inside the source so watermarks follow decoded event time.
 *
 * <p>It never throws on input: every problem becomes a {@link DeadLetter} with a {@link
 * RejectReason}. A problem with the record as a whole (not JSON, oversized, bad envelope) rejects
 * the record once; a problem with one event of a batch rejects that event only, and its siblings
 * are still accepted.
 */
public final class BeaconDecoder implements RawBeaconDecoder<IngestRecord> {
    private static final long serialVersionUID = 1L;

    public static final int SCHEMA_VERSION = 1;
    private static final int MAX_ID_LENGTH = 128;
    private static final Set<String> VITALS = Set.of("LCP", "INP", "CLS", "FCP", "TTFB");

    /** {@code page_view.navigation}: a document load (the default when absent). */
    public static final String NAVIGATION_FULL = "full";

    /** {@code page_view.navigation}: a same-document route change of a single-page app. */
    public static final String NAVIGATION_ROUTE_CHANGE = "route_change";

    private static final Set<String> RATINGS = Set.of("good", "needs-improvement", "poor");

    private static final String MAX_DURATION_KEY = "ingest.limits.max-duration-ms";

    private final IngestConfig config;
    private transient ObjectMapper mapper;

    public BeaconDecoder(IngestConfig config) {
        this.config = config;
    }

    @Override
    public void decode(RawBeacon raw, Consumer<IngestRecord> out) {
        byte[] payload = raw.payload == null ? new byte[0] : raw.payload;
        if (payload.length == 0) {
            out.accept(reject(raw, -1, RejectReason.NOT_JSON, "empty record", payload));
            return;
        }
        if (payload.length > config.maxRecordBytes) {
            out.accept(
                    reject(
                            raw,
                            -1,
                            RejectReason.OVERSIZED,
                            payload.length + " bytes > max-record-bytes " + config.maxRecordBytes,
                            payload));
            return;
        }
        if (!Utf8.isValid(payload)) {
            out.accept(reject(raw, -1, RejectReason.INVALID_UTF8, "not valid UTF-8", payload));
            return;
        }
        JsonNode root;
        try {
            root = mapper().readTree(payload);
        } catch (StreamConstraintsException e) {
            out.accept(
                    reject(
                            raw,
                            -1,
                            RejectReason.TOO_DEEP,
                            "nesting deeper than max-nesting-depth " + config.maxNestingDepth,
                            payload));
            return;
        } catch (IOException e) {
            String msg =
                    e instanceof JsonProcessingException
                            ? ((JsonProcessingException) e).getOriginalMessage()
                            : e.getMessage();
            out.accept(reject(raw, -1, RejectReason.NOT_JSON, firstLine(msg), payload));
            return;
        }
        try {
            if (root == null || !root.isObject()) {
                throw new Reject(RejectReason.WRONG_TYPE, "a record must be a JSON object");
            }
            checkSchemaVersion(root, true);
            JsonNode events = root.get("events");
            if (events == null) {
                decodeEvent(raw, root, null, -1, payload, out);
                return;
            }
            if (!events.isArray()) {
                throw new Reject(RejectReason.WRONG_TYPE, "events must be an array");
            }
            if (events.isEmpty()) {
                throw new Reject(RejectReason.EMPTY_BATCH, "events is empty");
            }
            if (events.size() > config.maxBatchEvents) {
                throw new Reject(
                        RejectReason.OVERSIZED,
                        events.size() + " events > max-batch-events " + config.maxBatchEvents);
            }
            Envelope envelope = new Envelope(root);
            for (int i = 0; i < events.size(); i++) {
                decodeEvent(raw, events.get(i), envelope, i, payload, out);
            }
        } catch (Reject r) {
            out.accept(reject(raw, -1, r.reason, r.getMessage(), payload));
        }
    }

    /** Fields of a batch envelope that every event inherits unless it sets them itself. */
    private static final class Envelope {
        final long sentAt;
        final long receivedAt;
        final String clientIp;
        final String userAgent;
        final String country;

        Envelope(JsonNode root) {
            this.sentAt = optionalMillis(root, "sent_at", ClockSkew.NO_SENT_AT);
            this.receivedAt = optionalMillis(root, "received_at", -1);
            this.clientIp = optionalText(root, "client_ip");
            this.userAgent = optionalText(root, "user_agent");
            this.country = optionalText(root, "country");
        }
    }

    private void decodeEvent(
            RawBeacon raw,
            JsonNode node,
            Envelope envelope,
            int index,
            byte[] payload,
            Consumer<IngestRecord> out) {
        try {
            out.accept(IngestRecord.accepted(toEvent(raw, node, envelope)));
        } catch (Reject r) {
            DeadLetter dl;
            if (index < 0) {
                dl = reject(raw, -1, r.reason, r.getMessage(), payload).deadLetter;
            } else {
                byte[] eventBytes =
                        node.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                dl = reject(raw, index, r.reason, r.getMessage(), eventBytes).deadLetter;
            }
            if (node != null && node.isObject()) {
                dl.app = node.path("app").isTextual() ? node.get("app").asText() : null;
                dl.eventId =
                        node.path("event_id").isTextual() ? node.get("event_id").asText() : null;
            }
            out.accept(IngestRecord.rejected(dl));
        }
    }

    private RumEvent toEvent(RawBeacon raw, JsonNode n, Envelope env) {
        IngestConfig.LimitsConfig limits = config.limits;
        double maxDuration = limits.maxDurationMs;
        if (!n.isObject()) {
            throw new Reject(RejectReason.WRONG_TYPE, "an event must be a JSON object");
        }
        if (env != null) {
            checkSchemaVersion(n, false);
        }
        RumEvent e = new RumEvent();
        e.schemaVersion = SCHEMA_VERSION;
        e.eventId = requiredId(n, "event_id");
        String typeName = requiredText(n, "type");
        e.type = EventType.fromWire(typeName);
        if (e.type == null) {
            throw new Reject(
                    RejectReason.UNKNOWN_EVENT_TYPE, "unknown event type '" + typeName + "'");
        }
        e.app = requiredId(n, "app");
        e.sessionId = requiredId(n, "session_id");
        e.release = optionalText(n, "release");
        e.environment = optionalText(n, "environment");
        e.viewId = optionalText(n, "view_id");
        e.userId = optionalText(n, "user_id");
        e.pageUrl = optionalText(n, "page_url");
        e.referrer = optionalText(n, "referrer");

        e.occurredAt = requiredMillis(n, "occurred_at");
        long sentAt = optionalMillis(n, "sent_at", env == null ? ClockSkew.NO_SENT_AT : env.sentAt);
        long hint = optionalMillis(n, "received_at", env == null ? -1 : env.receivedAt);
        e.sentAt = sentAt;
        e.receivedAt = raw.receivedAt;
        e.eventTime = eventTime(e.occurredAt, sentAt, hint, raw.receivedAt);

        e.userAgent =
                firstNonNull(optionalText(n, "user_agent"), env == null ? null : env.userAgent);
        e.clientIp = firstNonNull(optionalText(n, "client_ip"), env == null ? null : env.clientIp);
        e.country = firstNonNull(optionalText(n, "country"), env == null ? null : env.country);
        JsonNode network = optionalObject(n, "network");
        if (network != null) {
            e.networkType = optionalText(network, "effective_type");
            // Not aggregated, but part of the contract: bounded like every other number.
            optionalBounded(network, "network.rtt_ms", "rtt_ms", maxDuration, MAX_DURATION_KEY);
            optionalBounded(
                    network,
                    "network.downlink_mbps",
                    "downlink_mbps",
                    limits.maxDownlinkMbps,
                    "ingest.limits.max-downlink-mbps");
        }
        e.experiments = optionalStringMap(n, "experiments");
        JsonNode sample = n.get("sample_rate");
        if (sample != null && !sample.isNull()) {
            double rate = number(sample, "sample_rate");
            if (!(rate >= limits.minSampleRate && rate <= 1)) {
                throw new Reject(
                        RejectReason.INVALID_VALUE,
                        "sample_rate must be in ["
                                + limits.minSampleRate
                                + ", 1] (ingest.limits.min-sample-rate), got "
                                + rate);
            }
            e.sampleRate = rate;
        }

        switch (e.type) {
            case PAGE_VIEW:
                JsonNode pv = optionalObject(n, "page_view");
                if (pv != null) {
                    e.ttfbMs = optionalDuration(pv, "page_view.ttfb_ms", "ttfb_ms");
                    e.domContentLoadedMs =
                            optionalDuration(
                                    pv, "page_view.dom_content_loaded_ms", "dom_content_loaded_ms");
                    e.loadMs = optionalDuration(pv, "page_view.load_ms", "load_ms");
                    String navigation = optionalText(pv, "navigation");
                    if (navigation != null
                            && !NAVIGATION_FULL.equals(navigation)
                            && !NAVIGATION_ROUTE_CHANGE.equals(navigation)) {
                        throw new Reject(
                                RejectReason.INVALID_VALUE,
                                "page_view.navigation must be '"
                                        + NAVIGATION_FULL
                                        + "' or '"
                                        + NAVIGATION_ROUTE_CHANGE
                                        + "', got "
                                        + navigation);
                    }
                    e.routeChange = NAVIGATION_ROUTE_CHANGE.equals(navigation);
                    Double routeChangeMs =
                            optionalDuration(pv, "page_view.route_change_ms", "route_change_ms");
                    // Bounded even when unused; a full page load has its own timings instead.
                    e.routeChangeMs = e.routeChange ? routeChangeMs : null;
                }
                break;
            case WEB_VITAL:
                JsonNode wv = requiredObject(n, "web_vital");
                e.vitalName = requiredText(wv, "name");
                if (!VITALS.contains(e.vitalName)) {
                    throw new Reject(
                            RejectReason.INVALID_VALUE,
                            "web_vital.name must be one of " + VITALS + ", got " + e.vitalName);
                }
                e.vitalValue =
                        "CLS".equals(e.vitalName)
                                ? requiredBounded(
                                        wv,
                                        "web_vital.value",
                                        "value",
                                        limits.maxCls,
                                        "ingest.limits.max-cls")
                                : requiredDuration(wv, "web_vital.value", "value");
                e.vitalRating = optionalText(wv, "rating");
                if (e.vitalRating != null && !RATINGS.contains(e.vitalRating)) {
                    throw new Reject(
                            RejectReason.INVALID_VALUE,
                            "web_vital.rating must be one of " + RATINGS);
                }
                break;
            case FETCH:
                JsonNode f = requiredObject(n, "fetch");
                e.fetchUrl = requiredText(f, "url");
                e.fetchMethod = optionalText(f, "method");
                e.fetchDurationMs = requiredDuration(f, "fetch.duration_ms", "duration_ms");
                JsonNode status = f.get("status");
                if (status != null && !status.isNull()) {
                    if (!status.isIntegralNumber() || !status.canConvertToInt()) {
                        throw new Reject(
                                RejectReason.WRONG_TYPE, "fetch.status must be an integer");
                    }
                    int s = status.asInt();
                    if (s < 0 || s > 999) {
                        throw new Reject(
                                RejectReason.INVALID_VALUE, "fetch.status out of range: " + s);
                    }
                    e.fetchStatus = s;
                }
                e.traceId = optionalText(f, "trace_id");
                e.spanId = optionalText(f, "span_id");
                break;
            case ERROR:
                JsonNode er = requiredObject(n, "error");
                e.errorMessage = requiredText(er, "message");
                e.errorType = optionalText(er, "type");
                e.errorStack = optionalText(er, "stack");
                e.errorFingerprint = optionalText(er, "fingerprint");
                break;
            case ACTION:
                JsonNode a = requiredObject(n, "action");
                e.actionTarget = requiredText(a, "target");
                String actionType = optionalText(a, "type");
                e.actionType = actionType == null ? "click" : actionType;
                e.actionName = optionalText(a, "name");
                break;
            case CUSTOM:
                JsonNode c = requiredObject(n, "custom");
                e.customName = requiredText(c, "name");
                JsonNode v = c.get("value");
                if (v != null && !v.isNull()) {
                    double d = number(v, "custom.value");
                    if (!(Math.abs(d) <= limits.maxCustomValue)) {
                        throw new Reject(
                                RejectReason.INVALID_VALUE,
                                "custom.value must be finite and within ±"
                                        + limits.maxCustomValue
                                        + " (ingest.limits.max-custom-value), got "
                                        + d);
                    }
                    e.customValue = d;
                }
                e.customAttributes = optionalStringMap(c, "attributes");
                break;
            default:
                throw new IllegalStateException("unhandled type " + e.type);
        }
        return e;
    }

    /**
     * Event time, bounded by what the job can trust. {@code trusted} is the arrival time that the
     * collector stamped on the Kafka record (record timestamp or {@code received-at} header, see
     * {@code BeaconKafkaSource}); every field of the payload came from the browser. A payload
     * {@code received_at} is only a hint that may move the arrival earlier (a collector that
     * batched before writing to Kafka), never later than trusted time. Then:
     *
     * <ul>
     *   <li>with {@code sent_at}: event time = arrival − (sent_at − occurred_at), the client's own
     *       "how long ago", which is reliable even when its clock is not;
     *   <li>without: event time = occurred_at, the client clock as it is.
     * </ul>
     *
     * An event time more than max-future after trusted time is {@code TIMESTAMP_IN_FUTURE}, more
     * than max-age before it {@code TIMESTAMP_TOO_OLD}; an accepted event time is clamped to the
     * arrival, so it is never after trusted time and no record can push a watermark past it. The
     * arithmetic cannot overflow: epoch fields are ≥ 0, so their difference fits a long, and an
     * "ago" outside [−max-future, max-age] is rejected before it is subtracted.
     */
    private long eventTime(long occurredAt, long sentAt, long hint, long trusted) {
        long maxFutureMs = config.maxFuture.toMillis();
        long maxAgeMs = config.maxAge.toMillis();
        if (trusted < 0) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    "record has no arrival time (Kafka record timestamp or received-at header)");
        }
        long arrival = hint >= 0 ? Math.min(hint, trusted) : trusted;
        // behind = trusted time − unclamped event time
        long behind;
        if (sentAt == ClockSkew.NO_SENT_AT) {
            behind = trusted - occurredAt;
        } else {
            try {
                behind = Math.addExact(trusted - arrival, sentAt - occurredAt);
            } catch (ArithmeticException overflow) {
                behind = Long.MAX_VALUE; // both parts positive: absurdly old
            }
        }
        if (behind < -maxFutureMs) {
            throw new Reject(
                    RejectReason.TIMESTAMP_IN_FUTURE,
                    "event time "
                            + -behind
                            + " ms after the arrival time (max-future "
                            + maxFutureMs
                            + " ms)");
        }
        if (behind > maxAgeMs) {
            throw new Reject(
                    RejectReason.TIMESTAMP_TOO_OLD,
                    "event time "
                            + (behind == Long.MAX_VALUE ? "far" : behind + " ms")
                            + " before the arrival time (max-age "
                            + maxAgeMs
                            + " ms)");
        }
        // Within tolerance, an event cannot have happened after it arrived.
        long eventTime = behind <= 0 ? arrival : Math.min(trusted - behind, arrival);
        if (trusted - eventTime > maxAgeMs) {
            // an old received_at hint pulled the arrival (and so the event) out of range
            throw new Reject(
                    RejectReason.TIMESTAMP_TOO_OLD,
                    "event time "
                            + (trusted - eventTime)
                            + " ms before the arrival time (max-age "
                            + maxAgeMs
                            + " ms)");
        }
        return eventTime;
    }

    // ---- field readers; each throws Reject with the field's name ----

    private static void checkSchemaVersion(JsonNode n, boolean required) {
        JsonNode v = n.get("schema_version");
        if (v == null || v.isNull()) {
            if (required) {
                throw new Reject(RejectReason.MISSING_FIELD, "schema_version is missing");
            }
            return;
        }
        if (!v.isIntegralNumber()) {
            throw new Reject(RejectReason.WRONG_TYPE, "schema_version must be an integer");
        }
        // canConvertToLong: asLong() of 2^64 + 1 is 1.
        if (!v.canConvertToLong() || v.asLong() != SCHEMA_VERSION) {
            throw new Reject(
                    RejectReason.UNKNOWN_SCHEMA_VERSION,
                    "schema_version " + v.asText() + " is not supported (supported: 1)");
        }
    }

    private static String requiredText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
        }
        if (!v.isTextual()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be a string");
        }
        return v.asText();
    }

    private static String requiredId(JsonNode n, String field) {
        String s = requiredText(n, field);
        if (s.isEmpty()) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is empty");
        }
        if (s.length() > MAX_ID_LENGTH) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    field + " longer than " + MAX_ID_LENGTH + " characters");
        }
        return s;
    }

    private static String optionalText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be a string");
        }
        return v.asText();
    }

    private static long requiredMillis(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
        }
        return millis(v, field);
    }

    private static long optionalMillis(JsonNode n, String field, long absent) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        return millis(v, field);
    }

    private static long millis(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Reject(
                    RejectReason.WRONG_TYPE, field + " must be an integer of epoch milliseconds");
        }
        long t = v.asLong();
        if (t < 0) {
            throw new Reject(RejectReason.INVALID_VALUE, field + " is negative");
        }
        return t;
    }

    private static double number(JsonNode v, String field) {
        if (!v.isNumber()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be a number");
        }
        return v.asDouble();
    }

    private Double requiredDuration(JsonNode n, String path, String field) {
        return requiredBounded(n, path, field, config.limits.maxDurationMs, MAX_DURATION_KEY);
    }

    private Double optionalDuration(JsonNode n, String path, String field) {
        return optionalBounded(n, path, field, config.limits.maxDurationMs, MAX_DURATION_KEY);
    }

    private static Double requiredBounded(
            JsonNode n, String path, String field, double max, String key) {
        Double d = optionalBounded(n, path, field, max, key);
        if (d == null) {
            throw new Reject(RejectReason.MISSING_FIELD, path + " is missing");
        }
        return d;
    }

    /** A number in [0, max]; NaN, infinities and negatives are rejected with the field's name. */
    private static Double optionalBounded(
            JsonNode n, String path, String field, double max, String key) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        double d = number(v, path);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new Reject(RejectReason.INVALID_VALUE, path + " is not a finite number");
        }
        if (d < 0) {
            throw new Reject(RejectReason.INVALID_VALUE, path + " is negative: " + d);
        }
        if (d > max) {
            throw new Reject(
                    RejectReason.INVALID_VALUE,
                    path + " is " + d + ", above the limit " + max + " (" + key + ")");
        }
        return d == 0 ? 0.0 : d; // -0.0 (found by the fuzz test) is read as 0
    }

    private static JsonNode optionalObject(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new Reject(RejectReason.WRONG_TYPE, field + " must be an object");
        }
        return v;
    }

    private static JsonNode requiredObject(JsonNode n, String field) {
        JsonNode v = optionalObject(n, field);
        if (v == null) {
            throw new Reject(RejectReason.MISSING_FIELD, field + " is missing");
        }
        return v;
    }

    private static Map<String, String> optionalStringMap(JsonNode n, String field) {
        JsonNode v = optionalObject(n, field);
        if (v == null) {
            return null;
        }
        Map<String, String> m = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new Reject(
                        RejectReason.WRONG_TYPE,
                        field + "." + entry.getKey() + " must be a string");
            }
            m.put(entry.getKey(), entry.getValue().asText());
        }
        return m;
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }

    private static String firstLine(String s) {
        if (s == null) return "unparseable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private IngestRecord reject(
            RawBeacon raw, int index, RejectReason reason, String detail, byte[] bytes) {
        DeadLetter d = new DeadLetter();
        d.reason = reason;
        d.detail = detail;
        d.source = raw.source;
        d.partition = raw.partition;
        d.offset = raw.offset;
        d.batchIndex = index;
        d.position = raw.position() + (index >= 0 ? "#" + index : "");
        d.receivedAt = raw.receivedAt;
        d.payloadBytes = bytes.length;
        d.truncated = bytes.length > config.deadLetterPayloadBytes;
        d.payload = Utf8.lenientPrefix(bytes, config.deadLetterPayloadBytes);
        return IngestRecord.rejected(d);
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            JsonFactory factory =
                    JsonFactory.builder()
                            .streamReadConstraints(
                                    StreamReadConstraints.builder()
                                            .maxNestingDepth(config.maxNestingDepth)
                                            .build())
                            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                            .build();
            mapper = JsonMapper.builder(factory).build();
        }
        return mapper;
    }

    /** A rejection; control flow only, so no stack trace. */
    private static final class Reject extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final RejectReason reason;

        Reject(RejectReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }
}
