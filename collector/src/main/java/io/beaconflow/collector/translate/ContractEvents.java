package io.beaconflow.collector.translate;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * Builds events of the RUM contract (docs/rum-events.md, schema/rum-event.schema.json) and the
 * batch envelope the collector writes to Kafka. Strings are cut to the schema's maximum lengths
 * here, because a too-long URL or stack from a real page is not the visitor's fault and must not
 * make the job reject the whole event.
 */
public final class ContractEvents {
    private ContractEvents() {}

    public static final int SCHEMA_VERSION = 1;
    public static final int MAX_ID = 128;
    public static final int MAX_URL = 4096;
    public static final int MAX_MESSAGE = 4096;
    public static final int MAX_STACK = 16384;
    public static final int MAX_ERROR_TYPE = 256;
    public static final int MAX_TARGET = 512;
    public static final int MAX_NAME = 256;
    public static final int MAX_RELEASE = 128;
    public static final int MAX_ENVIRONMENT = 64;
    public static final int MAX_USER_ID = 256;
    public static final int MAX_USER_AGENT = 1024;
    public static final int MAX_METHOD = 16;

    /** Fields only the collector may set; a client's own value is removed (trust boundary). */
    public static final Set<String> EDGE_FIELDS =
            Set.of("received_at", "client_ip", "country", "user_agent");

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** What every event of one SDK payload shares. */
    public record Meta(
            String app,
            String release,
            String environment,
            String sessionId,
            String userId,
            String pageUrl) {
        public Meta withSession(String session) {
            return new Meta(app, release, environment, session, userId, pageUrl);
        }

        public Meta withApp(String a, String rel, String env) {
            return new Meta(a, rel, env, sessionId, userId, pageUrl);
        }

        public Meta withUser(String user) {
            return new Meta(app, release, environment, sessionId, user, pageUrl);
        }

        public Meta withPage(String page) {
            return new Meta(app, release, environment, sessionId, userId, page);
        }
    }

    /** A new event with the common fields; the caller adds the type's object. */
    public static ObjectNode event(String type, String eventId, Meta meta, long occurredAt) {
        ObjectNode e = F.objectNode();
        e.put("event_id", cut(eventId, MAX_ID));
        e.put("type", type);
        e.put("app", cut(meta.app(), MAX_ID));
        putIf(e, "release", cut(meta.release(), MAX_RELEASE));
        putIf(e, "environment", cut(meta.environment(), MAX_ENVIRONMENT));
        e.put("session_id", cut(meta.sessionId(), MAX_ID));
        putIf(e, "user_id", cut(meta.userId(), MAX_USER_ID));
        e.put("occurred_at", Math.max(0, occurredAt));
        putIf(e, "page_url", cut(meta.pageUrl(), MAX_URL));
        return e;
    }

    /** The batch envelope: edge fields stamped by the collector, then the events. */
    public static ObjectNode batch(EdgeContext edge, List<ObjectNode> events) {
        ObjectNode b = F.objectNode();
        b.put("schema_version", SCHEMA_VERSION);
        b.put("received_at", edge.receivedAt());
        putIf(b, "client_ip", edge.clientIp());
        putIf(b, "user_agent", cut(edge.userAgent(), MAX_USER_AGENT));
        putIf(b, "country", edge.country());
        ArrayNode arr = b.putArray("events");
        for (ObjectNode e : events) {
            arr.add(e);
        }
        return b;
    }

    public static void putIf(ObjectNode n, String field, String value) {
        if (value != null && !value.isEmpty()) {
            n.put(field, value);
        }
    }

    /** Cuts a string to at most {@code max} chars without splitting a surrogate pair. */
    public static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** A finite, non-negative duration in ms rounded to microseconds; -1 when not usable. */
    public static double durationMs(double ms) {
        if (Double.isNaN(ms) || Double.isInfinite(ms) || ms < 0) {
            return -1;
        }
        return Math.round(ms * 1000.0) / 1000.0;
    }

    public static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
