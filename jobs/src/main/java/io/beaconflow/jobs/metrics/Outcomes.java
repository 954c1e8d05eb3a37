package io.beaconflow.jobs.metrics;

/**
 * The exact outcome counts a series keeps besides its sketches, and how one event maps to them:
 * HTTP status class and failure of a fetch, the good / needs-improvement / poor rating of a web
 * vital, and the Apdex zone of a page load. Each outcome is a slot of {@link
 * MetricAccumulator#outcomes}; an event adds its weight to the slots set in its {@link
 * SeriesSample#outcomes} bit mask. Counted exactly rather than read from the sketches: a sketch
 * answers within 1 % of a value, and a vital at 2.49 s must count as good.
 *
 * <p>Vital thresholds are Google's published ones (https://web.dev/articles/vitals, and per metric
 * https://web.dev/articles/lcp, /inp, /cls, /fcp, /ttfb): good when the value is at most the first
 * threshold, poor when it is above the second. Plain Java, no Flink.
 */
public final class Outcomes {
    private Outcomes() {}

    public static final int STATUS_2XX = 0;
    public static final int STATUS_3XX = 1;
    public static final int STATUS_4XX = 2;
    public static final int STATUS_5XX = 3;

    /** Status 0: the call never got an answer (network error, CORS, abort, timeout). */
    public static final int NETWORK_ERROR = 4;

    /** The status is in {@code metrics.fetch-failure-statuses}. */
    public static final int FETCH_FAILURE = 5;

    /** The rated vitals, in slot order. */
    static final LatencyMetric[] RATED = {
        LatencyMetric.LCP,
        LatencyMetric.INP,
        LatencyMetric.CLS,
        LatencyMetric.FCP,
        LatencyMetric.TTFB
    };

    /** Good ≤ GOOD[i], poor > POOR[i], in the vital's unit (ms; CLS unitless). web.dev. */
    private static final double[] GOOD = {2500, 200, 0.1, 1800, 800};

    private static final double[] POOR = {4000, 500, 0.25, 3000, 1800};

    public static final int GOOD_RATING = 0;
    public static final int NEEDS_IMPROVEMENT = 1;
    public static final int POOR_RATING = 2;

    private static final int FIRST_RATING = 6;

    /** Apdex zones of a page load: satisfied ≤ T, tolerating ≤ 4T, frustrated above. */
    public static final int APDEX_SATISFIED = FIRST_RATING + 3 * RATED.length;

    public static final int APDEX_TOLERATING = APDEX_SATISFIED + 1;
    public static final int APDEX_FRUSTRATED = APDEX_SATISFIED + 2;

    /**
     * Route changes of a single-page app (page views without a document load), counted whether or
     * not the SDK timed them: the share of a route's views that are SPA views.
     */
    public static final int ROUTE_CHANGE = APDEX_FRUSTRATED + 1;

    /** Number of slots; new outcomes are appended (the serializer writes the count). */
    public static final int SLOTS = ROUTE_CHANGE + 1;

    /** The slot of a rating of a rated vital, or -1 when the metric is not rated. */
    public static int ratingSlot(LatencyMetric m, int rating) {
        int i = ratedIndex(m);
        return i < 0 ? -1 : FIRST_RATING + 3 * i + rating;
    }

    static int ratedIndex(LatencyMetric m) {
        for (int i = 0; i < RATED.length; i++) {
            if (RATED[i] == m) {
                return i;
            }
        }
        return -1;
    }

    /** The rating of a vital value on web.dev's thresholds, or -1 for an unrated metric. */
    public static int rate(LatencyMetric m, double value) {
        int i = ratedIndex(m);
        if (i < 0) {
            return -1;
        }
        return value <= GOOD[i] ? GOOD_RATING : value <= POOR[i] ? NEEDS_IMPROVEMENT : POOR_RATING;
    }

    /** The slot of an HTTP status class, or -1 (1xx, or a status outside 100-599). */
    public static int statusSlot(int status) {
        if (status == 0) {
            return NETWORK_ERROR;
        }
        if (status >= 200 && status < 600) {
            return STATUS_2XX + status / 100 - 2;
        }
        return -1;
    }

    /**
     * The outcome bit mask of one event.
     *
     * @param failing {@code failing[s]} is true for a status that counts as a failed fetch (index 0
     *     = network error); see {@link MetricsConfig#failingStatuses()}
     * @param apdexMs Apdex T in milliseconds
     */
    public static int of(
            LatencyMetric metric,
            double value,
            Integer fetchStatus,
            boolean[] failing,
            double apdexMs) {
        int mask = 0;
        if (metric == LatencyMetric.FETCH || (metric == null && fetchStatus != null)) {
            if (fetchStatus != null) {
                int slot = statusSlot(fetchStatus);
                if (slot >= 0) {
                    mask |= 1 << slot;
                }
                if (fetchStatus >= 0 && fetchStatus < failing.length && failing[fetchStatus]) {
                    mask |= 1 << FETCH_FAILURE;
                }
            }
        } else if (metric == LatencyMetric.LOAD) {
            mask |=
                    1
                            << (value <= apdexMs
                                    ? APDEX_SATISFIED
                                    : value <= 4 * apdexMs ? APDEX_TOLERATING : APDEX_FRUSTRATED);
        } else if (metric != null) {
            int rating = rate(metric, value);
            if (rating >= 0) {
                mask |= 1 << ratingSlot(metric, rating);
            }
        }
        return mask;
    }
}
