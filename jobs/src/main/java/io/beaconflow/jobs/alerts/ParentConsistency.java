package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.metrics.Dimension;
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
 * <p>Knob: {@code detection.alerting.parent-shortfall-z} (0 = off). Applies to metrics with a
 * volume (rates, percentiles, shares); counts have none and are not checked. Plain Java.
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
        double sum = 0;
        int n = 0;
        for (Map.Entry<Long, MetricScore> e : segment.entrySet()) {
            MetricScore s = e.getValue();
            MetricScore t = total.get(e.getKey());
            if (t == null
                    || s.residual == null
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
        double d = shortfall(metric, dimension, value, down, rows);
        return !Double.isNaN(d) && d < -shortfallZ;
    }
}
