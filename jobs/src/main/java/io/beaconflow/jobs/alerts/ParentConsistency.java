package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.metrics.Dimension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * <b>Does the app total show a segment's change?</b> A segment (a browser, a country, an OS) is
 * part of its app's traffic, so a real change of the segment moves the app total too: by about its
 * share of the volume times its own change, on the detector's working scale (the rate for error
 * rates; log latency, where a segment of share s slowed by a factor r moves the total's percentile
 * by about s·ln r, more when the segment is the slow tail). A segment that claims a change its
 * total contradicts is a fluke of that segment's tail (a few slow visitors in a busy segment's
 * percentile), not an incident: on the shared scenarios 14 of the 20 false alerts were such p75
 * blips on segments holding a third to a half of news-web's loads, invisible on the app total.
 *
 * <p>The test, over the windows of the segment's finding that both series scored: the total's
 * residual minus {@link #SHOWN_FRACTION} of what the segment implies, in the total's own standard
 * errors, pooled like independent z scores (sum / √n). Below {@code −shortfallZ} the total shows
 * significantly less than half of the segment's implied change: the segment's alert does not open.
 * A small segment implies little and the total's noise covers it, so it is never contradicted (it
 * stands on its own evidence); a large one must be visible in its total. Half, not all: the
 * share-times-change model is approximate for percentiles and the total's baseline may differ in
 * kind (seasonal vs EWMA), so only a clear contradiction counts.
 *
 * <p><b>Counts</b> (page views, fetches) are checked the other way round: a segment's count change
 * must stand out from its app's. The app's traffic has lulls and surges of its own (on the held-out
 * files news-web's total page views fell from 280 to 148 a minute for ten minutes with no incident
 * near), and every segment falls with it; a drop of one country is a drop of its share. So, over
 * the finding's windows, the segment's share of the app total's count is tested against its
 * expected share p = Σ expected_segment / Σ expected_total: z = (Σ observed_segment − p · Σ
 * observed_total) / √(φ · Σ observed_total · p(1 − p)), the binomial split of the app's observed
 * count, its variance scaled by φ, the segment's learned spread squared on the Anscombe scale (1
 * for Poisson counts; sampling weights and visitors' clustered views make it larger). Below {@code
 * shortfallZ} standard errors in the finding's direction the segment did not move more than its
 * app: its alert does not open (the total's own finding stands on its own). Not checked when the
 * segment is most of its app (p &gt; 0.9) or the app counted nothing.
 *
 * <p>Knob: {@code detection.alerting.parent-shortfall-z} (0 = off) for both tests. Plain Java.
 */
final class ParentConsistency {
    private ParentConsistency() {}

    /** The share of the segment's implied change the total must not be significantly below. */
    static final double SHOWN_FRACTION = 0.5;

    /**
     * The total's pooled shortfall in its standard errors (negative = it shows less than {@link
     * #SHOWN_FRACTION} of the implied change, in the direction of the finding), or NaN when no
     * window has both series scored with a volume.
     *
     * @param rows the app's rows of the finding's windows (every dimension, the total too)
     * @param down the finding's direction is down (a share falling, traffic dropping)
     */
    static double shortfall(
            String metric, String dimension, String value, boolean down, List<RowDigest> rows) {
        double sum = 0;
        int n = 0;
        for (MetricScore[] pair : pairs(metric, dimension, value, rows)) {
            MetricScore s = pair[0];
            MetricScore t = pair[1];
            if (s.residual == null
                    || s.denominator == null
                    || t.residual == null
                    || t.spread == null
                    || t.denominator == null
                    || !(t.spread > 0)
                    || !(t.denominator > 0)) {
                continue;
            }
            double share = Math.min(1, s.denominator / t.denominator);
            double implied = SHOWN_FRACTION * share * s.residual;
            sum += (t.residual - implied) / t.spread;
            n++;
        }
        if (n == 0) {
            return Double.NaN;
        }
        double pooled = sum / Math.sqrt(n);
        return down ? -pooled : pooled;
    }

    /** True when the total contradicts the segment's change (see the class comment). */
    static boolean contradicts(
            String metric,
            String dimension,
            String value,
            boolean down,
            List<RowDigest> rows,
            double shortfallZ) {
        if (shortfallZ <= 0 || Dimension.ALL.configName().equals(dimension)) {
            return false;
        }
        if (isCount(metric, dimension, value, rows)) {
            double z = shareChange(metric, dimension, value, down, rows);
            return !Double.isNaN(z) && z < shortfallZ;
        }
        double d = shortfall(metric, dimension, value, down, rows);
        return !Double.isNaN(d) && d < -shortfallZ;
    }

    /** The segment's scores of this metric are counts (no volume behind them). */
    private static boolean isCount(
            String metric, String dimension, String value, List<RowDigest> rows) {
        for (RowDigest r : rows) {
            MetricScore s = r.scores.get(metric);
            if (s != null && r.dimension.equals(dimension) && r.dimensionValue.equals(value)) {
                return s.denominator == null && s.value != null && s.expected != null;
            }
        }
        return false;
    }

    /**
     * How far the segment's share of its app total's count moved, in its standard errors, signed so
     * that positive is the finding's direction (see the class comment); NaN when the windows hold
     * no pair of scored rows, the app counted nothing, or the segment is most of its app.
     */
    static double shareChange(
            String metric, String dimension, String value, boolean down, List<RowDigest> rows) {
        double observed = 0;
        double expected = 0;
        double totalObserved = 0;
        double totalExpected = 0;
        double dispersion = 0;
        int n = 0;
        for (MetricScore[] pair : pairs(metric, dimension, value, rows)) {
            MetricScore s = pair[0];
            MetricScore t = pair[1];
            if (s.value == null
                    || s.expected == null
                    || t.value == null
                    || t.expected == null
                    || !(s.expected >= 0)
                    || !(t.expected > 0)) {
                continue;
            }
            observed += s.value;
            expected += s.expected;
            totalObserved += t.value;
            totalExpected += t.expected;
            // Poisson counts have spread 1 on the Anscombe scale; more is overdispersion.
            double spread = s.spread == null || !(s.spread > 0) ? 1 : Math.max(1, s.spread);
            dispersion += spread * spread;
            n++;
        }
        if (n == 0 || !(totalObserved > 0) || !(totalExpected > 0)) {
            return Double.NaN;
        }
        double p = Math.min(1, expected / totalExpected);
        if (p > MOST_OF_ITS_APP || !(p > 0)) {
            return Double.NaN;
        }
        double sd = Math.sqrt(dispersion / n * totalObserved * p * (1 - p));
        double z = (observed - p * totalObserved) / sd;
        return down ? -z : z;
    }

    /** A segment above this share of its app's expected count is not checked against it. */
    static final double MOST_OF_ITS_APP = 0.9;

    /** Per window the segment's and the app total's score of {@code metric}, both present. */
    private static List<MetricScore[]> pairs(
            String metric, String dimension, String value, List<RowDigest> rows) {
        Map<Long, MetricScore> segment = new HashMap<>();
        Map<Long, MetricScore> total = new HashMap<>();
        for (RowDigest r : rows) {
            MetricScore s = r.scores.get(metric);
            if (s == null) {
                continue;
            }
            if (Dimension.ALL.configName().equals(r.dimension)) {
                total.put(r.windowStart, s);
            } else if (r.dimension.equals(dimension) && r.dimensionValue.equals(value)) {
                segment.put(r.windowStart, s);
            }
        }
        List<MetricScore[]> out = new ArrayList<>();
        for (Map.Entry<Long, MetricScore> e : segment.entrySet()) {
            MetricScore t = total.get(e.getKey());
            if (t != null) {
                out.add(new MetricScore[] {e.getValue(), t});
            }
        }
        return out;
    }
}
