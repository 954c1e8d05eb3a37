package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.metrics.LatencyMetric;
import io.beaconflow.jobs.metrics.MetricAccumulator;
import io.beaconflow.jobs.metrics.SeriesSample;
import io.beaconflow.jobs.metrics.SeriesWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The comparison operator driven by watermarks: what it emits, when, and that it cleans up. */
class ComparisonFunctionTest {
    static final long T0 = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final Duration LATENESS = Duration.ofMinutes(5);

    static ComparisonsConfig config() {
        ComparisonsConfig c = new ComparisonsConfig();
        c.emitEvery = Duration.ofMinutes(15);
        c.minSamplesPerArm = 100;
        c.idleTtl = Duration.ofHours(2);
        return c;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SeriesWindow, Comparison> harness(
            ComparisonsConfig c) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ComparisonFunction(c, LATENESS, 0.01)),
                        new ComparisonFunction.AppKey(),
                        Types.STRING);
        h.open();
        return h;
    }

    /**
     * One minute of one series: {@code views} page views with a load time around {@code loadMs} and
     * an error on every {@code errorEvery}-th view (0: none).
     */
    static SeriesWindow window(
            String dimension, String value, int minute, int views, double loadMs, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 1000 + minute);
        MetricAccumulator acc = new MetricAccumulator(0.01);
        for (int i = 0; i < views; i++) {
            acc.add(new SeriesSample("k", SeriesSample.PAGE_VIEW, 1, SeriesSample.NO_METRIC, 0));
            double load = loadMs * Math.exp(0.5 * (rnd.nextDouble() - 0.5));
            acc.add(
                    new SeriesSample(
                            "k", SeriesSample.OTHER, 1, (byte) LatencyMetric.LOAD.ordinal(), load));
        }
        SeriesWindow w = new SeriesWindow();
        w.app = "shop-web";
        w.dimension = dimension;
        w.value = value;
        w.windowStart = T0 + minute * MINUTE;
        w.windowEnd = w.windowStart + MINUTE;
        w.acc = acc;
        return w;
    }

    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, SeriesWindow, Comparison> h,
            SeriesWindow w)
            throws Exception {
        h.processElement(w, w.windowEnd - 1);
    }

    static List<Comparison> drain(
            KeyedOneInputStreamOperatorTestHarness<String, SeriesWindow, Comparison> h) {
        List<Comparison> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord) {
                out.add(((StreamRecord<Comparison>) o).getValue());
            }
        }
        h.getOutput().clear();
        return out;
    }

    static Map<String, Comparison> byMetric(List<Comparison> rows, String variant) {
        return rows.stream()
                .filter(c -> c.variant.equals(variant))
                .collect(Collectors.toMap(c -> c.metric, c -> c));
    }

    @Test
    void aSlowerVariantIsFlaggedWorseOnceItsWindowsAreFinalAndEveryEmitEvery() throws Exception {
        try (var h = harness(config())) {
            for (int m = 0; m < 30; m++) {
                feed(h, window("variant", "checkout=control", m, 20, 1000, 1));
                feed(h, window("variant", "checkout=b", m, 20, 1300, 2));
            }
            // Window [14, 15) is final at its end - 1 ms + 5 min: nothing before.
            h.processWatermark(T0 + 20 * MINUTE - 2);
            assertThat(drain(h)).isEmpty();
            h.processWatermark(T0 + 20 * MINUTE - 1);
            List<Comparison> first = drain(h);
            Map<String, Comparison> b = byMetric(first, "b");
            assertThat(first).allSatisfy(c -> assertThat(c.variant).isEqualTo("b"));
            assertThat(b).hasSize(ComparedMetric.values().length);
            Comparison load = b.get("load");
            assertThat(load.kind).isEqualTo(Comparison.EXPERIMENT);
            assertThat(load.experiment).isEqualTo("checkout");
            assertThat(load.control).isEqualTo("control");
            assertThat(load.n).isEqualTo(15 * 20);
            assertThat(load.nControl).isEqualTo(15 * 20);
            assertThat(load.windowStart).isEqualTo(T0);
            assertThat(load.windowEnd).isEqualTo(T0 + 15 * MINUTE);
            assertThat(load.verdict).isEqualTo(Verdict.WORSE);
            assertThat(load.diff).isBetween(200.0, 400.0);
            assertThat(load.test).isEqualTo("mann_whitney");
            assertThat(b.get("error_rate").verdict).isEqualTo(Verdict.NO_DIFFERENCE);
            assertThat(b.get("fetch").verdict).isEqualTo(Verdict.INSUFFICIENT_DATA);
            // Each document says its verdict in words, with the arms' names as the table shows
            // them (experiment=variant) and the counts it was decided on.
            assertThat(load.statement)
                    .startsWith("checkout=b is worse than checkout=control on page load:")
                    .endsWith("n = 300 vs 300 values");
            assertThat(b.get("fetch").statement).contains("not tested");
            assertThat(load.id)
                    .isEqualTo(
                            ComparisonFunction.idOf(
                                    "shop-web",
                                    "experiment",
                                    "checkout",
                                    "b",
                                    "load",
                                    T0 + 15 * MINUTE));
            // Nothing more until the next multiple of 15 minutes.
            h.processWatermark(T0 + 34 * MINUTE - 2);
            assertThat(drain(h)).isEmpty();
            // End of input: the remaining windows fold and a last document goes out.
            h.processWatermark(Long.MAX_VALUE);
            List<Comparison> last = drain(h);
            assertThat(byMetric(last, "b").get("load").n).isEqualTo(30 * 20);
            assertThat(last).allSatisfy(c -> assertThat(c.last).isTrue());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aLateUpdateReplacesItsWindowAndIsCountedOnce() throws Exception {
        try (var h = harness(config())) {
            for (int m = 0; m < 15; m++) {
                feed(h, window("variant", "checkout=control", m, 20, 1000, 1));
                feed(h, window("variant", "checkout=b", m, 20, 1000, 2));
            }
            SeriesWindow update = window("variant", "checkout=b", 3, 30, 1000, 2);
            update.updateSeq = 1;
            feed(h, update);
            SeriesWindow stale = window("variant", "checkout=b", 3, 5, 1000, 2); // seq 0 again
            feed(h, stale);
            h.processWatermark(T0 + 20 * MINUTE - 1);
            Comparison load = byMetric(drain(h), "b").get("load");
            assertThat(load.n).isEqualTo(14 * 20 + 30);
            assertThat(load.verdict).isEqualTo(Verdict.NO_DIFFERENCE);
        }
    }

    @Test
    void aReleaseIsComparedWithThePreviousOneOverTheSameWindows() throws Exception {
        ComparisonsConfig c = config();
        try (var h = harness(c)) {
            for (int m = 0; m < 15; m++) {
                feed(h, window("release", "shop-web@1.0", m, 20, 1000, 1));
                if (m >= 5) feed(h, window("release", "shop-web@1.1", m, 20, 1000, 3));
                if (m >= 10) feed(h, window("release", "shop-web@1.2", m, 20, 1000, 4));
            }
            h.processWatermark(T0 + 20 * MINUTE - 1);
            List<Comparison> out = drain(h);
            Comparison v11 = byMetric(out, "shop-web@1.1").get("load");
            assertThat(v11.kind).isEqualTo(Comparison.RELEASE);
            assertThat(v11.experiment).isNull();
            assertThat(v11.control).isEqualTo("shop-web@1.0");
            assertThat(v11.windowStart).isEqualTo(T0 + 5 * MINUTE);
            // 1.0 counts only from 1.1's first window on.
            assertThat(v11.nControl).isEqualTo(10 * 20);
            Comparison v12 = byMetric(out, "shop-web@1.2").get("load");
            assertThat(v12.control).isEqualTo("shop-web@1.1");
            assertThat(v12.n).isEqualTo(5 * 20);
            assertThat(v12.verdict).isEqualTo(Verdict.NO_DIFFERENCE);
            assertThat(out).noneMatch(x -> x.variant.equals("shop-web@1.0"));
            // Releases off: release series are not read.
            assertThat(ComparisonFunction.relevant(window("release", "r", 0, 1, 1, 1), false))
                    .isFalse();
            assertThat(ComparisonFunction.relevant(window("release", "other", 0, 1, 1, 1), true))
                    .isFalse();
        }
    }

    @Test
    void theControlIsTheConfiguredVariantElseTheDefaultElseTheFirstByName() throws Exception {
        ComparisonsConfig c = config();
        c.controls.put("banner", "blue");
        try (var h = harness(c)) {
            for (int m = 0; m < 15; m++) {
                feed(h, window("variant", "banner=blue", m, 10, 1000, 1));
                feed(h, window("variant", "banner=red", m, 10, 1000, 2));
                feed(h, window("variant", "banner=control", m, 10, 1000, 3));
                feed(h, window("variant", "layout=wide", m, 10, 1000, 4));
                feed(h, window("variant", "layout=narrow", m, 10, 1000, 5));
            }
            h.processWatermark(T0 + 20 * MINUTE - 1);
            List<Comparison> out = drain(h);
            Map<String, String> controls =
                    out.stream()
                            .collect(
                                    Collectors.toMap(
                                            x -> x.experiment + "=" + x.variant,
                                            x -> x.control,
                                            (a, b) -> a));
            assertThat(controls)
                    .containsOnly(
                            Map.entry("banner=red", "blue"),
                            Map.entry("banner=control", "blue"),
                            Map.entry("layout=wide", "narrow"));
            // 150 views per arm, min 100: tested
            assertThat(out)
                    .filteredOn(x -> x.metric.equals("load"))
                    .allSatisfy(x -> assertThat(x.verdict).isEqualTo(Verdict.NO_DIFFERENCE));
        }
    }

    @Test
    void armsBeyondTheBudgetAreIgnoredAndIdleArmsAreForgottenWithTheirTimers() throws Exception {
        ComparisonsConfig c = config();
        c.maxArmsPerApp = 2;
        try (var h = harness(c)) {
            for (int m = 0; m < 15; m++) {
                feed(h, window("variant", "exp=a", m, 10, 1000, 1));
                feed(h, window("variant", "exp=b", m, 10, 1000, 2));
                feed(h, window("variant", "exp=c", m, 10, 1000, 3));
            }
            h.processWatermark(T0 + 20 * MINUTE - 1);
            List<Comparison> out = drain(h);
            assertThat(out).extracting(x -> x.variant).containsOnly("b");
            assertThat(h.numKeyedStateEntries()).isPositive();
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // the idle cleanup
            // Two hours after the last window: everything of the app is gone.
            h.processWatermark(T0 + 14 * MINUTE + Duration.ofHours(2).toMillis());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(drain(h)).isEmpty();
        }
    }

    @Test
    void stateTypesAreFlinkPojosWithoutGenericFields() {
        for (Class<?> c : new Class<?>[] {Arm.class, SeriesWindow.class, Comparison.class}) {
            TypeInformation<?> t = TypeInformation.of(c);
            assertThat(t).as(c.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            PojoTypeInfo<?> p = (PojoTypeInfo<?>) t;
            for (int i = 0; i < p.getArity(); i++) {
                PojoField f = p.getPojoFieldAt(i);
                assertThat(f.getTypeInformation().getClass().getSimpleName())
                        .as(c.getSimpleName() + "." + f.getField().getName())
                        .isNotEqualTo("GenericTypeInfo");
            }
        }
    }
}
