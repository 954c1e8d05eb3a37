package io.beaconflow.jobs.compare;

/**
 * What one arm (a variant, or a release) brings to a comparison, in received (unweighted) units:
 * page views and JS errors, fetches and failed fetches with their second moments over sessions (for
 * the rates' clustered variance), and per latency the distribution of one value per session. Plain
 * Java: built from {@link ArmSessions} by the Flink operator, and by tests.
 */
public final class ArmStats {
    public long pageViews;
    public long jsErrors;
    public long fetches;
    public long fetchFailures;

    /** Sessions with at least one view, and with at least one fetch: the rates' n. */
    public long viewSessions;

    public long fetchSessions;

    /** Σ over sessions of views², errors², views·errors (and the same for fetches, failures). */
    public double viewsSq;

    public double jsErrorsSq;
    public double viewsJsErrors;
    public double fetchesSq;
    public double fetchFailuresSq;
    public double fetchesFailures;

    /**
     * Per {@link ComparedMetric#latencyIndex}: one value per session (its geometric mean); null
     * when the arm has no value of it.
     */
    public final Binned[] latency = new Binned[ComparedMetric.LATENCIES];
}
