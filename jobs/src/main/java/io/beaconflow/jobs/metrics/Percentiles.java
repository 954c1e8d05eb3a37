package io.beaconflow.jobs.metrics;

/**
 * The percentiles of one latency metric ({@link LatencyMetric}) in one window, from the window's
 * DDSketch: p50, p75, p95, p99 ({@link MetricAggregate#QUANTILES}), {@code null} when the window
 * had no value, and how many values (unweighted) they rest on.
 *
 * <p>One class for the eight metrics of a row, so that filling and reading a metric is one line
 * instead of a field per metric and quantile. In the row's document the fields stand flat with the
 * metric's prefix ({@code lcp_p75}, {@code lcp_count}): {@link MetricAggregate} unwraps them, so
 * index templates, dashboards and detector metric names did not change. A Flink POJO.
 */
public class Percentiles {
    public Double p50;
    public Double p75;
    public Double p95;
    public Double p99;

    /** Unweighted number of values in the window. */
    public long count;

    public Percentiles() {}

    /** {@code q}: the values at {@link MetricAggregate#QUANTILES}, in that order. */
    void set(double[] q, long count) {
        p50 = q[0];
        p75 = q[1];
        p95 = q[2];
        p99 = q[3];
        this.count = count;
    }

    /** Percentile {@code quantile} (index into p50, p75, p95, p99). */
    public Double at(int quantile) {
        switch (quantile) {
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

    /** Index into p50, p75, p95, p99 of a name suffix ({@code p75}), or -1. */
    static int quantileIndex(String suffix) {
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

    /** A copy, for a row copied field by field. */
    public Percentiles copy() {
        Percentiles c = new Percentiles();
        c.p50 = p50;
        c.p75 = p75;
        c.p95 = p95;
        c.p99 = p99;
        c.count = count;
        return c;
    }
}
