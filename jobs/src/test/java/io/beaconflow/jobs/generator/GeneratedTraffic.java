package io.beaconflow.jobs.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.model.RawBeacon;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: the shipped generator config, and generated records parsed back into flat events
 * the way a downstream consumer would see them (envelope fields applied to batch events).
 */
final class GeneratedTraffic {
    static final Path CONFIG = Path.of("..", "flink-conf", "generator.yaml");
    static final Path SCHEMA = Path.of("..", "schema", "rum-event.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private GeneratedTraffic() {}

    static GeneratorConfig shipped() {
        return GeneratorConfig.load(CONFIG);
    }

    /** One event as seen downstream, with the fields tests look at. */
    record Seen(
            long receivedAt,
            String type,
            String eventId,
            String app,
            String sessionId,
            String release,
            String pageUrl,
            String country,
            String userAgent,
            String vitalName,
            double value,
            String message,
            String target,
            long occurredAt,
            boolean wellTyped) {

        String path() {
            String rest = pageUrl.substring(pageUrl.indexOf("//") + 2);
            int slash = rest.indexOf('/');
            String path = slash < 0 ? "/" : rest.substring(slash);
            int q = path.indexOf('?');
            return q < 0 ? path : path.substring(0, q);
        }
    }

    /** Parses a well-formed record into its events; throws on malformed JSON. */
    static List<Seen> events(RawBeacon raw) throws IOException {
        JsonNode root = JSON.readTree(raw.payload);
        List<Seen> out = new ArrayList<>();
        if (root.has("events")) {
            for (JsonNode e : root.get("events")) out.add(seen(raw, root, e));
        } else {
            out.add(seen(raw, root, root));
        }
        return out;
    }

    private static Seen seen(RawBeacon raw, JsonNode envelope, JsonNode e) {
        String type = e.path("type").asText();
        JsonNode vital = e.path("web_vital");
        double value =
                type.equals("web_vital")
                        ? vital.path("value").asDouble()
                        : type.equals("fetch") ? e.path("fetch").path("duration_ms").asDouble() : 0;
        return new Seen(
                raw.receivedAt,
                type,
                e.path("event_id").asText(),
                e.path("app").asText(),
                e.path("session_id").asText(),
                e.path("release").asText(),
                e.path("page_url").asText(),
                e.has("country") ? e.get("country").asText() : envelope.path("country").asText(),
                e.has("user_agent")
                        ? e.get("user_agent").asText()
                        : envelope.path("user_agent").asText(),
                vital.path("name").asText(null),
                value,
                e.path("error").path("message").asText(null),
                e.path("action").path("target").asText(null),
                e.path("occurred_at").asLong(),
                wellTyped(type, e, value));
    }

    /** The type-level checks of the schema that the injected malformed events break. */
    private static boolean wellTyped(String type, JsonNode e, double value) {
        boolean knownType =
                List.of("page_view", "web_vital", "fetch", "error", "action").contains(type);
        boolean durationOk =
                !type.equals("fetch") || e.path("fetch").path("duration_ms").isNumber();
        return knownType
                && durationOk
                && value >= 0
                && e.path("event_id").isTextual()
                && e.path("occurred_at").isIntegralNumber();
    }

    /** Safari proper, not the Chromium or Gecko browsers that also say "Safari". */
    static boolean isSafari(String ua) {
        return ua.contains("Version/")
                && ua.contains("Safari/")
                && !ua.contains("Chrome")
                && !ua.contains("CriOS");
    }

    static boolean isDesktopOrMobileChrome(String ua) {
        return ua.contains("Chrome/")
                && !ua.contains("Edg")
                && !ua.contains("SamsungBrowser")
                && !ua.contains("bot")
                && !ua.contains("Headless");
    }

    static double p75(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) throw new IllegalArgumentException("no values");
        return v[(int) Math.ceil(0.75 * v.length) - 1];
    }
}
