package io.beaconflow.jobs.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One output row: the aggregates of one series (an app total, or an app and one dimension value) in
 * one tumbling event-time window. Written to Elasticsearch under {@link #id}; a late update of the
 * same window overwrites the row with a higher {@link #updateSeq}.
 *
 * <p>Counts are weighted by 1 / sample rate (true traffic), {@link #samples} and the {@code *Count}
 * fields are not (how many events the numbers rest on). Percentiles come from DDSketch with the
 * configured relative accuracy and are {@code null} when the window had no value.
 *
 * <p>A Flink POJO: public fields, no-arg constructor. JSON field names are the snake_case field
 * names ({@code lcp_p75}, {@code error_rate}, ...).
 */
public class MetricAggregate {
    static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.99};

    /** {@code app|dimension|value|windowStart}: deterministic, so replays overwrite. */
    public String id;

    public String app;

    /**
     * {@code all} for the app total, else route, release, browser, country, device, variant, os,
     * browser_version or endpoint.
     */
    public String dimension;

    /** {@code *} for the app total; {@code experiment=variant} for the variant dimension. */
    public String dimensionValue;

    /** Epoch millis, inclusive. */
    public long windowStart;

    /** Epoch millis, exclusive. */
    public long windowEnd;

    /** 0 for the firing at the watermark, then +1 per update caused by a late event. */
    public int updateSeq;

    public double pageViews;
    public double events;
    public double fetches;
    public double failedFetches;
    public double jsErrors;

    /** JS errors per page view (can exceed 1); {@code null} without page views. */
    public Double errorRate;

    /**
     * Failed fetches (status 0 or 5xx, fixed) per fetch; {@code null} without fetches. See {@link
     * #fetchFailureRate} for the configurable definition.
     */
    public Double fetchErrorRate;

    /** Events in the window, unweighted. */
    public long samples;

    /**
     * The window's visitors as a 64-bit bitmap, one bit per session ({@link
     * io.beaconflow.detectors.evidence.Visitors}): rows of one series unite by OR, and detection
     * counts the distinct visitors behind a verdict from it ({@code min_sessions}). {@code null}
     * when no event had a session. Stored, not indexed.
     */
    public Long sessionBits;

    // ---- load: page_view.load_ms ----
    public Double loadP50;
    public Double loadP75;
    public Double loadP95;
    public Double loadP99;

    /** Unweighted number of load values in the window. */
    public long loadCount;

    // ---- lcp: LCP web vital (ms) ----
    public Double lcpP50;
    public Double lcpP75;
    public Double lcpP95;
    public Double lcpP99;

    /** Unweighted number of lcp values in the window. */
    public long lcpCount;

    // ---- inp: INP web vital (ms) ----
    public Double inpP50;
    public Double inpP75;
    public Double inpP95;
    public Double inpP99;

    /** Unweighted number of inp values in the window. */
    public long inpCount;

    // ---- ttfb: TTFB web vital (ms) ----
    public Double ttfbP50;
    public Double ttfbP75;
    public Double ttfbP95;
    public Double ttfbP99;

    /** Unweighted number of ttfb values in the window. */
    public long ttfbCount;

    // ---- fcp: FCP web vital (ms) ----
    public Double fcpP50;
    public Double fcpP75;
    public Double fcpP95;
    public Double fcpP99;

    /** Unweighted number of fcp values in the window. */
    public long fcpCount;

    // ---- cls: CLS web vital (score) ----
    public Double clsP50;
    public Double clsP75;
    public Double clsP95;
    public Double clsP99;

    /** Unweighted number of cls values in the window. */
    public long clsCount;

    // ---- fetch: fetch.duration_ms ----
    public Double fetchP50;
    public Double fetchP75;
    public Double fetchP95;
    public Double fetchP99;

    /** Unweighted number of fetch values in the window. */
    public long fetchCount;

    // ---- route_change: page_view.route_change_ms of single-page apps' route changes ----
    public Double routeChangeP50;
    public Double routeChangeP75;
    public Double routeChangeP95;
    public Double routeChangeP99;

    /** Unweighted number of timed route changes in the window. */
    public long routeChangeCount;

    /**
     * Single-page app route changes (weighted), a subset of {@link #pageViews}: a route change is a
     * view of its route, so per-route traffic, error rate and bounce see SPA views, and this count
     * tells how many of the views were route changes rather than document loads.
     */
    public double routeChanges;

    // ---- fetch outcomes (weighted; on every series with fetches, and the endpoint series) ----

    /** Fetches answered 2xx. */
    @JsonProperty("fetches_2xx")
    public double fetches2xx;

    /** Fetches answered 3xx (a 304 from a revalidation is one). */
    @JsonProperty("fetches_3xx")
    public double fetches3xx;

    @JsonProperty("fetches_4xx")
    public double fetches4xx;

    @JsonProperty("fetches_5xx")
    public double fetches5xx;

    /** Fetches without an answer: status 0 (network error, CORS, abort, timeout). */
    public double fetchesNetworkError;

    /** Fetches whose status is in {@code metrics.fetch-failure-statuses}. */
    public double fetchFailures;

    /** {@link #fetchFailures} per fetch; {@code null} without fetches. */
    public Double fetchFailureRate;

    // ---- lcp: LCP rated on web.dev's thresholds (weighted counts, shares of the rated) ----
    public double lcpGood;
    public double lcpNeedsImprovement;
    public double lcpPoor;
    public Double lcpGoodShare;
    public Double lcpNeedsImprovementShare;
    public Double lcpPoorShare;

    // ---- inp: INP rated on web.dev's thresholds (weighted counts, shares of the rated) ----
    public double inpGood;
    public double inpNeedsImprovement;
    public double inpPoor;
    public Double inpGoodShare;
    public Double inpNeedsImprovementShare;
    public Double inpPoorShare;

    // ---- cls: CLS rated on web.dev's thresholds (weighted counts, shares of the rated) ----
    public double clsGood;
    public double clsNeedsImprovement;
    public double clsPoor;
    public Double clsGoodShare;
    public Double clsNeedsImprovementShare;
    public Double clsPoorShare;

    // ---- fcp: FCP rated on web.dev's thresholds (weighted counts, shares of the rated) ----
    public double fcpGood;
    public double fcpNeedsImprovement;
    public double fcpPoor;
    public Double fcpGoodShare;
    public Double fcpNeedsImprovementShare;
    public Double fcpPoorShare;

    // ---- ttfb: TTFB rated on web.dev's thresholds (weighted counts, shares of the rated) ----
    public double ttfbGood;
    public double ttfbNeedsImprovement;
    public double ttfbPoor;
    public Double ttfbGoodShare;
    public Double ttfbNeedsImprovementShare;
    public Double ttfbPoorShare;

    // ---- Apdex of page loads with T = metrics.apdex-threshold (weighted counts) ----

    /** Loads within T. */
    public double apdexSatisfied;

    /** Loads within 4T. */
    public double apdexTolerating;

    /** Loads above 4T. */
    public double apdexFrustrated;

    /** (satisfied + tolerating / 2) / loads, in [0, 1]; {@code null} without loads. */
    public Double apdex;

    /**
     * The accumulator this row was computed from, between the window's aggregate function and
     * {@link MetricWindowFunction} only (which passes variant and release ones to the comparison
     * stage and clears it): transient, so never serialized, and never in the JSON.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore public transient MetricAccumulator accumulator;

    public MetricAggregate() {}

    /** The row fields of the {@link Outcomes} counts. */
    void setOutcomes(double[] o) {
        fetches2xx = o[Outcomes.STATUS_2XX];
        fetches3xx = o[Outcomes.STATUS_3XX];
        fetches4xx = o[Outcomes.STATUS_4XX];
        fetches5xx = o[Outcomes.STATUS_5XX];
        fetchesNetworkError = o[Outcomes.NETWORK_ERROR];
        fetchFailures = o[Outcomes.FETCH_FAILURE];
        fetchFailureRate = fetches > 0 ? fetchFailures / fetches : null;
        lcpGood = o[Outcomes.ratingSlot(LatencyMetric.LCP, Outcomes.GOOD_RATING)];
        lcpNeedsImprovement = o[Outcomes.ratingSlot(LatencyMetric.LCP, Outcomes.NEEDS_IMPROVEMENT)];
        lcpPoor = o[Outcomes.ratingSlot(LatencyMetric.LCP, Outcomes.POOR_RATING)];
        double lcpRated = lcpGood + lcpNeedsImprovement + lcpPoor;
        lcpGoodShare = lcpRated > 0 ? lcpGood / lcpRated : null;
        lcpNeedsImprovementShare = lcpRated > 0 ? lcpNeedsImprovement / lcpRated : null;
        lcpPoorShare = lcpRated > 0 ? lcpPoor / lcpRated : null;
        inpGood = o[Outcomes.ratingSlot(LatencyMetric.INP, Outcomes.GOOD_RATING)];
        inpNeedsImprovement = o[Outcomes.ratingSlot(LatencyMetric.INP, Outcomes.NEEDS_IMPROVEMENT)];
        inpPoor = o[Outcomes.ratingSlot(LatencyMetric.INP, Outcomes.POOR_RATING)];
        double inpRated = inpGood + inpNeedsImprovement + inpPoor;
        inpGoodShare = inpRated > 0 ? inpGood / inpRated : null;
        inpNeedsImprovementShare = inpRated > 0 ? inpNeedsImprovement / inpRated : null;
        inpPoorShare = inpRated > 0 ? inpPoor / inpRated : null;
        clsGood = o[Outcomes.ratingSlot(LatencyMetric.CLS, Outcomes.GOOD_RATING)];
        clsNeedsImprovement = o[Outcomes.ratingSlot(LatencyMetric.CLS, Outcomes.NEEDS_IMPROVEMENT)];
        clsPoor = o[Outcomes.ratingSlot(LatencyMetric.CLS, Outcomes.POOR_RATING)];
        double clsRated = clsGood + clsNeedsImprovement + clsPoor;
        clsGoodShare = clsRated > 0 ? clsGood / clsRated : null;
        clsNeedsImprovementShare = clsRated > 0 ? clsNeedsImprovement / clsRated : null;
        clsPoorShare = clsRated > 0 ? clsPoor / clsRated : null;
        fcpGood = o[Outcomes.ratingSlot(LatencyMetric.FCP, Outcomes.GOOD_RATING)];
        fcpNeedsImprovement = o[Outcomes.ratingSlot(LatencyMetric.FCP, Outcomes.NEEDS_IMPROVEMENT)];
        fcpPoor = o[Outcomes.ratingSlot(LatencyMetric.FCP, Outcomes.POOR_RATING)];
        double fcpRated = fcpGood + fcpNeedsImprovement + fcpPoor;
        fcpGoodShare = fcpRated > 0 ? fcpGood / fcpRated : null;
        fcpNeedsImprovementShare = fcpRated > 0 ? fcpNeedsImprovement / fcpRated : null;
        fcpPoorShare = fcpRated > 0 ? fcpPoor / fcpRated : null;
        ttfbGood = o[Outcomes.ratingSlot(LatencyMetric.TTFB, Outcomes.GOOD_RATING)];
        ttfbNeedsImprovement =
                o[Outcomes.ratingSlot(LatencyMetric.TTFB, Outcomes.NEEDS_IMPROVEMENT)];
        ttfbPoor = o[Outcomes.ratingSlot(LatencyMetric.TTFB, Outcomes.POOR_RATING)];
        double ttfbRated = ttfbGood + ttfbNeedsImprovement + ttfbPoor;
        ttfbGoodShare = ttfbRated > 0 ? ttfbGood / ttfbRated : null;
        ttfbNeedsImprovementShare = ttfbRated > 0 ? ttfbNeedsImprovement / ttfbRated : null;
        ttfbPoorShare = ttfbRated > 0 ? ttfbPoor / ttfbRated : null;
        apdexSatisfied = o[Outcomes.APDEX_SATISFIED];
        apdexTolerating = o[Outcomes.APDEX_TOLERATING];
        apdexFrustrated = o[Outcomes.APDEX_FRUSTRATED];
        routeChanges = o[Outcomes.ROUTE_CHANGE];
        double loads = apdexSatisfied + apdexTolerating + apdexFrustrated;
        apdex = loads > 0 ? (apdexSatisfied + apdexTolerating / 2) / loads : null;
    }

    /** A rating share of a vital by its row name, or null when none. */
    Double share(LatencyMetric m, int rating) {
        switch (m) {
            case LCP:
                return pick3(rating, lcpGoodShare, lcpNeedsImprovementShare, lcpPoorShare);
            case INP:
                return pick3(rating, inpGoodShare, inpNeedsImprovementShare, inpPoorShare);
            case CLS:
                return pick3(rating, clsGoodShare, clsNeedsImprovementShare, clsPoorShare);
            case FCP:
                return pick3(rating, fcpGoodShare, fcpNeedsImprovementShare, fcpPoorShare);
            case TTFB:
                return pick3(rating, ttfbGoodShare, ttfbNeedsImprovementShare, ttfbPoorShare);
            default:
                throw new IllegalArgumentException(m.name());
        }
    }

    private static Double pick3(int i, Double good, Double needsImprovement, Double poor) {
        return i == Outcomes.GOOD_RATING
                ? good
                : i == Outcomes.NEEDS_IMPROVEMENT ? needsImprovement : poor;
    }

    /** {@code [metric ordinal, rating]} of {@code <vital>_good_share} etc., or null. */
    static int[] shareName(String name) {
        int rating;
        String prefix;
        if (name.endsWith("_good_share")) {
            rating = Outcomes.GOOD_RATING;
            prefix = name.substring(0, name.length() - "_good_share".length());
        } else if (name.endsWith("_needs_improvement_share")) {
            rating = Outcomes.NEEDS_IMPROVEMENT;
            prefix = name.substring(0, name.length() - "_needs_improvement_share".length());
        } else if (name.endsWith("_poor_share")) {
            rating = Outcomes.POOR_RATING;
            prefix = name.substring(0, name.length() - "_poor_share".length());
        } else {
            return null;
        }
        LatencyMetric m = LatencyMetric.fromPrefix(prefix);
        return m == null || Outcomes.ratedIndex(m) < 0 ? null : new int[] {m.ordinal(), rating};
    }

    void setLatency(LatencyMetric m, double[] q, long count) {
        switch (m) {
            case LOAD:
                loadP50 = q[0];
                loadP75 = q[1];
                loadP95 = q[2];
                loadP99 = q[3];
                loadCount = count;
                break;
            case LCP:
                lcpP50 = q[0];
                lcpP75 = q[1];
                lcpP95 = q[2];
                lcpP99 = q[3];
                lcpCount = count;
                break;
            case INP:
                inpP50 = q[0];
                inpP75 = q[1];
                inpP95 = q[2];
                inpP99 = q[3];
                inpCount = count;
                break;
            case TTFB:
                ttfbP50 = q[0];
                ttfbP75 = q[1];
                ttfbP95 = q[2];
                ttfbP99 = q[3];
                ttfbCount = count;
                break;
            case FCP:
                fcpP50 = q[0];
                fcpP75 = q[1];
                fcpP95 = q[2];
                fcpP99 = q[3];
                fcpCount = count;
                break;
            case CLS:
                clsP50 = q[0];
                clsP75 = q[1];
                clsP95 = q[2];
                clsP99 = q[3];
                clsCount = count;
                break;
            case FETCH:
                fetchP50 = q[0];
                fetchP75 = q[1];
                fetchP95 = q[2];
                fetchP99 = q[3];
                fetchCount = count;
                break;
            case ROUTE_CHANGE:
                routeChangeP50 = q[0];
                routeChangeP75 = q[1];
                routeChangeP95 = q[2];
                routeChangeP99 = q[3];
                routeChangeCount = count;
                break;
            default:
                throw new IllegalArgumentException(m.name());
        }
    }

    /**
     * The value of a metric by the name detectors use: {@code error_rate}, {@code
     * fetch_error_rate}, {@code fetch_failure_rate}, {@code page_views}, {@code events}, {@code
     * fetches}, {@code apdex}, {@code <m>_p50|p75|p95|p99} for m in load, lcp, inp, ttfb, fcp, cls,
     * fetch, route_change (e.g. {@code lcp_p75}), or {@code <v>_good_share}, {@code
     * _needs_improvement_share}, {@code _poor_share} for v in lcp, inp, cls, fcp, ttfb. {@code
     * null} when the window has no value for it.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public Double value(String metricName) {
        switch (metricName) {
            case "error_rate":
                return errorRate;
            case "fetch_error_rate":
                return fetchErrorRate;
            case "page_views":
                return pageViews;
            case "events":
                return events;
            case "fetches":
                return fetches;
            case "fetch_failure_rate":
                return fetchFailureRate;
            case "apdex":
                return apdex;
            default:
                int[] share = shareName(metricName);
                if (share != null) {
                    return share(LatencyMetric.ofOrdinal(share[0]), share[1]);
                }
                int u = metricName.lastIndexOf('_');
                LatencyMetric m =
                        u > 0 ? LatencyMetric.fromPrefix(metricName.substring(0, u)) : null;
                int quantile = u > 0 ? quantileIndex(metricName.substring(u + 1)) : -1;
                if (m == null || quantile < 0) {
                    throw unknown(metricName);
                }
                return percentile(m, quantile);
        }
    }

    /**
     * What a metric's value rests on, so detectors can weigh volume: received (unweighted) page
     * views for {@code error_rate}, received fetches for {@code fetch_error_rate}, the value count
     * for a percentile, and NaN for throughput metrics (they are their own volume).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public double denominator(String metricName) {
        switch (metricName) {
            case "error_rate":
                return pageViews * sampledShare();
            case "fetch_error_rate":
            case "fetch_failure_rate":
                return fetches * sampledShare();
            case "apdex":
                return loadCount;
            case "page_views":
            case "events":
            case "fetches":
                return Double.NaN;
            default:
                int[] share = shareName(metricName);
                if (share != null) {
                    // Every value of a rated vital is rated: the share rests on its count.
                    return count(LatencyMetric.ofOrdinal(share[0]));
                }
                int u = metricName.lastIndexOf('_');
                LatencyMetric m =
                        u > 0 ? LatencyMetric.fromPrefix(metricName.substring(0, u)) : null;
                if (m == null || quantileIndex(metricName.substring(u + 1)) < 0) {
                    throw unknown(metricName);
                }
                return count(m);
        }
    }

    /**
     * Received events per weighted event: the sample rate. Counts are weighted (a view from an app
     * sampling 25 % counts 4), but a rate's certainty rests on what was received: 3 errors in 30
     * received views are not 12 in 120, and a binomial test on the weighted count would be 4 times
     * too sure (false alerts on sampled apps).
     */
    private double sampledShare() {
        return events > 0 ? Math.min(1, samples / events) : 1;
    }

    /** Percentile {@code quantile} (index into p50, p75, p95, p99) of a metric. */
    public Double percentile(LatencyMetric m, int quantile) {
        switch (m) {
            case LOAD:
                return pick(quantile, loadP50, loadP75, loadP95, loadP99);
            case LCP:
                return pick(quantile, lcpP50, lcpP75, lcpP95, lcpP99);
            case INP:
                return pick(quantile, inpP50, inpP75, inpP95, inpP99);
            case TTFB:
                return pick(quantile, ttfbP50, ttfbP75, ttfbP95, ttfbP99);
            case FCP:
                return pick(quantile, fcpP50, fcpP75, fcpP95, fcpP99);
            case CLS:
                return pick(quantile, clsP50, clsP75, clsP95, clsP99);
            case FETCH:
                return pick(quantile, fetchP50, fetchP75, fetchP95, fetchP99);
            case ROUTE_CHANGE:
                return pick(
                        quantile, routeChangeP50, routeChangeP75, routeChangeP95, routeChangeP99);
            default:
                throw new IllegalArgumentException(m.name());
        }
    }

    /** Unweighted count of a metric's values. */
    public long count(LatencyMetric m) {
        switch (m) {
            case LOAD:
                return loadCount;
            case LCP:
                return lcpCount;
            case INP:
                return inpCount;
            case TTFB:
                return ttfbCount;
            case FCP:
                return fcpCount;
            case CLS:
                return clsCount;
            case FETCH:
                return fetchCount;
            case ROUTE_CHANGE:
                return routeChangeCount;
            default:
                throw new IllegalArgumentException(m.name());
        }
    }

    private static Double pick(int i, Double p50, Double p75, Double p95, Double p99) {
        switch (i) {
            case 0:
                return p50;
            case 1:
                return p75;
            case 2:
                return p95;
            default:
                return p99;
        }
    }

    private static int quantileIndex(String suffix) {
        switch (suffix) {
            case "p50":
                return 0;
            case "p75":
                return 1;
            case "p95":
                return 2;
            case "p99":
                return 3;
            default:
                return -1;
        }
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException(
                "unknown metric '"
                        + name
                        + "'; use error_rate, fetch_error_rate, fetch_failure_rate, page_views,"
                        + " events, fetches, apdex, <m>_p50|p75|p95|p99 with m in load, lcp, inp,"
                        + " ttfb, fcp, cls, fetch, route_change, or <v>_good_share|needs_improvement_share|"
                        + "poor_share with v in lcp, inp, cls, fcp, ttfb");
    }

    @Override
    public String toString() {
        return "MetricAggregate{"
                + id
                + " seq="
                + updateSeq
                + " pageViews="
                + pageViews
                + " events="
                + events
                + " samples="
                + samples
                + "}";
    }
}
