package io.beaconflow.jobs.testing;

import io.beaconflow.jobs.model.RawBeacon;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Domain-language fixtures for raw beacons: {@code pageView("s1", T0)}, {@code jsError("s1",
 * T0.plusSeconds(3))}, {@code batch(sentAt, ...)}. Builds JSON text per docs/rum-events.md.
 */
public final class Beacons {
    private Beacons() {}

    public static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");
    public static final String CHROME_DESKTOP =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                    + " Chrome/120.0.0.0 Safari/537.36";
    public static final String GOOGLEBOT =
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private static final AtomicLong IDS = new AtomicLong();

    /** A JSON event object under construction. */
    public static final class Event {
        private final StringBuilder fields = new StringBuilder();

        Event(String type, String session, Instant at) {
            put("event_id", "e-" + IDS.incrementAndGet());
            put("type", type);
            put("app", "shop");
            put("release", "1.0.0");
            put("session_id", session);
            raw("occurred_at", String.valueOf(at.toEpochMilli()));
            put("page_url", "https://shop.example/products/123?ref=mail&utm_source=news");
        }

        public Event put(String key, String value) {
            return raw(key, value == null ? "null" : "\"" + value.replace("\"", "\\\"") + "\"");
        }

        /** A field with raw JSON text as its value (numbers, objects, wrong types). */
        public Event raw(String key, String json) {
            String marker = "\"" + key + "\":";
            int at = fields.indexOf(marker);
            if (at >= 0) {
                int end = valueEnd(at + marker.length());
                fields.replace(at, end, marker + json);
            } else {
                if (fields.length() > 0) fields.append(',');
                fields.append(marker).append(json);
            }
            return this;
        }

        public Event without(String key) {
            String marker = "\"" + key + "\":";
            int at = fields.indexOf(marker);
            if (at >= 0) {
                int end = valueEnd(at + marker.length());
                int start = at > 0 && fields.charAt(at - 1) == ',' ? at - 1 : at;
                if (start == at && end < fields.length() && fields.charAt(end) == ',') end++;
                fields.delete(start, end);
            }
            return this;
        }

        public Event id(String eventId) {
            return put("event_id", eventId);
        }

        public Event sentAt(Instant t) {
            return raw("sent_at", String.valueOf(t.toEpochMilli()));
        }

        public Event receivedAt(Instant t) {
            return raw("received_at", String.valueOf(t.toEpochMilli()));
        }

        public Event userAgent(String ua) {
            return put("user_agent", ua);
        }

        private int valueEnd(int from) {
            int depth = 0;
            boolean inString = false;
            for (int i = from; i < fields.length(); i++) {
                char c = fields.charAt(i);
                if (inString) {
                    if (c == '\\') i++;
                    else if (c == '"') inString = false;
                } else if (c == '"') inString = true;
                else if (c == '{' || c == '[') depth++;
                else if (c == '}' || c == ']') depth--;
                else if (c == ',' && depth == 0) return i;
            }
            return fields.length();
        }

        public String json() {
            return "{" + fields + "}";
        }

        /** As a single-event record (with schema_version). */
        public String single() {
            return "{\"schema_version\":1," + fields + "}";
        }
    }

    public static Event pageView(String session, Instant at) {
        return new Event("page_view", session, at)
                .raw(
                        "page_view",
                        "{\"ttfb_ms\":120,\"dom_content_loaded_ms\":800,\"load_ms\":1500}");
    }

    public static Event webVital(String session, Instant at, String name, double value) {
        return new Event("web_vital", session, at)
                .raw("web_vital", "{\"name\":\"" + name + "\",\"value\":" + value + "}");
    }

    public static Event fetch(String session, Instant at, int status, double durationMs) {
        return new Event("fetch", session, at)
                .raw(
                        "fetch",
                        "{\"url\":\"https://api.shop.example/cart?id=9\",\"method\":\"GET\",\"status\":"
                                + status
                                + ",\"duration_ms\":"
                                + durationMs
                                + ",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\"}");
    }

    public static Event jsError(String session, Instant at) {
        return new Event("error", session, at)
                .raw(
                        "error",
                        "{\"type\":\"TypeError\",\"message\":\"x is undefined at 42\",\"stack\":\"TypeError: x\\n    at render (app.js:10:5)\"}");
    }

    public static Event click(String session, Instant at, String target) {
        return new Event("action", session, at)
                .raw("action", "{\"type\":\"click\",\"target\":\"" + target + "\"}");
    }

    /** A batch envelope around events, sent and received at the given instants. */
    public static String batch(Instant sentAt, Instant receivedAt, Event... events) {
        List<String> parts = new ArrayList<>();
        for (Event e : events) parts.add(e.json());
        return "{\"schema_version\":1,\"sent_at\":"
                + sentAt.toEpochMilli()
                + ",\"received_at\":"
                + receivedAt.toEpochMilli()
                + ",\"user_agent\":\""
                + CHROME_DESKTOP
                + "\",\"client_ip\":\"203.0.113.77\",\"country\":\"DE\",\"events\":["
                + String.join(",", parts)
                + "]}";
    }

    public static RawBeacon raw(String json, Instant receivedAt) {
        return raw(json.getBytes(StandardCharsets.UTF_8), receivedAt);
    }

    public static RawBeacon raw(byte[] payload, Instant receivedAt) {
        return new RawBeacon(
                payload, "rum-raw", 0, IDS.incrementAndGet(), receivedAt.toEpochMilli());
    }

    /**
     * The beacons as one partition of {@code topic} delivers them: in arrival order (ties keep list
     * order), at offsets 0, 1, 2, ...
     */
    public static RawBeacon[] asOnePartition(List<RawBeacon> beacons, String topic) {
        List<RawBeacon> sorted = new ArrayList<>(beacons);
        sorted.sort(Comparator.comparingLong(b -> b.receivedAt));
        RawBeacon[] out = new RawBeacon[sorted.size()];
        for (int k = 0; k < out.length; k++) {
            RawBeacon b = sorted.get(k);
            out[k] = new RawBeacon(b.payload, topic, 0, k, b.receivedAt);
        }
        return out;
    }
}
