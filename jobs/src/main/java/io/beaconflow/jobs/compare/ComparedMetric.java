package io.beaconflow.jobs.compare;

/**
 * The metrics a comparison tests, with the test suited to each: proportions for the two rates, the
 * rank test for the latencies. For all of them higher is worse.
 */
public enum ComparedMetric {
    /** JS errors per page view (two proportions; a view with two errors counts once). */
    ERROR_RATE("error_rate", -1),
    /** Failed fetches ({@code metrics.fetch-failure-statuses}) per fetch. */
    FETCH_FAILURE_RATE("fetch_failure_rate", -1),
    /** {@code page_view.load_ms}. */
    LOAD("load", 0),
    LCP("lcp", 1),
    INP("inp", 2),
    /** {@code fetch.duration_ms}. */
    FETCH("fetch", 3);

    public static final int LATENCIES = 4;

    /** The name in documents ({@code metric} field). */
    public final String field;

    /** Index into {@link ArmStats#latency}, or -1 for a rate. */
    public final int latencyIndex;

    ComparedMetric(String field, int latencyIndex) {
        this.field = field;
        this.latencyIndex = latencyIndex;
    }

    public boolean isRate() {
        return latencyIndex < 0;
    }
}
