package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.LatencyMetric;
import io.beaconflow.jobs.metrics.Outcomes;
import io.beaconflow.jobs.metrics.SeriesSample;

/**
 * One session's data in one arm (a variant or a release), the unit a comparison tests: sessions,
 * not page views, are what an experiment randomizes, and views of one session share its network and
 * device, so they are not independent observations (docs/DISCUSSION.md, "Comparisons judge
 * sessions"). Received (unweighted) counts of views, JS errors, fetches and failed fetches, and per
 * compared latency the mean of log(1 + ms) of the session's values, so the session's value is its
 * geometric mean: a latency factor is multiplicative, and one slow view does not dominate it as it
 * would an arithmetic mean. Mergeable without keeping values. A Flink POJO.
 */
public class SessionSummary {
    public String app;

    /** {@code variant} or {@code release} (the metric dimension's config name). */
    public String dimension;

    /** {@code experiment=variant}, or the release. */
    public String value;

    /** The session's key ({@code app:sessionId}); ties in tests and logs, not in statistics. */
    public String session;

    /** Event time of the session's first event in this arm. */
    public long start;

    /** Event time the session was closed (its last event + the gap): the record's timestamp. */
    public long end;

    public int views;
    public int errors;
    public int fetches;
    public int failures;

    /** Per {@link ComparedMetric#latencyIndex}: Σ log(1 + ms) and the number of values. */
    public double[] logSums = new double[ComparedMetric.LATENCIES];

    public int[] counts = new int[ComparedMetric.LATENCIES];

    public SessionSummary() {}

    public SessionSummary(String app, String dimension, String value, String session) {
        this.app = app;
        this.dimension = dimension;
        this.value = value;
        this.session = session;
    }

    /** Counts one event's sample of this arm (the metric stage's fan-out, see SeriesFanOut). */
    public void add(SeriesSample s) {
        switch (s.kind) {
            case SeriesSample.PAGE_VIEW:
                views++;
                break;
            case SeriesSample.FETCH:
            case SeriesSample.FAILED_FETCH:
                fetches++;
                break;
            case SeriesSample.JS_ERROR:
                errors++;
                break;
            default:
                break;
        }
        // Failed as configured (metrics.fetch-failure-statuses), as the metric rows count them.
        if ((s.outcomes & (1 << Outcomes.FETCH_FAILURE)) != 0) {
            failures++;
        }
        if (s.metric >= 0) {
            addLatency(LatencyMetric.values()[s.metric], s.value);
        }
    }

    /** Adds one latency value; metrics not compared and values no sketch takes are ignored. */
    void addLatency(LatencyMetric m, double ms) {
        for (int i = 0; i < ComparisonFunction.LATENCIES.length; i++) {
            if (ComparisonFunction.LATENCIES[i] == m && ms >= 0 && Double.isFinite(ms)) {
                logSums[i] += Math.log1p(ms);
                counts[i]++;
            }
        }
    }

    /** The session's value of a latency (geometric mean of 1 + ms, minus 1), NaN without one. */
    public double latency(int latencyIndex) {
        return counts[latencyIndex] == 0
                ? Double.NaN
                : Math.expm1(logSums[latencyIndex] / counts[latencyIndex]);
    }
}
