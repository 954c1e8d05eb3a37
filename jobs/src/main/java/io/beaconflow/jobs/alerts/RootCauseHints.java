package io.beaconflow.jobs.alerts;

import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.metrics.Dimension;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which dimension values carry an app's change: for each dimension (browser, release, country,
 * route, ...) the values are ranked by their share of the deviation summed over the incident's
 * windows, and a value that carries much more of the deviation than of the volume becomes a hint:
 * {@code browser=Safari carries 83% of the extra error_rate (22% of its volume)}.
 *
 * <p>Deviation of a value in a window: for rates and percentiles {@code (observed − expected) ×
 * volume} (volume = views or samples), where expected is the series' own baseline, or the app
 * total's when the series has none yet (a new release); for counts {@code observed − expected} with
 * the series' own baseline. Only deviations in the alert's direction count.
 *
 * <p>Plain Java, no Flink: the alert operator calls it with the rows it keeps per app.
 */
public final class RootCauseHints {
    private RootCauseHints() {}

    /** A ranked hint. */
    public record Hint(String dimension, String value, double share, double volumeShare) {
        double lift() {
            return share - volumeShare;
        }

        String text(String metric, boolean down) {
            return String.format(
                    Locale.ROOT,
                    "%s=%s carries %d%% of the %s %s (%d%% of its volume)",
                    dimension,
                    value,
                    Math.round(share * 100),
                    down ? "drop in" : "extra",
                    metric,
                    Math.round(volumeShare * 100));
        }
    }

    /**
     * @param rows the app's rows of the incident's windows (all dimensions, the app total too)
     * @param exclude a dimension to leave out (the alert's own), or null
     */
    public static List<String> compute(
            String metric,
            String direction,
            List<RowDigest> rows,
            String exclude,
            double minShare,
            int max) {
        boolean down = "down".equals(direction);
        List<Hint> hints = rank(metric, down, rows, exclude, minShare);
        List<String> out = new ArrayList<>();
        for (Hint h : hints) {
            if (out.size() >= max) {
                break;
            }
            out.add(h.text(metric, down));
        }
        return out;
    }

    static List<Hint> rank(
            String metric, boolean down, List<RowDigest> rows, String exclude, double minShare) {
        Map<Long, Double> appExpected = new HashMap<>();
        Map<Long, Double> appLevel = new HashMap<>();
        for (RowDigest r : rows) {
            MetricScore s = r.scores.get(metric);
            if (Dimension.ALL.configName().equals(r.dimension) && s != null && s.expected != null) {
                appExpected.put(r.windowStart, s.expected);
                if (s.denominator == null && s.value != null && s.expected > 0) {
                    appLevel.put(r.windowStart, s.value / s.expected);
                }
            }
        }
        // dimension -> value -> {excess, volume}
        Map<String, Map<String, double[]>> acc = new TreeMap<>();
        double totalExcess = 0;
        for (RowDigest r : rows) {
            boolean total = Dimension.ALL.configName().equals(r.dimension);
            if (!total && r.dimension.equals(exclude)) {
                continue;
            }
            MetricScore s = r.scores.get(metric);
            if (s == null || s.value == null) {
                continue;
            }
            boolean ownBaseline = s.expected != null && !"none".equals(s.baseline);
            double excess;
            double volume;
            if (s.denominator != null) {
                Double expected = ownBaseline ? s.expected : appExpected.get(r.windowStart);
                if (expected == null) {
                    continue;
                }
                volume = s.denominator;
                excess = (s.value - expected) * volume;
            } else {
                if (!ownBaseline) {
                    continue;
                }
                volume = Math.max(s.value, s.expected);
                // Against the app's level in that window: when all traffic runs 10 % above
                // the baselines (they trail the morning ramp), a value that fell to a fifth
                // still stands out and the others do not look like drops or floods.
                double level = total ? 1 : appLevel.getOrDefault(r.windowStart, 1.0);
                excess = s.value - s.expected * level;
            }
            if (down) {
                excess = -excess;
            }
            if (total) {
                totalExcess += excess;
                continue;
            }
            double[] a =
                    acc.computeIfAbsent(r.dimension, k -> new TreeMap<>())
                            .computeIfAbsent(r.dimensionValue, k -> new double[2]);
            a[0] += excess;
            a[1] += volume;
        }
        // Every dimension splits the same traffic, so each should account for the same change.
        // Shares are of the largest of them (or of the app total's change): when tablets dip by
        // chance while one country lost 200 views, "device=tablet carries 100 % of the drop in
        // the device split" must not become a hint.
        double whole = Math.max(0, totalExcess);
        for (Map<String, double[]> values : acc.values()) {
            double positive = 0;
            for (double[] a : values.values()) {
                positive += Math.max(0, a[0]);
            }
            whole = Math.max(whole, positive);
        }
        List<Hint> hints = new ArrayList<>();
        if (whole <= 0) {
            return hints;
        }
        for (Map.Entry<String, Map<String, double[]>> d : acc.entrySet()) {
            double volume = 0;
            for (double[] a : d.getValue().values()) {
                volume += a[1];
            }
            if (volume <= 0) {
                continue;
            }
            for (Map.Entry<String, double[]> v : d.getValue().entrySet()) {
                double share = Math.min(1, Math.max(0, v.getValue()[0]) / whole);
                double volumeShare = v.getValue()[1] / volume;
                if (share >= minShare && share > volumeShare) {
                    hints.add(new Hint(d.getKey(), v.getKey(), share, volumeShare));
                }
            }
        }
        hints.sort(
                Comparator.comparingDouble(Hint::lift)
                        .reversed()
                        .thenComparing(Hint::dimension)
                        .thenComparing(Hint::value));
        return hints;
    }
}
