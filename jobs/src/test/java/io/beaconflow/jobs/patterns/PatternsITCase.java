package io.beaconflow.jobs.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.detection.AnomalySignal;
import io.beaconflow.jobs.testing.MiniClusters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CEP patterns in event time on a MiniCluster: input is shuffled (out of order within the
 * watermark bound), so a pass shows the patterns see events in timestamp order; bounded input ends
 * with a final watermark, which fires the {@code within} timeouts.
 */
class PatternsITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(1);

    static final long T0 = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();
    static final Duration W = Duration.ofMinutes(1);
    static final long M = W.toMillis();

    static AnomalySignal signal(String series, String metric, int minute, boolean anomaly) {
        AnomalySignal s = new AnomalySignal();
        String[] p = series.split("\\|");
        s.series = series;
        s.app = p[0];
        s.dimension = p[1];
        s.dimensionValue = p[2];
        s.metric = metric;
        s.metricKind = metric.endsWith("error_rate") ? "error_rate" : "latency";
        s.windowStart = T0 + minute * M;
        s.windowEnd = s.windowStart + M;
        s.observed = anomaly ? 0.08 : 0.02;
        s.expected = 0.02;
        s.score = anomaly ? 0.7 : 0.1;
        s.direction = "up";
        s.anomaly = anomaly;
        return s;
    }

    /** Signals of one series, one per minute, anomalous where {@code pattern} has an 'x'. */
    static List<AnomalySignal> series(String series, String metric, String pattern) {
        List<AnomalySignal> out = new ArrayList<>();
        for (int i = 0; i < pattern.length(); i++) {
            out.add(signal(series, metric, i, pattern.charAt(i) == 'x'));
        }
        return out;
    }

    static <T> List<T> shuffled(List<T> in) {
        List<T> copy = new ArrayList<>(in);
        Collections.shuffle(copy, new Random(42));
        return copy;
    }

    /** Event time of an input record; serializable because Flink ships it to the task. */
    interface EventTime<I> extends java.io.Serializable {
        long of(I record);
    }

    /** An input record type and its event time; serializable because Flink ships it. */
    record Input<I>(Class<I> type, EventTime<I> time) implements java.io.Serializable {}

    /** Signals, stamped as the detectors stamp them: at the last millisecond of their window. */
    static final Input<AnomalySignal> SIGNALS =
            new Input<>(AnomalySignal.class, s -> s.windowEnd - 1);

    /** Findings, each at its {@code at}. */
    static final Input<Finding> FINDINGS = new Input<>(Finding.class, f -> f.at);

    /** Runs {@code graph} over {@code input} in a shuffled (but fixed) arrival order. */
    static <I, O> List<O> run(
            Input<I> kind, List<I> input, Function<DataStream<I>, DataStream<O>> graph)
            throws Exception {
        return runAsGiven(kind, shuffled(input), graph);
    }

    /** Runs {@code graph} over {@code input} arriving exactly in the given order. */
    static <I, O> List<O> runAsGiven(
            Input<I> kind, List<I> input, Function<DataStream<I>, DataStream<O>> graph)
            throws Exception {
        StreamExecutionEnvironment env = MiniClusters.environment(1);
        EventTime<I> time = kind.time();
        DataStream<I> in =
                env.fromData(input, TypeInformation.of(kind.type()))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<I>forBoundedOutOfOrderness(Duration.ofHours(2))
                                        .withTimestampAssigner((e, ts) -> time.of(e)));
        List<O> out = new ArrayList<>();
        try (CloseableIterator<O> it = graph.apply(in).executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** The one finding in {@code found}, which must be of {@code kind}. */
    static Finding theOnly(String kind, List<Finding> found) {
        assertThat(found).singleElement().satisfies(f -> assertThat(f.kind).isEqualTo(kind));
        return found.get(0);
    }

    static List<Finding> sustained(List<AnomalySignal> signals) throws Exception {
        return run(SIGNALS, signals, in -> SustainedAnomalyPattern.apply(in, 2, 3, W));
    }

    @Test
    void twoAnomaliesWithinThreeWindowsAreOneSustainedFindingEvenOutOfOrder() throws Exception {
        List<Finding> found = sustained(series("shop|all|*", "error_rate", "....x.x...."));
        Finding f = theOnly(Finding.SUSTAINED, found);
        assertThat(f.firstWindowStart).isEqualTo(T0 + 4 * M);
        assertThat(f.lastWindowEnd).isEqualTo(T0 + 7 * M);
        assertThat(f.at).isEqualTo(T0 + 7 * M - 1);
        assertThat(f.key).isEqualTo("shop|all|*|error_rate");
    }

    @Test
    void anomaliesFurtherApartThanTheWindowSpanDoNotSustain() throws Exception {
        assertThat(sustained(series("shop|all|*", "error_rate", "..x...x...x.."))).isEmpty();
    }

    @Test
    void aLoneAnomalyTimesOutIntoTheTransientSideOutput() throws Exception {
        List<Finding> transients =
                run(
                        SIGNALS,
                        series("shop|all|*", "error_rate", "...x......"),
                        in -> {
                            SingleOutputStreamOperator<Finding> s =
                                    SustainedAnomalyPattern.apply(in, 2, 3, W);
                            return s.getSideOutput(SustainedAnomalyPattern.TRANSIENT);
                        });
        Finding f = theOnly(Finding.TRANSIENT, transients);
        assertThat(f.firstWindowStart).isEqualTo(T0 + 3 * M);
    }

    @Test
    void aLongIncidentGivesRepeatedFindingsOnlyForItsOwnSeries() throws Exception {
        List<AnomalySignal> in = new ArrayList<>(series("shop|all|*", "error_rate", "..xxxxxx.."));
        in.addAll(series("shop|browser|Safari", "error_rate", ".........."));
        List<Finding> found = sustained(in);
        assertThat(found).hasSize(3).allMatch(f -> f.series.equals("shop|all|*"));
        assertThat(found)
                .extracting(f -> f.lastWindowEnd)
                .containsExactlyInAnyOrder(T0 + 4 * M, T0 + 6 * M, T0 + 8 * M);
    }

    @Test
    void threeNormalWindowsInARowRecoverAndAnAnomalyInBetweenStartsTheCountAgain()
            throws Exception {
        List<Finding> found =
                run(
                        SIGNALS,
                        series("shop|all|*", "error_rate", "xxx..x..."),
                        in -> RecoveryPattern.apply(in, 3, W));
        Finding f = theOnly(Finding.RECOVERED, found);
        assertThat(f.firstWindowStart).isEqualTo(T0 + 6 * M);
        assertThat(f.lastWindowEnd).isEqualTo(T0 + 9 * M);
    }

    @Test
    void theGatedRecoveryFindsEveryRecoveryThatStartsAfterASeriesFirstAnomaly() throws Exception {
        // Random series in event-time order (as the detectors emit them), some never anomalous.
        Random random = new Random(7);
        List<AnomalySignal> in = new ArrayList<>();
        Map<String, Long> firstAnomaly = new HashMap<>();
        for (int minute = 0; minute < 240; minute++) {
            for (int k = 0; k < 12; k++) {
                String series = "shop|route|/r" + k;
                if (random.nextInt(10) == 0) continue; // gaps: some windows have no row
                boolean anomaly = k % 3 != 0 && random.nextInt(25) == 0;
                AnomalySignal sig = signal(series, "error_rate", minute, anomaly);
                if (anomaly) firstAnomaly.putIfAbsent(sig.patternKey(), sig.windowStart);
                in.add(sig);
            }
        }
        List<Finding> all = runAsGiven(SIGNALS, in, x -> RecoveryPattern.apply(x, 3, W));
        List<Finding> gated =
                runAsGiven(
                        SIGNALS, in, x -> RecoveryPattern.applyGated(x, 3, W, Duration.ofDays(7)));
        List<String> expected =
                all.stream()
                        .filter(
                                f ->
                                        firstAnomaly.containsKey(f.key)
                                                && f.firstWindowStart > firstAnomaly.get(f.key))
                        .map(f -> f.key + "@" + f.firstWindowStart + "-" + f.lastWindowEnd)
                        .sorted()
                        .toList();
        assertThat(expected).hasSizeGreaterThan(20);
        assertThat(all.size()).isGreaterThan(expected.size() + 200);
        assertThat(
                        gated.stream()
                                .map(f -> f.key + "@" + f.firstWindowStart + "-" + f.lastWindowEnd)
                                .sorted()
                                .toList())
                .isEqualTo(expected);
    }

    @Test
    void normalWindowsWithGapsLongerThanTheSpanDoNotRecover() throws Exception {
        List<AnomalySignal> sparse =
                List.of(
                        signal("shop|all|*", "error_rate", 0, false),
                        signal("shop|all|*", "error_rate", 4, false),
                        signal("shop|all|*", "error_rate", 8, false));
        assertThat(run(SIGNALS, sparse, in -> RecoveryPattern.apply(in, 3, W))).isEmpty();
    }

    static Finding finding(
            String kind, String app, String metricKind, String direction, int minute) {
        Finding f = new Finding();
        f.kind = kind;
        f.app = app;
        f.metricKind = metricKind;
        f.metric = metricKind.equals("throughput") ? "page_views" : "error_rate";
        f.direction = direction;
        f.series = app + "|all|*";
        f.dimension = "all";
        f.dimensionValue = "*";
        f.key = f.series + "|" + f.metric;
        f.firstWindowStart = T0 + (minute - 1) * M;
        f.lastWindowEnd = T0 + (minute + 1) * M;
        f.at = f.lastWindowEnd - 1;
        f.score = 0.6;
        return f;
    }

    static List<Finding> correlated(List<Finding> in) throws Exception {
        return run(FINDINGS, in, s -> CorrelatedIncidentPattern.apply(s, Duration.ofMinutes(5)));
    }

    @Test
    void errorsUpAndTrafficDownWithinFiveMinutesInEitherOrderAreOneCorrelatedFinding()
            throws Exception {
        List<Finding> found =
                correlated(
                        List.of(
                                finding(Finding.SUSTAINED, "shop", "throughput", "down", 10),
                                finding(Finding.SUSTAINED, "shop", "error_rate", "up", 13),
                                finding(Finding.SUSTAINED, "blog", "error_rate", "up", 12)));
        Finding f = theOnly(Finding.CORRELATED, found);
        assertThat(f.app).isEqualTo("shop");
        assertThat(f.relatedKinds).containsExactly("throughput", "error_rate");
        assertThat(f.at).isEqualTo(T0 + 14 * M - 1);
    }

    @Test
    void errorsAndTrafficDropTooFarApartOrTrafficUpAreNotCorrelated() throws Exception {
        assertThat(
                        correlated(
                                List.of(
                                        finding(Finding.SUSTAINED, "shop", "error_rate", "up", 10),
                                        finding(
                                                Finding.SUSTAINED,
                                                "shop",
                                                "throughput",
                                                "down",
                                                20),
                                        finding(
                                                Finding.SUSTAINED,
                                                "shop",
                                                "throughput",
                                                "up",
                                                11))))
                .isEmpty();
    }

    static Finding releaseSeen(String app, String release, int minute) {
        Finding f = finding(Finding.RELEASE_SEEN, app, "error_rate", null, minute);
        f.release = release;
        f.dimension = "release";
        f.dimensionValue = release;
        f.key = null;
        return f;
    }

    static Finding onRelease(String release, int minute) {
        Finding f = finding(Finding.SUSTAINED, "shop", "latency", "up", minute);
        f.dimension = "release";
        f.dimensionValue = release;
        f.series = "shop|release|" + release;
        f.metric = "lcp_p75";
        f.key = f.series + "|lcp_p75|canary";
        return f;
    }

    static Finding onRelease(String release, int minute, String metric) {
        Finding f = onRelease(release, minute);
        f.metric = metric;
        f.key = f.series + "|" + metric + "|canary";
        return f;
    }

    @Test
    void findingsTiedInEventTimeMatchTheSameWayWhateverOrderTheyArriveIn() throws Exception {
        Finding lcp = onRelease("2.4.0", 15, "lcp_p75");
        Finding ttfb = onRelease("2.4.0", 15, "ttfb_p75");
        List<String> chosen = new ArrayList<>();
        for (List<Finding> arrival :
                List.of(
                        List.of(releaseSeen("shop", "2.4.0", 10), lcp, ttfb),
                        List.of(ttfb, lcp, releaseSeen("shop", "2.4.0", 10)),
                        List.of(lcp, releaseSeen("shop", "2.4.0", 10), ttfb))) {
            for (List<Finding> order : List.of(arrival, reversed(arrival))) {
                List<Finding> found =
                        runAsGiven(
                                FINDINGS,
                                order,
                                s -> ReleaseRegressionPattern.apply(s, Duration.ofMinutes(60)));
                assertThat(found).hasSize(1);
                chosen.add(found.get(0).metric);
            }
        }
        // A replay must pick the same anomaly (the alert id hashes its metric).
        assertThat(chosen).containsOnly("lcp_p75");
    }

    static <T> List<T> reversed(List<T> in) {
        List<T> copy = new ArrayList<>(in);
        Collections.reverse(copy);
        return copy;
    }

    @Test
    void anAnomalyOnANewReleaseWithinTheWatchIsAReleaseRegression() throws Exception {
        List<Finding> found =
                run(
                        FINDINGS,
                        List.of(
                                releaseSeen("shop", "2.4.0", 10),
                                onRelease("2.3.1", 12),
                                onRelease("2.4.0", 15),
                                releaseSeen("shop", "2.5.0", 20),
                                onRelease("2.5.0", 95)),
                        s -> ReleaseRegressionPattern.apply(s, Duration.ofMinutes(60)));
        Finding f = theOnly(Finding.RELEASE_REGRESSION, found);
        assertThat(f.release).isEqualTo("2.4.0");
        assertThat(f.metric).isEqualTo("lcp_p75");
        assertThat(f.relatedKinds).containsExactly("latency");
    }

    @Test
    void aRageClickRateFarAboveItsBaselineTwiceInThreeWindowsIsAFrustrationBurst()
            throws Exception {
        List<AnomalySignal> in = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            AnomalySignal s =
                    signal("shop|route|/cart", "rage_click_rate", i, i == 3 || i == 4 || i == 7);
            s.metricKind = "frustration";
            s.score = i == 7 ? 0.55 : s.anomaly ? 0.8 : 0.1;
            in.add(s);
        }
        AnomalySignal mild = signal("shop|route|/", "rage_click_rate", 2, true);
        mild.score = 0.55;
        AnomalySignal mild2 = signal("shop|route|/", "rage_click_rate", 3, true);
        mild2.score = 0.6;
        in.add(mild);
        in.add(mild2);
        List<Finding> found =
                run(SIGNALS, in, s -> FrustrationBurstPattern.apply(s, 0.67, 2, 3, W));
        Finding f = theOnly(Finding.FRUSTRATION, found);
        assertThat(f.series).isEqualTo("shop|route|/cart");
        assertThat(f.lastWindowEnd).isEqualTo(T0 + 5 * M);
    }
}
