package io.beaconflow.jobs.detection;

/**
 * One scored point of one metric on one series, normal or not: the input of the CEP patterns
 * (sustained anomaly needs the anomalies, recovery needs the normal points). The record timestamp
 * is the window's last millisecond, like the aggregate row it came from. A Flink POJO.
 */
public class AnomalySignal {
    /** {@code app|dimension|value}. */
    public String series;

    public String app;

    /** {@code all}, route, release, browser, country, device or variant. */
    public String dimension;

    public String dimensionValue;
    public String metric;

    /** Detector metric family: {@code error_rate}, {@code latency}, {@code throughput}, ... */
    public String metricKind;

    public long windowStart;
    public long windowEnd;
    public double observed;
    public Double denominator;
    public Double expected;
    public Double lower;
    public Double upper;
    public Double z;
    public double score;

    /** {@code up}, {@code down} or null. */
    public String direction;

    public boolean anomaly;

    /**
     * True for a release canary: a new release's value judged against the app-wide band (see {@code
     * ReleaseWatch}) rather than by a detector with its own history. Canary and detector signals of
     * the same series are separate CEP keys.
     */
    public boolean canary;

    /**
     * Root-cause hints the scorer knows itself (an error surge: the segments its sessions come
     * from), put in front of the alert's computed ones; null for most signals.
     */
    public java.util.List<String> hints;

    public AnomalySignal() {}

    /** The CEP key: one pattern instance per series, metric and signal source. */
    public String patternKey() {
        return series + '|' + metric + (canary ? "|canary" : "");
    }

    public static String seriesName(String app, String dimension, String value) {
        return app + '|' + dimension + '|' + value;
    }

    @Override
    public String toString() {
        return "AnomalySignal{"
                + patternKey()
                + " ["
                + windowStart
                + ","
                + windowEnd
                + ") obs="
                + observed
                + " exp="
                + expected
                + (anomaly ? " ANOMALY " + direction : "")
                + "}";
    }
}
