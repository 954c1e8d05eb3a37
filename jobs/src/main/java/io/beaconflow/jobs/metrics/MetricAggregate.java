package io.beaconflow.jobs.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One output row: the aggregates of one series (an app total, or an app and one dimension value) in
 * one tumbling event-time window. Written to Elasticsearch under {@link #id}; a late update of the
 * same window overwrites the row with a higher {@link #updateSeq}.
 *
 * <p>Counts are weighted by 1 / sample rate (true traffic), {@link #samples} and each {@link
 * Percentiles#count} are not (how many events the numbers rest on). Percentiles come from DDSketch
 * with the configured relative accuracy and are {@code null} when the window had no value.
 *
 * <p>A Flink POJO: public fields, no-arg constructor. JSON field names are the snake_case field
 * names ({@code error_rate}, ...); a metric's {@link Percentiles} and a vital's {@link Ratings}
 * stand flat with the metric's prefix ({@code lcp_p75}, {@code lcp_count}, {@code lcp_good_share}).
 *
 * <p>Held in keyed state as part of a {@link io.beaconflow.jobs.detection.ScoredAggregate} (rows
 * that {@code ReleaseWatch} buffers until the watermark passes their window): a savepoint taken
 * before percentiles and ratings were grouped restores with those buffered rows' percentiles and
 * ratings empty (Flink drops removed POJO fields); see docs/DISCUSSION.md.
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

    // ---- latency percentiles and counts, one value per metric; in the document flat with the
    // metric's prefix (load_p50 ... load_p99, load_count), as when they were fields of the row ----

    /** page_view.load_ms. */
    @JsonUnwrapped(prefix = "load_")
    public Percentiles load = new Percentiles();

    /** LCP web vital (ms). */
    @JsonUnwrapped(prefix = "lcp_")
    public Percentiles lcp = new Percentiles();

    /** INP web vital (ms). */
    @JsonUnwrapped(prefix = "inp_")
    public Percentiles inp = new Percentiles();

    /** TTFB web vital (ms). */
    @JsonUnwrapped(prefix = "ttfb_")
    public Percentiles ttfb = new Percentiles();

    /** FCP web vital (ms). */
    @JsonUnwrapped(prefix = "fcp_")
    public Percentiles fcp = new Percentiles();

    /** CLS web vital (score). */
    @JsonUnwrapped(prefix = "cls_")
    public Percentiles cls = new Percentiles();

    /** fetch.duration_ms. */
    @JsonUnwrapped(prefix = "fetch_")
    public Percentiles fetch = new Percentiles();

    /** page_view.route_change_ms of single-page apps' route changes. */
    @JsonUnwrapped(prefix = "route_change_")
    public Percentiles routeChange = new Percentiles();

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

    // ---- web vitals rated on web.dev's thresholds (weighted counts, shares of the rated); in the
    // document flat with the vital's prefix (lcp_good ... lcp_poor_share) ----
    @JsonUnwrapped(prefix = "lcp_")
    public Ratings lcpRatings = new Ratings();

    @JsonUnwrapped(prefix = "inp_")
    public Ratings inpRatings = new Ratings();

    @JsonUnwrapped(prefix = "cls_")
    public Ratings clsRatings = new Ratings();

    @JsonUnwrapped(prefix = "fcp_")
    public Ratings fcpRatings = new Ratings();

    @JsonUnwrapped(prefix = "ttfb_")
    public Ratings ttfbRatings = new Ratings();

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
        for (LatencyMetric m : Outcomes.RATED) {
            ratings(m).set(o, m);
        }
        apdexSatisfied = o[Outcomes.APDEX_SATISFIED];
        apdexTolerating = o[Outcomes.APDEX_TOLERATING];
        apdexFrustrated = o[Outcomes.APDEX_FRUSTRATED];
        routeChanges = o[Outcomes.ROUTE_CHANGE];
        double loads = apdexSatisfied + apdexTolerating + apdexFrustrated;
        apdex = loads > 0 ? (apdexSatisfied + apdexTolerating / 2) / loads : null;
    }

    /**
     * The percentiles of a metric. Never null: a row restored from a savepoint taken before
     * percentiles were grouped (see docs/DISCUSSION.md) may hold none, and reads as no values.
     */
    public Percentiles percentiles(LatencyMetric m) {
        Percentiles p;
        switch (m) {
            case LOAD:
                p = load;
                break;
            case LCP:
                p = lcp;
                break;
            case INP:
                p = inp;
                break;
            case TTFB:
                p = ttfb;
                break;
            case FCP:
                p = fcp;
                break;
            case CLS:
                p = cls;
                break;
            case FETCH:
                p = fetch;
                break;
            case ROUTE_CHANGE:
                p = routeChange;
                break;
            default:
                throw new IllegalArgumentException(m.name());
        }
        return p != null ? p : new Percentiles();
    }

    /** The ratings of a rated vital ({@link Outcomes#RATED}); never null, like percentiles. */
    public Ratings ratings(LatencyMetric m) {
        Ratings r;
        switch (m) {
            case LCP:
                r = lcpRatings;
                break;
            case INP:
                r = inpRatings;
                break;
            case CLS:
                r = clsRatings;
                break;
            case FCP:
                r = fcpRatings;
                break;
            case TTFB:
                r = ttfbRatings;
                break;
            default:
                throw new IllegalArgumentException(m.name() + " is not rated");
        }
        return r != null ? r : new Ratings();
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
        percentiles(m).set(q, count);
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
                    return ratings(LatencyMetric.ofOrdinal(share[0])).share(share[1]);
                }
                int u = metricName.lastIndexOf('_');
                LatencyMetric m =
                        u > 0 ? LatencyMetric.fromPrefix(metricName.substring(0, u)) : null;
                int quantile = u > 0 ? Percentiles.quantileIndex(metricName.substring(u + 1)) : -1;
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
                return load.count;
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
                if (m == null || Percentiles.quantileIndex(metricName.substring(u + 1)) < 0) {
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
        return percentiles(m).at(quantile);
    }

    /**
     * The window's median under a percentile above it ({@code load_p50} for {@code load_p75} or
     * {@code fetch_p95}'s {@code fetch_p50}), for the detectors' {@code body_share} check; {@code
     * null} for a median itself, a metric that is no percentile, or a window without the value.
     */
    public Double medianUnder(String metric) {
        int u = metric.lastIndexOf('_');
        if (u <= 0) {
            return null;
        }
        String quantile = metric.substring(u + 1);
        if (!quantile.equals("p75") && !quantile.equals("p95") && !quantile.equals("p99")) {
            return null;
        }
        LatencyMetric m = LatencyMetric.fromPrefix(metric.substring(0, u));
        return m == null ? null : percentile(m, 0);
    }

    /** Unweighted count of a metric's values. */
    public long count(LatencyMetric m) {
        return percentiles(m).count;
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
