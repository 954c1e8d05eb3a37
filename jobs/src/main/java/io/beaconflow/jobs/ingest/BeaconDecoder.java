package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.ingest.BeaconFields.checkSchemaVersion;
import static io.beaconflow.jobs.ingest.BeaconFields.number;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalBounded;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalDuration;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalMillis;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalObject;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalStringMap;
import static io.beaconflow.jobs.ingest.BeaconFields.optionalText;
import static io.beaconflow.jobs.ingest.BeaconFields.requiredId;
import static io.beaconflow.jobs.ingest.BeaconFields.requiredMillis;
import static io.beaconflow.jobs.ingest.BeaconFields.requiredText;

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

    /** {@code page_view.navigation}: a document load (the default when absent). */
    public static final String NAVIGATION_FULL = "full";

    /** {@code page_view.navigation}: a same-document route change of a single-page app. */
    public static final String NAVIGATION_ROUTE_CHANGE = "route_change";

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
        e.eventTime =
                ClockSkew.eventTime(
                        e.occurredAt,
                        sentAt,
                        hint,
                        raw.receivedAt,
                        config.maxFuture.toMillis(),
                        config.maxAge.toMillis());

        e.userAgent =
                firstNonNull(optionalText(n, "user_agent"), env == null ? null : env.userAgent);
        e.clientIp = firstNonNull(optionalText(n, "client_ip"), env == null ? null : env.clientIp);
        e.country = firstNonNull(optionalText(n, "country"), env == null ? null : env.country);
        JsonNode network = optionalObject(n, "network");
        if (network != null) {
            e.networkType = optionalText(network, "effective_type");
            // Not aggregated, but part of the contract: bounded like every other number.
            optionalDuration(limits, network, "network.rtt_ms", "rtt_ms");
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

        EventBodies.read(e, n, limits);
        return e;
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
}
