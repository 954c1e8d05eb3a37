package io.beaconflow.detectors;

import static io.beaconflow.detectors.ShippedShapes.latency;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code body_share}: one window's p75 rise opens only when the window's median carries part of it.
 * The windows are built from loads, as the job's sketches are: twenty loads a minute from a
 * log-normal, and the p50 and p75 read from them; scored with the shipped latency shape ({@link
 * ShippedShapes#latency}).
 */
class BodyCheckTest {
    static final long T0 = 1_700_000_000_000L;
    static final long MINUTE = 60_000;
    static final int LOADS = 20;

    /** p50 and p75 of one window's loads: the usual ones, {@code slow} of them {@code factor}x. */
    static double[] window(Random r, int slow, double slowFactor, double all) {
        double[] loads = new double[LOADS];
        for (int i = 0; i < LOADS; i++) {
            loads[i] = 2000 * Math.exp(0.45 * r.nextGaussian()) * all * (i < slow ? slowFactor : 1);
        }
        Arrays.sort(loads);
        return new double[] {quantile(loads, 0.5), quantile(loads, 0.75)};
    }

    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Learns 600 ordinary windows; returns the index of the next window. */
    static int warmUp(Detector d, DetectorState s, Random r) {
        for (int i = 0; i < 600; i++) {
            double[] w = window(r, 0, 1, 1);
            d.update(s, T0 + i * MINUTE, w[1], LOADS, 0L, w[0]);
        }
        return 600;
    }

    /** Whether three windows with {@code slow} of the loads {@code slowFactor}x open an alert. */
    static boolean opens(Detector d, long seed, int slow, double slowFactor, double all) {
        DetectorState s = d.newState();
        Random r = new Random(seed);
        return firstOpening(d, s, r, 3, slow, slowFactor, all) >= 0;
    }

    /**
     * After {@link #warmUp}: {@code windows} windows with {@code slow} of the loads {@code
     * slowFactor}x and all of them {@code all}x; the first that opens an alert (from 0), or -1.
     */
    static int firstOpening(
            Detector d,
            DetectorState s,
            Random r,
            int windows,
            int slow,
            double slowFactor,
            double all) {
        int i = warmUp(d, s, r);
        int opened = -1;
        for (int k = 0; k < windows; k++, i++) {
            double[] w = window(r, slow, slowFactor, all);
            if (d.update(s, T0 + i * MINUTE, w[1], LOADS, 0L, w[0]).alertOpened() && opened < 0) {
                opened = k;
            }
        }
        return opened;
    }

    /**
     * Three minutes in which six of the twenty loads come from slow connections (6x): the p75 is
     * theirs (window z 5-15), the median is only pushed up by the ranks they take (a share of the
     * rise of 0.0-0.4 in most windows, up to 0.8 by chance). Without the check almost every draw
     * opens an alert; with it, only the draws where two windows in a row happen to carry half.
     */
    @Test
    void aFewSlowLoadsThatMakeTheP75RarelyOpenWithTheCheckAndAlmostAlwaysWithout() {
        Detector off = new Detector(latency().build());
        Detector on = new Detector(latency().bodyShare(0.5).build());
        int withCheck = 0;
        int withoutCheck = 0;
        for (long seed = 1; seed <= 40; seed++) {
            withoutCheck += opens(off, seed, 6, 6, 1) ? 1 : 0;
            withCheck += opens(on, seed, 6, 6, 1) ? 1 : 0;
        }
        assertThat(withoutCheck).isGreaterThanOrEqualTo(36);
        assertThat(withCheck).isLessThanOrEqualTo(10);
    }

    /** Every load 2.5x slower: the median carries the whole rise, so nothing changes. */
    @Test
    void aRegressionOfEveryLoadOpensExactlyAsWithoutTheCheck() {
        Detector off = new Detector(latency().build());
        Detector on = new Detector(latency().bodyShare(0.5).build());
        int opened = 0;
        for (long seed = 1; seed <= 40; seed++) {
            boolean with = opens(on, seed, 0, 1, 2.5);
            assertThat(with).as("seed %d", seed).isEqualTo(opens(off, seed, 0, 1, 2.5));
            opened += with ? 1 : 0;
        }
        assertThat(opened).isGreaterThanOrEqualTo(36);
    }

    @Test
    void aTailOnlyRegressionStillAlertsThroughThePooledScales() {
        Detector on =
                new Detector(latency().bodyShare(0.5).evidenceWindows(16).evidenceCap(2.5).build());
        DetectorState s = on.newState();
        Random r = new Random(7);
        int i = warmUp(on, s, r);
        int opened = -1;
        for (int k = 0; k < 30 && opened < 0; k++, i++) {
            double[] w = window(r, 6, 3, 1);
            if (on.update(s, T0 + i * MINUTE, w[1], LOADS, 0L, w[0]).alertOpened()) {
                opened = k;
            }
        }
        assertThat(opened).isBetween(2, 16);
    }

    @Test
    void theGapIsLearnedFromOrdinaryWindowsOnlyAndWithoutAMedianNothingIsChecked() {
        Detector on = new Detector(latency().bodyShare(0.5).build());
        DetectorState s = on.newState();
        Random r = new Random(3);
        int i = warmUp(on, s, r);
        // log p75 - log p50 of a log-normal with sigma 0.45: 0.674 x 0.45 = 0.30
        assertThat(s.bodyGap).isBetween(0.2, 0.4);
        assertThat(s.bodyGapCount).isEqualTo(600);
        double gap = s.bodyGap;
        for (int k = 0; k < 3; k++, i++) {
            double[] w = window(r, 0, 1, 2.5);
            on.update(s, T0 + i * MINUTE, w[1], LOADS, 0L, w[0]);
        }
        assertThat(s.bodyGap).as("an incident's windows teach nothing").isEqualTo(gap);

        // The same tail spikes without a median (a row that has none): as without the check.
        Detector off = new Detector(latency().build());
        int agree = 0;
        for (long seed = 1; seed <= 10; seed++) {
            boolean a = anyAnomalyWithoutMedian(on, seed);
            boolean b = anyAnomalyWithoutMedian(off, seed);
            agree += a == b ? 1 : 0;
        }
        assertThat(agree).isEqualTo(10);
    }

    private static boolean anyAnomalyWithoutMedian(Detector d, long seed) {
        DetectorState s = d.newState();
        Random r = new Random(seed);
        boolean any = false;
        for (int i = 0; i < 603; i++) {
            double[] w = i < 600 ? window(r, 0, 1, 1) : window(r, 6, 6, 1);
            any |= d.update(s, T0 + i * MINUTE, w[1], LOADS, 0L, Double.NaN).anomaly();
        }
        return any;
    }

    @Test
    void theKnobIsCheckedWithItsKeyAndKeptOutOfTheIdentityWhenOff() {
        assertThat(latency().bodyShare(0.5).build().bodyShare()).isEqualTo(0.5);
        assertThat(latency().build().toString()).doesNotContain("bodyShare");
        assertThat(latency().bodyShare(0.5).build().toString()).contains("bodyShare=0.5");
        assertThatThrownBy(() -> latency().bodyShare(1.5).build())
                .hasMessageContaining("body_share");
    }
}
