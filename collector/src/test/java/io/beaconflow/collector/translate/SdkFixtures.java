package io.beaconflow.collector.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The captured real-browser traffic of Faro 2.12.1 and OpenTelemetry web (copied from
 * shared/fixtures/sdk-payloads, whose README describes the visits) as test input.
 */
public final class SdkFixtures {
    private SdkFixtures() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** One captured HTTP request. */
    public record Captured(
            long receivedAt, String method, String path, JsonNode headers, String body) {
        public String header(String name) {
            JsonNode v = headers.get(name);
            return v == null ? null : v.asText();
        }

        public EdgeContext edge() {
            return new EdgeContext(
                    receivedAt, "203.0.113.7", header("user-agent"), null, header("referer"));
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static List<Captured> requests(String sdk) {
        return parse(new String(bytes(sdk + ".requests.ndjson"), StandardCharsets.UTF_8));
    }

    /** The requests of a capture's text (one JSON line each, the README's format). */
    public static List<Captured> parse(String ndjson) {
        List<Captured> out = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (line.isBlank()) continue;
            JsonNode n = read(line);
            out.add(
                    new Captured(
                            Instant.parse(n.path("received_at").asText()).toEpochMilli(),
                            n.path("method").asText(),
                            n.path("path").asText(),
                            n.path("headers"),
                            n.path("body_text").asText()));
        }
        return out;
    }

    public static List<Captured> posts(String sdk) {
        List<Captured> out = new ArrayList<>();
        for (Captured c : requests(sdk)) {
            if (c.method().equals("POST")) out.add(c);
        }
        return out;
    }

    /** The backend's log lines: one per /api call, with the traceparent the browser sent. */
    public static List<JsonNode> backend(String sdk) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines(sdk + ".backend.ndjson")) out.add(read(line));
        return out;
    }

    public static JsonNode summary(String sdk) {
        return read(String.join("\n", lines(sdk + ".summary.json")));
    }

    public static byte[] bytes(String name) {
        try (InputStream in = SdkFixtures.class.getResourceAsStream("/sdk-payloads/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(String name) {
        List<String> out = new ArrayList<>();
        for (String l : new String(bytes(name), StandardCharsets.UTF_8).split("\n")) {
            if (!l.isBlank()) out.add(l);
        }
        return out;
    }

    private static JsonNode read(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
