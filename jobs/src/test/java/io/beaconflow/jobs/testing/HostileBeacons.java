package io.beaconflow.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beaconflow.jobs.generator.GeneratorConfig;
import io.beaconflow.jobs.generator.TrafficGenerator;
import io.beaconflow.jobs.model.RawBeacon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What anyone on the open internet can send: mutations of real beacons (generator output, and real
 * Faro / OpenTelemetry requests, which are mostly not in our contract) with extreme numbers, wrong
 * types, huge strings, deep nesting, bad UTF-8, far-future and far-past times, truncation and
 * flipped bytes. Deterministic for a given {@link Random}, so a failure can be replayed.
 */
public final class HostileBeacons {
    private HostileBeacons() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The kinds of damage; {@link #NONE} leaves the record valid (a control group). */
    public enum Mutation {
        NONE,
        EXTREME_NUMBER,
        WRONG_TYPE,
        HUGE_STRING,
        DEEP_NESTING,
        BAD_UTF8,
        FAR_TIME,
        DROP_FIELD,
        TRUNCATE,
        FLIP_BYTES,
        SAME_EVENT_AGAIN
    }

    static final Mutation[] MUTATIONS = Mutation.values();

    /** Numbers that broke, or could break, something downstream. */
    public static final String[] EXTREME_NUMBERS = {
        "1.79e308",
        "-1.79e308",
        "1e300",
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "-Infinity",
        "-0.0",
        "1e-300",
        "4.9e-324",
        "0",
        "-1",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551617",
        "4294967496",
        "3600001",
        "100.0000001",
        "0.00009"
    };

    static final long YEAR_3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();

    /** The real SDK requests' bodies, from test resources (captured, never hand-written). */
    public static List<byte[]> sdkPayloads() {
        List<byte[]> out = new ArrayList<>();
        for (String file : List.of("faro.requests.ndjson", "otel.requests.ndjson")) {
            Path p = resource("sdk-payloads/" + file);
            try {
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    JsonNode req = JSON.readTree(line);
                    String body = req.path("body_text").asText("");
                    if (!body.isEmpty()) {
                        out.add(body.getBytes(StandardCharsets.UTF_8));
                    }
                    out.add(line.getBytes(StandardCharsets.UTF_8)); // the request as a whole
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Path resource(String name) {
        try {
            return Path.of(HostileBeacons.class.getClassLoader().getResource(name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("test resource " + name + " missing", e);
        }
    }

    /** The first {@code n} records of the shipped generator config (all kinds of events). */
    public static List<RawBeacon> generated(int n, long seed) {
        GeneratorConfig gen = ShippedGenerator.lasting("6h");
        TrafficGenerator.Merged traffic = TrafficGenerator.generateAll(gen, seed, gen.splits);
        List<RawBeacon> out = new ArrayList<>(n);
        while (out.size() < n && traffic.hasNext()) {
            out.add(traffic.next());
        }
        return out;
    }

    /** A damaged copy of {@code base} (same position and trusted time unless FAR_TIME hits it). */
    public static RawBeacon mutate(RawBeacon base, Random r) {
        Mutation m = MUTATIONS[r.nextInt(MUTATIONS.length)];
        RawBeacon out =
                new RawBeacon(
                        base.payload, base.source, base.partition, base.offset, base.receivedAt);
        out.payload = mutate(base.payload, m, base.receivedAt, r);
        if (m == Mutation.FAR_TIME && r.nextInt(20) == 0) {
            // the trusted clock itself missing (Kafka's NO_TIMESTAMP, an unreadable header). A
            // far-future trusted time is not fuzzed: the broker bounds it (docs/rum-events.md).
            out.receivedAt = -1;
        }
        return out;
    }

    public static byte[] mutate(byte[] payload, Mutation m, long trusted, Random r) {
        switch (m) {
            case NONE:
            case SAME_EVENT_AGAIN: // an SDK retry: the same bytes again
                return payload;
            case TRUNCATE:
                return payload.length < 2
                        ? payload
                        : java.util.Arrays.copyOf(payload, r.nextInt(payload.length));
            case FLIP_BYTES:
                {
                    byte[] b = payload.clone();
                    for (int i = 0, n = 1 + r.nextInt(4); i < n && b.length > 0; i++) {
                        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                    }
                    return b;
                }
            case BAD_UTF8:
                {
                    byte[][] bad = {
                        {(byte) 0xC3, 0x28}, // lead byte without continuation
                        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate
                        {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
                        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                        {(byte) 0xFF},
                        {0}
                    };
                    byte[] ins = bad[r.nextInt(bad.length)];
                    int at = payload.length == 0 ? 0 : r.nextInt(payload.length);
                    byte[] b = new byte[payload.length + ins.length];
                    System.arraycopy(payload, 0, b, 0, at);
                    System.arraycopy(ins, 0, b, at, ins.length);
                    System.arraycopy(payload, at, b, at + ins.length, payload.length - at);
                    return b;
                }
            default:
                break;
        }
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (IOException e) {
            return mutate(payload, Mutation.FLIP_BYTES, trusted, r);
        }
        if (root == null || !root.isContainerNode()) {
            return payload;
        }
        List<Slot> slots = new ArrayList<>();
        collect(root, slots, 0);
        if (slots.isEmpty()) {
            return payload;
        }
        Slot s = slots.get(r.nextInt(slots.size()));
        switch (m) {
            case EXTREME_NUMBER:
                return replaceRaw(root, s, EXTREME_NUMBERS[r.nextInt(EXTREME_NUMBERS.length)], r);
            case WRONG_TYPE:
                {
                    JsonNode[] wrong = {
                        NODES.textNode("12"),
                        NODES.arrayNode(),
                        NODES.objectNode(),
                        NODES.booleanNode(true),
                        NODES.nullNode(),
                        NODES.numberNode(1.5),
                        NODES.numberNode(new BigInteger("123456789012345678901234567890"))
                    };
                    s.set(wrong[r.nextInt(wrong.length)]);
                    return bytes(root);
                }
            case HUGE_STRING:
                {
                    int[] sizes = {1_000, 20_000, 100_000, 300_000};
                    int size = sizes[r.nextInt(sizes.length)];
                    String[] units = {"x", "é", "😀", "\u0000", "\\", "\"", "\u202e", "%00"};
                    String unit = units[r.nextInt(units.length)];
                    s.set(NODES.textNode(unit.repeat(Math.max(1, size / unit.length()))));
                    return bytes(root);
                }
            case DEEP_NESTING:
                {
                    int depth = 5 + r.nextInt(r.nextBoolean() ? 20 : 3000);
                    String deep = "[".repeat(depth) + "1" + "]".repeat(depth);
                    return replaceRaw(root, s, deep, r);
                }
            case FAR_TIME:
                {
                    long[] times = {
                        YEAR_3000,
                        0,
                        Long.MAX_VALUE,
                        trusted + 10 * 60_000L,
                        trusted + 4 * 60_000L,
                        trusted - 30L * 86_400_000L,
                        trusted - 6L * 86_400_000L,
                        trusted - 3_600_000L
                    };
                    String[] fields = {"occurred_at", "sent_at", "received_at"};
                    JsonNode target = root;
                    if (root.has("events") && root.get("events").isArray()) {
                        ArrayNode events = (ArrayNode) root.get("events");
                        if (!events.isEmpty() && r.nextBoolean()) {
                            target = events.get(r.nextInt(events.size()));
                        }
                    }
                    if (target.isObject()) {
                        ((ObjectNode) target)
                                .put(
                                        fields[r.nextInt(fields.length)],
                                        times[r.nextInt(times.length)]);
                    }
                    return bytes(root);
                }
            case DROP_FIELD:
                s.remove();
                return bytes(root);
            default:
                return payload;
        }
    }

    /** Puts {@code rawJson} (possibly not expressible as a node, e.g. NaN) at the slot. */
    private static byte[] replaceRaw(JsonNode root, Slot s, String rawJson, Random r) {
        String marker = "@@hostile-" + r.nextInt(1_000_000) + "@@";
        s.set(NODES.textNode(marker));
        return new String(bytes(root), StandardCharsets.UTF_8)
                .replace('"' + marker + '"', rawJson)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(JsonNode root) {
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A place in the tree: a field of an object or an element of an array. */
    private static final class Slot {
        final ObjectNode object;
        final String field;
        final ArrayNode array;
        final int index;

        Slot(ObjectNode object, String field) {
            this.object = object;
            this.field = field;
            this.array = null;
            this.index = -1;
        }

        Slot(ArrayNode array, int index) {
            this.object = null;
            this.field = null;
            this.array = array;
            this.index = index;
        }

        void set(JsonNode v) {
            if (object != null) object.set(field, v);
            else array.set(index, v);
        }

        void remove() {
            if (object != null) object.remove(field);
            else array.remove(index);
        }
    }

    private static void collect(JsonNode n, List<Slot> out, int depth) {
        if (depth > 32) return;
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(new Slot((ObjectNode) n, e.getKey()));
                collect(e.getValue(), out, depth + 1);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                out.add(new Slot((ArrayNode) n, i));
                collect(n.get(i), out, depth + 1);
            }
        }
    }
}
