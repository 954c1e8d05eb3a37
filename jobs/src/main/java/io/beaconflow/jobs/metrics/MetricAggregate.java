package io.beaconflow.jobs.metrics;

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

    /** {@code all} for the app total, else route, release, browser, country, device, variant. */
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

    /** Failed fetches (status 0 or 5xx) per fetch; {@code null} without fetches. */
    public Double fetchErrorRate;

    /** Events in the window, unweighted. */
    public long samples;

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

    public MetricAggregate() {}

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
            default:
                throw new IllegalArgumentException(m.name());
        }
    }

    /**
     * The value of a metric by the name detectors use: {@code error_rate}, {@code
     * fetch_error_rate}, {@code page_views}, {@code events}, {@code fetches}, or {@code
     * <m>_p50|p75|p95|p99} for m in load, lcp, inp, ttfb, fcp, cls, fetch (e.g. {@code lcp_p75}).
     * {@code null} when the window has no value for it.
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
            default:
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
                return fetches * sampledShare();
            case "page_views":
            case "events":
            case "fetches":
                return Double.NaN;
            default:
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
                        + "'; use error_rate, fetch_error_rate, page_views, events, fetches or"
                        + " <m>_p50|p75|p95|p99 with m in load, lcp, inp, ttfb, fcp, cls, fetch");
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
