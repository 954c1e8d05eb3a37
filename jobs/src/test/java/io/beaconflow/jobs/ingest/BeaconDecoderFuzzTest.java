package io.beaconflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricAccumulator;
import io.beaconflow.jobs.metrics.SeriesFanOut;
import io.beaconflow.jobs.metrics.SeriesSample;
import io.beaconflow.jobs.model.IngestRecord;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.HostileBeacons;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;
import org.apache.flink.util.Collector;

/**
 * Property tests (jqwik) of the decoder against hostile input: random JSON, random bytes, and
 * mutations of real payloads (generator output and captured Faro / OpenTelemetry requests, which
 * are not in our contract). For every input: no exception, every input accounted for (one output
 * per record, or one per event of a batch; each dead letter with a reason, a detail and a
 * position), and every accepted event inside the bounds the rest of the job relies on, so that the
 * metric fan-out and the sketches accept it without throwing.
 *
 * <p>Seeds are pinned so that CI runs the same inputs every time (a red build must be
 * reproducible); to explore new inputs, remove or change a seed locally, and pin any failing seed
 * jqwik prints as a regression case in the decoder tests.
 */
class BeaconDecoderFuzzTest {
    private static final long TRUSTED = 1_793_606_400_000L; // 2026-11-02T08:00Z
    private static final IngestConfig CONFIG = new IngestConfig();
    private static final BeaconDecoder DECODER = new BeaconDecoder(CONFIG);
    private static final ObjectMapper LENIENT =
            new ObjectMapper()
                    .enable(
                            com.fasterxml.jackson.core.json.JsonReadFeature
                                    .ALLOW_NON_NUMERIC_NUMBERS
                                    .mappedFeature());
    private static final List<RawBeacon> GENERATED = HostileBeacons.generated(400, 11);
    private static final List<byte[]> SDK = HostileBeacons.sdkPayloads();
    private static final Dimension[] ALL_DIMENSIONS =
            new io.beaconflow.jobs.metrics.MetricsConfig()
                    .dimensionList()
                    .toArray(new Dimension[0]);

    // ---- properties ----

    @Property(tries = 800, seed = "20261203")
    void randomJsonNeverThrowsAndIsAccountedFor(@ForAll("randomJson") String json) {
        check(new RawBeacon(json.getBytes(StandardCharsets.UTF_8), "fuzz", 0, 1, TRUSTED));
    }

    @Property(tries = 1500, seed = "20261204")
    void randomEventsShapedLikeOursNeverThrowAndStayInBounds(@ForAll("eventLike") String json) {
        check(new RawBeacon(json.getBytes(StandardCharsets.UTF_8), "fuzz", 0, 1, TRUSTED));
    }

    @Property(tries = 1000, seed = "20261205")
    void randomBytesNeverThrow(@ForAll byte[] bytes) {
        check(new RawBeacon(bytes, "fuzz", 0, 1, TRUSTED));
    }

    @Property(tries = 3000, seed = "20261206")
    void mutationsOfGeneratorOutputNeverThrowAndStayInBounds(@ForAll long seed) {
        Random r = new Random(seed);
        RawBeacon base = GENERATED.get(r.nextInt(GENERATED.size()));
        check(HostileBeacons.mutate(base, r));
    }

    @Property(tries = 1500, seed = "20261207")
    void realSdkPayloadsAndTheirMutationsBecomeDeadLettersNeverExceptions(@ForAll long seed) {
        Random r = new Random(seed);
        byte[] base = SDK.get(r.nextInt(SDK.size()));
        HostileBeacons.Mutation m =
                HostileBeacons.Mutation.values()[
                        r.nextInt(HostileBeacons.Mutation.values().length)];
        List<IngestRecord> out =
                check(
                        new RawBeacon(
                                HostileBeacons.mutate(base, m, TRUSTED, r), "sdk", 0, 1, TRUSTED));
        if (m == HostileBeacons.Mutation.NONE) {
            // Faro and OTLP are not our contract: nothing of them is accepted.
            assertThat(out).noneMatch(IngestRecord::isAccepted);
        }
    }

    // ---- the checks ----

    /** Decodes once; asserts what must hold for any input; returns the outputs. */
    static List<IngestRecord> check(RawBeacon raw) {
        List<IngestRecord> out = new ArrayList<>();
        DECODER.decode(raw, out::add); // an exception fails the property
        assertThat(out).as("every input gives at least one output").isNotEmpty();
        int expected = expectedOutputs(raw.payload, out);
        assertThat(out).as("one output per record or per event of the batch").hasSize(expected);
        for (int i = 0; i < out.size(); i++) {
            IngestRecord rec = out.get(i);
            assertThat(rec.event == null ^ rec.deadLetter == null).as("exactly one of").isTrue();
            if (rec.isAccepted()) {
                inBounds(rec.event, raw.receivedAt);
            } else {
                assertThat(rec.deadLetter.reason).isNotNull();
                assertThat(rec.deadLetter.detail).isNotBlank();
                assertThat(rec.deadLetter.position).startsWith(raw.source + "/");
                assertThat(rec.deadLetter.documentId()).isNotBlank();
                if (expected > 1) {
                    assertThat(rec.deadLetter.batchIndex).isEqualTo(i);
                }
            }
        }
        return out;
    }

    /**
     * Independently of the decoder: a parseable object with a non-empty {@code events} array of at
     * most max-batch-events gives one output per element, unless the whole record was rejected
     * (then one).
     */
    private static int expectedOutputs(byte[] payload, List<IngestRecord> out) {
        if (out.size() == 1) {
            return 1;
        }
        JsonNode root;
        try {
            root = LENIENT.readTree(payload);
        } catch (Exception e) {
            return 1;
        }
        JsonNode events = root == null ? null : root.get("events");
        return events != null && events.isArray() ? events.size() : 1;
    }

    /** What the later stages rely on, for an accepted event. */
    static void inBounds(RumEvent e, long trusted) {
        assertThat(e.eventTime)
                .as("event time never after trusted arrival")
                .isLessThanOrEqualTo(trusted);
        assertThat(e.eventTime)
                .as("event time within max-age")
                .isGreaterThanOrEqualTo(trusted - CONFIG.maxAge.toMillis());
        assertThat(e.receivedAt).isEqualTo(trusted);
        IngestConfig.LimitsConfig l = CONFIG.limits;
        for (Double d :
                new Double[] {e.loadMs, e.ttfbMs, e.domContentLoadedMs, e.fetchDurationMs}) {
            if (d != null) assertThat(d).isBetween(0.0, l.maxDurationMs);
        }
        if (e.vitalValue != null) {
            assertThat(e.vitalValue)
                    .isBetween(0.0, "CLS".equals(e.vitalName) ? l.maxCls : l.maxDurationMs);
        }
        assertThat(e.sampleRate).isBetween(l.minSampleRate, 1.0);
        if (e.customValue != null) {
            assertThat(Math.abs(e.customValue)).isLessThanOrEqualTo(l.maxCustomValue);
        }
        // The metric path on this event: fan-out and sketches must not throw, sums stay finite.
        List<SeriesSample> samples = new ArrayList<>();
        SeriesFanOut.emit(e, ALL_DIMENSIONS, listCollector(samples));
        MetricAccumulator acc = new MetricAccumulator(0.01);
        for (SeriesSample s : samples) {
            acc.add(s);
        }
        assertThat(acc.toAggregate().events).isFinite();
    }

    private static Collector<SeriesSample> listCollector(List<SeriesSample> list) {
        return new Collector<>() {
            @Override
            public void collect(SeriesSample s) {
                list.add(s);
            }

            @Override
            public void close() {}
        };
    }

    // ---- generators ----

    @Provide
    Arbitrary<String> randomJson() {
        return json(3);
    }

    private Arbitrary<String> json(int depth) {
        Arbitrary<String> scalar =
                Arbitraries.oneOf(
                        Arbitraries.strings().ofMaxLength(20).map(BeaconDecoderFuzzTest::quote),
                        Arbitraries.doubles().map(String::valueOf),
                        Arbitraries.longs().map(String::valueOf),
                        Arbitraries.of(HOSTILE_NUMBERS),
                        Arbitraries.of("true", "false", "null"));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> json(depth - 1));
        Arbitrary<String> array =
                inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> object =
                Arbitraries.maps(keys(), inner)
                        .ofMaxSize(6)
                        .map(
                                m -> {
                                    StringBuilder b = new StringBuilder("{");
                                    m.forEach(
                                            (k, v) -> {
                                                if (b.length() > 1) b.append(',');
                                                b.append(quote(k)).append(':').append(v);
                                            });
                                    return b.append('}').toString();
                                });
        return Arbitraries.frequencyOf(
                Tuple.of(1, scalar), Tuple.of(2, array), Tuple.of(4, object));
    }

    /** Our field names, so random objects often look like events and batches. */
    private static Arbitrary<String> keys() {
        StringArbitrary any = Arbitraries.strings().ofMaxLength(8);
        return Arbitraries.oneOf(
                any,
                Arbitraries.of(
                        "schema_version",
                        "events",
                        "event_id",
                        "type",
                        "app",
                        "session_id",
                        "occurred_at",
                        "sent_at",
                        "received_at",
                        "page_view",
                        "load_ms",
                        "web_vital",
                        "name",
                        "value",
                        "fetch",
                        "duration_ms",
                        "status",
                        "url",
                        "sample_rate",
                        "experiments",
                        "custom",
                        "error",
                        "message",
                        "action",
                        "target",
                        "network",
                        "rtt_ms"));
    }

    @Provide
    Arbitrary<String> eventLike() {
        Arbitrary<String> type =
                Arbitraries.of("page_view", "web_vital", "fetch", "error", "action", "custom", "x");
        Arbitrary<String> number =
                Arbitraries.oneOf(
                        Arbitraries.of(HOSTILE_NUMBERS),
                        Arbitraries.doubles().map(String::valueOf),
                        Arbitraries.doubles().between(0, 5000).map(String::valueOf));
        Arbitrary<String> time =
                Arbitraries.oneOf(
                        Arbitraries.longs()
                                .between(TRUSTED - 8L * 86_400_000, TRUSTED + 600_000)
                                .map(String::valueOf),
                        Arbitraries.of(HOSTILE_NUMBERS));
        Arbitrary<String> vital = Arbitraries.of("LCP", "INP", "CLS", "FCP", "TTFB", "FID");
        return net.jqwik.api.Combinators.combine(type, number, time, time, vital, number, number)
                .as(
                        (t, n, occurred, sent, v, rate, status) ->
                                "{\"schema_version\":1,\"event_id\":\"e1\",\"type\":\""
                                        + t
                                        + "\",\"app\":\"shop\",\"session_id\":\"s1\","
                                        + "\"occurred_at\":"
                                        + occurred
                                        + ",\"sent_at\":"
                                        + sent
                                        + ",\"sample_rate\":"
                                        + rate
                                        + ",\"page_view\":{\"load_ms\":"
                                        + n
                                        + "},\"web_vital\":{\"name\":\""
                                        + v
                                        + "\",\"value\":"
                                        + n
                                        + "},\"fetch\":{\"url\":\"/a\",\"duration_ms\":"
                                        + n
                                        + ",\"status\":"
                                        + status
                                        + "},\"error\":{\"message\":\"m\"},"
                                        + "\"action\":{\"target\":\"#b\"},"
                                        + "\"custom\":{\"name\":\"c\",\"value\":"
                                        + n
                                        + "}}");
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    /**
     * Number literals that have broken, or could break, something downstream: the hostile traffic's
     * own, and round boundaries the decoder's range checks sit next to.
     */
    static final List<String> HOSTILE_NUMBERS = hostileNumbers();

    private static List<String> hostileNumbers() {
        List<String> all = new ArrayList<>(List.of(HostileBeacons.EXTREME_NUMBERS));
        all.addAll(List.of("3600000", "100", "0.0001"));
        return List.copyOf(all);
    }
}
