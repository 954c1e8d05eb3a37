package io.beaconflow.jobs.evaluation;

import io.beaconflow.jobs.generator.IncidentTruth;
import io.beaconflow.jobs.metrics.MetricAggregate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;

/**
 * How strongly each injected incident shows in the metric rows of its own series: the evidence a
 * test would have that <b>knows</b> the incident's segment, onset and end, and compares its windows
 * with the {@link #BEFORE} before it. A detector does not know where and when to look, so it must
 * pass the budget's threshold (about 5.3 standard errors) on far more tests; an incident whose
 * evidence stays under that threshold cannot be found by a test of its own series at the budget,
 * however the detector is tuned. The evaluation prints the count as a ceiling next to its recall,
 * so a miss reads either as the detector's or as the traffic's (too few received events).
 *
 * <p>Per incident kind, the strongest of these one-sided tests over the app total, the series of
 * the incident's segment and, for an API failure or a slow backend, its endpoint's series:
 *
 * <ul>
 *   <li>error and failure rates (error spike, partial outage, new error: {@code error_rate}; API
 *       failure: {@code fetch_error_rate}, {@code fetch_failure_rate}): the received failures in
 *       the incident against the rate before it, exact Poisson upper tail (errors per view can
 *       exceed one);
 *   <li>percentiles (latency kinds: {@code load}, {@code lcp}, {@code ttfb}; a vital regression:
 *       that vital; a slow backend: {@code fetch}; each at p50 and p75): the mean of the windows'
 *       log percentile against the windows' before, in standard errors of the windows before;
 *   <li>good shares (LCP for the latency kinds, the vital's own for a vital regression): the good
 *       values among the incident's rated values, exact binomial lower tail at the share before;
 *   <li>traffic drops: the segment's received page views out of its app's, against its share
 *       before, with the overdispersion the windows before show (a visitor's views come together).
 * </ul>
 *
 * <p>What it is not: an upper bound for every possible detector. Another series can carry more of
 * an incident than its own segment (an error spike of one message shows best in that message's
 * fingerprint series, which the error-surge test watches), and the windows before are assumed
 * quiet. It answers "how much does the incident's own series show?", which is what most misses come
 * down to.
 */
public final class IncidentEvidence {
    private IncidentEvidence() {}

    /** The stretch before an incident its windows are compared with. */
    public static final long BEFORE = 6 * 3_600_000L;

    /** Windows before the incident a percentile test needs (fewer: no verdict for it). */
    static final int MIN_WINDOWS_BEFORE = 10;

    /** log of the tail below which {@link #zOfLogTail} uses the asymptote (1e-15). */
    static final double ASYMPTOTE_BELOW = Math.log(1e-15);

    /** Largest |z| reported: beyond it every test says the same. */
    static final double Z_CAP = 100;

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    /**
     * The strongest test of one incident.
     *
     * @param z standard errors in the incident's direction (NaN when no series had data)
     * @param series {@code app|dimension|value} of the series it came from
     * @param metric the metric tested
     */
    public record Finding(double z, String series, String metric) {
        static final Finding NONE = new Finding(Double.NaN, "", "");

        boolean stronger(Finding other) {
            return !Double.isNaN(z) && (Double.isNaN(other.z) || z > other.z);
        }
    }

    /**
     * The evidence of every incident, by incident id.
     *
     * @param rows metric rows (a later version of a window replaces an earlier one)
     */
    public static Map<String, Finding> of(
            List<IncidentTruth> incidents, List<MetricAggregate> rows) {
        // Only the rows of series some incident names are kept: two days are ~10^6 rows.
        Map<String, TreeMap<Long, MetricAggregate>> bySeries = new HashMap<>();
        for (MetricAggregate r : rows) {
            for (IncidentTruth t : incidents) {
                if (concerns(t, r)) {
                    bySeries.computeIfAbsent(key(r), k -> new TreeMap<>()).put(r.windowStart, r);
                    break;
                }
            }
        }
        Map<String, Finding> out = new LinkedHashMap<>();
        for (IncidentTruth t : incidents) {
            Finding best = Finding.NONE;
            String total = t.app() + "|all|*";
            for (Map.Entry<String, TreeMap<Long, MetricAggregate>> e : bySeries.entrySet()) {
                MetricAggregate any = e.getValue().firstEntry().getValue();
                if (!concerns(t, any)) {
                    continue;
                }
                Finding f = strongest(t, e.getKey(), e.getValue(), bySeries.get(total));
                if (f.stronger(best)) {
                    best = f;
                }
            }
            out.put(t.id(), best);
        }
        return out;
    }

    /** The row is the incident's app total, its segment's series or its endpoint's. */
    static boolean concerns(IncidentTruth t, MetricAggregate r) {
        if (!t.app().equals(r.app)) {
            return false;
        }
        return "all".equals(r.dimension)
                || IncidentMatcher.matches(t.dimension(), t.value(), r.dimension, r.dimensionValue)
                || IncidentMatcher.namesEndpoint(t, r.dimension, r.dimensionValue);
    }

    private static String key(MetricAggregate r) {
        return r.app + "|" + r.dimension + "|" + r.dimensionValue;
    }

    private static Finding strongest(
            IncidentTruth t,
            String series,
            TreeMap<Long, MetricAggregate> rows,
            TreeMap<Long, MetricAggregate> appTotal) {
        long start = t.startMillis();
        List<MetricAggregate> before = new ArrayList<>(rows.subMap(start - BEFORE, start).values());
        List<MetricAggregate> during = new ArrayList<>(rows.subMap(start, t.endMillis()).values());
        boolean total = series.endsWith("|all|*");
        Finding best = Finding.NONE;
        for (String metric : metrics(t)) {
            double z;
            if (metric.equals("page_view_share")) {
                if (total || appTotal == null) {
                    continue; // the app total's share of itself does not move
                }
                z = shareDrop(rows, appTotal, start - BEFORE, start, t.endMillis());
            } else if (metric.endsWith("_good_share")) {
                z = goodShareFall(metric, before, during);
            } else if (metric.endsWith("_rate")) {
                z = rateRise(metric, before, during);
            } else {
                z = percentileRise(metric, before, during);
            }
            Finding f = new Finding(z, series, metric);
            if (f.stronger(best)) {
                best = f;
            }
        }
        return best;
    }

    /** The metrics the incident kind moves, as {@link IncidentMatcher} counts them. */
    static List<String> metrics(IncidentTruth t) {
        switch (t.kind()) {
            case "error_spike":
            case "partial_outage":
            case "new_error":
                return List.of("error_rate");
            case "api_failure":
                return List.of("fetch_error_rate", "fetch_failure_rate");
            case "traffic_drop":
                return List.of("page_view_share");
            case "backend_slow":
                return List.of("fetch_p50", "fetch_p75");
            case "vital_regression":
                List<String> vital = new ArrayList<>();
                for (String m : t.metrics()) {
                    if (m.startsWith(IncidentTruth.VITAL_PREFIX)) {
                        String v =
                                m.substring(IncidentTruth.VITAL_PREFIX.length())
                                        .toLowerCase(Locale.ROOT);
                        vital.addAll(List.of(v + "_p50", v + "_p75", v + "_good_share"));
                    }
                }
                return vital;
            default: // latency_regression, latency_drift, variant_regression
                return List.of(
                        "load_p50",
                        "load_p75",
                        "lcp_p50",
                        "lcp_p75",
                        "ttfb_p50",
                        "ttfb_p75",
                        "lcp_good_share");
        }
    }

    /** Received failures in the incident against the rate before it (Poisson upper tail). */
    static double rateRise(
            String metric, List<MetricAggregate> before, List<MetricAggregate> during) {
        double[] b = received(metric, before);
        double[] d = received(metric, during);
        if (!(d[1] > 0) || !(b[1] > 0)) {
            return Double.NaN;
        }
        // Half a failure before: a series that never failed is not infinitely surprised by one.
        double rate = Math.max(b[0], 0.5) / b[1];
        long failures = Math.round(d[0]);
        if (failures == 0) {
            return -Z_CAP; // the tail is everything: evidence against
        }
        return zOfLogTail(poissonUpperLogTail((int) failures, rate * d[1]));
    }

    /**
     * log P(X >= x) for X ~ Poisson(lambda). Beyond the mean it sums the terms in log space: {@code
     * 1 - cdf} loses everything below about 1e-16, which would make every strong incident read the
     * same.
     */
    static double poissonUpperLogTail(int x, double lambda) {
        PoissonDistribution d = new PoissonDistribution(null, lambda, 1e-12, 10_000_000);
        if (x <= lambda) {
            return Math.log(1 - d.cumulativeProbability(x - 1));
        }
        double log = Double.NEGATIVE_INFINITY;
        for (int i = x; ; i++) { // the terms fall from x on: stop when they no longer count
            double t = d.logProbability(i);
            log = logAdd(log, t);
            if (t < log - 40) {
                return log;
            }
        }
    }

    /** log P(X <= k) for X ~ Binomial(n, p), summed in log space below the mean. */
    static double binomialLowerLogTail(int k, int n, double p) {
        BinomialDistribution d = new BinomialDistribution(null, n, p);
        if (k >= n * p) {
            return Math.log(d.cumulativeProbability(k));
        }
        double log = Double.NEGATIVE_INFINITY;
        for (int i = k; i >= 0; i--) { // the terms fall from k down
            double t = d.logProbability(i);
            log = logAdd(log, t);
            if (t < log - 40) {
                break;
            }
        }
        return log;
    }

    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        double hi = Math.max(a, b);
        return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
    }

    /** The good values among the incident's rated values, at the share before (binomial). */
    static double goodShareFall(
            String metric, List<MetricAggregate> before, List<MetricAggregate> during) {
        double[] b = received(metric, before);
        double[] d = received(metric, during);
        if (!(d[1] >= 1) || !(b[1] > 0)) {
            return Double.NaN;
        }
        double p = b[0] / b[1];
        if (!(p > 0 && p < 1)) {
            return Double.NaN;
        }
        int n = (int) Math.round(d[1]);
        int good = (int) Math.round(d[0]);
        return zOfLogTail(binomialLowerLogTail(good, n, p));
    }

    /** Σ value × denominator and Σ denominator (the received counts behind a rate or share). */
    private static double[] received(String metric, List<MetricAggregate> rows) {
        double num = 0;
        double den = 0;
        for (MetricAggregate r : rows) {
            Double v = r.value(metric);
            double n = r.denominator(metric);
            if (v != null && !v.isNaN() && n > 0) {
                num += v * n;
                den += n;
            }
        }
        return new double[] {num, den};
    }

    /**
     * The incident windows' mean log percentile against the windows before, in standard errors of
     * the windows before (each window one value, as the detector sees it).
     */
    static double percentileRise(
            String metric, List<MetricAggregate> before, List<MetricAggregate> during) {
        // CLS is a small unitless score, often near 0: the offset the spec uses for it.
        double offset = metric.startsWith("cls_") ? 0.01 : 1;
        double[] b = logValues(metric, before, offset);
        double[] d = logValues(metric, during, offset);
        if (b.length < MIN_WINDOWS_BEFORE || d.length == 0) {
            return Double.NaN;
        }
        double mb = mean(b);
        double ss = 0;
        for (double x : b) {
            ss += (x - mb) * (x - mb);
        }
        double sd = Math.sqrt(ss / (b.length - 1));
        if (!(sd > 0)) {
            return Double.NaN;
        }
        return (mean(d) - mb) / (sd * Math.sqrt(1.0 / d.length + 1.0 / b.length));
    }

    private static double[] logValues(String metric, List<MetricAggregate> rows, double offset) {
        return rows.stream()
                .map(r -> r.value(metric))
                .filter(v -> v != null && v >= 0)
                .mapToDouble(v -> Math.log(v + offset))
                .toArray();
    }

    /**
     * The segment's received page views out of its app's in the incident, against its share in the
     * stretch before, in standard errors of a binomial split widened by the overdispersion of the
     * windows before (at least 1). A window the segment has no row for had no view of it.
     */
    static double shareDrop(
            TreeMap<Long, MetricAggregate> segment,
            TreeMap<Long, MetricAggregate> app,
            long from,
            long start,
            long end) {
        List<double[]> windows = new ArrayList<>();
        double x = 0;
        double total = 0;
        for (MetricAggregate a : app.subMap(from, start).values()) {
            double[] w = split(segment.get(a.windowStart), a);
            if (w[1] > 0) {
                windows.add(w);
                x += w[0];
                total += w[1];
            }
        }
        if (windows.size() < MIN_WINDOWS_BEFORE || !(x > 0) || !(total > x)) {
            return Double.NaN;
        }
        double p = x / total;
        double dispersion = 0;
        for (double[] w : windows) {
            double r = w[0] - p * w[1];
            dispersion += r * r / (w[1] * p * (1 - p));
        }
        dispersion = Math.max(1, dispersion / windows.size());
        double seen = 0;
        double appViews = 0;
        for (MetricAggregate a : app.subMap(start, end).values()) {
            double[] w = split(segment.get(a.windowStart), a);
            seen += w[0];
            appViews += w[1];
        }
        if (!(appViews > 0)) {
            return Double.NaN;
        }
        return (p * appViews - seen) / Math.sqrt(dispersion * p * (1 - p) * appViews);
    }

    /** Received page views of the segment and of its app in one window. */
    private static double[] split(MetricAggregate segment, MetricAggregate app) {
        double share = app.pageViews > 0 ? app.denominator("error_rate") / app.pageViews : 1;
        double seg = segment == null ? 0 : segment.pageViews * share;
        return new double[] {Math.min(seg, app.pageViews * share), app.pageViews * share};
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /**
     * A one-sided tail, given as its log, in standard errors: the normal quantile, and below 1e-15
     * (where Commons Math's quantile, through erf⁻¹(2p − 1), rounds to −∞) the quantile from the
     * normal tail's asymptote {@code φ(z)/z}, solved by iteration (off by under 0.02 at z 8).
     */
    static double zOfLogTail(double logTail) {
        if (!(logTail < 0)) {
            return -Z_CAP; // the tail is everything: evidence against
        }
        if (logTail > ASYMPTOTE_BELOW) {
            return Math.min(
                    Z_CAP, -STANDARD_NORMAL.inverseCumulativeProbability(Math.exp(logTail)));
        }
        double z = Math.sqrt(-2 * logTail);
        for (int i = 0; i < 4; i++) {
            z = Math.sqrt(-2 * logTail - 2 * Math.log(z) - Math.log(2 * Math.PI));
        }
        return Math.min(Z_CAP, z);
    }
}
