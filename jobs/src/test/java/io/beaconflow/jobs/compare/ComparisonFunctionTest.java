package io.beaconflow.jobs.compare;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.metrics.LatencyMetric;
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

/**
 * The comparison operator driven by watermarks: what it emits, when, and that it cleans up. Its
 * input is one summary per closed session and arm; here each "minute" of an arm is a number of
 * one-view sessions closing within that minute.
 */
class ComparisonFunctionTest {
    static final long T0 = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final Duration BUCKET = Duration.ofMinutes(1);

    static ComparisonsConfig config() {
        ComparisonsConfig c = new ComparisonsConfig();
        c.emitEvery = Duration.ofMinutes(15);
        c.minSamplesPerArm = 100;
        c.idleTtl = Duration.ofHours(2);
        return c;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, Comparison> harness(
            ComparisonsConfig c) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ComparisonFunction(c, BUCKET, 0.01)),
                        new ComparisonFunction.AppKey(),
                        Types.STRING);
        h.open();
        return h;
    }

    /**
     * {@code views} sessions of one series closing within one minute, each with one page view whose
     * load time is around {@code loadMs}.
     */
    static List<SessionSummary> window(
            String dimension, String value, int minute, int views, double loadMs, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 1000 + minute);
        List<SessionSummary> out = new ArrayList<>();
        for (int i = 0; i < views; i++) {
            SessionSummary s =
                    new SessionSummary("shop-web", dimension, value, "s-" + minute + "-" + i);
            s.views = 1;
            s.addLatency(LatencyMetric.LOAD, loadMs * Math.exp(0.5 * (rnd.nextDouble() - 0.5)));
            s.end = T0 + minute * MINUTE + i * 100;
            s.start = s.end;
            out.add(s);
        }
        return out;
    }

    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, Comparison> h,
            List<SessionSummary> sessions)
            throws Exception {
        for (SessionSummary s : sessions) h.processElement(s, s.end);
    }

    static List<Comparison> drain(
            KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, Comparison> h) {
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
    void withSequentialOffTheDocumentsCarryTheFixedHorizonTestAndItsNarrowerInterval()
            throws Exception {
        // comparisons.sequential: false keeps today's fixed-horizon test for one planned look;
        // the same input then gives a narrower interval around the same shift.
        ComparisonsConfig fixed = config();
        fixed.sequential = false;
        Map<String, Comparison> seq;
        Map<String, Comparison> fix;
        try (var h = harness(config());
                var g = harness(fixed)) {
            for (int m = 0; m < 15; m++) {
                List<SessionSummary> control =
                        window("variant", "checkout=control", m, 20, 1000, 1);
                List<SessionSummary> b = window("variant", "checkout=b", m, 20, 1300, 2);
                feed(h, control);
                feed(h, b);
                feed(g, control);
                feed(g, b);
            }
            h.processWatermark(T0 + 15 * MINUTE - 1);
            g.processWatermark(T0 + 15 * MINUTE - 1);
            seq = byMetric(drain(h), "b");
            fix = byMetric(drain(g), "b");
        }
        Comparison s = seq.get("load");
        Comparison f = fix.get("load");
        assertThat(f.test).isEqualTo("mann_whitney");
        assertThat(f.statement).contains("(95 % CI ").doesNotContain("always-valid");
        assertThat(f.diff).isEqualTo(s.diff);
        assertThat(f.diffLow).isGreaterThan(s.diffLow);
        assertThat(f.diffHigh).isLessThan(s.diffHigh);
        assertThat(f.pValue).isLessThan(s.pValue);
    }

    @Test
    void aSlowerVariantIsFlaggedWorseOnceItsWindowsAreFinalAndEveryEmitEvery() throws Exception {
        try (var h = harness(config())) {
            for (int m = 0; m < 30; m++) {
                feed(h, window("variant", "checkout=control", m, 20, 1000, 1));
                feed(h, window("variant", "checkout=b", m, 20, 1300, 2));
            }
            // Sessions closing in [14, 15) are all in once the watermark reaches its end - 1 ms.
            h.processWatermark(T0 + 15 * MINUTE - 2);
            assertThat(drain(h)).isEmpty();
            h.processWatermark(T0 + 15 * MINUTE - 1);
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
            // comparisons.sequential (the default): always-valid p and a confidence sequence
            assertThat(load.test).isEqualTo("msprt_mann_whitney");
            assertThat(b.get("error_rate").verdict).isEqualTo(Verdict.NO_DIFFERENCE);
            assertThat(b.get("fetch").verdict).isEqualTo(Verdict.INSUFFICIENT_DATA);
            // Each document says its verdict in words, with the arms' names as the table shows
            // them (experiment=variant) and the counts it was decided on.
            assertThat(load.statement)
                    .startsWith("checkout=b is worse than checkout=control on page load:")
                    .contains("(95 % always-valid CI ")
                    .contains("Holm-adjusted always-valid p = ")
                    .endsWith("n = 300 vs 300 sessions");
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
            h.processWatermark(T0 + 30 * MINUTE - 2);
            assertThat(drain(h)).isEmpty();
            // End of input: the remaining windows fold and a last document goes out.
            h.processWatermark(Long.MAX_VALUE);
            List<Comparison> last = drain(h);
            assertThat(byMetric(last, "b").get("load").n).isEqualTo(30 * 20);
            assertThat(last).allSatisfy(c -> assertThat(c.last).isTrue());
            assertNothingLeft(h);
        }
    }

    @Test
    void aSessionOfManyViewsIsOneValueAndTheErrorRateCountsSessions() throws Exception {
        try (var h = harness(config())) {
            for (int m = 0; m < 15; m++) {
                feed(h, window("variant", "checkout=control", m, 20, 1000, 1));
                // Ten sessions a minute of ten views each, the same load time in every view.
                List<SessionSummary> b = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    SessionSummary s =
                            new SessionSummary("shop-web", "variant", "checkout=b", "b" + i);
                    s.views = 10;
                    s.errors = i == 0 ? 10 : 0; // one session errs on every view
                    for (int v = 0; v < 10; v++) s.addLatency(LatencyMetric.LOAD, 1000);
                    s.end = T0 + m * MINUTE + i;
                    b.add(s);
                }
                feed(h, b);
            }
            h.processWatermark(T0 + 15 * MINUTE - 1);
            Map<String, Comparison> b = byMetric(drain(h), "b");
            // 150 sessions (1,500 views): one value each.
            assertThat(b.get("load").n).isEqualTo(150);
            assertThat(b.get("load").estimate)
                    .isCloseTo(1000, org.assertj.core.data.Offset.offset(10.0));
            // The rate is per view (150 of 1,500), its n the 150 sessions behind it.
            Comparison errors = b.get("error_rate");
            assertThat(errors.estimate).isEqualTo(0.1);
            assertThat(errors.n).isEqualTo(150);
            assertThat(errors.nControl).isEqualTo(300);
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
            h.processWatermark(T0 + 15 * MINUTE - 1);
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
            assertThat(ComparisonFunction.relevant("shop-web", "release", "r", false)).isFalse();
            assertThat(ComparisonFunction.relevant("shop-web", "release", "other", true)).isFalse();
            assertThat(ComparisonFunction.relevant("shop-web", "variant", "exp=", true)).isFalse();
        }
    }

    @Test
    void releasesAreOrderedByWhenTheirSessionsStartedNotWhenTheyClosed() throws Exception {
        try (var h = harness(config())) {
            for (int m = 0; m < 15; m++) {
                // 1.0's sessions began 30 minutes before they closed; 1.1's began a minute before:
                // 1.1 closes first, yet 1.0 is the older release and 1.1's control.
                List<SessionSummary> old = window("release", "shop-web@1.0", m + 3, 20, 1000, 1);
                for (SessionSummary s : old) s.start = T0 - 30 * MINUTE + m * MINUTE;
                List<SessionSummary> next = window("release", "shop-web@1.1", m, 20, 1000, 2);
                for (SessionSummary s : next) s.start = s.end - MINUTE;
                feed(h, old);
                feed(h, next);
            }
            h.processWatermark(T0 + 15 * MINUTE - 1);
            List<Comparison> out = drain(h);
            assertThat(out)
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.variant).isEqualTo("shop-web@1.1"));
            assertThat(out).allSatisfy(c -> assertThat(c.control).isEqualTo("shop-web@1.0"));
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
            h.processWatermark(T0 + 15 * MINUTE - 1);
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
            h.processWatermark(T0 + 15 * MINUTE - 1);
            List<Comparison> out = drain(h);
            assertThat(out).extracting(x -> x.variant).containsOnly("b");
            assertThat(h.numKeyedStateEntries()).isPositive();
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // the idle cleanup
            // Two hours after the last window: everything of the app is gone.
            h.processWatermark(T0 + 14 * MINUTE + Duration.ofHours(2).toMillis());
            assertNothingLeft(h);
            assertThat(drain(h)).isEmpty();
        }
    }

    @Test
    void stateTypesAreFlinkPojosWithoutGenericFields() {
        for (Class<?> c :
                new Class<?>[] {
                    Arm.class,
                    ArmSessions.class,
                    SessionSummary.class,
                    ComparisonFunction.Bucket.class,
                    Comparison.class
                }) {
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
