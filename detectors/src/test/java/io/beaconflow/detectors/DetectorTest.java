package io.beaconflow.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DetectorTest {
    static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;

    private static DetectorSpecBuilder gaussian() {
        return DetectorSpec.builder()
                .kind(MetricKind.LATENCY)
                .zThreshold(4)
                .alpha(0.05)
                .minPoints(20);
    }

    private static List<PointResult> run(Detector d, DetectorState s, double[] values) {
        if (s == null) {
            s = d.newState();
        }
        List<PointResult> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(d.update(s, T0 + i * MINUTE, values[i]));
        }
        return out;
    }

    @Test
    void coldStartAnswersWithNothingThenTheStaticBudgetThenTheEwmaThenTheSeasonalBaseline() {
        DetectorSpec spec =
                gaussian()
                        .minPoints(5)
                        .staticUpper(500)
                        .staticExpected(200)
                        .seasonalPeriod(SeasonalPeriod.DAY)
                        .slotMinutes(60)
                        .minSeasons(3)
                        .build();
        Detector d = new Detector(spec);
        DetectorState s = d.newState();
        assertThat(d.update(s, T0, 200).baseline()).isEqualTo(BaselineKind.STATIC);
        PointResult overBudget = d.update(s, T0 + MINUTE, 900);
        assertThat(overBudget.anomaly()).isTrue();
        assertThat(overBudget.upper()).isEqualTo(500);
        for (int i = 2; i < 5; i++) {
            d.update(s, T0 + i * MINUTE, 200);
        }
        assertThat(d.update(s, T0 + 5 * MINUTE, 200).baseline()).isEqualTo(BaselineKind.EWMA);
        // Hourly points for three days fill every slot with three periods.
        long t = T0 + Duration.ofHours(1).toMillis();
        for (int h = 0; h < 72; h++, t += Duration.ofHours(1).toMillis()) {
            d.update(s, t, 200 + (h % 24));
        }
        PointResult seasonal = d.update(s, t, 200 + 3 * 24 % 24);
        assertThat(seasonal.baseline()).isEqualTo(BaselineKind.SEASONAL);
        DetectorSpec noBudget = gaussian().build();
        assertThat(new Detector(noBudget).update(new DetectorState(), T0, 5).baseline())
                .isEqualTo(BaselineKind.NONE);
    }

    @Test
    void everyInvalidInputIsSkippedWithItsOwnCounterAndLeavesTheBaselineAlone() {
        Detector d = new Detector(DetectorSpec.builder().kind(MetricKind.ERROR_RATE).build());
        DetectorState s = d.newState();
        d.update(s, T0, 0.02, 1000);
        long before = s.ewmaCount;
        assertThat(d.update(s, T0 + 1, Double.NaN, 1000).status())
                .isEqualTo(PointStatus.SKIPPED_NAN);
        assertThat(d.update(s, T0 + 2, Double.POSITIVE_INFINITY, 1000).status())
                .isEqualTo(PointStatus.SKIPPED_INFINITE);
        assertThat(d.update(s, T0 + 3, 0.02, Double.POSITIVE_INFINITY).status())
                .isEqualTo(PointStatus.SKIPPED_INFINITE);
        assertThat(d.update(s, T0 + 4, -0.01, 1000).status())
                .isEqualTo(PointStatus.SKIPPED_NEGATIVE);
        assertThat(d.update(s, T0 + 5, 1.5, 1000).status())
                .isEqualTo(PointStatus.SKIPPED_OUT_OF_RANGE);
        assertThat(d.update(s, T0 + 6, 0.02).status())
                .isEqualTo(PointStatus.SKIPPED_MISSING_DENOMINATOR);
        assertThat(d.update(s, T0 + 7, 0.0, 0).status()).isEqualTo(PointStatus.SKIPPED_NO_VOLUME);
        assertThat(d.update(s, T0 - 1, 0.02, 1000).status())
                .isEqualTo(PointStatus.SKIPPED_OUT_OF_ORDER);
        assertThat(d.update(s, T0, 0.02, 1000).status()).isEqualTo(PointStatus.SKIPPED_DUPLICATE);
        assertThat(
                        new long[] {
                            s.skippedNaN,
                            s.skippedInfinite,
                            s.skippedNegative,
                            s.skippedOutOfRange,
                            s.skippedMissingDenominator,
                            s.skippedNoVolume,
                            s.skippedOutOfOrder,
                            s.skippedDuplicate
                        })
                .containsExactly(1, 2, 1, 1, 1, 1, 1, 1);
        assertThat(s.skippedTotal()).isEqualTo(9);
        assertThat(s.ewmaCount).isEqualTo(before);
        assertThat(s.lastTimestamp).isEqualTo(T0);
        assertThat(d.update(s, T0 + 8, 0.02, 1000).status()).isEqualTo(PointStatus.SCORED);
    }

    @Test
    void negativeValuesAreAcceptedWhenTheSpecAllowsThem() {
        Detector d = new Detector(gaussian().allowNegative(true).build());
        assertThat(d.update(d.newState(), T0, -3).status()).isEqualTo(PointStatus.SCORED);
    }

    @Test
    void oneIncidentOpensOneAlertAndTheCooldownHoldsTheNextOneBack() {
        Detector d = new Detector(gaussian().clearPoints(3).cooldownPoints(10).build());
        DetectorState s = d.newState();
        double[] x = Noise.gaussian(7, 200, 100, 2);
        Noise.shift(x, 100, 110, 50); // incident 1: ten points
        Noise.shift(x, 115, 118, 50); // a second burst inside the cooldown
        Noise.shift(x, 150, 155, 50); // incident 2, after the cooldown
        List<PointResult> r = run(d, s, x);
        List<Integer> openings = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (r.get(i).alertOpened()) {
                openings.add(i);
            }
        }
        assertThat(openings).containsExactly(100, 150);
        assertThat(r.get(105).anomaly()).isTrue();
        assertThat(r.get(105).alertOpen()).isTrue();
    }

    @Test
    void anIncidentDoesNotPoisonTheBaselineUntilItLastsLongerThanRelearnAfter() {
        Detector d = new Detector(gaussian().anomalyWeight(0).relearnAfter(30).build());
        DetectorState s = d.newState();
        double[] x = Noise.gaussian(8, 300, 100, 2);
        Noise.shift(x, 100, 120, 40);
        List<PointResult> r = run(d, s, x);
        assertThat(r.get(119).expected()).isBetween(98.0, 102.0);
        assertThat(r.get(119).anomaly()).isTrue();
        // A level shift that lasts is learnt: after relearn_after outliers the points count fully.
        Noise.shift(x, 200, 300, 40);
        r = run(d, d.newState(), x);
        assertThat(r.get(299).anomaly()).isFalse();
        assertThat(r.get(299).expected()).isBetween(130.0, 150.0);
    }

    @Test
    void theAbsoluteAndRelativeMinimumChangesMustBothBeExceeded() {
        double[] x = Noise.gaussian(9, 100, 100, 0.5);
        x[99] = 110; // z ~ 20, +10 %, +10 units
        assertThat(run(new Detector(gaussian().build()), new DetectorState(), x).get(99).anomaly())
                .isTrue();
        assertThat(
                        run(
                                        new Detector(gaussian().minAbsChange(20).build()),
                                        new DetectorState(),
                                        x)
                                .get(99)
                                .anomaly())
                .isFalse();
        assertThat(
                        run(
                                        new Detector(gaussian().minRelChange(0.2).build()),
                                        new DetectorState(),
                                        x)
                                .get(99)
                                .anomaly())
                .isFalse();
        PointResult both =
                run(
                                new Detector(gaussian().minAbsChange(5).minRelChange(0.05).build()),
                                new DetectorState(),
                                x)
                        .get(99);
        assertThat(both.anomaly()).isTrue();
        assertThat(both.score()).isGreaterThanOrEqualTo(0.5);
        PointResult gated =
                run(new Detector(gaussian().minAbsChange(20).build()), new DetectorState(), x)
                        .get(99);
        assertThat(gated.score()).isLessThan(0.5);
    }

    @Test
    void directionUpIgnoresDropsAndDirectionDownIgnoresRises() {
        double[] x = Noise.gaussian(10, 100, 100, 1);
        x[98] = 60;
        x[99] = 140;
        List<PointResult> up =
                run(
                        new Detector(gaussian().direction(Direction.UP).build()),
                        new DetectorState(),
                        x);
        List<PointResult> down =
                run(
                        new Detector(gaussian().direction(Direction.DOWN).build()),
                        new DetectorState(),
                        x);
        assertThat(up.get(98).anomaly()).isFalse();
        assertThat(up.get(99).anomaly()).isTrue();
        assertThat(down.get(98).anomaly()).isTrue();
        assertThat(down.get(98).direction()).isEqualTo(Direction.DOWN);
        assertThat(down.get(99).anomaly()).isFalse();
    }

    @Test
    void aLowVolumeWindowGetsAWiderBandNotAnAlert() {
        Detector d = new Detector(gaussian().minVolume(10).build());
        DetectorState s = d.newState();
        double[] x = Noise.gaussian(11, 100, 300, 10);
        for (int i = 0; i < 99; i++) {
            d.update(s, T0 + i * MINUTE, x[i], 1000);
        }
        PointResult thin = d.update(s, T0 + 99 * MINUTE, 380, 40); // 25x fewer samples than usual
        assertThat(thin.anomaly()).isFalse();
        assertThat(thin.upper() - thin.expected()).isGreaterThan(4 * 4 * 10 * 0.8);
        PointResult tiny = d.update(s, T0 + 100 * MINUTE, 3000, 5); // below min_volume
        assertThat(tiny.anomaly()).isFalse();
        PointResult full = d.update(s, T0 + 101 * MINUTE, 380, 1000);
        assertThat(full.anomaly()).isTrue();
    }

    @Test
    void aShiftedOrScaledSeriesGetsTheSameDecisions() {
        double[] x = Noise.gaussian(12, 600, 50, 5);
        Noise.shift(x, 300, 310, 40);
        x[450] -= 45;
        DetectorSpec base = gaussian().minAbsChange(2).clearPoints(2).cooldownPoints(5).build();
        List<PointResult> ref = run(new Detector(base), new DetectorState(), x);
        double scale = 1234.5;
        double shift = -1e6;
        double[] scaled = new double[x.length];
        double[] shifted = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            scaled[i] = x[i] * scale;
            shifted[i] = x[i] + shift;
        }
        List<PointResult> rs =
                run(
                        new Detector(base.toBuilder().minAbsChange(2 * scale).build()),
                        new DetectorState(),
                        scaled);
        List<PointResult> rt =
                run(
                        new Detector(base.toBuilder().allowNegative(true).build()),
                        new DetectorState(),
                        shifted);
        int anomalies = 0;
        for (int i = 0; i < x.length; i++) {
            assertThat(rs.get(i).anomaly()).as("scaled %d", i).isEqualTo(ref.get(i).anomaly());
            assertThat(rs.get(i).alertOpened())
                    .as("scaled %d", i)
                    .isEqualTo(ref.get(i).alertOpened());
            assertThat(rt.get(i).anomaly()).as("shifted %d", i).isEqualTo(ref.get(i).anomaly());
            assertThat(rt.get(i).alertOpened())
                    .as("shifted %d", i)
                    .isEqualTo(ref.get(i).alertOpened());
            anomalies += ref.get(i).anomaly() ? 1 : 0;
        }
        assertThat(anomalies).isGreaterThan(0);
    }

    @Test
    void onTheLogScaleAScaledSeriesGetsTheSameDecisions() {
        double[] x = Noise.gaussian(13, 300, 400, 30);
        for (int i = 200; i < 205; i++) {
            x[i] *= 3;
        }
        DetectorSpec spec = gaussian().logScale(true).logOffset(0).build();
        List<PointResult> a = run(new Detector(spec), new DetectorState(), x);
        double[] scaled = x.clone();
        for (int i = 0; i < x.length; i++) {
            scaled[i] *= 1000;
        }
        List<PointResult> b = run(new Detector(spec), new DetectorState(), scaled);
        for (int i = 0; i < x.length; i++) {
            assertThat(b.get(i).anomaly()).as("%d", i).isEqualTo(a.get(i).anomaly());
        }
        assertThat(a.get(200).anomaly()).isTrue();
        assertThat(a.get(200).expected()).isBetween(350.0, 450.0); // geometric mean, original units
    }

    @Test
    void aDaylightSavingChangeDoesNotLookLikeAnAnomalyWhenSlotsFollowTheLocalZone() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        DetectorSpec local =
                gaussian()
                        .seasonalPeriod(SeasonalPeriod.DAY)
                        .slotMinutes(60)
                        .seasonalAlpha(0.3)
                        .minSeasons(3)
                        .timeZone(berlin)
                        .sdFloor(1)
                        .minRelChange(0.2) // noise is ~0.3 %, an hour off is 10x
                        .build();
        DetectorSpec utc = local.toBuilder().timeZone(ZoneId.of("UTC")).build();
        // Traffic follows the local clock: 1000 views at 09:00-17:00 local, 100 otherwise.
        ZonedDateTime start = ZonedDateTime.of(2024, 3, 20, 0, 0, 0, 0, berlin);
        ZonedDateTime end = ZonedDateTime.of(2024, 4, 5, 0, 0, 0, 0, berlin);
        Detector dl = new Detector(local);
        Detector du = new Detector(utc);
        DetectorState sl = dl.newState();
        DetectorState su = du.newState();
        Random r = new Random(14);
        int localAlerts = 0;
        int utcAlerts = 0;
        for (ZonedDateTime t = start; t.isBefore(end); t = t.plusHours(1)) {
            int h = t.getHour();
            double v = (h >= 9 && h < 17 ? 1000 : 100) + 3 * r.nextGaussian();
            long ms = t.toInstant().toEpochMilli();
            boolean afterChange = t.isAfter(ZonedDateTime.of(2024, 3, 31, 3, 0, 0, 0, berlin));
            if (dl.update(sl, ms, v).anomaly() && afterChange) {
                localAlerts++;
            }
            if (du.update(su, ms, v).anomaly() && afterChange) {
                utcAlerts++;
            }
        }
        assertThat(localAlerts).isZero();
        assertThat(utcAlerts)
                .isGreaterThan(0); // the control: UTC slots are an hour off after the change
    }

    @Test
    void theResultCarriesEverythingADashboardNeeds() {
        Detector d = new Detector(gaussian().build());
        DetectorState s = d.newState();
        List<PointResult> r = run(d, s, Noise.gaussian(15, 60, 100, 2));
        PointResult p = d.update(s, T0 + 60 * MINUTE, 130);
        assertThat(p.baseline()).isEqualTo(BaselineKind.EWMA);
        assertThat(p.lower()).isLessThan(p.expected());
        assertThat(p.upper()).isGreaterThan(p.expected()).isLessThan(130);
        assertThat(p.z()).isGreaterThan(4);
        assertThat(p.score()).isBetween(0.5, 1.0);
        assertThat(p.direction()).isEqualTo(Direction.UP);
        assertThat(p.anomaly()).isTrue();
        assertThat(p.alertOpened()).isTrue();
        assertThat(r.get(30).score()).isBetween(0.0, 0.5);
    }

    @Test
    void theStateIsAFlinkPojoOfPrimitivesAndPrimitiveArrays() throws Exception {
        assertThat(Modifier.isPublic(DetectorState.class.getConstructor().getModifiers())).isTrue();
        for (Field f : DetectorState.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            assertThat(Modifier.isPublic(f.getModifiers())).as(f.getName()).isTrue();
            Class<?> t = f.getType();
            assertThat(
                            t.isPrimitive()
                                    || t == double[].class
                                    || t == long[].class
                                    || t == String.class)
                    .as(f.getName() + " " + t)
                    .isTrue();
        }
    }

    private static int poisson(Random r, double mean) {
        double l = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private static DetectorSpecBuilder counts() {
        return DetectorSpec.builder()
                .kind(MetricKind.THROUGHPUT)
                .scorer(ScorerKind.GAUSSIAN)
                .transform(Transform.SQRT)
                .sdFloor(1)
                .zThreshold(4)
                .alpha(0.05)
                .minPoints(30)
                .anomalyWeight(0);
    }

    @Test
    void onTheSquareRootScaleADropStandsOutAndAPoissonBurstDoesNot() {
        Detector d = new Detector(counts().build());
        DetectorState s = d.newState();
        Random r = new Random(3);
        double[] x = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = poisson(r, 40);
        }
        x[150] = 8; // a traffic drop to a fifth
        List<PointResult> out = run(d, s, x);
        assertThat(out.get(150).anomaly()).isTrue();
        assertThat(out.get(150).expected()).isBetween(37.0, 43.0);
        // The band is drawn on the count scale: about 40 ± 4 sd of sqrt(40).
        assertThat(out.get(150).lower()).isBetween(10.0, 25.0);
        assertThat(out.get(150).upper()).isBetween(60.0, 75.0);
        assertThat(out.subList(30, 150)).noneMatch(PointResult::anomaly);

        // At 10 a window, 20 is a Poisson burst that happens (z ~ 2.7 on this scale), not a flood.
        Detector small = new Detector(counts().build());
        DetectorState t = small.newState();
        double[] y = new double[100];
        for (int i = 0; i < y.length; i++) {
            y[i] = poisson(r, 10);
        }
        y[80] = 20;
        assertThat(run(small, t, y).get(80).anomaly()).isFalse();
    }

    @Test
    void withExactCountsAnEmptyMinuteOfAThinSampledSegmentIsWeatherAndAnOutageIsNot() {
        // A segment sampled at 25 %: each received view counts 4, about 7 received a minute.
        Random r = new Random(7);
        double[] x = new double[300];
        for (int i = 0; i < x.length; i++) {
            x[i] = 4 * poisson(r, 7);
        }
        x[200] = 0; // an empty minute: e^-7 = 0.09 % of minutes (3.1 sigma)
        Detector plain = new Detector(counts().build());
        Detector exact = new Detector(counts().exactCounts(true).build());
        PointResult plainEmpty = run(plain, plain.newState(), x).get(200);
        assertThat(plainEmpty.anomaly()).as("the square-root scale alone: " + plainEmpty).isTrue();
        assertThat(run(exact, exact.newState(), x).get(200).anomaly()).isFalse();

        // The same segment at 100 received a minute (400 weighted) losing all of it: alerted.
        double[] busy = new double[300];
        for (int i = 0; i < busy.length; i++) {
            busy[i] = 4 * poisson(r, 100);
        }
        busy[200] = 0;
        assertThat(run(exact, exact.newState(), busy).get(200).anomaly()).isTrue();
    }

    @Test
    void exactCountsNeedTheCountScale() {
        assertThatThrownBy(
                        () ->
                                DetectorSpec.builder()
                                        .kind(MetricKind.LATENCY)
                                        .logScale(true)
                                        .exactCounts(true)
                                        .build())
                .hasMessageContaining("exact_counts")
                .hasMessageContaining("transform: sqrt");
    }

    /**
     * min_volume on a count is judged on the expected count in both directions: one visitor in a
     * segment that is normally empty (expected well under one view a window) is not a flood,
     * however many standard errors it is on the count scale; the same rise on a segment whose usual
     * volume passes the gate is judged, and a drop on a busy one too.
     */
    @Test
    void aCountRiseInANormallyEmptySegmentIsNotJudgedTheUsualVolumeIs() {
        Random r = new Random(5);
        Detector thin = new Detector(counts().minVolume(20).build());
        DetectorState s = thin.newState();
        double[] x = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() < 0.05 ? 4 : 0; // a sampled app's rare visitor, weighted 4
        }
        x[150] = 24; // one session of six views arrives
        x[151] = 24;
        List<PointResult> out = run(thin, s, x);
        assertThat(out.get(150).z()).isGreaterThan(4.0); // far out on the count scale ...
        assertThat(out.subList(30, 200)).noneMatch(PointResult::anomaly); // ... but not judged

        Detector busy = new Detector(counts().minVolume(20).build());
        DetectorState b = busy.newState();
        double[] y = new double[200];
        for (int i = 0; i < y.length; i++) {
            y[i] = poisson(r, 40);
        }
        y[150] = 130;
        y[170] = 5;
        List<PointResult> busyOut = run(busy, b, y);
        assertThat(busyOut.get(150).anomaly()).isTrue();
        assertThat(busyOut.get(170).anomaly()).isTrue();
    }

    @Test
    void whileAnAlertIsOpenItsQuieterWindowsDoNotTeachTheBaseline() {
        double[] x = Noise.gaussian(5, 200, 100, 2);
        // An incident whose windows are alternately far out and just inside the band.
        for (int i = 100; i < 140; i++) {
            x[i] = i % 2 == 0 ? 140 : 107;
        }
        DetectorSpecBuilder b = gaussian().anomalyWeight(0).relearnAfter(60).clearPoints(3);
        List<PointResult> frozen = run(new Detector(b.freezeWhileOpen(true).build()), null, x);
        List<PointResult> learning = run(new Detector(b.freezeWhileOpen(false).build()), null, x);
        assertThat(frozen.get(139).expected()).isBetween(98.0, 102.0);
        assertThat(learning.get(139).expected()).isGreaterThan(frozen.get(139).expected() + 3);
        // After the incident the frozen detector closes the alert again.
        assertThat(frozen.get(199).alertOpen()).isFalse();
    }

    @Test
    void aNearThresholdWindowMovesTheBaselineLessWithRobustZ() {
        double[] x = Noise.gaussian(9, 120, 100, 2);
        x[100] = 107; // z ~ 3.5: inside the threshold of 4
        List<PointResult> plain = run(new Detector(gaussian().build()), null, x);
        List<PointResult> robust = run(new Detector(gaussian().robustZ(2.5).build()), null, x);
        double plainShift = plain.get(101).expected() - plain.get(100).expected();
        double robustShift = robust.get(101).expected() - robust.get(100).expected();
        assertThat(plain.get(100).anomaly()).isFalse();
        assertThat(robustShift).isPositive().isLessThan(plainShift * 0.6);
    }

    @Test
    void aStaticRateBudgetNeedsTheExactBinomialTailNotOneUnluckyThinWindow() {
        DetectorSpec spec =
                DetectorSpec.builder()
                        .kind(MetricKind.ERROR_RATE)
                        .zThreshold(3.5)
                        .staticExpected(0.01)
                        .staticUpper(0.05)
                        .build();
        Detector d = new Detector(spec);
        // 2 errors in 20 views is 10 %, above the 5 % budget, and what a 5 % rate gives often.
        assertThat(d.update(d.newState(), T0, 2 / 20.0, 20).anomaly()).isFalse();
        // 8 in 20 is not.
        assertThat(d.update(d.newState(), T0, 8 / 20.0, 20).anomaly()).isTrue();
    }
}
