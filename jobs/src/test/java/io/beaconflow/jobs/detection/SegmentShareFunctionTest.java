package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.share.ShareSpec;
import io.beaconflow.jobs.metrics.MetricAggregate;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SegmentShareFunctionTest {
    static final long T0 = Rows.T0;
    static final long MINUTE = Rows.MINUTE;

    KeyedOneInputStreamOperatorTestHarness<String, MetricAggregate, AnomalySignal> h;

    @BeforeEach
    void setUp() throws Exception {
        DetectionStage.ShareRows rows = new DetectionStage.ShareRows(List.of("country"));
        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new SegmentShareFunction(
                                        ShareSpec.of(0.3, 6.5, 3.9, 60, 32),
                                        Duration.ofMinutes(1),
                                        Duration.ofHours(2))),
                        rows,
                        Types.STRING);
        h.open();
    }

    /** Minute {@code i}: the app total and its countries, stamped like the metrics stage does. */
    void minute(int i, double total, double de, double fr) throws Exception {
        feed(Rows.row("shop", "all", "*", i, total, 0.01));
        if (de > 0) {
            feed(Rows.row("shop", "country", "DE", i, de, 0.01));
        }
        if (fr > 0) {
            feed(Rows.row("shop", "country", "FR", i, fr, 0.01));
        }
    }

    void feed(MetricAggregate r) throws Exception {
        h.processElement(r, r.windowEnd - 1);
    }

    List<AnomalySignal> signals(String value) {
        return h.extractOutputValues().stream()
                .filter(s -> s.dimensionValue.equals(value))
                .toList();
    }

    /** 200 views a minute, DE a quarter and FR a tenth, with a deterministic wobble. */
    void normal(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            double wobble = 1 + 0.1 * ((i % 5) - 2) / 2.0;
            minute(i, 200 * wobble, 50 * wobble + (i % 3) - 1, 20 * wobble + (i % 2));
        }
    }

    @Test
    void aWindowIsDecidedWhenTheWatermarkReachesItsEndAndNotBefore() throws Exception {
        normal(0, 40);
        h.processWatermark(T0 + 39 * MINUTE - 1); // minute 38's end − 1: minutes 0-38 decided
        int decided = h.extractOutputValues().size();
        assertThat(h.extractOutputValues())
                .allSatisfy(s -> assertThat(s.windowStart).isLessThan(T0 + 39 * MINUTE));
        h.processWatermark(T0 + 40 * MINUTE - 1);
        assertThat(h.extractOutputValues().size()).isGreaterThan(decided);
        assertThat(signals("DE"))
                .allSatisfy(
                        s -> {
                            assertThat(s.metric).isEqualTo(SegmentShareFunction.METRIC);
                            assertThat(s.metricKind).isEqualTo("throughput");
                            assertThat(s.series).isEqualTo("shop|country|DE");
                            assertThat(s.anomaly).isFalse();
                        });
        // Warm-up: nothing answers before 30 windows of app traffic
        assertThat(signals("DE"))
                .allSatisfy(
                        s -> assertThat(s.windowStart).isGreaterThanOrEqualTo(T0 + 30 * MINUTE));
    }

    @Test
    void aCountryWithoutAnyRowIsScoredAtZeroAndAlertsWhileTheOtherDoesNot() throws Exception {
        normal(0, 60);
        for (int i = 60; i < 80; i++) {
            minute(i, 150, 0, 20); // DE gone: no row at all; the app loses its views
        }
        h.processWatermark(T0 + 80 * MINUTE);
        List<AnomalySignal> de = signals("DE");
        assertThat(de).anySatisfy(s -> assertThat(s.windowStart).isEqualTo(T0 + 70 * MINUTE));
        assertThat(de.stream().filter(s -> s.anomaly).count()).isGreaterThan(10);
        AnomalySignal last = de.get(de.size() - 1);
        assertThat(last.observed).isZero();
        assertThat(last.expected).isBetween(0.2, 0.3);
        assertThat(last.direction).isEqualTo("down");
        assertThat(signals("FR")).noneMatch(s -> s.anomaly); // its share rose
    }

    /**
     * JP: one view a minute from a visitor arriving every second minute (its own session bit) who
     * stays two minutes; far under the count test's gate (32 windows expect ~32 views, not 60).
     */
    List<AnomalySignal> japanForTwoHoursThenSilentFor40Minutes(boolean bits) throws Exception {
        for (int i = 0; i < 160; i++) {
            minute(i, 200, 50, 20);
            if (i < 120) {
                MetricAggregate jp = Rows.row("shop", "country", "JP", i, 1, 0.01);
                jp.sessionBits = bits ? 1L << ((i / 2) % 64) : null;
                feed(jp);
            }
        }
        h.processWatermark(T0 + 160 * MINUTE);
        return signals("JP");
    }

    @Test
    void aThinCountryGoingSilentAlertsOnTheVisitorsItsBitmapsCounted() throws Exception {
        List<AnomalySignal> jp = japanForTwoHoursThenSilentFor40Minutes(true);
        assertThat(jp.stream().filter(s -> s.windowStart < T0 + 120 * MINUTE))
                .noneMatch(s -> s.anomaly);
        // 0.5 arrivals a minute: e^-10 (z -3.9) is 20 silent minutes
        AnomalySignal first = jp.stream().filter(s -> s.anomaly).findFirst().orElseThrow();
        assertThat(first.windowStart).isBetween(T0 + 137 * MINUTE, T0 + 145 * MINUTE);
        assertThat(first.observed).isZero();
        assertThat(first.z).isLessThanOrEqualTo(-3.9);
    }

    @Test
    void withoutSessionBitmapsASilentThinCountryHasNoVerdict() throws Exception {
        assertThat(japanForTwoHoursThenSilentFor40Minutes(false)).noneMatch(s -> s.anomaly);
    }

    @Test
    void aLullOfTheWholeAppIsNoAnomaly() throws Exception {
        normal(0, 60);
        for (int i = 60; i < 80; i++) {
            minute(i, 80, 20, 8); // everything at 40 %
        }
        h.processWatermark(T0 + 80 * MINUTE);
        assertThat(h.extractOutputValues()).noneMatch(s -> s.anomaly);
    }

    @Test
    void lateRowsAndLateUpdatesAreNotScoredAgain() throws Exception {
        normal(0, 40);
        h.processWatermark(T0 + 40 * MINUTE);
        int before = h.extractOutputValues().size();
        feed(Rows.row("shop", "country", "DE", 39, 500, 0.01)); // a window already decided
        MetricAggregate update = Rows.row("shop", "country", "DE", 40, 500, 0.01);
        update.updateSeq = 1;
        feed(update);
        h.processWatermark(T0 + 42 * MINUTE);
        assertThat(h.extractOutputValues()).hasSize(before);
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void pendingWindowsAndIdleSegmentsLeaveNoStateOrTimers() throws Exception {
        normal(0, 40);
        h.processWatermark(T0 + 40 * MINUTE);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isPositive();
        // Two hours of app traffic without DE or FR: both are forgotten (idle TTL 2 h).
        for (int i = 40; i < 40 + 121; i++) {
            feed(Rows.row("shop", "all", "*", i, 200, 0.01));
        }
        h.processWatermark(T0 + 161 * MINUTE);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isZero();
    }
}
