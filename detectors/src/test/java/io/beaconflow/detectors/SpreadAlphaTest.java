package io.beaconflow.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@code baseline.spread_alpha}: a count's spread learned more slowly than its level. Minutes are
 * page views of a segment whose visitors arrive as a Poisson stream and view 1 + Poisson(1) pages
 * each (overdispersion 1.5, a spread of about 1.2 on the square-root scale, as measured on the
 * generator's page views), scored with the shipped throughput shape: square-root scale, floor 1,
 * falls at 4, rises at 5, robust_z 2.5, two anomalous windows to open.
 */
class SpreadAlphaTest {
    static final long T0 = 1_700_000_000_000L;
    static final long MINUTE = 60_000L;
    static final int WARM_UP = 300;

    static DetectorSpecBuilder pageViews() {
        return ShippedShapes.withShippedBaselineAndAlerting(
                DetectorSpec.builder()
                        .kind(MetricKind.THROUGHPUT)
                        .scorer(ScorerKind.GAUSSIAN)
                        .transform(Transform.SQRT)
                        .sdFloor(1)
                        .zThreshold(5)
                        .dropZThreshold(4)
                        .minVolume(20)
                        .minRelChange(0.3));
    }

    /** One minute's page views at {@code rate} views a minute (visitors at rate / 2). */
    static double minute(RandomGenerator r, double rate) {
        int visitors = new PoissonDistribution(r, rate / 1.4, 1e-12, 10_000).sample();
        PoissonDistribution more = new PoissonDistribution(r, 0.4, 1e-12, 10_000);
        int views = 0;
        for (int v = 0; v < visitors; v++) {
            views += 1 + more.sample();
        }
        return views;
    }

    /**
     * Warms up at 30 views a minute, then {@code windows} minutes at {@code factor} of it; the
     * window (from 0) whose point opens the first alert, or -1.
     */
    static int dropOpensAt(Detector d, long seed, int windows, double factor) {
        RandomGenerator r = new JDKRandomGenerator((int) seed);
        DetectorState s = d.newState();
        int i = 0;
        for (; i < WARM_UP; i++) {
            d.update(s, T0 + i * MINUTE, minute(r, 30));
        }
        for (int k = 0; k < windows; k++, i++) {
            PointResult pr = d.update(s, T0 + i * MINUTE, minute(r, 30 * factor));
            if (pr.alertOpened()) {
                return k;
            }
        }
        return -1;
    }

    /**
     * A segment left with a fifth of its traffic (30 → 6 views a minute): its windows read about
     * -3.5 to -5 against the learned spread, near the threshold of 4. At the mean's alpha (0.05)
     * each window not beyond it teaches the variance robust_z² times its usual squared residual, so
     * the band widens by about a quarter a window and later windows read smaller; with the spread
     * at 0.01 the band holds while the drop is found.
     */
    @Test
    void aDropToAFifthIsFoundSoonerWhenTheSpreadLearnsSlowly() {
        Detector same = new Detector(pageViews().build());
        Detector slow = new Detector(pageViews().spreadAlpha(0.01).build());
        Openings atSame = Openings.over(30, 30, seed -> dropOpensAt(same, seed, 30, 0.2));
        Openings atSlow = Openings.over(30, 30, seed -> dropOpensAt(slow, seed, 30, 0.2));
        // measured: found in 29 of 30 draws against 21, 90 windows of delay in all against 296
        assertThat(atSlow.found()).isGreaterThanOrEqualTo(atSame.found() + 5);
        assertThat(atSlow.delay()).isLessThan(atSame.delay() / 2);
    }

    /**
     * Ordinary traffic over a day that rises from 8 to 40 views a minute and falls back: the slower
     * spread opens about as many alerts (the mean still follows the day at its own alpha; the
     * spread is the traffic's clustering, which does not change with the hour).
     */
    @Test
    void ordinaryDaysOpenAboutAsManyAlerts() {
        Detector same = new Detector(pageViews().build());
        Detector slow = new Detector(pageViews().spreadAlpha(0.01).build());
        int openedSame = 0;
        int openedSlow = 0;
        for (long seed = 1; seed <= 20; seed++) {
            openedSame += ordinaryDays(same, seed);
            openedSlow += ordinaryDays(slow, seed);
        }
        // measured: none with either
        assertThat(openedSlow).isLessThanOrEqualTo(openedSame + 2);
    }

    /** After a day of ordinary traffic both learn about the same spread: its clustering. */
    @Test
    void ordinaryTrafficLearnsNearlyTheSameSpread() {
        Detector same = new Detector(pageViews().build());
        Detector slow = new Detector(pageViews().spreadAlpha(0.01).build());
        for (long seed = 1; seed <= 5; seed++) {
            double a = spreadAfterADay(same, seed);
            double b = spreadAfterADay(slow, seed);
            assertThat(b / a).as("seed %d", seed).isBetween(0.8, 1.25);
            // 1 + Poisson(0.4) views a visitor: a variance 1.69 times Poisson's
            assertThat(b).as("seed %d", seed).isBetween(1.1, 1.5);
        }
    }

    static double spreadAfterADay(Detector d, long seed) {
        DetectorState s = d.newState();
        ordinaryDays(d, seed, 1, s);
        return Math.sqrt(s.ewmaVar);
    }

    /** Alerts opened over three simulated days of ordinary traffic. */
    static int ordinaryDays(Detector d, long seed) {
        return ordinaryDays(d, seed, 3, d.newState());
    }

    /** Alerts {@code s} opened over {@code days} of a day from 8 to 40 views a minute and back. */
    static int ordinaryDays(Detector d, long seed, int days, DetectorState s) {
        RandomGenerator r = new JDKRandomGenerator((int) seed);
        int opened = 0;
        for (int i = 0; i < days * 1440; i++) {
            double rate = 24 - 16 * Math.cos(2 * Math.PI * i / 1440.0);
            if (d.update(s, T0 + i * MINUTE, minute(r, rate)).alertOpened()) {
                opened++;
            }
        }
        return opened;
    }

    @Test
    void theKnobIsCheckedWithItsKeyAndKeptOutOfTheIdentityWhenOff() {
        assertThat(pageViews().build().spreadAlpha()).isEqualTo(0.05);
        assertThat(pageViews().spreadAlpha(0.01).build().spreadAlpha()).isEqualTo(0.01);
        assertThat(pageViews().build().toString()).doesNotContain("spreadAlpha");
        assertThat(pageViews().spreadAlpha(0.01).build().toString()).contains("spreadAlpha=0.01");
        assertThatThrownBy(() -> pageViews().spreadAlpha(1.5).build())
                .hasMessageContaining("baseline.spread_alpha");
    }
}
